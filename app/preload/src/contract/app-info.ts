/** The app itself: version and transport. */
import { channel } from './channel';
import { emptySchema } from './primitives';

export interface AppInfo {
  version: string;
  contractVersion: number;
  transport: 'electron' | 'web';
  platform: string;
  /** The console host's IANA time zone (e.g. "Europe/Oslo"); times in the contract are UTC ISO 8601. */
  timeZone: string;
}

/** App channels. */
export const appChannels = {
  'app.info': channel<AppInfo>()('app.info', emptySchema),
} as const;
