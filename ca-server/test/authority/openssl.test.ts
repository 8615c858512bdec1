import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAuthority, type Authority } from '../../src/authority/authority';
import { createTestCa, PASSPHRASE } from '../helpers';
import { systemClock } from '@helmlink/protocol';

let authority: Authority;
let dir: string;

beforeAll(async () => {
  const ca = await createTestCa(systemClock);
  dir = ca.dir;
  authority = await loadAuthority({ dir, passphrase: PASSPHRASE });
});

afterAll(async () => {
  await authority.close();
});

function opensslCsr(name: string, keyArgs: string[]): string {
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['genpkey', ...keyArgs, '-out', key]);
  return execFileSync('openssl', ['req', '-new', '-key', key, '-subj', `/CN=${name}`], { encoding: 'utf8' });
}

function verify(leafPem: string, extra: string[] = []): { ok: boolean; out: string } {
  const leaf = join(dir, 'leaf.pem');
  writeFileSync(leaf, leafPem);
  const r = spawnSync(
    'openssl',
    [
      'verify',
      '-crl_check',
      '-CAfile',
      authority.paths.rootCert,
      '-untrusted',
      authority.paths.issuingCert,
      '-CRLfile',
      authority.paths.crl,
      ...extra,
      leaf,
    ],
    { encoding: 'utf8' },
  );
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

describe('interop with the openssl CLI', () => {
  it.each([
    ['mv-ossl-p256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']],
    ['mv-ossl-ed25519', ['-algorithm', 'ed25519']],
    ['mv-ossl-rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072']],
  ])(
    'a CSR from openssl req enrolls (%s) and the chain passes openssl verify -crl_check',
    async (name, keyArgs) => {
      const { token } = authority.createEnrollmentToken({ entityId: name, roles: ['vessel'] });
      const issued = await authority.enroll({ csr: opensslCsr(name, keyArgs), token });
      const result = verify(issued.certificatePem, ['-purpose', 'sslclient']);
      expect(result.out).toContain(': OK');
      expect(result.ok).toBe(true);
    },
  );

  it('a revoked certificate fails openssl verify; the CRLs parse with openssl crl', async () => {
    const { token } = authority.createEnrollmentToken({ entityId: 'mv-ossl-revoked', roles: ['vessel'] });
    const issued = await authority.enroll({
      csr: opensslCsr('mv-ossl-revoked', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']),
      token,
    });
    await authority.revoke({ serial: issued.serial, reason: 1, description: 'test' }, { id: 'test' });
    const result = verify(issued.certificatePem);
    expect(result.ok).toBe(false);
    expect(result.out).toContain('certificate revoked');
    const text = execFileSync('openssl', ['crl', '-in', authority.paths.crl, '-noout', '-text'], {
      encoding: 'utf8',
    });
    expect(text).toContain('X509v3 CRL Number');
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toContain('Key Compromise');
    expect(text.toLowerCase()).toContain(issued.serial.toLowerCase());
    const root = execFileSync('openssl', ['crl', '-in', authority.paths.rootCrl, '-noout', '-issuer'], {
      encoding: 'utf8',
    });
    expect(root).toContain('Root CA');
    // crl_check_all: the issuing CA is checked against the root's CRL as well.
    const other = await authority.enroll({
      csr: opensslCsr('mv-ossl-all', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']),
      token: authority.createEnrollmentToken({ entityId: 'mv-ossl-all', roles: ['vessel'] }).token,
    });
    const all = verify(other.certificatePem, ['-crl_check_all', '-CRLfile', authority.paths.rootCrl]);
    expect(all.out).toContain(': OK');
  });
});
