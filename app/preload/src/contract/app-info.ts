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

/** The answer to `app.logout`. */
export interface LogoutResult {
  /**
   * True when a web bridge session was ended (the page must open a new console link to come back); false under
   * Electron, which has no session to end.
   */
  loggedOut: boolean;
}

/** App channels. */
export const appChannels = {
  'app.info': channel<AppInfo>()('app.info', emptySchema),
  'app.logout': channel<LogoutResult>()('app.logout', emptySchema),
} as const;
