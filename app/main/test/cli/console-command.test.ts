/**
 * `helmlink console` as users run it, a spawned process: its usage and refusals, and `--web` printing a one-time
 * link, serving the built console page under the page path of the session it opens, and stopping cleanly on SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { assertRendererBuilt } from '../../src/static/renderer-dir';
import { tempDir } from '../helpers/console';
import { eventually } from '../helpers/net';

const CLI = new URL('../../../../cli/bin/helmlink.mjs', import.meta.url).pathname;
const ENV = { ...process.env, HELMLINK_LOG_LEVEL: 'silent', DBUS_SESSION_BUS_ADDRESS: '' };

/** Runs `helmlink console ARGS` to completion. */
function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'console', ...args], {
    env: ENV,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
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
  it('prints its usage with --help, naming the build step', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--web');
    expect(r.stdout).toContain('npm run build');
  }, 60_000);

  it('needs --web (exit 2) and refuses a non-loopback address (exit 1)', () => {
    const a = runCli([]);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain('pass --web');
    const b = runCli(['--web', '--host', '0.0.0.0', '--data', tempDir()]);
    expect(b.status).toBe(1);
    expect(b.stderr).toContain('ERR_BRIDGE_NON_LOOPBACK');
  }, 60_000);

  it('mints another one-time link on Enter, each usable once', async () => {
    assertRendererBuilt();
    const child = spawn(process.execPath, [CLI, 'console', '--web', '--port', '0', '--data', tempDir()], {
      env: ENV,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const links: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43})$/u.exec(line);
      if (m) links.push(m[1]!);
    });
    try {
      await eventually(() => links.length === 1, 'the first link', 30_000);
      child.stdin!.write('\n');
      child.stdin!.write('\n');
      await eventually(() => links.length === 3, 'two more links', 30_000);
      expect(new Set(links).size).toBe(3);
      for (const link of links.slice(1)) {
        expect((await get(link)).status).toBe(303);
        expect((await get(link)).status).toBe(403);
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);

  it('runs as a process: prints a one-time link, serves the built page to its session, stops on SIGTERM', async () => {
    // The page comes from the build (`npm run build`; `npm test` builds it first).
    assertRendererBuilt();
    const child = spawn(process.execPath, [CLI, 'console', '--web', '--port', '0', '--data', tempDir()], {
      env: ENV,
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
      expect(login.headers['set-cookie']).toBeUndefined();
      const location = String(login.headers.location);
      expect(location).toMatch(/^\/s\/[A-Za-z0-9_-]{43}\/#handoff=[A-Za-z0-9_-]{43}$/u);
      const page = await get(new URL(location.split('#')[0]!, url).href);
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
