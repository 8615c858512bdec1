/** Commands: the pilot's intent, signed and sent by main, and its lifecycle. */
import { z } from 'zod';
import { channel } from './channel';
import { entityIdSchema, streamAddressSchema, type IsoTime } from './primitives';

export type CommandState = 'pending' | 'applied' | 'rejected' | 'timed_out' | 'failed';

export interface CommandView {
  commandId: string;
  vesselId: string;
  on: string[];
  off: string[];
  state: CommandState;
  sentAt: IsoTime;
  settledAt: IsoTime | null;
  /** Send to verified ack, milliseconds. */
  rttMs: number | null;
  /** For rejected / failed / timed_out: stable code and words. */
  reason: { code: string; message: string } | null;
  /** True when the ack signature and chain verified (always true for applied/rejected). */
  ackVerified: boolean;
}

export const commandIntentSchema = z
  .object({
    vesselId: entityIdSchema,
    on: z.array(streamAddressSchema).max(256),
    off: z.array(streamAddressSchema).max(256),
  })
  .strict();
export type CommandIntent = z.infer<typeof commandIntentSchema>;

/** Command channels. */
export const commandsChannels = {
  /** Builds, signs and publishes a streams.set command from the intent; resolves with the pending command. */
  'commands.send': channel<CommandView>()('commands.send', commandIntentSchema),
  'commands.list': channel<CommandView[]>()(
    'commands.list',
    z.object({ vesselId: entityIdSchema.optional(), limit: z.int().min(1).max(1000).optional() }).strict(),
  ),
} as const;
