import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import {
  createRootCertificate,
  createSubordinateCaCertificate,
  issueEndEntityCertificate,
} from '../../src/pki/build';
import { issueEndEntityCertificateFast } from '../../src/pki/cert-writer';
import { nodeCertWriterCrypto } from '../../src/node/cert-writer-crypto';
import { certificateToPem } from '../../src/pki/pem';
import { generateKeyPair, type KeySpec } from '../../src/keys';
import type { EntityIdentity } from '../../src/pki/profile';

const now = new Date('2026-11-22T00:00:00Z');
const later = new Date('2027-11-22T00:00:00Z');

async function pki(spec: KeySpec) {
  const rootKeys = await generateKeyPair(spec);
  const root = await createRootCertificate({
    name: { cn: 'Root', o: 'Org' },
    keys: rootKeys,
    notBefore: now,
    notAfter: new Date('2046-01-01T00:00:00Z'),
  });
  const issuingKeys = await generateKeyPair(spec);
  const issuing = await createSubordinateCaCertificate({
    name: { cn: 'Issuing', o: 'Org' },
    publicKey: issuingKeys.publicKey,
    issuer: { certificate: root, privateKey: rootKeys.privateKey },
    notBefore: now,
    notAfter: new Date('2036-01-01T00:00:00Z'),
  });
  return { root, issuer: { certificate: issuing, privateKey: issuingKeys.privateKey } };
}

const cases: Array<
  [string, EntityIdentity, { dnsNames?: string[]; ipAddresses?: string[]; organization?: string }]
> = [
  [
    'vessel with maritime attributes',
    { entityId: 'mv-aurora', roles: ['vessel'], imo: '9074729', mmsi: '257123456', flag: 'NO' },
    { organization: 'Fleet AS' },
  ],
  ['pilot + admin', { entityId: 'pilot-7', roles: ['pilot', 'admin'] }, {}],
  [
    'vessel with a ship name (long SAN, long-form DER lengths)',
    {
      entityId: 'mv-nordic-star-of-the-north-sea',
      roles: ['vessel'],
      imo: '9074729',
      mmsi: '257123456',
      flag: 'NO',
      name: 'Nordic Star of the North Sea Æ',
    },
    {},
  ],
  [
    'broker with names',
    { entityId: 'broker', roles: ['broker'] },
    { dnsNames: ['localhost', 'mqtt.example'], ipAddresses: ['127.0.0.1', '::1'] },
  ],
  ['ca service', { entityId: 'helmlink-ca', roles: ['ca'] }, { dnsNames: ['localhost'] }],
];

