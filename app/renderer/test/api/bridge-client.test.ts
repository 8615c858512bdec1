import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, WebSocket, type WebSocket as WsSocket } from 'ws';
import { WIRE_CLOSE_SESSION_ENDED, WS_PATH, type WireClientMessage } from '@helmlink/app-preload';
import {
  SESSION_STORAGE_KEY,
  bridgeUrlFor,
  createBridgeClient,
  takeHandoff,
  type BridgeState,
  type SessionStorageLike,
  type WebSocketLike,
} from '../../src/api/bridge-client';

const HANDOFF = 'H'.repeat(43);
const SESSION = 'S'.repeat(43);

/** sessionStorage's stand-in. */
function memoryStorage(
  initial: Record<string, string> = {},
): SessionStorageLike & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

/** A client of `url` holding the handoff of a fresh console link. */
const clientOf = (url: string, extra: Partial<Parameters<typeof createBridgeClient>[0]> = {}) =>
  createBridgeClient({
    url,
    createSocket: (u) => new WebSocket(u) as unknown as WebSocketLike,
    handoff: HANDOFF,
    storage: memoryStorage(),
    ...extra,
  });

let server: WebSocketServer | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/**
 * A real loopback WebSocket server speaking the contract frames: the first frame of each socket must authenticate
 * (the handoff, answered with the session secret, or that secret; anything else is closed as the bridge does);
 * `onInvoke` answers each invoke. `auths` records every first frame.
 */
