import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '@helmlink/protocol/node';
import {
  caAuditVerifyCommand,
  caExportCommand,
  caInitCommand,
  caTokenCommand,
  csrCheckCommand,
} from '../../src/cli';
import { runCommand } from '../helpers';

const work = mkdtempSync(join(tmpdir(), 'helmlink-ca-cli-'));

const run = (
  cmd: { main: (argv: string[], io?: CliIO) => Promise<number> },
  argv: string[],
  env: Record<string, string> = {},
) => runCommand(cmd, argv, { cwd: work, env });

const ENV = { HELMLINK_CA_PASSPHRASE: 'cli passphrase' };

describe('ca CLI', () => {
  it('init, token, export, audit verify (and detects tampering)', async () => {
    expect((await run(caInitCommand, ['--help'])).code).toBe(0);
    expect((await run(caInitCommand, [])).code).toBe(2);
    expect((await run(caInitCommand, ['--dir', 'ca'])).code).toBe(2); // no passphrase
    expect((await run(caInitCommand, ['--dir', 'ca'], { HELMLINK_CA_PASSPHRASE: '' })).code).toBe(1);
    const init = await run(caInitCommand, ['--dir', 'ca', '--org', 'CLI Test', '--json'], ENV);
    expect(init.code).toBe(0);
    expect(JSON.parse(init.out)).toMatchObject({
      state: 'ready',
      rootFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/u),
    });
    const again = await run(caInitCommand, ['--dir', 'ca'], ENV);
    expect(again.code).toBe(1);
    expect(again.err).toContain('ERR_CA_EXISTS');

    const token = await run(
      caTokenCommand,
      ['--dir', 'ca', '--entity', 'mv-cli', '--role', 'vessel', '--imo', '9074729', '--json'],
      ENV,
    );
    expect(token.code).toBe(0);
    expect(JSON.parse(token.out).token).toMatch(/^hlt_/u);
    const badImo = await run(
      caTokenCommand,
      ['--dir', 'ca', '--entity', 'mv-cli', '--role', 'vessel', '--imo', '9074728'],
      ENV,
    );
    expect(badImo.code).toBe(1);

    const exp = await run(caExportCommand, ['--dir', 'ca', '--out', 'export.json']);
    expect(exp.code).toBe(0);
    const listing = JSON.parse(readFileSync(join(work, 'export.json'), 'utf8'));
    expect(listing.certificates.map((c: { entityId: string }) => c.entityId).sort()).toEqual([
      'admin',
      'helmlink-ca',
    ]);

    expect((await run(caAuditVerifyCommand, ['--dir', 'ca'])).code).toBe(0);
    const db = new Database(join(work, 'ca', 'ca.db'));
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET details = '{}' WHERE seq = 2").run();
    db.close();
    const tampered = await run(caAuditVerifyCommand, ['--dir', 'ca', '--json']);
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.out)).toMatchObject({ ok: false, brokenAt: 2, code: 'ERR_AUDIT_TAMPERED' });
  });

  it('refuses to update or delete audit entries through SQL', async () => {
    await run(caInitCommand, ['--dir', 'ca2'], ENV);
    const db = new Database(join(work, 'ca2', 'ca.db'));
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/u);
    db.close();
  });
});

