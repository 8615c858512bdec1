/**
 * The demo opens the console without a secret on any command line: the desktop opener (here a stand-in
 * `xdg-open` that records its arguments) gets the path of a private launcher page, which forwards to a fresh
 * one-time console link that works.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startConsoleServer } from '@helmlink/app-main';
import { LAUNCHER_FILE, openInBrowser, removeLauncher } from '../../src/demo/open-browser';

const status = (url: string): Promise<number> =>
  new Promise((resolve, reject) => {
    request(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });

async function until(f: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('opening the console in the browser', () => {
  it('hands the opener a private launcher page, never the link with its token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helmlink-open-'));
    const renderer = join(dir, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>console</title>');
    const server = await startConsoleServer({
      dataDir: join(dir, 'console'),
      rendererDir: renderer,
      servicesOptions: { keychain: null, autoRenewTimers: false, alertPollMs: 0 },
    });
    try {
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      const recorded = join(dir, 'opener-args');
      writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${recorded}'\n`);
      chmodSync(join(bin, 'xdg-open'), 0o755);
      const env = { PATH: `${bin}:/usr/bin:/bin`, DISPLAY: ':99' };

      const link = server.newTokenUrl();
      const token = new URL(link).searchParams.get('token')!;
      expect(openInBrowser(link, dir, env)).toBe('xdg-open');
      await until(() => existsSync(recorded));
      const args = readFileSync(recorded, 'utf8');
      expect(args).toBe(`${join(dir, LAUNCHER_FILE)}\n`);
      expect(args).not.toContain(token);
      // Only this user can read the launcher; it forwards to the link, which logs a browser in once.
      const launcher = join(dir, LAUNCHER_FILE);
      expect(statSync(launcher).mode & 0o777).toBe(0o600);
      const forwarded = /url=([^"]+)"/u.exec(readFileSync(launcher, 'utf8'))![1]!.replaceAll('&#38;', '&');
      expect(forwarded).toBe(link);
      expect(await status(forwarded)).toBe(303);
      removeLauncher(dir);
      expect(existsSync(launcher)).toBe(false);

      // No desktop: nothing is opened and nothing written.
      expect(openInBrowser(server.newTokenUrl(), dir, { PATH: env.PATH })).toBeUndefined();
      expect(existsSync(launcher)).toBe(false);
    } finally {
      await server.close();
    }
  });
});
