/**
 * Issue 14's bridge session theft, replayed with Debian's Chromium: the console page is opened with its link, then
 * the same browser visits a second listener on 127.0.0.1 (another port, as any local program can open). Browsers
 * scope cookies to the host, not the port, so a session cookie would reach that listener; the bridge sets none, so
 * it receives nothing usable, and whatever it got, replayed by a non-browser client with a forged Origin, opens no
 * API (no `pki.createToken`, not even `app.info`). The page itself keeps working.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { chromium, type Browser } from 'playwright-core';
import { WIRE_CLOSE_SESSION_ENDED } from '@helmlink/app-preload';
import { testIds } from '@helmlink/app-renderer/testids';
import { startConsoleServer, type ConsoleServer } from '../../src/bridge/server';
import { assertRendererBuilt } from '../../src/static/renderer-dir';
import { silentLogger } from '../../src/services/core/logger';
import { tempDir } from '../helpers/console';

let server: ConsoleServer;
let attacker: Server;
let attackerPort: number;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
let browser: Browser;

beforeAll(async () => {
  // The page comes from the build (`npm run build:renderer`; `npm test` builds it first).
  assertRendererBuilt();
  server = await startConsoleServer({
    dataDir: tempDir(),
    servicesOptions: { keychain: null, logger: silentLogger, autoRenewTimers: false },
  });
  attacker = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>innocent</title>');
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', () => r()));
  attackerPort = (attacker.address() as { port: number }).port;
  browser = await chromium.launch({
    executablePath: process.env.HELMLINK_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => attacker?.close(r));
  await server?.close();
});

/** A non-browser client: opens the bridge socket with a forged Origin and `headers`, sends `first`. */
function forged(
  headers: Record<string, string>,
  first: unknown,
): Promise<{ code: number; frames: string[] }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api/ws`, {
      headers: { ...headers, origin: server.origin },
    });
    const frames: string[] = [];
    ws.on('open', () => ws.send(JSON.stringify(first)));
    ws.on('message', (d) => frames.push(d.toString()));
    ws.on('close', (code) => resolve({ code, frames }));
    ws.on('unexpected-response', (_req, res) => resolve({ code: res.statusCode ?? 0, frames }));
    ws.on('error', () => undefined);
  });
}

describe('bridge session theft through another 127.0.0.1 listener', { timeout: 60_000 }, () => {
  it('gives a second local listener nothing usable, and nothing it got opens the API', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    // The page authenticated its socket (no identity yet: the first-run wizard asks for one).
    await page.locator(`[data-testid="${testIds.wizard}"]`).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).hash).toBe('');
    expect(new URL(page.url()).pathname).toMatch(/^\/s\/[A-Za-z0-9_-]{43}\/$/u);
    const secret = await page.evaluate(() => sessionStorage.getItem('helmlink.bridgeSession'));
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/u);
    expect(await context.cookies(server.origin)).toEqual([]);

    // The same browser visits the other listener, by address and by name.
    for (const host of ['127.0.0.1', 'localhost']) {
      const other = await context.newPage();
      await other.goto(`http://${host}:${attackerPort}/page`);
      // Another origin cannot read the console's sessionStorage.
      expect(await other.evaluate(() => sessionStorage.getItem('helmlink.bridgeSession'))).toBeNull();
      await other.close();
    }
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const { headers } of seen) {
      expect(headers.cookie).toBeUndefined();
      // No referrer from the console page either (its page path is not a credential, but stays private).
      expect(String(headers.referer ?? '')).not.toContain(server.origin);
      expect(String(headers.referer ?? '')).not.toContain('/s/');
      expect(JSON.stringify(headers)).not.toContain(secret!);
    }

    // Everything the listener received, replayed by a non-browser client with a forged Origin.
    const replayed = Object.fromEntries(
      Object.entries(seen[0]!.headers).filter(
        (e): e is [string, string] =>
          typeof e[1] === 'string' && !['host', 'connection', 'upgrade'].includes(e[0]),
      ),
    );
    for (const first of [
      {
        type: 'invoke',
        id: 1,
        channel: 'pki.createToken',
        payload: { entityId: 'evil-admin', roles: ['admin'] },
      },
      { type: 'invoke', id: 2, channel: 'app.info', payload: {} },
    ]) {
      const r = await forged(replayed, first);
      expect(r.code).toBe(WIRE_CLOSE_SESSION_ENDED);
      expect(r.frames).toEqual([]);
    }

    // The page itself still works, and reloading it keeps its session (sessionStorage of its own origin).
    await page.reload();
    await page.locator(`[data-testid="${testIds.wizard}"]`).waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => sessionStorage.getItem('helmlink.bridgeSession'))).toBe(secret);
    await context.close();
  });
});
