/**
 * `helmlink verify-chain`: spawned as users and conformance checks run it (exit codes and output), plus the
 * PKITS cases through the command's own entry point (files on disk, default options) in-process.
 */
import '../../src/reflect';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChainCommand } from '../../src/cli/verify-chain';
import type { CliIO } from '../../src/node/cli-kit';
import { buildCrlDer } from '../../src/pki/build';
import { certificatesToPem, certificateToPem, crlToPem, encodePem } from '../../src/pki/pem';
import { createTestPki, type TestPki } from '../../src/testing/pki';
import { loadNonPolicyPkitsCases } from '../fixtures/pkits/cases';
import { ext, forgeCrl, forgeLeaf, forgeRingPool, forgeRoot, type GeneralNameSpec, OIDS } from '../pki/forge';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../..');
const NOW = new Date('2026-06-01T12:00:00Z');
let dir: string;
let pki: TestPki;

async function helmlink(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // Run from the repository root (as documented: npx helmlink ...); files by absolute path.
    const abs = args.map((a) => (/\.(pem|der|crl)$/u.test(a) ? join(dir, a) : a));
    const { stdout, stderr } = await run(
      process.execPath,
      [join(REPO, 'cli/bin/helmlink.mjs'), 'verify-chain', ...abs],
      { cwd: REPO },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'helmlink-verify-chain-'));
  pki = await createTestPki({ now: NOW });
  const pilot = await pki.issue('pilot-1', ['pilot']);
  const revoked = await pki.issue('pilot-2', ['pilot']);
  writeFileSync(join(dir, 'root.pem'), certificateToPem(pki.root.certificate));
  writeFileSync(join(dir, 'issuing.der'), new Uint8Array(pki.issuing.certificate.rawData));
  writeFileSync(join(dir, 'pilot.pem'), certificateToPem(pilot.certificate));
  writeFileSync(join(dir, 'pilot-chain.pem'), certificatesToPem(pilot.chain));
  writeFileSync(join(dir, 'revoked.pem'), certificateToPem(revoked.certificate));
  const crl = await pki.issuingCrl([{ serial: revoked.certificate.serialNumber, revokedAt: NOW, reason: 6 }]);
  writeFileSync(join(dir, 'issuing.crl'), crlToPem(crl));
  writeFileSync(join(dir, 'root.crl'), new Uint8Array((await pki.rootCrl([])).rawData));
  const stale = await pki.issuingCrl([], {
    thisUpdate: new Date(NOW.getTime() - 2 * 86_400_000),
    nextUpdate: new Date(NOW.getTime() - 3_600_000),
  });
  writeFileSync(join(dir, 'stale.crl'), crlToPem(stale));
  writeFileSync(join(dir, 'garbage.pem'), 'not a certificate\n');
  // Hostile inputs (issue 10): a malformed SAN, a leaf with 2,048 SANs, a pool of look-alike CAs, a v1 CRL.
  const hostileRoot = await forgeRoot('CLI Hostile Root');
  writeFileSync(join(dir, 'hostile-root.pem'), certificateToPem(hostileRoot.certificate));
  const badSan = await forgeLeaf('bad-san', hostileRoot, {
    san: { oid: OIDS.san, value: new TextEncoder().encode('example.com') },
  });
  writeFileSync(join(dir, 'bad-san.pem'), certificateToPem(badSan.certificate));
  const names: GeneralNameSpec[] = Array.from({ length: 2048 }, (_, i) =>
    i % 2 ? { dns: `h${i}.example.com` } : { dn: [['CN', `unit-${i}`]] },
  );
  const manySans = await forgeLeaf('many-sans', hostileRoot, {
    san: { oid: OIDS.san, value: ext.generalNames(names) },
  });
  writeFileSync(join(dir, 'many-sans.pem'), certificateToPem(manySans.certificate));
  const { pool, leaf: poolLeaf } = await forgeRingPool(100);
  writeFileSync(join(dir, 'pool.pem'), certificatesToPem(pool.map((p) => p.certificate)));
  writeFileSync(join(dir, 'pool-leaf.pem'), certificateToPem(poolLeaf.certificate));
  writeFileSync(
    join(dir, 'v1.crl'),
    encodePem('X509 CRL', await forgeCrl({ issuer: hostileRoot, version: 1 })),
  );
  const wellFormed = await forgeCrl({ issuer: hostileRoot });
  writeFileSync(
    join(dir, 'broken.crl'),
    encodePem('X509 CRL', wellFormed.subarray(0, wellFormed.length - 9)),
  );
  writeFileSync(
    join(dir, 'hostile-leaf.pem'),
    certificateToPem((await forgeLeaf('plain', hostileRoot)).certificate),
  );
  // A fleet-sized CRL: 50,000 entries, the revoked pilot among them.
  const entries = Array.from({ length: 50_000 }, (_, i) => ({
    serial: (0x100000 + i).toString(16),
    revokedAt: NOW,
  }));
  entries.push({ serial: revoked.certificate.serialNumber, revokedAt: NOW });
  writeFileSync(
    join(dir, 'large.crl'),
    new Uint8Array(
      await buildCrlDer({
        issuer: pki.issuing,
        crlNumber: 99,
        thisUpdate: new Date(NOW.getTime() - 60_000),
        nextUpdate: new Date(NOW.getTime() + 86_400_000),
        entries,
      }),
    ),
  );
  writeFileSync(join(dir, 'empty.pem'), '\n');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function inProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  stderr.on('data', (d: Buffer) => err.push(d.toString()));
  const code = await verifyChainCommand.main(args, {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    cwd: dir,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

// Each spawn costs a tsx start-up (~1 s CPU): the process-level contract is checked with a few spawns, the
// rest of the behaviour through the same entry point in-process.
describe.concurrent('helmlink verify-chain (spawned)', () => {
  it('exit 0 for a valid path (DER intermediate, PEM and DER CRLs, fractional --time), with JSON', async () => {
    const r = await helmlink(
      '--roots',
      'root.pem',
      '--intermediates',
      'issuing.der',
      '--leaf',
      'pilot.pem',
      '--crl',
      'issuing.crl',
      '--crl',
      'root.crl',
      '--time',
      '2026-06-01T12:00:00.123456Z',
      '--purpose',
      'clientAuth',
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      valid: boolean;
      chain: { subject: string }[];
      identity: { entityId: string };
    };
    expect(out.valid).toBe(true);
    expect(out.chain).toHaveLength(3);
    expect(out.identity.entityId).toBe('pilot-1');
  });

  it('exit 1 with the reason code on stderr and in JSON for a revoked (on hold) leaf', async () => {
    const r = await helmlink(
      '--roots',
      'root.pem',
      '--intermediates',
      'issuing.der',
      '--leaf',
      'revoked.pem',
      '--crl',
      'issuing.crl',
      '--time',
      '2026-06-01T12:00:00Z',
      '--json',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_CHAIN_REVOKED');
    expect(JSON.parse(r.stdout)).toMatchObject({
      valid: false,
      code: 'ERR_CHAIN_REVOKED',
      details: { reason: 'certificateHold' },
    });
  });

  it('exit 1 with ERR_CERT_MALFORMED (not an unexpected error) for a leaf whose subjectAltName is not DER', async () => {
    const r = await helmlink(
      '--roots',
      'hostile-root.pem',
      '--leaf',
      'bad-san.pem',
      '--time',
      '2026-06-01T12:00:00Z',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_CERT_MALFORMED');
    expect(r.stderr).not.toContain('unexpected error');
  });

  it('exit 2 for an unreadable file', async () => {
    const r = await helmlink('--roots', 'root.pem', '--leaf', 'missing.pem');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/helmlink verify-chain: cannot read leaf .*missing\.pem: ENOENT/u);
  });

  it('--help documents every option and the exit codes', async () => {
    const r = await helmlink('--help');
    expect(r.code).toBe(0);
    for (const word of [
      '--roots',
      '--leaf',
      '--intermediates',
      '--crl',
      '--crl-check',
      '--crl-grace',
      '--time',
      '--purpose',
      '--json',
      'Exit codes',
    ]) {
      expect(r.stdout).toContain(word);
    }
  });
});

describe('helmlink verify-chain (entry point)', () => {
  it('exit 0 with the chain in the leaf file, plain output', async () => {
    const r = await inProcess(
      '--roots',
      'root.pem',
      '--leaf',
      'pilot-chain.pem',
      '--time',
      '2026-06-01T12:00:00Z',
    );
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/^valid\n {2}0: .*CN=pilot-1/u);
  });

  it('exit 1 for the wrong purpose, and ERR_CRL_MISSING in chain mode without the root CRL', async () => {
    const r = await inProcess(
      '--roots',
      'root.pem',
      '--leaf',
      'pilot-chain.pem',
      '--time',
      '2026-06-01T12:00:00Z',
      '--purpose',
      'serverAuth',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_CHAIN_EKU');
    const c = await inProcess(
      '--roots',
      'root.pem',
      '--leaf',
      'pilot-chain.pem',
      '--crl',
      'issuing.crl',
      '--crl-check',
      'chain',
      '--time',
      '2026-06-01T12:00:00Z',
    );
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('ERR_CRL_MISSING');
  });

  it('a stale CRL fails (ERR_CRL_STALE) unless --crl-grace covers it', async () => {
    const base = [
      '--roots',
      'root.pem',
      '--leaf',
      'pilot-chain.pem',
      '--crl',
      'stale.crl',
      '--time',
      '2026-06-01T12:00:00Z',
    ];
    const r = await inProcess(...base, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, code: 'ERR_CRL_STALE' });
    expect(r.stderr).toContain('ERR_CRL_STALE');
    const g = await inProcess(...base, '--crl-grace', '7200', '--json');
    expect(g.code).toBe(0);
    expect(JSON.parse(g.stdout)).toMatchObject({
      valid: true,
      validUntil: '2026-06-01T13:00:00.000Z',
      revocation: 'leaf',
    });
  });

  it('an empty --crl file still turns revocation on (fail closed); an empty --intermediates file means none', async () => {
    const r = await inProcess(
      '--roots',
      'root.pem',
      '--leaf',
      'pilot-chain.pem',
      '--intermediates',
      'empty.pem',
      '--crl',
      'empty.pem',
      '--time',
      '2026-06-01T12:00:00Z',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_CRL_MISSING');
    expect(await inProcess('--roots', 'empty.pem', '--leaf', 'pilot.pem')).toMatchObject({ code: 2 });
  });

  it('exit 2 for usage errors and unparsable input', async () => {
    for (const args of [
      ['--leaf', 'pilot.pem'],
      ['--roots', 'garbage.pem', '--leaf', 'pilot.pem'],
      ['--roots', 'root.pem', '--leaf', 'pilot.pem', '--crl', 'garbage.pem'],
      ['--roots', 'root.pem', '--leaf', 'pilot.pem', '--time', 'yesterday'],
      ['--roots', 'root.pem', '--leaf', 'pilot.pem', '--purpose', 'codeSigning'],
      ['--roots', 'root.pem', '--leaf', 'pilot.pem', '--crl-check', 'all'],
      ['--roots', 'root.pem', '--leaf', 'pilot.pem', '--crl-grace', '-5'],
      ['--roots', 'root.pem', '--leaf', 'pilot.pem', '--bogus'],
    ]) {
      const r = await inProcess(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/helmlink verify-chain: /u);
    }
  });
});

describe('helmlink verify-chain on hostile input (entry point)', () => {
  it('a leaf with 2,048 subjectAltNames parses and validates (exit 0)', async () => {
    expect(
      await inProcess(
        '--roots',
        'hostile-root.pem',
        '--leaf',
        'many-sans.pem',
        '--time',
        '2026-06-01T12:00:00Z',
      ),
    ).toMatchObject({ code: 0 });
  });

  it('a pool of 100 look-alike CAs ends in ERR_CHAIN_TOO_COMPLEX (exit 1)', async () => {
    const r = await inProcess(
      '--roots',
      'hostile-root.pem',
      '--intermediates',
      'pool.pem',
      '--leaf',
      'pool-leaf.pem',
      '--time',
      '2026-06-01T12:00:00Z',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_CHAIN_TOO_COMPLEX');
  });

  it('a v1 CRL is refused (ERR_CRL_INVALID, exit 1)', async () => {
    const r = await inProcess(
      '--roots',
      'hostile-root.pem',
      '--leaf',
      'hostile-leaf.pem',
      '--crl',
      'v1.crl',
      '--time',
      '2026-06-01T12:00:00Z',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_CRL_INVALID');
  });

  it('a CRL that is there but malformed is a verdict (ERR_CRL_MALFORMED, exit 1); a file without a CRL is usage (exit 2)', async () => {
    const r = await inProcess(
      '--roots',
      'hostile-root.pem',
      '--leaf',
      'hostile-leaf.pem',
      '--crl',
      'broken.crl',
      '--time',
      '2026-06-01T12:00:00Z',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_CRL_MALFORMED');
    expect(
      await inProcess(
        '--roots',
        'hostile-root.pem',
        '--leaf',
        'hostile-leaf.pem',
        '--crl',
        'hostile-root.pem',
      ),
    ).toMatchObject({ code: 2 });
  });

  it('checks leaves against a CRL of 50,000 entries', async () => {
    const base = [
      '--roots',
      'root.pem',
      '--intermediates',
      'issuing.der',
      '--crl',
      'large.crl',
      '--time',
      '2026-06-01T12:00:00Z',
    ];
    expect(await inProcess(...base, '--leaf', 'pilot.pem')).toMatchObject({ code: 0 });
    const r = await inProcess(...base, '--leaf', 'revoked.pem');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_CHAIN_REVOKED');
  });
});

describe('helmlink verify-chain on PKITS files (in-process)', () => {
  it('gets the same 115/123 as the library with the default CRL mode', async () => {
    const cases = loadNonPolicyPkitsCases();
    const caseDir = mkdtempSync(join(dir, 'pkits-'));
    let passed = 0;
    const usage: string[] = [];
    for (const t of cases) {
      writeFileSync(join(caseDir, 'roots.pem'), t.trusted_certs.join('\n'));
      writeFileSync(join(caseDir, 'inter.pem'), t.untrusted_intermediates.join('\n'));
      writeFileSync(join(caseDir, 'leaf.pem'), t.peer_certificate);
      writeFileSync(join(caseDir, 'crls.pem'), t.crls.join('\n'));
      // Always passing --intermediates: an empty file (the private-extension cases have none) means none.
      const args = [
        '--roots',
        'roots.pem',
        '--intermediates',
        'inter.pem',
        '--leaf',
        'leaf.pem',
        '--crl',
        'crls.pem',
        '--time',
        t.validation_time,
        '--purpose',
        'any',
      ];
      const io: CliIO = {
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        stdin: new PassThrough(),
        env: {},
        cwd: caseDir,
      };
      const code = await verifyChainCommand.main(args, io);
      if (code === 2) usage.push(t.id);
      if (
        (code === 0 ? 'SUCCESS' : 'FAILURE') === t.expected_result &&
        !(t.features.includes('pkits-dsa') && t.expected_result === 'SUCCESS')
      )
        passed++;
    }
    expect(usage).toEqual([]);
    expect(passed).toBe(115);
  });
});
