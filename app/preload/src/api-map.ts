/**
 * How {@link HelmlinkApi} maps onto contract channels and events, and the Electron IPC channel names.
 * Zod-free on purpose: the sandboxed preload bundles only this module (its imports are types only).
 */
import type { HelmlinkApi } from './contract/api';
import type { ChannelName } from './contract/channels';
import type { EventName } from './contract/events';

/**
 * How the API maps onto channels and events: `[group, method, channel]` and `[group, method, event]`.
 * The preload and the web client build their objects from these tables, so the three stay in step.
 */
export const API_METHODS = [
  ['app', 'info', 'app.info'],
  ['app', 'logout', 'app.logout'],
  ['identity', 'status', 'identity.status'],
  ['identity', 'custodyOptions', 'identity.custodyOptions'],
  ['identity', 'enroll', 'identity.enroll'],
  ['identity', 'import', 'identity.import'],
  ['identity', 'renew', 'identity.renew'],
  ['identity', 'unlock', 'identity.unlock'],
  ['identity', 'lock', 'identity.lock'],
  ['identity', 'remove', 'identity.remove'],
  ['settings', 'get', 'settings.get'],
  ['settings', 'update', 'settings.update'],
  ['fleet', 'vessels', 'fleet.vessels'],
  ['fleet', 'vessel', 'fleet.vessel'],
  ['fleet', 'rates', 'fleet.rates'],
  ['fleet', 'connection', 'fleet.connection'],
  ['fleet', 'connect', 'fleet.connect'],
  ['fleet', 'disconnect', 'fleet.disconnect'],
  ['fleet', 'alerts', 'fleet.alerts'],
  ['commands', 'send', 'commands.send'],
  ['commands', 'list', 'commands.list'],
  ['audit', 'search', 'audit.search'],
  ['audit', 'export', 'audit.export'],
  ['pki', 'certs', 'pki.certs'],
  ['pki', 'revoke', 'pki.revoke'],
  ['pki', 'release', 'pki.release'],
  ['pki', 'createToken', 'pki.createToken'],
  ['pki', 'crl', 'pki.crl'],
  ['pki', 'alerts', 'pki.alerts'],
] as const satisfies readonly (readonly [keyof HelmlinkApi, string, ChannelName])[];

export const API_EVENTS = [
  ['identity', 'onChanged', 'identity.changed'],
  ['identity', 'onEnrollProgress', 'identity.enrollProgress'],
  ['settings', 'onChanged', 'settings.changed'],
  ['fleet', 'onVessels', 'fleet.vessels'],
  ['fleet', 'onChanged', 'fleet.changed'],
  ['fleet', 'onConnection', 'fleet.connection'],
  ['fleet', 'onRates', 'fleet.rates'],
  ['fleet', 'onAlerts', 'fleet.alerts'],
  ['commands', 'onStatus', 'commands.status'],
  ['audit', 'onAppended', 'audit.appended'],
  ['pki', 'onAlert', 'pki.alert'],
] as const satisfies readonly (readonly [keyof HelmlinkApi, string, EventName])[];

/** Electron IPC channel for a request: `helmlink:<channel>`; for an event: `helmlink:event:<event>`. */
export const IPC_PREFIX = 'helmlink:';
export const IPC_EVENT_PREFIX = 'helmlink:event:';
export const ipcChannel = (name: ChannelName): string => `${IPC_PREFIX}${name}`;
export const ipcEventChannel = (name: EventName): string => `${IPC_EVENT_PREFIX}${name}`;

/** What a transport provides to carry the API: one request per channel, one subscription per event. */
export interface ApiTransport {
  /** Sends `request` on `channel` and resolves with the `ApiResult` (never rejects for a coded refusal). */
  invoke(channel: ChannelName, request: unknown): Promise<unknown>;
  /** Delivers each payload of `event` to `listener`; returns the unsubscribe function. */
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

/**
 * Builds the frozen `HelmlinkApi` object from {@link API_METHODS} and {@link API_EVENTS} over a transport: each
 * method invokes exactly its own channel (an absent request is `{}`), each `on…` subscribes to its own event.
 * The Electron preload and the web bridge client both use it, so neither can grow a generic invoke.
 */
export function buildApi(transport: ApiTransport): HelmlinkApi {
  const api: Record<string, Record<string, unknown>> = {};
  const group = (name: string): Record<string, unknown> => (api[name] ??= {});
  for (const [feature, method, channel] of API_METHODS) {
    // The request object is passed through as data; the receiving side validates it with the channel's schema.
    group(feature)[method] = (request?: unknown) => transport.invoke(channel, request ?? {});
  }
  for (const [feature, method, event] of API_EVENTS) {
    group(feature)[method] = (listener: unknown) => {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      return transport.subscribe(event, listener as (payload: unknown) => void);
    };
  }
  return Object.freeze(api) as unknown as HelmlinkApi;
}