describe('issueEndEntityCertificateFast', () => {
  it.each(cases)(
    'produces the same DER as issueEndEntityCertificate (%s, Ed25519)',
    async (_name, identity, extra) => {
      const { issuer } = await pki('ed25519');
      const leaf = await generateKeyPair('ecdsa-p256');
      const params = {
        identity,
        publicKey: leaf.publicKey,
        issuer,
        notBefore: now,
        notAfter: later,
        serial: '4a1b2c3d4e5f60718293a4b5c6d7e8f9',
        ...extra,
      };
      const slow = await issueEndEntityCertificate(params);
      const fast = await issueEndEntityCertificateFast(params);
      expect(Buffer.from(fast.rawData).toString('hex')).toBe(Buffer.from(slow.rawData).toString('hex'));
      // node:crypto's primitives (the CA's) give the same bytes: Ed25519 is deterministic, SHA-1 is SHA-1.
      const node = await issueEndEntityCertificateFast({ ...params, crypto: nodeCertWriterCrypto });
      expect(Buffer.from(node.rawData).toString('hex')).toBe(Buffer.from(slow.rawData).toString('hex'));
    },
  );

  it.each<[KeySpec, string]>([
    ['ecdsa-p256', 'WebCrypto'],
    ['ecdsa-p384', 'WebCrypto'],
    ['rsa-3072', 'WebCrypto'],
    ['ecdsa-p256', 'node:crypto'],
    ['ecdsa-p384', 'node:crypto'],
    ['rsa-3072', 'node:crypto'],
  ])(
    'issues certificates that verify with %s issuers, signed with %s (OpenSSL too)',
    async (spec, primitives) => {
      const { root, issuer } = await pki(spec);
      const leaf = await generateKeyPair('ed25519');
      const spki = new Uint8Array(await crypto.subtle.exportKey('spki', leaf.publicKey));
      const cert = await issueEndEntityCertificateFast({
        identity: { entityId: 'mv-x', roles: ['vessel'] },
        publicKey: spki,
        issuer,
        notBefore: now,
        notAfter: new Date('2051-01-01T00:00:00Z'),
        ...(primitives === 'node:crypto' ? { crypto: nodeCertWriterCrypto } : {}),
      });
      expect(await cert.verify({ publicKey: issuer.certificate.publicKey, signatureOnly: true })).toBe(true);
      expect(cert.notAfter.toISOString()).toBe('2051-01-01T00:00:00.000Z');
      const dir = mkdtempSync(join(tmpdir(), 'helmlink-cert-'));
      writeFileSync(join(dir, 'root.pem'), certificateToPem(root));
      writeFileSync(join(dir, 'issuing.pem'), certificateToPem(issuer.certificate));
      writeFileSync(join(dir, 'leaf.pem'), certificateToPem(cert));
      const out = execFileSync(
        'openssl',
        [
          'verify',
          '-attime',
          String(Math.floor(now.getTime() / 1000) + 60),
          '-CAfile',
          join(dir, 'root.pem'),
          '-untrusted',
          join(dir, 'issuing.pem'),
          join(dir, 'leaf.pem'),
        ],
        {
          encoding: 'utf8',
        },
      );
      expect(out).toContain(': OK');
    },
  );
});

describe('issueEndEntityCertificateDer, per issuer', () => {
  it('names the issuer certificate it is given, even when two certificates share one CA key (a re-certified CA)', async () => {
    const keys = await generateKeyPair('ed25519');
    const make = (cn: string) =>
      createRootCertificate({
        name: { cn },
        keys,
        notBefore: now,
        notAfter: new Date('2036-01-01T00:00:00Z'),
      });
    const [first, second] = [await make('CA one'), await make('CA two')];
    const leaf = await generateKeyPair('ed25519');
    const issue = (certificate: typeof first) =>
      issueEndEntityCertificateFast({
        identity: { entityId: 'mv-x', roles: ['vessel'] },
        publicKey: leaf.publicKey,
        issuer: { certificate, privateKey: keys.privateKey },
        notBefore: now,
        notAfter: later,
      });
    expect((await issue(first)).issuer).toBe('CN=CA one');
    expect((await issue(second)).issuer).toBe('CN=CA two');
    expect((await issue(first)).issuer).toBe('CN=CA one');
  });

  it('writes no authorityKeyIdentifier under an issuer without a subjectKeyIdentifier', async () => {
    const keys = await generateKeyPair('ed25519');
    const bare = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=Bare CA',
      keys,
      notBefore: now,
      notAfter: new Date('2036-01-01T00:00:00Z'),
      signingAlgorithm: { name: 'Ed25519' },
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    const leaf = await generateKeyPair('ed25519');
    const cert = await issueEndEntityCertificateFast({
      identity: { entityId: 'mv-x', roles: ['vessel'] },
      publicKey: leaf.publicKey,
      issuer: { certificate: bare, privateKey: keys.privateKey },
      notBefore: now,
      notAfter: later,
    });
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)).toBeNull();
    expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)).not.toBeNull();
    expect(await cert.verify({ publicKey: bare.publicKey, signatureOnly: true })).toBe(true);
  });

  it('refuses an end entity without a role', async () => {
    const { issuer } = await pki('ed25519');
    const leaf = await generateKeyPair('ed25519');
    await expect(
      issueEndEntityCertificateFast({
        identity: { entityId: 'mv-x', roles: [] },
        publicKey: leaf.publicKey,
        issuer,
        notBefore: now,
        notAfter: later,
      }),
    ).rejects.toThrow(new TypeError('an end entity needs at least one role'));
  });
});
