import {
  buildApi,
  CONTRACT_VERSION,
  WIRE_CLOSE_SESSION_ENDED,
  WIRE_MAX_BYTES,
  WS_PATH,
  type ApiResult,
  type ChannelName,
  type EventName,
  type HelmlinkApi,
  type WireClientMessage,
  type WireServerMessage,
} from '@helmlink/app-preload';

/**
 * The transport state of the web bridge, for the "console connection" banner. `ended`: the session expired, was
 * logged out or the page has none; only a new console link helps (no reconnect is tried).
 */
export type BridgeState = 'connecting' | 'open' | 'closed' | 'ended';

/** Where the page keeps its session secret: sessionStorage (this origin and this tab only), or a test double. */
export type SessionStorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The key of the session secret in {@link SessionStorageLike}. */
export const SESSION_STORAGE_KEY = 'helmlink.bridgeSession';

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
  /** The one-time handoff from the console link's URL fragment (first load only). */
  handoff?: string;
  /** Keeps the session secret across reloads of this tab (default: none, memory only). */
  storage?: SessionStorageLike;
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

/** Error result once the session has ended: only a new console link helps. */
function endedError(detail: string): ApiResult<never> {
  return {
    ok: false,
    error: {
      code: 'ERR_BRIDGE_SESSION_ENDED',
      message: 'This console session has ended. Open a new console link.',
      detail,
    },
  };
}

/**
 * Reads the one-time handoff from a console link's URL fragment (`#handoff=…`) and removes the fragment from the
 * address bar and history entry, so it is neither bookmarked nor shown.
 */
export function takeHandoff(
  location: { hash: string; pathname: string; search: string },
  history: Pick<History, 'replaceState'>,
): string | undefined {
  const match = /^#handoff=([A-Za-z0-9_-]{43})$/u.exec(location.hash);
  if (location.hash) history.replaceState(null, '', `${location.pathname}${location.search}`);
  return match?.[1];
}

/**
 * Derives the bridge URL from the page location: same origin, {@link WS_PATH}. The socket carries no cookie and
 * no token in its URL: its first frame authenticates it (see {@link createBridgeClient}).
 */
export function bridgeUrlFor(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
}

/**
 * Handles one server frame: the `session` that authenticated the socket, the `result` of a pending call, an
 * `event` for its listeners.
 */
