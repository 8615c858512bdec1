/**
 * `helmlink ca revoke` / `helmlink ca release` as an administrator runs them: spawned processes against the real CA
 * server over HTTPS with mutual TLS (the admin identity `ca init` wrote, its key encrypted with the CA passphrase,
 * the passphrase from a file or the environment), the CA pinned by its root fingerprint. Each refusal keeps its
 * code and exit status.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initAuthority, startCaServer, type CaServer } from '@helmlink/ca-server';
import { createProfileCsr, encodePem, exportPkcs8, generateKeyPair } from '@helmlink/protocol';

const CLI = new URL('../../../cli/bin/helmlink.mjs', import.meta.url).pathname;
const CA_PASS = 'ca passphrase for the admin CLI';
const run = promisify(execFile);

let dir: string;
let server: CaServer;
let admin: { cert: string; key: string };
let conn: string[];

/** Runs `helmlink ARGS` as its own process; never throws for a non-zero exit. */
async function helmlink(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Enrolls `entityId` at the CA (its own key) and returns its serial. */
async function enroll(entityId: string, roles: ('pilot' | 'vessel' | 'admin')[]) {
  const { token } = server.authority.createEnrollmentToken({ entityId, roles }, { id: 'test' });
  const keys = await generateKeyPair('ecdsa-p256', { extractable: true });
  const issued = await server.authority.enroll({ csr: await createProfileCsr(entityId, keys), token });
  return {
    serial: issued.serial,
    pem: issued.chainPem,
    key: encodePem('PRIVATE KEY', await exportPkcs8(keys.privateKey)),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'helmlink-ca-admin-cli-'));
  const init = await initAuthority({ dir: join(dir, 'ca'), passphrase: CA_PASS, org: 'CLI Fleet' });
  server = await startCaServer({
    dir: join(dir, 'ca'),
    passphrase: CA_PASS,
    port: 0,
    host: '127.0.0.1',
    crlTimer: false,
  });
  admin = { cert: init.adminCertPath!, key: init.adminKeyPath! };
  conn = [
    '--ca-url',
    server.url,
    '--root-fingerprint',
    server.rootFingerprint,
    '--cert',
    admin.cert,
    '--key',
    admin.key,
  ];
  writeFileSync(join(dir, 'pass'), `${CA_PASS}\n`, { mode: 0o600 });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('helmlink ca revoke / release', () => {
  it('--help for both; usage errors exit 2 (missing options, a bad reason, an encrypted key without passphrase)', async () => {
    for (const cmd of ['revoke', 'release']) {
      const help = await helmlink(['ca', cmd, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--passphrase-file');
      expect(help.stdout).toContain('HELMLINK_KEY_PASSPHRASE');
    }
    const missing = await helmlink(['ca', 'revoke', '--serial', 'ab']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing required option --reason');
    const reason = await helmlink(['ca', 'revoke', ...conn, '--serial', 'ab', '--reason', 'stolen']);
    expect(reason.code).toBe(2);
    expect(reason.stderr).toContain('--reason must be one of unspecified (0), keyCompromise (1)');
    const locked = await helmlink(['ca', 'revoke', ...conn, '--serial', 'ab', '--reason', '1']);
    expect(locked.code).toBe(2);
    expect(locked.stderr).toContain(
      'the key is encrypted: pass --passphrase-file FILE or set HELMLINK_KEY_PASSPHRASE',
    );
    const both = await helmlink(['ca', 'release', ...conn, '--serial', 'ab', '--entity', 'x'], {
      HELMLINK_KEY_PASSPHRASE: CA_PASS,
    });
    expect(both.code).toBe(2);
  }, 120_000);

  it('holds by entity, releases, then revokes by serial (passphrase from a file, then from the environment)', async () => {
    const pilot = await enroll('pilot-cli', ['pilot']);
    const hold = await helmlink([
      'ca',
      'revoke',
      ...conn,
      '--passphrase-file',
      join(dir, 'pass'),
      '--entity',
      'pilot-cli',
      '--reason',
      'certificateHold',
      '--description',
      'laptop missing',
    ]);
    expect(hold.stderr).toBe('');
    expect(hold.code).toBe(0);
    expect(hold.stdout).toMatch(
      new RegExp(
        `^on hold: ${pilot.serial} \\(pilot-cli, pilot\\), reason certificateHold; CRL number \\d+\\n$`,
        'u',
      ),
    );
    expect(server.authority.store.getCertificate(pilot.serial)?.status).toBe('hold');

    const release = await helmlink(['ca', 'release', ...conn, '--entity', 'pilot-cli', '--json'], {
      HELMLINK_KEY_PASSPHRASE: CA_PASS,
    });
    expect(release.code).toBe(0);
    expect(JSON.parse(release.stdout)).toMatchObject({
      certificate: { serial: pilot.serial, status: 'valid' },
      crlNumber: expect.any(Number),
    });

    const revoke = await helmlink(
      [
        'ca',
        'revoke',
        ...conn,
        '--serial',
        pilot.serial.toUpperCase(),
        '--reason',
        'keyCompromise',
        '--json',
      ],
      { HELMLINK_KEY_PASSPHRASE: CA_PASS },
    );
    expect(revoke.code).toBe(0);
    const res = JSON.parse(revoke.stdout) as {
      certificate: { status: string; reason: number };
      crlNumber: number;
    };
    expect(res.certificate).toMatchObject({ status: 'revoked', reason: 1 });
    expect(server.authority.store.getCertificate(pilot.serial)?.status).toBe('revoked');

    // A revocation is final.
    const again = await helmlink(['ca', 'release', ...conn, '--serial', pilot.serial], {
      HELMLINK_KEY_PASSPHRASE: CA_PASS,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ERR_CERT_NOT_ON_HOLD');
  }, 120_000);

  it('refusals keep their codes (exit 1): unknown serial or entity, wrong pin, not an admin, wrong passphrase', async () => {
    const env = { HELMLINK_KEY_PASSPHRASE: CA_PASS };
    const unknown = await helmlink(['ca', 'revoke', ...conn, '--serial', 'abcdef', '--reason', '0'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^helmlink ca revoke: ERR_CERT_NOT_FOUND: /u);
    const nobody = await helmlink(['ca', 'release', ...conn, '--entity', 'nobody'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('ERR_CERT_NOT_FOUND: nobody holds no certificate that is hold');

    const pinned = conn.map((a) => (a === server.rootFingerprint ? 'ab'.repeat(32) : a));
    const pin = await helmlink(['ca', 'revoke', ...pinned, '--serial', 'abcdef', '--reason', '0'], env);
    expect(pin.code).toBe(1);
    expect(pin.stderr).toContain('ERR_CA_PIN_MISMATCH');

    const pilot = await enroll('pilot-not-admin', ['pilot']);
    writeFileSync(join(dir, 'pilot.pem'), pilot.pem);
    writeFileSync(join(dir, 'pilot.key'), pilot.key, { mode: 0o600 });
    const asPilot = conn.map((a) =>
      a === admin.cert ? join(dir, 'pilot.pem') : a === admin.key ? join(dir, 'pilot.key') : a,
    );
    const forbidden = await helmlink(['ca', 'revoke', ...asPilot, '--serial', pilot.serial, '--reason', '0']);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain('ERR_FORBIDDEN');
    expect(server.authority.store.getCertificate(pilot.serial)?.status).toBe('valid');

    const wrong = await helmlink(['ca', 'revoke', ...conn, '--serial', pilot.serial, '--reason', '0'], {
      HELMLINK_KEY_PASSPHRASE: 'not it',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^helmlink ca revoke: ERR_KEY_DECRYPT: .*\n$/u);
    expect(wrong.stderr).not.toContain('not it');
    expect(server.authority.store.getCertificate(pilot.serial)?.status).toBe('valid');
  }, 120_000);
});
