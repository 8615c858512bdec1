/** Commands: the pilot's intent, signed and sent by main, and its lifecycle. */
import { z } from 'zod';
import { channel } from './channel';
import { entityIdSchema, streamAddressSchema, type IsoTime } from './primitives';

/**
 * A command's life: `pending` (sent, no verified ack yet), `timed_out` (no verified ack within the console's
 * timeout, but the token is still valid: the vessel may yet apply it and a late verified ack still settles it),
 * then one final state: `applied` / `rejected` (verified ack), `expired` (the token expired, with its clock
 * tolerance, without a verified ack: the vessel can no longer apply it), `failed` (the broker refused the publish).
 */
export type CommandState = 'pending' | 'applied' | 'rejected' | 'timed_out' | 'expired' | 'failed';

/** The states after which nothing changes a command any more (toggles snap back to the verified state). */
export const FINAL_COMMAND_STATES = [
  'applied',
  'rejected',
  'expired',
  'failed',
] as const satisfies readonly CommandState[];

/** Why a command did not apply. */
export interface CommandReason {
  /** Stable code (`ERR_…`): the vessel's reason in a rejected ack, or the console's. */
  code: string;
  /** The standard words for the code. */
  message: string;
  /**
   * The vessel's own words for a rejection (the signed ack's `reason_text`, e.g. the ship systems hook's "the
   * voyage data recorder feed (VDRD) must stay on"): sanitised, at most 200 characters; absent when it gave none.
   * Shown once, next to the code's words, never merged into them.
   */
  vesselText?: string;
}

/** A vessel named for people: its id with the name and IMO number from its verified certificate. */
export interface VesselLabel {
  vesselId: string;
  name: string | null;
  imo: string | null;
}

/** One stream a command switches, by name. */
export interface StreamChange {
  id: string;
  name: string;
  /** group:port */
  address: string;
  /** True: switched on; false: switched off. */
  on: boolean;
}

export interface CommandView {
  commandId: string;
  vesselId: string;
  /** The vessel with its certified name and IMO number, as known when the command was sent. */
  vessel: VesselLabel;
  /** Every stream on / off after the command (the full partition the command carries). */
  on: string[];
  off: string[];
  /** The streams this command switches against the verified state when it was sent, by name. */
  changes: StreamChange[];
  state: CommandState;
  sentAt: IsoTime;
  /** The command token's expiry (exp): after it (plus clock tolerance) the vessel refuses it. */
  expiresAt: IsoTime;
  /** When it left `pending` (timed out, or settled: the later time once a timed-out command settles). */
  settledAt: IsoTime | null;
  /** Send to verified ack, milliseconds. */
  rttMs: number | null;
  /** For rejected / failed / timed_out / expired: stable code and words (and the vessel's own words). */
  reason: CommandReason | null;
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
