/**
 * The keychain path against a real Secret Service: gnome-keyring under dbus-run-session with a throw-away HOME and
 * XDG_RUNTIME_DIR. Also the refusal without a session bus and without a Secret Service on the bus.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../..', import.meta.url));
const probe = fileURLToPath(new URL('../fixtures/keychain-probe.ts', import.meta.url));

function sandboxEnv(): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'helmlink-home-'));
  const runtime = mkdtempSync(join(tmpdir(), 'helmlink-xdg-'));
  chmodSync(runtime, 0o700);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    LANG: 'C.UTF-8',
  };
  return env;
}

function result(r: ReturnType<typeof spawnSync>): Record<string, unknown> {
  const line = String(r.stdout)
    .split('\n')
    .find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`probe failed (${r.status}): ${String(r.stderr).slice(-2000)}`);
  return JSON.parse(line.slice(7)) as Record<string, unknown>;
}

describe('OS keychain (Secret Service)', () => {
  it('stores the data key in gnome-keyring, reads it back, and the identity opens without a passphrase after a restart', () => {
    const script = `echo -n test-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec node --import tsx ${probe}`;
    const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', script], {
      cwd: repo,
      env: sandboxEnv(),
      encoding: 'utf8',
      timeout: 90_000,
    });
    const out = result(r);
    expect(out.availability).toEqual({ available: true, backend: 'Secret Service', reason: null });
    expect(out).toMatchObject({
      readBack: 's3cret',
      deleted: true,
      afterDelete: null,
      imported: 'ready',
      afterRestart: 'ready',
      signerAlg: 'ES256',
      entryPresent: true,
      entryAfterRemove: null,
      withPassphrase: 'locked',
      wrongPassphrase: 'ERR_KEY_DECRYPT',
      unlocked: 'ready',
    });
  });

  it('refuses keychain custody without a session bus, says why, and still offers passphrase-only custody', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', probe], {
      cwd: repo,
      env: sandboxEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    const out = result(r);
    expect(out.availability).toMatchObject({
      available: false,
      reason: expect.stringMatching(/D-Bus session bus/u),
    });
    expect(out).toMatchObject({ importRefused: 'ERR_KEYCHAIN_UNAVAILABLE', passphraseOnly: 'ready' });
  });

  it('refuses keychain custody when the session bus has no Secret Service', () => {
    const r = spawnSync('dbus-run-session', ['--', process.execPath, '--import', 'tsx', probe], {
      cwd: repo,
      env: sandboxEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    const out = result(r);
    expect(out.availability).toMatchObject({
      available: false,
      backend: 'Secret Service',
      reason: expect.any(String),
    });
    expect(out.importRefused).toBe('ERR_KEYCHAIN_UNAVAILABLE');
  });
});
