/** The app itself: version and transport. */
import { channel } from './channel';
import { emptySchema } from './primitives';

export interface AppInfo {
  version: string;
  contractVersion: number;
  transport: 'electron' | 'web';
  platform: string;
}

/** App channels. */
export const appChannels = {
  'app.info': channel<AppInfo>()('app.info', emptySchema),
} as const;
