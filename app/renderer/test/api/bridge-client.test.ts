import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, WebSocket, type WebSocket as WsSocket } from 'ws';
import { WS_PATH, type WireClientMessage } from '@helmlink/app-preload';
import {
  bridgeUrlFor,
  createBridgeClient,
  type BridgeState,
  type WebSocketLike,
} from '../../src/api/bridge-client';

let server: WebSocketServer | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A real loopback WebSocket server speaking the contract frames; `onInvoke` answers each invoke. */
async function startServer(
  onInvoke: (msg: WireClientMessage, socket: WsSocket) => void,
): Promise<{ url: string; sockets: WsSocket[] }> {
  const sockets: WsSocket[] = [];
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: WS_PATH });
  server.on('connection', (socket) => {
    sockets.push(socket);
    socket.send(JSON.stringify({ type: 'hello', contractVersion: 1 }));
    socket.on('message', (data) => onInvoke(JSON.parse(String(data)) as WireClientMessage, socket));
  });
  await new Promise<void>((resolve) => server!.on('listening', () => resolve()));
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}${WS_PATH}`, sockets };
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
    const client = createBridgeClient({
      url,
      createSocket: (u) => new WebSocket(u) as unknown as WebSocketLike,
      onState: (s) => states.push(s),
    });
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
    const client = createBridgeClient({
      url,
      createSocket: (u) => new WebSocket(u) as unknown as WebSocketLike,
    });
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
    const client = createBridgeClient({
      url,
      createSocket: (u) => new WebSocket(u) as unknown as WebSocketLike,
      onState: (s) => states.push(s),
      backoffMs: [5],
    });
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
});
