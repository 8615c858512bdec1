/**
 * The single channel map: every request channel of every feature. Keys are `feature.operation`; `name` equals the
 * key and is the Electron IPC channel (prefixed with `IPC_PREFIX`) and the web bridge `channel` field.
 */
import type { z } from 'zod';
import { appChannels } from './app-info';
import { auditChannels } from './audit';
import { commandsChannels } from './commands';
import { fleetChannels } from './fleet';
import { identityChannels } from './identity';
import { pkiChannels } from './pki';
import { settingsChannels } from './settings';

/** Every request channel. */
export const channels = {
  ...appChannels,
  ...identityChannels,
  ...settingsChannels,
  ...fleetChannels,
  ...commandsChannels,
  ...auditChannels,
  ...pkiChannels,
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type RequestOf<C extends ChannelName> = z.input<Channels[C]['request']>;
export type ParsedRequestOf<C extends ChannelName> = z.output<Channels[C]['request']>;
export type ResponseOf<C extends ChannelName> =
  NonNullable<Channels[C]['response']> extends never ? null : Exclude<Channels[C]['response'], undefined>;

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

/** True when `name` is a channel of the contract. */
export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}
