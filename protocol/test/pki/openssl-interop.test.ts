/**
 * Interoperability with the real OpenSSL CLI, both ways:
 * - certificates and CRLs made with `openssl req/x509/ca` validate here (and a revoked one is refused);
 * - a chain and CRLs made with build.ts pass `openssl verify -crl_check` / `-crl_check_all` (a revoked leaf fails).
 */
import '../../src/reflect';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HelmlinkError } from '../../src/errors';
import {
  certificatesToPem,
  certificateToPem,
  crlToPem,
  parseCertificate,
  parseCertificates,
  parseCrls,
} from '../../src/pki/pem';
import { validatePath } from '../../src/pki/validate';
import { createTestPki } from '../../src/testing/pki';

const exec = promisify(execFile);
let dir: string;

async function openssl(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec('openssl', args, { cwd: dir, env: { ...process.env, ...env } });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

async function ok(args: string[], env: Record<string, string> = {}): Promise<void> {
  const r = await openssl(args, env);
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.out}`);
}

const CA_CNF = `
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

[ ca ]
default_ca = issuing_ca

[ issuing_ca ]
dir = .
database = issuing-index.txt
new_certs_dir = newcerts
certificate = inter.pem
private_key = inter.key
serial = issuing-serial
crlnumber = issuing-crlnumber
default_md = sha256
default_days = 30
default_crl_days = 7
policy = policy_any
unique_subject = no
copy_extensions = none

[ root_ca ]
dir = .
database = root-index.txt
new_certs_dir = newcerts
certificate = root.pem
private_key = root.key
serial = root-serial
crlnumber = root-crlnumber
default_md = sha384
default_days = 1825
default_crl_days = 7
policy = policy_any
unique_subject = no
copy_extensions = none

[ policy_any ]
commonName = supplied
organizationName = optional

[ root_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[ inter_ext ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ leaf_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = URI:urn:mrn:helmlink:pilot:$ENV::LEAF_ID

[ crl_ext ]
authorityKeyIdentifier = keyid
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'helmlink-openssl-'));
  mkdirSync(join(dir, 'newcerts'));
  writeFileSync(join(dir, 'ca.cnf'), CA_CNF);
  for (const f of ['issuing-index.txt', 'root-index.txt']) writeFileSync(join(dir, f), '');
  writeFileSync(join(dir, 'issuing-serial'), '1000\n');
  writeFileSync(join(dir, 'issuing-crlnumber'), '01\n');
  writeFileSync(join(dir, 'root-serial'), '2000\n');
  writeFileSync(join(dir, 'root-crlnumber'), '01\n');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('OpenSSL-made certificates and CRLs validate here', () => {
  it('accepts a valid leaf, refuses a revoked one (keyCompromise) and a held one', async () => {
    const env = { LEAF_ID: 'none' };
    await ok(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'root.key']);
    await ok(
      [
        'req',
        '-config',
        'ca.cnf',
        '-x509',
        '-new',
        '-key',
        'root.key',
        '-subj',
        '/O=Interop/CN=OpenSSL Root',
        '-days',
        '3650',
        '-sha384',
        '-extensions',
        'root_ext',
        '-out',
        'root.pem',
      ],
      env,
    );
    await ok(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'inter.key']);
    await ok(
      [
        'req',
        '-config',
        'ca.cnf',
        '-new',
        '-key',
        'inter.key',
        '-subj',
        '/O=Interop/CN=OpenSSL Issuing',
        '-out',
        'inter.csr',
      ],
      env,
    );
    await ok(
      [
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-name',
        'root_ca',
        '-extensions',
        'inter_ext',
        '-in',
        'inter.csr',
        '-out',
        'inter.pem',
        '-notext',
      ],
      env,
    );
    const leaves = [
      ['pilot-ok', 'EC'],
      ['pilot-revoked', 'ED25519'],
      ['pilot-held', 'EC'],
    ] as const;
    for (const [id, alg] of leaves) {
      await ok(
        alg === 'EC'
          ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${id}.key`]
          : ['genpkey', '-algorithm', 'ED25519', '-out', `${id}.key`],
      );
      await ok(
        [
          'req',
          '-config',
          'ca.cnf',
          '-new',
          '-key',
          `${id}.key`,
          '-subj',
          `/O=Interop/CN=${id}`,
          '-out',
          `${id}.csr`,
        ],
        env,
      );
      await ok(
        [
          'ca',
          '-batch',
          '-config',
          'ca.cnf',
          '-extensions',
          'leaf_ext',
          '-in',
          `${id}.csr`,
          '-out',
          `${id}.pem`,
          '-notext',
        ],
        { LEAF_ID: id },
      );
    }
    await ok(
      ['ca', '-config', 'ca.cnf', '-revoke', 'pilot-revoked.pem', '-crl_reason', 'keyCompromise'],
      env,
    );
    await ok(
      ['ca', '-config', 'ca.cnf', '-revoke', 'pilot-held.pem', '-crl_hold', 'holdInstructionReject'],
      env,
    );
    await ok(['ca', '-config', 'ca.cnf', '-gencrl', '-crlexts', 'crl_ext', '-out', 'inter.crl'], env);
    await ok(
      ['ca', '-config', 'ca.cnf', '-name', 'root_ca', '-gencrl', '-crlexts', 'crl_ext', '-out', 'root.crl'],
      env,
    );

    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    expect(read('inter.crl')).toContain('BEGIN X509 CRL');
    const options = {
      trustAnchors: parseCertificates(read('root.pem')),
      intermediates: parseCertificates(read('inter.pem')),
      crls: [...parseCrls(read('inter.crl')), ...parseCrls(read('root.crl'))],
      time: new Date(),
      purpose: 'clientAuth' as const,
      revocation: { mode: 'chain' as const },
    };
    const path = await validatePath(parseCertificate(read('pilot-ok.pem')), options);
    expect(path.chain).toHaveLength(3);
    expect(path.identity).toMatchObject({ entityId: 'pilot-ok', roles: ['pilot'] });
    const revoked = (await validatePath(parseCertificate(read('pilot-revoked.pem')), options).catch(
      (e: unknown) => e,
    )) as HelmlinkError;
    expect(revoked.code).toBe('ERR_CHAIN_REVOKED');
    expect(revoked.details).toMatchObject({ reason: 'keyCompromise' });
    const held = (await validatePath(parseCertificate(read('pilot-held.pem')), options).catch(
      (e: unknown) => e,
    )) as HelmlinkError;
    expect(held.code).toBe('ERR_CHAIN_REVOKED');
    expect(held.details).toMatchObject({ reason: 'certificateHold' });
  });
});

describe('chains and CRLs made here pass openssl verify', () => {
  it('openssl verify -crl_check / -crl_check_all accepts a valid leaf and refuses a revoked one', async () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const pki = await createTestPki({ now });
    const pilot = await pki.issue('pilot-1', ['pilot']);
    const vessel = await pki.issue('vessel-1', ['vessel'], { alg: 'EdDSA' });
    const gone = await pki.issue('pilot-2', ['pilot']);
    const issuingCrl = await pki.issuingCrl([
      { serial: gone.certificate.serialNumber, revokedAt: new Date(now.getTime() - 60_000), reason: 1 },
    ]);
    const rootCrl = await pki.rootCrl([]);
    writeFileSync(join(dir, 'h-root.pem'), certificateToPem(pki.root.certificate));
    writeFileSync(join(dir, 'h-issuing.pem'), certificatesToPem([pki.issuing.certificate]));
    writeFileSync(join(dir, 'h-crls.pem'), crlToPem(issuingCrl) + crlToPem(rootCrl));
    writeFileSync(join(dir, 'h-pilot.pem'), certificateToPem(pilot.certificate));
    writeFileSync(join(dir, 'h-vessel.pem'), certificateToPem(vessel.certificate));
    writeFileSync(join(dir, 'h-gone.pem'), certificateToPem(gone.certificate));
    const attime = String(Math.floor(now.getTime() / 1000));
    const verify = (leaf: string, check: string) =>
      openssl([
        'verify',
        '-x509_strict',
        '-CAfile',
        'h-root.pem',
        '-untrusted',
        'h-issuing.pem',
        '-CRLfile',
        'h-crls.pem',
        check,
        '-attime',
        attime,
        '-purpose',
        'sslclient',
        leaf,
      ]);
    for (const check of ['-crl_check', '-crl_check_all']) {
      expect(await verify('h-pilot.pem', check)).toMatchObject({
        code: 0,
        out: expect.stringContaining('h-pilot.pem: OK'),
      });
      expect(await verify('h-vessel.pem', check)).toMatchObject({ code: 0 });
      const revoked = await verify('h-gone.pem', check);
      expect(revoked.code).not.toBe(0);
      expect(revoked.out).toContain('certificate revoked');
    }
  });
});
