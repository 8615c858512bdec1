/** Settings of the console. */
import { z } from 'zod';
import { channel } from './channel';
import { brokerUrlSchema, emptySchema, fingerprintSchema, httpsUrlSchema } from './primitives';

export const THEMES = ['system', 'light', 'dark', 'night'] as const;
export type Theme = (typeof THEMES)[number];

export interface SettingsView {
  brokerUrl: string | null;
  caUrl: string | null;
  rootFingerprint: string | null;
  theme: Theme;
  /** How long a command may stay pending before it is "timed out". */
  commandTimeoutSeconds: number;
  /** Command token lifetime (exp - iat); max 300 by protocol. */
  commandLifetimeSeconds: number;
  autoRenew: boolean;
  expiryWarningDays: number;
  confirmCriticalStreams: boolean;
  /** Connect to the broker on start when an identity is ready. */
  autoConnect: boolean;
  /**
   * MQTT keepalive of the broker session: a silent link (packets dropped, no FIN) is noticed after 1.5 × this. Lower
   * notices a dead satellite link sooner; every ping costs link bytes.
   */
  keepaliveSeconds: number;
}

export const settingsPatchSchema = z
  .object({
    brokerUrl: brokerUrlSchema.nullable(),
    caUrl: httpsUrlSchema.nullable(),
    rootFingerprint: fingerprintSchema.nullable(),
    theme: z.enum(THEMES),
    commandTimeoutSeconds: z.int().min(1).max(600),
    commandLifetimeSeconds: z.int().min(5).max(300),
    autoRenew: z.boolean(),
    expiryWarningDays: z.int().min(1).max(365),
    confirmCriticalStreams: z.boolean(),
    autoConnect: z.boolean(),
    keepaliveSeconds: z.int().min(2).max(600),
  })
  .partial()
  .strict();

/** Settings channels. */
export const settingsChannels = {
  'settings.get': channel<SettingsView>()('settings.get', emptySchema),
  'settings.update': channel<SettingsView>()('settings.update', settingsPatchSchema),
} as const;
