import {
  API_EVENTS,
  API_METHODS,
  type ApiResult,
  type ChannelName,
  type CommandView,
  type ConnectionStatus,
  type EventMap,
  type EventName,
  type HelmlinkApi,
  type IdentityStatus,
  type StreamStateView,
  type VesselView,
} from '@helmlink/app-preload';
import type { ErrorCode } from '@helmlink/protocol/vocabulary';

type Handler = (request: unknown) => ApiResult<unknown> | Promise<ApiResult<unknown>>;

/**
 * A HelmlinkApi test double for store tests: per-channel handlers, a call log, and `emit` for push events.
 * Unhandled channels answer ERR_IPC_CHANNEL_UNKNOWN so a test sees an unexpected call.
 */
export interface TestApi {
  api: HelmlinkApi;
  calls: { channel: ChannelName; request: unknown }[];
  handle<C extends ChannelName>(channel: C, handler: Handler): void;
  ok<C extends ChannelName>(channel: C, value: unknown): void;
  fail<C extends ChannelName>(channel: C, code: ErrorCode, message?: string): void;
  emit<E extends EventName>(event: E, payload: EventMap[E]): void;
  listenerCount(event: EventName): number;
}

export function createTestApi(): TestApi {
  const handlers = new Map<string, Handler>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: TestApi['calls'] = [];
  const api: Record<string, Record<string, unknown>> = {};
  const group = (n: string) => (api[n] ??= {});
  for (const [feature, method, channel] of API_METHODS) {
    group(feature)[method] = async (request?: unknown) => {
      calls.push({ channel, request });
      const h = handlers.get(channel);
      return h ? h(request) : { ok: false, error: { code: 'ERR_IPC_CHANNEL_UNKNOWN', message: channel } };
    };
  }
  for (const [feature, method, event] of API_EVENTS) {
    group(feature)[method] = (l: (p: unknown) => void) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(l);
      return () => set.delete(l);
    };
  }
  return {
    api: api as unknown as HelmlinkApi,
    calls,
    handle: (c, h) => handlers.set(c, h),
    ok: (c, value) => handlers.set(c, () => ({ ok: true, value })),
    fail: (c, code, message = code) => handlers.set(c, () => ({ ok: false, error: { code, message } })),
    emit: (e, p) => {
      for (const l of listeners.get(e) ?? []) l(p);
    },
    listenerCount: (e) => listeners.get(e)?.size ?? 0,
  };
}

/** IEC 61162-450-like catalog rows for fixtures. */
export function stream(
  id: string,
  n: number,
  on: boolean,
  extra: Partial<StreamStateView> = {},
): StreamStateView {
  return {
    id,
    name: id.toUpperCase(),
    kind: 'nmea',
    address: `239.192.0.${n}:6000${n}`,
    bitrateBps: 1000 * n,
    critical: id === 'tgtd' || id === 'navd',
    on,
    ...extra,
  };
}

export function vessel(
  vesselId: string,
  streams: StreamStateView[],
  extra: Partial<VesselView> = {},
): VesselView {
  const on = streams.filter((s) => s.on);
  return {
    vesselId,
    identity: { name: null, imo: null, mmsi: null, flag: null },
    status: 'verified',
    statusReason: null,
    link: { state: 'connected', since: null, reason: null },
    lastVerifiedAt: '2026-11-22T02:00:00.100Z',
    lastRttMs: null,
    pendingChanges: 0,
    lastCommand: null,
    streamsOn: on.length,
    requestedBitrateBps: on.reduce((a, s) => a + s.bitrateBps, 0),
    verified: true,
    unverified: null,
    streams,
    lastAppliedCommandId: null,
    stateIssuedAt: '2026-11-22T02:00:00.000Z',
    stateReceivedAt: '2026-11-22T02:00:00.100Z',
    signer: null,
    activeBitrateBps: streams.filter((s) => s.on).reduce((a, s) => a + s.bitrateBps, 0),
    linkReport: null,
    ...extra,
  };
}

export function command(
  commandId: string,
  vesselId: string,
  state: CommandView['state'],
  extra: Partial<CommandView> = {},
): CommandView {
  return {
    commandId,
    vesselId,
    vessel: { vesselId, name: null, imo: null },
    on: [],
    off: [],
    changes: [],
    state,
    sentAt: '2026-11-22T02:00:01.000Z',
    expiresAt: '2026-11-22T02:00:31.000Z',
    settledAt: null,
    rttMs: null,
    reason: null,
    ackVerified: false,
    ...extra,
  };
}

/** A broker connection status (connected over TLS 1.3 unless overridden). */
export function connectionStatus(extra: Partial<ConnectionStatus> = {}): ConnectionStatus {
  return {
    state: 'connected',
    brokerUrl: 'mqtts://b:8883',
    since: null,
    tlsVersion: 'TLSv1.3',
    cipher: null,
    mqttVersion: 5,
    broker: null,
    lastError: null,
    ...extra,
  };
}

export function identityStatus(extra: Partial<IdentityStatus> = {}): IdentityStatus {
  return {
    state: 'ready',
    custody: 'keychain',
    passphraseRequired: false,
    unlocked: true,
    entityId: 'pilot-7',
    roles: ['pilot'],
    isAdmin: false,
    certificate: {
      subject: 'CN=pilot-7',
      issuer: 'CN=Helmlink Issuing CA',
      serial: '0a1b',
      notBefore: '2026-11-01T00:00:00.000Z',
      notAfter: '2026-12-01T00:00:00.000Z',
      fingerprintSha256: 'ab'.repeat(32),
      keyAlgorithm: 'ECDSA P-256',
      signatureAlgorithm: 'ecdsa-with-SHA256',
      isCa: false,
      entityId: 'pilot-7',
      roles: ['pilot'],
      pem: '',
    },
    chain: [],
    expiresAt: '2026-12-01T00:00:00.000Z',
    expiryWarning: 'none',
    renewal: {
      state: 'scheduled',
      auto: true,
      dueAt: '2026-11-21T00:00:00.000Z',
      lastAttemptAt: null,
      lastRenewedAt: null,
      lastError: null,
    },
    caUrl: 'https://ca.example.org',
    rootFingerprint: 'cd'.repeat(32),
    revocation: null,
    error: null,
    ...extra,
  };
}
