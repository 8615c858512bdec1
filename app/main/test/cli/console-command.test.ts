/**
 * `helmlink console --web` as users run it: a spawned process that prints a one-time link, serves the built console
 * page to the session it opens, and stops cleanly on SIGTERM; plus its usage and refusals.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '@helmlink/protocol/node';
import { consoleCommand } from '../../src/cli/console-command';
import { assertRendererBuilt } from '../../src/static/renderer-dir';
import { tempDir } from '../helpers/console';

function io(): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: process.cwd(), out: () => out, err: () => err };
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('helmlink console', () => {
  it('prints its usage with --help, naming the build step', async () => {
    const t = io();
    expect(await consoleCommand.main(['--help'], t)).toBe(0);
    expect(t.out()).toContain('--web');
    expect(t.out()).toContain('npm run build');
  });

  it('needs --web (exit 2) and refuses a non-loopback address (exit 1)', async () => {
    const a = io();
    expect(await consoleCommand.main([], a)).toBe(2);
    expect(a.err()).toContain('pass --web');
    const b = io();
    expect(await consoleCommand.main(['--web', '--host', '0.0.0.0', '--data', tempDir()], b)).toBe(1);
    expect(b.err()).toContain('ERR_BRIDGE_NON_LOOPBACK');
  });

  it('runs as a process: prints a one-time link, serves the built page to its session, stops on SIGTERM', async () => {
    // The page comes from the build (`npm run build`; `npm test` builds it first).
    assertRendererBuilt();
    const cli = new URL('../../../../cli/bin/helmlink.mjs', import.meta.url).pathname;
    const child = spawn(process.execPath, [cli, 'console', '--web', '--port', '0', '--data', tempDir()], {
      env: { ...process.env, HELMLINK_LOG_LEVEL: 'silent', DBUS_SESSION_BUS_ADDRESS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no link printed: ${stderr}`)), 30_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /^Helmlink console: (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43})$/u.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    try {
      const login = await get(url);
      expect(login.status).toBe(303);
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const page = await get(new URL('/', url).href, { cookie });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>Helmlink console</title>');
      expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/error/iu);
  }, 60_000);
});
