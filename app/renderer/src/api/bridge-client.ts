import {
  buildApi,
  CONTRACT_VERSION,
  WIRE_MAX_BYTES,
  WS_PATH,
  type ApiResult,
  type ChannelName,
  type EventName,
  type HelmlinkApi,
  type WireClientMessage,
  type WireServerMessage,
} from '@helmlink/app-preload';

/** The transport state of the web bridge, for the "console connection" banner. */
export type BridgeState = 'connecting' | 'open' | 'closed';

/** The subset of the WebSocket API the client needs (the browser's WebSocket satisfies it). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface BridgeClientOptions {
  /** ws:// or wss:// URL of the bridge endpoint. */
  url: string;
  /** Creates a socket; defaults to the global WebSocket. */
  createSocket?: (url: string) => WebSocketLike;
  /** Called whenever the transport state changes. */
  onState?: (state: BridgeState, detail?: string) => void;
  /** Reconnect delays in ms, the last one repeats. */
  backoffMs?: readonly number[];
  /** Timer functions (tests pass their own). */
  setTimer?: (fn: () => void, ms: number) => unknown;
}

/** A bridge client: the {@link HelmlinkApi} plus transport control. */
export interface BridgeClient {
  api: HelmlinkApi;
  state(): BridgeState;
  close(): void;
}

const OPEN = 1;

/** Error result for a call the transport could not deliver or answer. */
function transportError(message: string, detail?: string): ApiResult<never> {
  return { ok: false, error: { code: 'ERR_BRIDGE_DISCONNECTED', message, ...(detail ? { detail } : {}) } };
}

/**
 * Derives the bridge URL from the page location: same origin, {@link WS_PATH}. The page was opened with the
 * one-time token in its URL; the server exchanged it for a session cookie that the browser sends with the
 * WebSocket upgrade, so the token is not repeated here.
 */
export function bridgeUrlFor(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
}

/** Handles one server frame: resolves the pending call of a `result`, delivers an `event` to its listeners. */
function handleServerFrame(
  data: unknown,
  pending: Map<number, (result: ApiResult<unknown>) => void>,
  listeners: Map<EventName, Set<(payload: unknown) => void>>,
): void {
  if (typeof data !== 'string' || data.length > WIRE_MAX_BYTES) return;
  let msg: WireServerMessage;
  try {
    msg = JSON.parse(data) as WireServerMessage;
  } catch {
    return;
  }
  if (msg.type === 'result' && typeof msg.id === 'number') {
    const resolve = pending.get(msg.id);
    pending.delete(msg.id);
    resolve?.(msg.result);
  } else if (msg.type === 'event') {
    for (const l of listeners.get(msg.event) ?? []) {
      try {
        l(msg.payload);
      } catch (err) {
        console.error('event listener failed', msg.event, err);
      }
    }
  } else if (msg.type === 'hello' && msg.contractVersion !== CONTRACT_VERSION) {
    console.warn(`bridge speaks contract v${msg.contractVersion}, this page v${CONTRACT_VERSION}`);
  }
}

/**
 * A WebSocket client implementing {@link HelmlinkApi} with the contract's wire frames: `invoke` requests
 * correlated by id, `result` answers, pushed `event`s. Calls made while the socket is connecting wait for it;
 * calls made while it is closed, or in flight (or waiting) when it drops, resolve to an
 * `ERR_BRIDGE_DISCONNECTED` result (never throw, like the Electron transport). The client reconnects with
 * backoff and keeps its event listeners.
 */
export function createBridgeClient(options: BridgeClientOptions): BridgeClient {
  const createSocket =
    options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as WebSocketLike);
  const backoff = options.backoffMs ?? [250, 500, 1000, 2000, 5000];
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const pending = new Map<number, (result: ApiResult<unknown>) => void>();
  // Calls made while the socket is (re)connecting wait for it to open (or fail when it closes).
  let waiting: Array<{ send: () => void; fail: (why: string) => void }> = [];
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocketLike | undefined;
  let state: BridgeState = 'connecting';
  let attempts = 0;
  let closedByUser = false;

  const setState = (s: BridgeState, detail?: string): void => {
    state = s;
    options.onState?.(s, detail);
  };

  const failPending = (why: string): void => {
    for (const resolve of pending.values())
      resolve(transportError('The console lost its connection to the Helmlink service.', why));
    pending.clear();
    const queued = waiting;
    waiting = [];
    for (const w of queued) w.fail(why);
  };

  const onMessage = (data: unknown): void => handleServerFrame(data, pending, listeners);

  const connect = (): void => {
    setState('connecting');
    let s: WebSocketLike;
    try {
      s = createSocket(options.url);
    } catch (err) {
      scheduleReconnect(String(err));
      return;
    }
    socket = s;
    s.onopen = () => {
      attempts = 0;
      setState('open');
      const queued = waiting;
      waiting = [];
      for (const w of queued) w.send();
    };
    s.onmessage = (ev) => onMessage(ev.data);
    s.onerror = () => undefined;
    s.onclose = (ev) => {
      if (socket !== s) return;
      socket = undefined;
      const code = (ev as { code?: number } | undefined)?.code;
      const why = `socket closed${code ? ` (${code})` : ''}`;
      failPending(why);
      if (closedByUser) setState('closed', why);
      else scheduleReconnect(why);
    };
  };

  const scheduleReconnect = (why: string): void => {
    setState('closed', why);
    const delay = backoff[Math.min(attempts, backoff.length - 1)] ?? 1000;
    attempts++;
    setTimer(() => {
      if (!closedByUser) connect();
    }, delay);
  };

  const invoke = (channel: ChannelName, payload: unknown): Promise<ApiResult<unknown>> => {
    const id = nextId++;
    const frame: WireClientMessage = { type: 'invoke', id, channel, payload: payload ?? {} };
    const text = JSON.stringify(frame);
    if (text.length > WIRE_MAX_BYTES) {
      return Promise.resolve({
        ok: false,
        error: { code: 'ERR_INPUT_INVALID', message: 'The request is too large to send.' },
      });
    }
    return new Promise((resolve) => {
      const send = (): void => {
        if (!socket || socket.readyState !== OPEN) {
          resolve(transportError('The console is not connected to the Helmlink service.', `bridge ${state}`));
          return;
        }
        pending.set(id, resolve);
        try {
          socket.send(text);
        } catch (err) {
          pending.delete(id);
          resolve(transportError('The console could not send the request.', String(err)));
        }
      };
      if (socket && socket.readyState === OPEN) send();
      else if (state === 'connecting' && !closedByUser) {
        waiting.push({
          send,
          fail: (why) =>
            resolve(transportError('The console lost its connection to the Helmlink service.', why)),
        });
      } else
        resolve(transportError('The console is not connected to the Helmlink service.', `bridge ${state}`));
    });
  };

  const api = buildApi({
    invoke,
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  });

  connect();
  return {
    api,
    state: () => state,
    close: () => {
      closedByUser = true;
      socket?.close(1000, 'closed by the page');
    },
  };
}