function handleServerFrame(
  data: unknown,
  pending: Map<number, (result: ApiResult<unknown>) => void>,
  listeners: Map<EventName, Set<(payload: unknown) => void>>,
  onSession: (session: string | undefined) => void,
): void {
  if (typeof data !== 'string' || data.length > WIRE_MAX_BYTES) return;
  let msg: WireServerMessage;
  try {
    msg = JSON.parse(data) as WireServerMessage;
  } catch {
    return;
  }
  if (msg.type === 'session') onSession(typeof msg.session === 'string' ? msg.session : undefined);
  else if (msg.type === 'result' && typeof msg.id === 'number') {
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

/** The invoke frame's text, or the refusal when it is too large to send. */
function encodeInvoke(id: number, channel: ChannelName, payload: unknown): string | ApiResult<never> {
  const frame: WireClientMessage = { type: 'invoke', id, channel, payload: payload ?? {} };
  const text = JSON.stringify(frame);
  if (text.length <= WIRE_MAX_BYTES) return text;
  return { ok: false, error: { code: 'ERR_INPUT_INVALID', message: 'The request is too large to send.' } };
}

/** The page's credential for its next socket: the handoff until it is spent, then the session secret. */
function sessionKeeper(handoff: string | undefined, storage: SessionStorageLike | undefined) {
  let session = storage?.getItem(SESSION_STORAGE_KEY) ?? undefined;
  return {
    credential: () => (handoff ? { handoff } : session ? { session } : undefined),
    /** The server confirmed the socket (with a new secret when the handoff was spent). */
    granted(secret: string | undefined): void {
      handoff = undefined;
      if (secret) {
        session = secret;
        storage?.setItem(SESSION_STORAGE_KEY, secret);
      }
    },
    forget(): void {
      handoff = undefined;
      session = undefined;
      storage?.removeItem(SESSION_STORAGE_KEY);
    },
  };
}

/** Event listeners by event, and the subscribe function of the API transport. */
function listenerRegistry() {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const subscribe = (event: EventName, listener: (payload: unknown) => void): (() => void) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };
  return { listeners, subscribe };
}

/**
 * A WebSocket client implementing {@link HelmlinkApi} with the contract's wire frames: `invoke` requests
 * correlated by id, `result` answers, pushed `event`s. Every socket first authenticates: the first frame carries
 * the one-time handoff (first connection) or the session secret the server answered with, kept in memory and in
 * `storage` (sessionStorage: this origin only, so no other 127.0.0.1 port can read it). The socket is open once the
 * server confirmed the session. Calls made while connecting wait for it; calls made while it is closed, or in
 * flight (or waiting) when it drops, resolve to an `ERR_BRIDGE_DISCONNECTED` result (never throw, like the Electron
 * transport), and the client reconnects with backoff, keeping its event listeners. When the server ends the session
 * (expired, logged out, unknown: close code {@link WIRE_CLOSE_SESSION_ENDED}) the secret is forgotten, the state is
 * `ended`, calls resolve to `ERR_BRIDGE_SESSION_ENDED`, and nothing reconnects.
 */
export function createBridgeClient(options: BridgeClientOptions): BridgeClient {
  const createSocket =
    options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as WebSocketLike);
  const backoff = options.backoffMs ?? [250, 500, 1000, 2000, 5000];
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const pending = new Map<number, (result: ApiResult<unknown>) => void>();
  // Calls made while the socket is (re)connecting wait for it to open (or fail when it closes).
  let waiting: Array<{ send: () => void; fail: (why: string) => void }> = [];
  const { listeners, subscribe } = listenerRegistry();
  const keeper = sessionKeeper(options.handoff, options.storage);
  let nextId = 1;
  let socket: WebSocketLike | undefined;
  let state: BridgeState = 'connecting';
  let attempts = 0;
  let closedByUser = false;
  let endedWhy: string | undefined;

  const setState = (s: BridgeState, detail?: string): void => {
    state = s;
    options.onState?.(s, detail);
  };

  const lost = (why: string): ApiResult<never> =>
    state === 'ended'
      ? endedError(why)
      : transportError('The console lost its connection to the Helmlink service.', why);
  const offline = (): ApiResult<never> =>
    transportError('The console is not connected to the Helmlink service.', `bridge ${state}`);

  const failPending = (why: string): void => {
    for (const resolve of pending.values()) resolve(lost(why));
    pending.clear();
    const queued = waiting;
    waiting = [];
    for (const w of queued) w.fail(why);
  };

  const end = (why: string): void => {
    endedWhy = why;
    keeper.forget();
    setState('ended', why);
    failPending(why);
  };

  const opened = (granted: string | undefined): void => {
    keeper.granted(granted);
    attempts = 0;
    setState('open');
    const queued = waiting;
    waiting = [];
    for (const w of queued) w.send();
  };

  const onMessage = (data: unknown): void => handleServerFrame(data, pending, listeners, opened);

  const connect = (): void => {
    const credential = keeper.credential();
    if (!credential) return end('this page has no console session: open a new console link');
    setState('connecting');
    let s: WebSocketLike;
    try {
      s = createSocket(options.url);
    } catch (err) {
      scheduleReconnect(String(err));
      return;
    }
    socket = s;
    s.onopen = () => s.send(JSON.stringify({ type: 'auth', ...credential }));
    s.onmessage = (ev) => onMessage(ev.data);
    s.onerror = () => undefined;
    s.onclose = (ev) => {
      if (socket !== s) return;
      socket = undefined;
      const { code, reason } = (ev ?? {}) as { code?: number; reason?: string };
      if (code === WIRE_CLOSE_SESSION_ENDED && !closedByUser)
        return end(`the console session has ended${reason ? `: ${reason}` : ''}`);
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
    const text = encodeInvoke(id, channel, payload);
    if (typeof text !== 'string') return Promise.resolve(text);
    if (state === 'ended') return Promise.resolve(endedError(endedWhy ?? 'session ended'));
    return new Promise((resolve) => {
      const send = (): void => {
        if (!socket || socket.readyState !== OPEN) return resolve(offline());
        pending.set(id, resolve);
        try {
          socket.send(text);
        } catch (err) {
          pending.delete(id);
          resolve(transportError('The console could not send the request.', String(err)));
        }
      };
      if (state === 'open' && socket && socket.readyState === OPEN) send();
      else if (state === 'connecting' && !closedByUser) {
        waiting.push({ send, fail: (why) => resolve(lost(why)) });
      } else resolve(offline());
    });
  };

  const api = buildApi({ invoke, subscribe });

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
