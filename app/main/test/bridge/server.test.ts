/** The loopback web bridge for real: HTTP and WebSocket access control, and the contract spoken over the socket. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import WebSocket from 'ws';
import { isHelmlinkError } from '@helmlink/protocol';
import type { WireServerMessage } from '@helmlink/app-preload';
import { startConsoleServer, type ConsoleServer } from '../../src/bridge/server';
import { isLoopbackHost } from '../../src/bridge/loopback';
import { silentLogger } from '../../src/services/core/logger';
import { TEST_SCRYPT, tempDir } from '../helpers/console';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const rendererDir = join(tempDir(), 'renderer');
mkdirSync(join(rendererDir, 'assets'), { recursive: true });
writeFileSync(
  join(rendererDir, 'index.html'),
  '<!doctype html><title>console</title><script type="module" src="./assets/app.js"></script>',
);
writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app");');

let server: ConsoleServer;
let cookie: string;

beforeAll(async () => {
  server = await startConsoleServer({
    dataDir: tempDir(),
    rendererDir,
    servicesOptions: { keychain: null, logger: silentLogger, scrypt: TEST_SCRYPT, autoRenewTimers: false },
  });
});
afterAll(async () => server?.close());

function openSocket(
  headers: Record<string, string>,
): Promise<{ ws: WebSocket; messages: WireServerMessage[] } | { refused: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api/ws`, { headers });
    const messages: WireServerMessage[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as WireServerMessage));
    ws.on('open', () => resolve({ ws, messages }));
    ws.on('unexpected-response', (_req, res) => resolve({ refused: res.statusCode ?? 0 }));
    ws.on('error', () => undefined);
  });
}

async function until<T>(f: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

describe('binding', () => {
  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '127.0.0.1.nip.io'])(
    'refuses to listen on %s',
    async (host) => {
      let code = '';
      try {
        await startConsoleServer({ host, dataDir: tempDir(), rendererDir });
      } catch (err) {
        if (isHelmlinkError(err)) code = err.code;
      }
      expect(code).toBe('ERR_BRIDGE_NON_LOOPBACK');
    },
  );

  it('refuses to start without a built renderer and names the build command', async () => {
    const empty = tempDir();
    let err: unknown;
    try {
      await startConsoleServer({ dataDir: tempDir(), rendererDir: empty });
    } catch (e) {
      err = e;
    }
    expect(isHelmlinkError(err, 'ERR_RENDERER_NOT_BUILT')).toBe(true);
    expect((err as Error).message).toContain('run `npm run build`');
    expect((err as Error).message).toContain(empty);
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopbackHost)).toBe(true);
  });

  it('prints a URL on 127.0.0.1 with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/u);
  });
});

describe('HTTP access', () => {
  it('refuses requests without the token or with a wrong one', async () => {
    expect((await get(`${server.origin}/`)).status).toBe(403);
    expect((await get(`${server.origin}/assets/app.js`)).status).toBe(403);
    expect((await get(`${server.origin}/?token=${'A'.repeat(43)}`)).status).toBe(403);
    expect((await get(`${server.origin}/?token=`)).status).toBe(403);
  });

  it('exchanges the one-time token for a session cookie and refuses the token a second time', async () => {
    const first = await get(server.url);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/u);
    expect(setCookie).toMatch(/SameSite=Strict/u);
    cookie = setCookie.split(';')[0]!;
    expect((await get(server.url)).status).toBe(403);
  });

  it('serves the app with a strict CSP to the session, and nothing outside the renderer directory', async () => {
    const page = await get(`${server.origin}/`, { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>console</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(`${server.origin}/assets/app.js`, { cookie })).headers['content-type']).toMatch(
      /javascript/u,
    );
    for (const path of [
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/assets/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
    ]) {
      const r = await get(`${server.origin}${path}`, { cookie });
      expect(r.body).not.toContain('root:');
    }
    expect((await get(`${server.origin}/assets/missing.js`, { cookie })).status).toBe(404);
    expect((await get(`${server.origin}/`, { cookie }, 'POST')).status).toBe(405);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get(`${server.origin}/`, { cookie, host: `evil.example:${server.port}` })).status).toBe(
      421,
    );
  });

  it('mints further one-time links for more browser contexts', async () => {
    const url = server.newTokenUrl();
    expect(url).not.toBe(server.url);
    expect((await get(url)).status).toBe(303);
  });
});

describe('WebSocket bridge', () => {
  it('refuses sockets without a session, from another origin or another host', async () => {
    expect(await openSocket({ origin: server.origin })).toEqual({ refused: 403 });
    expect(await openSocket({ origin: server.origin, cookie: 'helmlink_session=forged' })).toEqual({
      refused: 403,
    });
    expect(await openSocket({ origin: 'http://evil.example', cookie })).toEqual({ refused: 403 });
    expect(await openSocket({ origin: server.origin, cookie, host: `evil.example:${server.port}` })).toEqual({
      refused: 421,
    });
  });

  it('speaks the contract: results, schema refusals and pushed events', async () => {
    const s = await openSocket({ origin: server.origin, cookie });
    if ('refused' in s) throw new Error(`refused ${s.refused}`);
    const { ws, messages } = s;
    await until(() => messages.find((m) => m.type === 'hello'));
    const call = async (id: number, channel: string, payload: unknown) => {
      ws.send(JSON.stringify({ type: 'invoke', id, channel, payload }));
      return until(() => messages.find((m) => m.type === 'result' && m.id === id)) as Promise<
        Extract<WireServerMessage, { type: 'result' }>
      >;
    };
    expect((await call(1, 'app.info', {})).result).toMatchObject({ ok: true, value: { transport: 'web' } });
    expect((await call(2, 'identity.status', {})).result).toMatchObject({
      ok: true,
      value: { state: 'none' },
    });
    expect((await call(3, 'commands.send', { vesselId: 'MV-1', on: 'all' })).result).toMatchObject({
      ok: false,
      error: { code: 'ERR_IPC_PAYLOAD_INVALID' },
    });
    expect((await call(4, 'shell.exec', {})).result).toMatchObject({
      ok: false,
      error: { code: 'ERR_IPC_CHANNEL_UNKNOWN' },
    });
    ws.send(JSON.stringify({ type: 'invoke', id: 5, channel: 'app.info', payload: {}, sneaky: true }));
    expect(
      (await until(() => messages.find((m) => m.type === 'result' && m.id === 5))) as unknown,
    ).toMatchObject({ result: { ok: false, error: { code: 'ERR_IPC_PAYLOAD_INVALID' } } });
    expect((await call(6, 'settings.update', { theme: 'night' })).result).toMatchObject({
      ok: true,
      value: { theme: 'night' },
    });
    const event = await until(() =>
      messages.find((m) => m.type === 'event' && m.event === 'settings.changed'),
    );
    expect(event).toMatchObject({ payload: { theme: 'night' } });
    ws.close();
  });

  it('revokes every session when the server closes', async () => {
    const extra = await startConsoleServer({
      dataDir: tempDir(),
      rendererDir,
      servicesOptions: { keychain: null, logger: silentLogger, autoRenewTimers: false },
    });
    const first = await get(extra.url);
    const c = String(first.headers['set-cookie']).split(';')[0]!;
    expect((await get(`${extra.origin}/`, { cookie: c })).status).toBe(200);
    await extra.close();
    await expect(get(`${extra.origin}/`, { cookie: c })).rejects.toThrow();
  });
});
