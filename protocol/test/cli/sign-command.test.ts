import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrust, verifyCommand } from '../../src/envelope';
import { writeEncryptedKeyFile } from '../../src/node/keyfile';
import { decodePem } from '../../src/pki/pem';
import { MemoryReplayStore } from '../../src/replay';
import { helmlink, NOW, NOW_TEXT, writeCliPki, type CliPki } from './cli-fixtures';

let p: CliPki;
beforeAll(async () => {
  p = await writeCliPki();
});

const args = () => [
  'sign-command',
  '--key',
  p.files.pilotKey,
  '--cert',
  p.files.pilotCert,
  '--audience',
  'vessel-1',
  '--now',
  NOW_TEXT,
];

describe('helmlink sign-command', () => {
  it('prints a token that verifies, with x5c = the signer certificate only and the requested lifetime', async () => {
    const run = await helmlink([
      ...args(),
      '--on',
      '239.192.0.1:60001',
      '--off',
      '239.192.0.4:60004',
      '--lifetime',
      '60',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const verified = await verifyCommand(run.stdout.trim(), {
      trust: createTrust({
        trustAnchors: [p.pki.root.certificate],
        intermediates: [p.pki.issuing.certificate],
        revocation: { mode: 'off' },
      }),
      clock: () => NOW.getTime(),
      audience: 'vessel-1',
      replay: new MemoryReplayStore(),
    });
    const pilotDer = decodePem(readFileSync(p.files.pilotCert, 'utf8'))[0]!.der;
    expect(verified.header.x5c).toEqual([Buffer.from(pilotDer).toString('base64')]);
    expect(verified.claims.exp - verified.claims.iat).toBe(60);
    expect(verified.claims.cmd).toEqual({
      v: 1,
      type: 'streams.set',
      on: ['239.192.0.1:60001'],
      off: ['239.192.0.4:60004'],
    });
  });

  it('refuses a bad stream address (exit 1, code) and a key that does not match the certificate', async () => {
    const bad = await helmlink([...args(), '--on', '10.0.0.1:60001', '--off', '']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('ERR_STREAM_ADDRESS_INVALID');
    const mismatch = await helmlink([
      'sign-command',
      '--key',
      p.files.vesselKey,
      '--cert',
      p.files.pilotCert,
      '--audience',
      'vessel-1',
      '--on',
      '239.192.0.1:60001',
    ]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('ERR_SIGNATURE_INVALID');
  });

  it('exit 2 for usage errors; --help exits 0', async () => {
    const lifetime = await helmlink([...args(), '--on', '239.192.0.1:60001', '--lifetime', '301']);
    expect(lifetime.code).toBe(2);
    const help = await helmlink(['sign-command', '--help']);
    expect([help.code, help.stdout.includes('--audience')]).toEqual([0, true]);
  });

  it('reads an encrypted key with the first line of --passphrase-file, spaces kept; empty is exit 1, unreadable exit 2', async () => {
    const dir = dirname(p.files.pilotKey);
    const key = join(dir, 'pilot.enc.key');
    await writeEncryptedKeyFile(
      key,
      decodePem(readFileSync(p.files.pilotKey, 'utf8'))[0]!.der,
      ' pass phrase ',
    );
    writeFileSync(join(dir, 'pass.txt'), ' pass phrase \r\nthe second line is not part of it\n');
    writeFileSync(join(dir, 'empty.txt'), '\n');
    const signWith = (file: string) =>
      helmlink([
        'sign-command',
        '--key',
        key,
        '--passphrase-file',
        file,
        '--cert',
        p.files.pilotCert,
        '--audience',
        'vessel-1',
        '--now',
        NOW_TEXT,
        '--on',
        '239.192.0.1:60001',
        '--off',
        '',
      ]);
    const ok = await signWith(join(dir, 'pass.txt'));
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    const empty = await signWith(join(dir, 'empty.txt'));
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('ERR_PASSPHRASE_REQUIRED');
    const missing = await signWith(join(dir, 'missing.txt'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read passphrase file .*missing\.txt: ENOENT/u);
  });
});
