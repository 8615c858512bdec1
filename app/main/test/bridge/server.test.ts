/**
 * The loopback web bridge for real: HTTP and WebSocket access control (no cookie: a console link opens a session
 * whose page path serves the page, and whose handoff, exchanged in the socket's first frame, yields the session
 * secret only the page holds), expiry and logout, and the contract spoken over the socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import WebSocket from 'ws';
import { frozenClock, isHelmlinkError } from '@helmlink/protocol';
import { WIRE_CLOSE_SESSION_ENDED, type WireServerMessage } from '@helmlink/app-preload';
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
/** The page path of the session the first test opens (`/s/<pageKey>/`). */
let pagePath: string;
/** Its one-time handoff (from the redirect's fragment). */
let handoff: string;

beforeAll(async () => {
  server = await startConsoleServer({
    dataDir: tempDir(),
    rendererDir,
    servicesOptions: { keychain: null, logger: silentLogger, scrypt: TEST_SCRYPT, autoRenewTimers: false },
  });
});
afterAll(async () => server?.close());

interface OpenSocket {
  ws: WebSocket;
  messages: WireServerMessage[];
  /** Resolves with the close code once the server (or the client) closes the socket. */
  closed: Promise<number>;
}

function openSocket(
  headers: Record<string, string>,
  on: ConsoleServer = server,
): Promise<OpenSocket | { refused: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${on.origin.replace('http', 'ws')}/api/ws`, { headers });
    const messages: WireServerMessage[] = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as WireServerMessage));
    ws.on('open', () => resolve({ ws, messages, closed }));
    ws.on('unexpected-response', (_req, res) => resolve({ refused: res.statusCode ?? 0 }));
    ws.on('error', () => undefined);
  });
}

/** Spends a console link: the page path and handoff of the session it opens. */
async function login(url: string): Promise<{ pagePath: string; handoff: string }> {
  const r = await get(url);
  expect(r.status).toBe(303);
  const m = /^(\/s\/[A-Za-z0-9_-]{43}\/)#handoff=([A-Za-z0-9_-]{43})$/u.exec(String(r.headers.location));
  if (!m) throw new Error(`unexpected redirect ${String(r.headers.location)}`);
  return { pagePath: m[1]!, handoff: m[2]! };
}

/** Opens a socket with our Origin and sends `first` as its first frame. */
async function socketWith(first: unknown, on: ConsoleServer = server): Promise<OpenSocket> {
  const s = await openSocket({ origin: on.origin }, on);
  if ('refused' in s) throw new Error(`refused ${s.refused}`);
  s.ws.send(JSON.stringify(first));
  return s;
}

/** A socket authenticated with `credential`; resolves once the server answered with the session. */
async function authed(
  credential: { handoff: string } | { session: string },
  on: ConsoleServer = server,
): Promise<OpenSocket & { session: Extract<WireServerMessage, { type: 'session' }> }> {
  const s = await socketWith({ type: 'auth', ...credential }, on);
  const session = await until(() => s.messages.find((m) => m.type === 'session'));
  return { ...s, session: session as Extract<WireServerMessage, { type: 'session' }> };
}

/** Sends an invoke frame and waits for its result. */
async function call(s: OpenSocket, id: number, channel: string, payload: unknown) {
  s.ws.send(JSON.stringify({ type: 'invoke', id, channel, payload }));
  return until(() => s.messages.find((m) => m.type === 'result' && m.id === id)) as Promise<
    Extract<WireServerMessage, { type: 'result' }>
  >;
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
    expect((await get(`${server.origin}/s/${'A'.repeat(43)}/`)).status).toBe(403);
  });

  it('answers malformed request targets with 400, never 500 (GET //), and upgrades to them with 404', async () => {
    for (const path of ['//', '//assets/app.js', '//evil.example/', '//api/ws']) {
      const r = await get(`${server.origin}${path}`);
      expect(r.status, path).toBe(400);
      expect(r.headers['content-security-policy']).toBeDefined();
    }
    // `new URL('//', base)` throws: in the upgrade listener that was an uncaught exception ending the console.
    for (const path of ['//', '//api/ws']) {
      const upgrade = {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.alloc(16, 1).toString('base64'),
        origin: server.origin,
      };
      expect((await get(`${server.origin}${path}`, upgrade)).status, path).toBe(404);
    }
    expect((await get(`${server.origin}/`)).status).toBe(403);
  });

  it('exchanges the one-time token for a session page and a handoff in the fragment, sets no cookie, and refuses the token a second time', async () => {
    const first = await get(server.url);
    expect(first.status).toBe(303);
    expect(String(first.headers.location)).toMatch(/^\/s\/[A-Za-z0-9_-]{43}\/#handoff=[A-Za-z0-9_-]{43}$/u);
    // Cookies are scoped to the host, not the port: the bridge sets none.
    expect(first.headers['set-cookie']).toBeUndefined();
    const m = /^(\/s\/[^/]+\/)#handoff=(.+)$/u.exec(String(first.headers.location))!;
    pagePath = m[1]!;
    handoff = m[2]!;
    expect((await get(server.url)).status).toBe(403);
  });

  it('serves the app with a strict CSP to the session, and nothing outside the renderer directory', async () => {
    const page = await get(`${server.origin}${pagePath}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>console</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['set-cookie']).toBeUndefined();
    expect((await get(`${server.origin}${pagePath}assets/app.js`)).headers['content-type']).toMatch(
      /javascript/u,
    );
    for (const path of [
      '%2e%2e/%2e%2e/etc/passwd',
      '..%2f..%2f..%2f..%2fetc%2fpasswd',
      'assets/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
    ]) {
      const r = await get(`${server.origin}${pagePath}${path}`);
      expect(r.body).not.toContain('root:');
    }
    expect((await get(`${server.origin}${pagePath}assets/missing.js`)).status).toBe(404);
    expect((await get(`${server.origin}${pagePath}`, {}, 'POST')).status).toBe(405);
    // The page path serves the page only: the root and the assets outside it stay closed.
    expect((await get(`${server.origin}/`)).status).toBe(403);
    expect((await get(`${server.origin}/assets/app.js`)).status).toBe(403);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get(`${server.origin}${pagePath}`, { host: `evil.example:${server.port}` })).status).toBe(
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
  it('refuses upgrades from another origin or another host, and sockets that do not authenticate first', async () => {
    expect(await openSocket({ origin: 'http://evil.example' })).toEqual({ refused: 403 });
    expect(await openSocket({})).toEqual({ refused: 403 });
    expect(await openSocket({ origin: server.origin, host: `evil.example:${server.port}` })).toEqual({
      refused: 421,
    });
    // Our Origin gets the socket, but nothing happens on it before the first frame authenticates it.
    for (const first of [
      { type: 'invoke', id: 1, channel: 'app.info', payload: {} },
      { type: 'auth', session: 'A'.repeat(43) },
      { type: 'auth', handoff: 'A'.repeat(43) },
      { type: 'auth' },
      { type: 'auth', session: 'x' },
    ]) {
      const s = await socketWith(first);
      expect(await s.closed, JSON.stringify(first)).toBe(WIRE_CLOSE_SESSION_ENDED);
      expect(s.messages).toEqual([]);
    }
    // A forged cookie means nothing.
    const withCookie = await openSocket({ origin: server.origin, cookie: 'helmlink_session=forged' });
    if ('refused' in withCookie) throw new Error('refused');
    withCookie.ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'app.info', payload: {} }));
    expect(await withCookie.closed).toBe(WIRE_CLOSE_SESSION_ENDED);
  });

  it('speaks the contract: results, schema refusals and pushed events', async () => {
    const s = await authed({ handoff });
    expect(s.session.session).toMatch(/^[A-Za-z0-9_-]{43}$/u);
    expect(Date.parse(s.session.expiresAt)).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    const { ws, messages } = s;
    await until(() => messages.find((m) => m.type === 'hello'));
    expect((await call(s, 1, 'app.info', {})).result).toMatchObject({
      ok: true,
      value: { transport: 'web' },
    });
    expect((await call(s, 2, 'identity.status', {})).result).toMatchObject({
      ok: true,
      value: { state: 'none' },
    });
    expect((await call(s, 3, 'commands.send', { vesselId: 'MV-1', on: 'all' })).result).toMatchObject({
      ok: false,
      error: { code: 'ERR_IPC_PAYLOAD_INVALID' },
    });
    expect((await call(s, 4, 'shell.exec', {})).result).toMatchObject({
      ok: false,
      error: { code: 'ERR_IPC_CHANNEL_UNKNOWN' },
    });
    ws.send(JSON.stringify({ type: 'invoke', id: 5, channel: 'app.info', payload: {}, sneaky: true }));
    expect(
      (await until(() => messages.find((m) => m.type === 'result' && m.id === 5))) as unknown,
    ).toMatchObject({ result: { ok: false, error: { code: 'ERR_IPC_PAYLOAD_INVALID' } } });
    expect((await call(s, 6, 'settings.update', { theme: 'night' })).result).toMatchObject({
      ok: true,
      value: { theme: 'night' },
    });
    const event = await until(() =>
      messages.find((m) => m.type === 'event' && m.event === 'settings.changed'),
    );
    expect(event).toMatchObject({ payload: { theme: 'night' } });
    ws.close();

    // The handoff is spent; the session secret opens later sockets (a reload), and is not sent again.
    const again = await socketWith({ type: 'auth', handoff });
    expect(await again.closed).toBe(WIRE_CLOSE_SESSION_ENDED);
    const resumed = await authed({ session: s.session.session! });
    expect(resumed.session.session).toBeUndefined();
    expect((await call(resumed, 1, 'app.info', {})).result).toMatchObject({ ok: true });
    resumed.ws.close();
  });

  it('ends the session on logout: the socket closes, the secret and the page path stop working', async () => {
    const opened = await login(server.newTokenUrl());
    const s = await authed({ handoff: opened.handoff });
    const secret = s.session.session!;
    const other = await authed({ session: secret });
    expect((await get(`${server.origin}${opened.pagePath}`)).status).toBe(200);
    expect((await call(s, 1, 'app.logout', {})).result).toEqual({ ok: true, value: { loggedOut: true } });
    expect(await s.closed).toBe(WIRE_CLOSE_SESSION_ENDED);
    expect(await other.closed).toBe(WIRE_CLOSE_SESSION_ENDED);
    const after = await socketWith({ type: 'auth', session: secret });
    expect(await after.closed).toBe(WIRE_CLOSE_SESSION_ENDED);
    expect((await get(`${server.origin}${opened.pagePath}`)).status).toBe(403);
  });

  it('expires sessions, handoffs and console links', async () => {
    const clock = frozenClock(Date.now());
    const timed = await startConsoleServer({
      dataDir: tempDir(),
      rendererDir,
      session: { clock, sessionTtlMs: 3_600_000, linkTtlMs: 600_000, handoffTtlMs: 60_000 },
      servicesOptions: { keychain: null, logger: silentLogger, autoRenewTimers: false },
    });
    try {
      const first = await login(timed.url);
      const s = await authed({ handoff: first.handoff }, timed);
      const secret = s.session.session!;
      expect(s.session.expiresAt).toBe(new Date(clock() + 3_600_000).toISOString());
      // A link not opened in time, a handoff not exchanged in time.
      const late = timed.newTokenUrl();
      const slow = await login(timed.newTokenUrl());
      clock.advance(600_001);
      expect((await get(late)).status).toBe(403);
      const tooLate = await socketWith({ type: 'auth', handoff: slow.handoff }, timed);
      expect(await tooLate.closed).toBe(WIRE_CLOSE_SESSION_ENDED);

      clock.advance(3_000_000);
      // The open socket's next call is refused and the socket closed; a new socket is refused; the page is gone.
      expect((await call(s, 1, 'app.info', {})).result).toMatchObject({
        ok: false,
        error: { code: 'ERR_IPC_SENDER_FORBIDDEN' },
      });
      expect(await s.closed).toBe(WIRE_CLOSE_SESSION_ENDED);
      const expired = await socketWith({ type: 'auth', session: secret }, timed);
      expect(await expired.closed).toBe(WIRE_CLOSE_SESSION_ENDED);
      expect((await get(`${timed.origin}${first.pagePath}`)).status).toBe(403);
    } finally {
      await timed.close();
    }
  });

  it('revokes every session when the server closes', async () => {
    const extra = await startConsoleServer({
      dataDir: tempDir(),
      rendererDir,
      servicesOptions: { keychain: null, logger: silentLogger, autoRenewTimers: false },
    });
    const opened = await login(extra.url);
    expect((await get(`${extra.origin}${opened.pagePath}`)).status).toBe(200);
    await extra.close();
    await expect(get(`${extra.origin}${opened.pagePath}`)).rejects.toThrow();
  });
});