describe('csr-check', () => {
  const key = join(work, 'k.pem');
  execFileSync('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    key,
  ]);

  it('exit 0 would issue, 1 refused with a reason code, 2 unreadable', async () => {
    writeFileSync(
      join(work, 'ok.csr'),
      execFileSync('openssl', ['req', '-new', '-key', key, '-subj', '/CN=mv-ok'], { encoding: 'utf8' }),
    );
    const ok = await run(csrCheckCommand, ['--csr', 'ok.csr', '--role', 'vessel', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, entityId: 'mv-ok', keySpec: 'ecdsa-p256' });
    writeFileSync(
      join(work, 'sha1.csr'),
      execFileSync('openssl', ['req', '-new', '-sha1', '-key', key, '-subj', '/CN=mv-ok'], {
        encoding: 'utf8',
      }),
    );
    const sha1 = await run(csrCheckCommand, ['--csr', 'sha1.csr', '--json']);
    expect(sha1.code).toBe(1);
    expect(JSON.parse(sha1.out).code).toBe('ERR_SIG_ALG_WEAK');
    writeFileSync(
      join(work, 'ou.csr'),
      execFileSync('openssl', ['req', '-new', '-key', key, '-subj', '/OU=x/CN=mv-ok'], { encoding: 'utf8' }),
    );
    expect((await run(csrCheckCommand, ['--csr', 'ou.csr'])).err).toContain('ERR_CSR_SUBJECT_MISMATCH');
    writeFileSync(join(work, 'junk.csr'), 'not a csr');
    expect((await run(csrCheckCommand, ['--csr', 'junk.csr'])).code).toBe(2);
    expect((await run(csrCheckCommand, ['--csr', 'missing.csr'])).code).toBe(2);
    expect((await run(csrCheckCommand, ['--csr', 'ok.csr', '--role', 'captain'])).code).toBe(2);
  });

  it('--role R passes a CSR that carries the profile SAN of R, as enrollment does', async () => {
    writeFileSync(
      join(work, 'san.csr'),
      execFileSync(
        'openssl',
        [
          'req',
          '-new',
          '-key',
          key,
          '-subj',
          '/CN=pilot-7',
          '-addext',
          'subjectAltName=URI:urn:mrn:helmlink:pilot:pilot-7',
        ],
        { encoding: 'utf8' },
      ),
    );
    const ok = await run(csrCheckCommand, ['--csr', 'san.csr', '--role', 'pilot', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, entityId: 'pilot-7', role: 'pilot' });
    const otherRole = await run(csrCheckCommand, ['--csr', 'san.csr', '--role', 'vessel', '--json']);
    expect(otherRole.code).toBe(1);
    expect(JSON.parse(otherRole.out).code).toBe('ERR_CSR_EXTENSION_FORBIDDEN');
    const otherEntity = await run(csrCheckCommand, [
      '--csr',
      'san.csr',
      '--role',
      'pilot',
      '--entity',
      'pilot-8',
    ]);
    expect(otherEntity.code).toBe(1);
    expect(otherEntity.err).toContain('ERR_CSR_SUBJECT_MISMATCH');
    // Without an identity no SAN is granted.
    expect((await run(csrCheckCommand, ['--csr', 'san.csr'])).err).toContain('ERR_CSR_EXTENSION_FORBIDDEN');
  });

  it('takes the passphrase from the systemd credential ca-passphrase when no other source is given', async () => {
    const creds = mkdtempSync(join(tmpdir(), 'helmlink-ca-cred-'));
    writeFileSync(join(creds, 'ca-passphrase'), 'credential passphrase\n');
    const init = await run(caInitCommand, ['--dir', 'ca-cred'], { CREDENTIALS_DIRECTORY: creds });
    expect(init.code).toBe(0);
    // The key was sealed with the credential's passphrase: a token needs the same one.
    expect(
      (
        await run(caTokenCommand, ['--dir', 'ca-cred', '--entity', 'v1', '--role', 'vessel'], {
          CREDENTIALS_DIRECTORY: creds,
        })
      ).code,
    ).toBe(0);
    const wrong = await run(caTokenCommand, ['--dir', 'ca-cred', '--entity', 'v2', '--role', 'vessel'], {
      HELMLINK_CA_PASSPHRASE: 'another one',
      CREDENTIALS_DIRECTORY: creds,
    });
    expect(wrong.code).toBe(1);
    const missing = await run(caTokenCommand, ['--dir', 'ca-cred', '--entity', 'v3', '--role', 'vessel'], {
      CREDENTIALS_DIRECTORY: join(creds, 'nope'),
    });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read passphrase file');
  });
});
