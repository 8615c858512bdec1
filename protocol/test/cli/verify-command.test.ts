import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSigner, signCommand } from '../../src/envelope';
import { parseCertificate } from '../../src/pki/pem';
import { importPrivateKey } from '../../src/keys/pkcs8';
import { decodePem } from '../../src/pki/pem';
import { helmlink, NOW, NOW_TEXT, writeCliPki, type CliPki } from './cli-fixtures';

let p: CliPki;
let token: string;
const ON = ['239.192.0.1:60001'];
const OFF = ['239.192.0.4:60004'];

async function pilotToken(
  overrides: { audience?: string; on?: string[]; off?: string[] } = {},
): Promise<string> {
  const key = await importPrivateKey(decodePem(readFileSync(p.files.pilotKey, 'utf8'))[0]!.der);
  const chain = [
    parseCertificate(readFileSync(p.files.pilotCert, 'utf8')),
    parseCertificate(readFileSync(p.files.issuing, 'utf8')),
  ];
  const signer = createSigner({ privateKey: key, chain });
  const cmd = {
    v: 1 as const,
    type: 'streams.set' as const,
    on: overrides.on ?? ON,
    off: overrides.off ?? OFF,
  };
  return (
    await signCommand(signer, { audience: overrides.audience ?? 'vessel-1', cmd, clock: () => NOW.getTime() })
  ).token;
}

beforeAll(async () => {
  p = await writeCliPki();
  token = await pilotToken();
});

const base = () => [
  'verify-command',
  '--roots',
  p.files.root,
  '--intermediates',
  p.files.issuing,
  '--audience',
  'vessel-1',
  '--now',
  NOW_TEXT,
];

describe('helmlink verify-command', () => {
  it('accepts a token (claims JSON on stdout, exit 0) and rejects it the second time with the same --state', async () => {
    const state = join(p.dir, 'replay-state.json');
    const first = await helmlink(
      [...base(), '--crl', p.files.crl, '--catalog', p.files.catalog, '--state', state, '-'],
      token,
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      iss: 'pilot-1',
      aud: 'vessel-1',
      cmd: { v: 1, type: 'streams.set', on: ON, off: OFF },
    });
    const second = await helmlink([...base(), '--state', state, '-'], token);
    expect(second.code).toBe(1);
    expect(second.stdout.trim()).toBe('ERR_REPLAY');
    expect(second.stderr).toContain('ERR_REPLAY');
  });

  it('reads --token-file and rejects with the reason code: wrong audience, expired', async () => {
    const file = join(p.dir, 'token.jwt');
    writeFileSync(file, `${token}\n`);
    const aud = await helmlink([
      'verify-command',
      '--roots',
      p.files.root,
      '--intermediates',
      p.files.issuing,
      '--audience',
      'vessel-2',
      '--now',
      NOW_TEXT,
      '--token-file',
      file,
    ]);
    expect([aud.code, aud.stdout.trim()]).toEqual([1, 'ERR_AUD_MISMATCH']);
    const late = await helmlink([
      'verify-command',
      '--roots',
      p.files.root,
      '--intermediates',
      p.files.issuing,
      '--audience',
      'vessel-1',
      '--now',
      '2026-11-22T03:01:00.250Z',
      '--token-file',
      file,
    ]);
    expect([late.code, late.stdout.trim()]).toEqual([1, 'ERR_CMD_EXPIRED']);
  });

  it('with --crl the signer must be covered and not revoked', async () => {
    const revoked = await helmlink([...base(), '--crl', p.files.crlRevoked, '-'], token);
    expect([revoked.code, revoked.stdout.trim()]).toEqual([1, 'ERR_CHAIN_REVOKED']);
  });

  it('checks the catalog partition', async () => {
    const partial = await pilotToken({ off: [] });
    const run = await helmlink([...base(), '--catalog', p.files.catalog, '-'], partial);
    expect([run.code, run.stdout.trim()]).toEqual([1, 'ERR_STREAM_MISSING']);
  });

  it('exit 2 for usage errors and unreadable input; --help exits 0', async () => {
    const missing = await helmlink(['verify-command', '--roots', p.files.root, '-'], token);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--audience');
    const unreadable = await helmlink(
      ['verify-command', '--roots', join(p.dir, 'nope.pem'), '--audience', 'vessel-1', '-'],
      token,
    );
    expect(unreadable.code).toBe(2);
    const help = await helmlink(['verify-command', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--token-file');
  });
});