async function startServer(
  onInvoke: (msg: WireClientMessage, socket: WsSocket) => void,
): Promise<{ url: string; sockets: WsSocket[]; auths: unknown[] }> {
  const sockets: WsSocket[] = [];
  const auths: unknown[] = [];
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: WS_PATH });
  server.on('connection', (socket) => {
    sockets.push(socket);
    let authed = false;
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      if (authed) return onInvoke(frame as WireClientMessage, socket);
      auths.push(frame);
      const fresh = frame.type === 'auth' && frame.handoff === HANDOFF;
      if (!fresh && !(frame.type === 'auth' && frame.session === SESSION))
        return socket.close(WIRE_CLOSE_SESSION_ENDED, 'not authenticated');
      authed = true;
      socket.send(
        JSON.stringify({ type: 'session', ...(fresh ? { session: SESSION } : {}), expiresAt: 'later' }),
      );
      socket.send(JSON.stringify({ type: 'hello', contractVersion: 1 }));
    });
  });
  await new Promise<void>((resolve) => server!.on('listening', () => resolve()));
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}${WS_PATH}`, sockets, auths };
}

function waitForState(states: BridgeState[], want: BridgeState, count = 1): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (states.filter((s) => s === want).length >= count) resolve();
      else setTimeout(check, 5);
    };
    check();
  });
}

describe('web bridge client', () => {
  it('derives the same-origin bridge URL', () => {
    expect(bridgeUrlFor({ protocol: 'http:', host: '127.0.0.1:4173' })).toBe(`ws://127.0.0.1:4173${WS_PATH}`);
    expect(bridgeUrlFor({ protocol: 'https:', host: 'localhost:1' })).toBe(`wss://localhost:1${WS_PATH}`);
  });

  it('invokes channels with correlated frames and delivers pushed events', async () => {
    const seen: WireClientMessage[] = [];
    const { url, sockets } = await startServer((msg, socket) => {
      seen.push(msg);
      socket.send(
        JSON.stringify({
          type: 'result',
          id: msg.id,
          result: { ok: true, value: { echo: msg.channel, payload: msg.payload } },
        }),
      );
    });
    const states: BridgeState[] = [];
    const client = clientOf(url, { onState: (s) => states.push(s) });
    await waitForState(states, 'open');
    const [a, b] = await Promise.all([client.api.app.info(), client.api.fleet.vessel({ vesselId: 'v1' })]);
    expect(a).toEqual({ ok: true, value: { echo: 'app.info', payload: {} } });
    expect(b).toEqual({ ok: true, value: { echo: 'fleet.vessel', payload: { vesselId: 'v1' } } });
    expect(seen.map((m) => m.type)).toEqual(['invoke', 'invoke']);
    expect(new Set(seen.map((m) => m.id)).size).toBe(2);

    const got: unknown[] = [];
    const off = client.api.fleet.onRates((p) => got.push(p));
    const delivered = new Promise<void>((resolve) => client.api.fleet.onRates(() => resolve()));
    sockets[0]!.send(
      JSON.stringify({
        type: 'event',
        event: 'fleet.rates',
        payload: { at: 'x', windowSeconds: 5, rates: [] },
      }),
    );
    await delivered;
    expect(got).toEqual([{ at: 'x', windowSeconds: 5, rates: [] }]);
    off();
    client.close();
  });

  it('holds calls made while connecting until the socket opens', async () => {
    const { url } = await startServer((msg, socket) =>
      socket.send(JSON.stringify({ type: 'result', id: msg.id, result: { ok: true, value: msg.channel } })),
    );
    const client = clientOf(url);
    expect(client.state()).toBe('connecting');
    expect(await client.api.identity.status()).toEqual({ ok: true, value: 'identity.status' });
    client.close();
  });

  it('answers in-flight and offline calls with ERR_BRIDGE_DISCONNECTED and reconnects', async () => {
    let drop = true;
    const { url } = await startServer((msg, socket) => {
      if (drop) {
        drop = false;
        socket.terminate();
        return;
      }
      socket.send(JSON.stringify({ type: 'result', id: msg.id, result: { ok: true, value: 'again' } }));
    });
    const states: BridgeState[] = [];
    const client = clientOf(url, { onState: (s) => states.push(s), backoffMs: [5] });
    await waitForState(states, 'open');
    const lost = await client.api.identity.status();
    expect(lost.ok).toBe(false);
    expect(!lost.ok && lost.error.code).toBe('ERR_BRIDGE_DISCONNECTED');
    await waitForState(states, 'open', 2);
    expect(await client.api.identity.status()).toEqual({ ok: true, value: 'again' });
    client.close();
    await waitForState(states, 'closed', 2);
    const offline = await client.api.identity.status();
    expect(!offline.ok && offline.error.code).toBe('ERR_BRIDGE_DISCONNECTED');
  });

  it('authenticates each socket first: the handoff once, then the session secret kept in sessionStorage', async () => {
    let drop = true;
    const { url, sockets, auths } = await startServer((msg, socket) => {
      if (drop) {
        drop = false;
        socket.terminate();
        return;
      }
      socket.send(JSON.stringify({ type: 'result', id: msg.id, result: { ok: true, value: 'ok' } }));
    });
    const storage = memoryStorage();
    const states: BridgeState[] = [];
    const client = clientOf(url, { storage, onState: (s) => states.push(s), backoffMs: [5] });
    await waitForState(states, 'open');
    expect(auths).toEqual([{ type: 'auth', handoff: HANDOFF }]);
    expect(storage.data.get(SESSION_STORAGE_KEY)).toBe(SESSION);
    expect((await client.api.app.info()).ok).toBe(false); // dropped in flight
    await waitForState(states, 'open', 2);
    expect(auths).toEqual([
      { type: 'auth', handoff: HANDOFF },
      { type: 'auth', session: SESSION },
    ]);
    expect(await client.api.app.info()).toEqual({ ok: true, value: 'ok' });
    client.close();
    // A reload of the tab: no handoff any more, the secret from sessionStorage.
    const reloaded = clientOf(url, { handoff: undefined, storage });
    expect(await reloaded.api.app.info()).toEqual({ ok: true, value: 'ok' });
    expect(auths.at(-1)).toEqual({ type: 'auth', session: SESSION });
    expect(sockets).toHaveLength(3);
    reloaded.close();
  });

  it('ends for good when the server ends the session: secret forgotten, no reconnect, ERR_BRIDGE_SESSION_ENDED', async () => {
    const { url, sockets } = await startServer((msg, socket) => {
      if (msg.channel === 'app.logout') {
        socket.send(
          JSON.stringify({ type: 'result', id: msg.id, result: { ok: true, value: { loggedOut: true } } }),
        );
        socket.close(WIRE_CLOSE_SESSION_ENDED, 'logged out');
      }
    });
    const storage = memoryStorage();
    const states: BridgeState[] = [];
    const details: (string | undefined)[] = [];
    const client = clientOf(url, {
      storage,
      onState: (s, d) => {
        states.push(s);
        details.push(d);
      },
      backoffMs: [5],
    });
    await waitForState(states, 'open');
    expect(await client.api.app.logout()).toEqual({ ok: true, value: { loggedOut: true } });
    await waitForState(states, 'ended');
    expect(details.at(-1)).toContain('logged out');
    expect(storage.data.has(SESSION_STORAGE_KEY)).toBe(false);
    const after = await client.api.app.info();
    expect(!after.ok && after.error.code).toBe('ERR_BRIDGE_SESSION_ENDED');
    await new Promise((r) => setTimeout(r, 50));
    expect(sockets).toHaveLength(1);
    expect(states.filter((s) => s === 'connecting')).toHaveLength(1);

    // A forged or stale secret is refused the same way; a page without any credential never connects.
    const stale = clientOf(url, {
      handoff: undefined,
      storage: memoryStorage({ [SESSION_STORAGE_KEY]: 'x' }),
    });
    const refused = await stale.api.app.info();
    expect(!refused.ok && refused.error.code).toBe('ERR_BRIDGE_SESSION_ENDED');
    expect(stale.state()).toBe('ended');
    const bare = clientOf(url, { handoff: undefined, storage: memoryStorage() });
    expect(bare.state()).toBe('ended');
    expect(sockets).toHaveLength(2);
  });

  it('takes the handoff from the URL fragment and removes the fragment', () => {
    const replaced: string[] = [];
    const history = {
      replaceState: (_d: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)),
    };
    const handoff = takeHandoff({ hash: `#handoff=${HANDOFF}`, pathname: '/s/K/', search: '' }, history);
    expect(handoff).toBe(HANDOFF);
    expect(replaced).toEqual(['/s/K/']);
    expect(takeHandoff({ hash: '', pathname: '/s/K/', search: '' }, history)).toBeUndefined();
    expect(
      takeHandoff({ hash: '#handoff=short', pathname: '/s/K/', search: '?a=1' }, history),
    ).toBeUndefined();
    expect(replaced).toEqual(['/s/K/', '/s/K/?a=1']);
  });
});
