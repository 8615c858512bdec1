import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildCrl,
  buildCrlDer,
  buildName,
  createRootCertificate,
  createSubordinateCaCertificate,
  crlNumberOf,
  issueEndEntityCertificate,
  randomSerial,
  signingAlgorithmFor,
} from '../../src/pki/build';
import { generateKeyPair } from '../../src/keys';
import { REVOCATION_REASONS } from '../../src/vocabulary/revocation';
import {
  certificatesToPem,
  crlToPem,
  parseCertificates,
  parseCrls,
  decodePem,
  normalizeFingerprint,
  certificateFingerprint,
} from '../../src/pki/pem';
import { readIdentity, roleUri } from '../../src/pki/profile';
import { createTestPki, type TestPki } from '../../src/testing/pki';
import { HelmlinkError } from '../../src/errors';

const NOW = new Date('2026-06-01T12:00:00Z');

describe('pki/build + pem + profile', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki({ now: NOW });
  });

  it('issues a vessel certificate with the profile identity and maritime attributes', async () => {
    const v = await pki.issue('imo9074729', ['vessel'], { imo: '9074729', mmsi: '257123450', flag: 'NO' });
    const id = readIdentity(v.certificate);
    expect(id).toEqual({
      entityId: 'imo9074729',
      roles: ['vessel'],
      organization: 'Helmlink Test Fleet',
      imo: '9074729',
      mmsi: '257123450',
      flag: 'NO',
    });
    const eku = v.certificate.getExtension(x509.ExtendedKeyUsageExtension);
    expect(eku?.usages).toEqual(['1.3.6.1.5.5.7.3.2']);
    const ku = v.certificate.getExtension(x509.KeyUsagesExtension);
    expect(ku?.critical).toBe(true);
    expect(ku?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(
      await v.certificate.verify({ publicKey: pki.issuing.certificate.publicKey, signatureOnly: true }),
    ).toBe(true);
  });

  it('refuses role URIs naming another entity', async () => {
    const san = new x509.SubjectAlternativeNameExtension([
      { type: 'url', value: roleUri('pilot', 'mallory') },
    ]);
    const keys = pki.issuing.keys;
    const cert = await x509.X509CertificateGenerator.create({
      subject: 'CN=alice',
      issuer: pki.issuing.certificate.subjectName,
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
      extensions: [san],
    });
    expect(() => readIdentity(cert)).toThrowError(expect.objectContaining({ code: 'ERR_CERT_PROFILE' }));
  });

  it('makes random positive serials that do not repeat', () => {
    const serials = new Set(Array.from({ length: 200 }, () => randomSerial()));
    expect(serials.size).toBe(200);
    for (const s of serials) expect(parseInt(s.slice(0, 2), 16)).toBeLessThan(0x80);
  });

  it('builds CRLs with number, AKI and reason codes that OpenSSL reads', async () => {
    const crl = await buildCrl({
      issuer: pki.issuing,
      crlNumber: 7,
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + 86_400_000),
      entries: [
        { serial: '4a01', revokedAt: NOW, reason: REVOCATION_REASONS.keyCompromise },
        { serial: '4a02', revokedAt: NOW, reason: REVOCATION_REASONS.certificateHold },
      ],
    });
    expect(crlNumberOf(crl)).toBe(7);
    const pem = crlToPem(crl);
    expect(pem).toMatch(/^-----BEGIN X509 CRL-----/);
    expect(parseCrls(pem)[0]!.entries.map((e) => e.reason)).toEqual([1, 6]);
    const dir = mkdtempSync(join(tmpdir(), 'helmlink-build-'));
    writeFileSync(join(dir, 'crl.pem'), pem);
    const text = execFileSync('openssl', ['crl', '-in', join(dir, 'crl.pem'), '-noout', '-text'], {
      encoding: 'utf8',
    });
    expect(text).toMatch(/X509v3 CRL Number:\s*\n\s*7/);
    expect(text).toMatch(/Key Compromise/);
    expect(text).toMatch(/Certificate Hold/);
  });

  it('writes chains OpenSSL verifies, with the CRL', async () => {
    const pilot = await pki.issue('pilot-1', ['pilot']);
    const dir = mkdtempSync(join(tmpdir(), 'helmlink-build-'));
    writeFileSync(join(dir, 'root.pem'), certificatesToPem([pki.root.certificate]));
    writeFileSync(join(dir, 'int.pem'), certificatesToPem([pki.issuing.certificate]));
    writeFileSync(join(dir, 'leaf.pem'), certificatesToPem([pilot.certificate]));
    writeFileSync(join(dir, 'crl.pem'), crlToPem(await pki.issuingCrl()));
    const out = execFileSync(
      'openssl',
      [
        'verify',
        '-x509_strict',
        '-crl_check',
        '-attime',
        String(NOW.getTime() / 1000),
        '-CAfile',
        join(dir, 'root.pem'),
        '-untrusted',
        join(dir, 'int.pem'),
        '-CRLfile',
        join(dir, 'crl.pem'),
        '-purpose',
        'sslclient',
        join(dir, 'leaf.pem'),
      ],
      { encoding: 'utf8' },
    );
    expect(out).toMatch(/leaf.pem: OK/);
  });

  it('parses multi-certificate PEM and DER, and rejects garbage with coded errors', () => {
    const pem = certificatesToPem([pki.root.certificate, pki.issuing.certificate]);
    expect(parseCertificates(pem)).toHaveLength(2);
    expect(parseCertificates(new Uint8Array(pki.root.certificate.rawData))).toHaveLength(1);
    expect(decodePem(pem).map((b) => b.label)).toEqual(['CERTIFICATE', 'CERTIFICATE']);
    expect(() => parseCertificates('hello')).toThrowError(HelmlinkError);
    expect(() =>
      parseCertificates('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    ).toThrowError(expect.objectContaining({ code: 'ERR_CERT_MALFORMED' }));
  });

  it('normalises fingerprints', async () => {
    const fp = await certificateFingerprint(pki.root.certificate);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    const typed = fp.toUpperCase().match(/../g)!.join(':');
    expect(normalizeFingerprint(typed)).toBe(fp);
    expect(() => normalizeFingerprint('abc')).toThrowError(
      expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
    );
  });
});

describe('pki/build, parameter by parameter', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki({ now: NOW });
  });
  const key = (algorithm: object) => ({ algorithm }) as CryptoKey;

  it('orders name attributes C, O, OU, CN and leaves out the empty ones', () => {
    expect(buildName({ cn: 'x', o: 'Org', ou: 'Unit', c: 'NO' }).toString()).toBe(
      'C=NO, O=Org, OU=Unit, CN=x',
    );
    expect(buildName({ cn: 'x', o: '', ou: '', c: '' }).toString()).toBe('CN=x');
    expect(buildName({ cn: 'x', ou: 'Unit' }).toString()).toBe('OU=Unit, CN=x');
  });

  it('makes a serial of the asked length whose first octet is 0x40-0x7f (positive, no leading zero)', () => {
    for (const bytes of [1, 8, 16, 20]) {
      const s = randomSerial(bytes);
      expect(s).toMatch(new RegExp(`^[4-7][0-9a-f]{${bytes * 2 - 1}}$`, 'u'));
    }
    expect(randomSerial()).toHaveLength(32);
    // Every octet is written as two digits, even a small one.
    const many = Array.from({ length: 300 }, () => randomSerial(4));
    expect(many.every((s) => s.length === 8)).toBe(true);
    expect(new Set(many.map((s) => s[0])).size).toBeGreaterThan(1);
  });

  it('signs with SHA-2 bound to the key, and refuses a key it cannot sign with', () => {
    expect(signingAlgorithmFor(key({ name: 'ECDSA', namedCurve: 'P-256' }))).toEqual({
      name: 'ECDSA',
      hash: 'SHA-256',
    });
    expect(signingAlgorithmFor(key({ name: 'ECDSA', namedCurve: 'P-384' }))).toEqual({
      name: 'ECDSA',
      hash: 'SHA-384',
    });
    expect(signingAlgorithmFor(key({ name: 'Ed25519' }))).toEqual({ name: 'Ed25519' });
    expect(signingAlgorithmFor(key({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-384' } }))).toEqual({
      name: 'RSASSA-PKCS1-v1_5',
      hash: 'SHA-384',
    });
    expect(signingAlgorithmFor(key({ name: 'RSASSA-PKCS1-v1_5' }))).toEqual({
      name: 'RSASSA-PKCS1-v1_5',
      hash: 'SHA-256',
    });
    expect(signingAlgorithmFor(key({ name: 'RSA-PSS', hash: { name: 'SHA-512' } }))).toEqual({
      name: 'RSA-PSS',
      hash: 'SHA-512',
      saltLength: 32,
    });
    expect(signingAlgorithmFor(key({ name: 'RSA-PSS' }))).toEqual({
      name: 'RSA-PSS',
      hash: 'SHA-256',
      saltLength: 32,
    });
    expect(() => signingAlgorithmFor(key({ name: 'HMAC' }))).toThrow(
      new TypeError('unsupported signing key algorithm: HMAC'),
    );
  });

  it('writes CA certificates with critical basicConstraints, path lengths, key usages and key identifiers', async () => {
    const rootKeys = await generateKeyPair('ed25519');
    const notBefore = NOW;
    const notAfter = new Date('2036-01-01T00:00:00Z');
    const root = await createRootCertificate({
      name: { cn: 'R' },
      keys: rootKeys,
      notBefore,
      notAfter,
      serial: '4a',
    });
    const limited = await createRootCertificate({
      name: { cn: 'R' },
      keys: rootKeys,
      notBefore,
      notAfter,
      pathLength: 2,
    });
    const subKeys = await generateKeyPair('ed25519');
    const issuer = { certificate: root, privateKey: rootKeys.privateKey };
    const sub = await createSubordinateCaCertificate({
      name: { cn: 'S' },
      publicKey: subKeys.publicKey,
      issuer,
      notBefore,
      notAfter,
    });
    const sub1 = await createSubordinateCaCertificate({
      name: { cn: 'S1' },
      publicKey: subKeys.publicKey,
      issuer,
      notBefore,
      notAfter,
      pathLength: 1,
      serial: '4b',
    });
    const bc = (c: x509.X509Certificate) => c.getExtension(x509.BasicConstraintsExtension)!;
    expect([root, limited, sub, sub1].map((c) => [bc(c).ca, bc(c).pathLength, bc(c).critical])).toEqual([
      [true, undefined, true],
      [true, 2, true],
      [true, 0, true],
      [true, 1, true],
    ]);
    for (const c of [root, sub]) {
      const ku = c.getExtension(x509.KeyUsagesExtension)!;
      expect([ku.usages, ku.critical]).toEqual([
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ]);
    }
    expect([root.serialNumber, sub1.serialNumber]).toEqual(['4a', '4b']);
    expect([root.subject, root.issuer, sub.subject, sub.issuer]).toEqual(['CN=R', 'CN=R', 'CN=S', 'CN=R']);
    const ski = (c: x509.X509Certificate) => c.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    const aki = (c: x509.X509Certificate) => c.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId;
    // A root names its own key; a subordinate names its issuer's.
    expect(aki(root)).toBe(ski(root));
    expect(aki(sub)).toBe(ski(root));
    expect(ski(sub)).not.toBe(ski(root));
    expect(await sub.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(true);
  });

  it('issues end entities with their organisation, DNS names and addresses, and refuses one without a role', async () => {
    const keys = await generateKeyPair('ed25519');
    const base = {
      publicKey: keys.publicKey,
      issuer: pki.issuing,
      notBefore: NOW,
      notAfter: new Date('2027-01-01T00:00:00Z'),
    };
    const broker = await issueEndEntityCertificate({
      ...base,
      identity: { entityId: 'broker', roles: ['broker'] },
      organization: 'Fleet',
      dnsNames: ['mqtt.example'],
      ipAddresses: ['127.0.0.1'],
      serial: '4c',
    });
    expect(broker.subject).toBe('O=Fleet, CN=broker');
    expect(broker.serialNumber).toBe('4c');
    const san = broker.getExtension(x509.SubjectAlternativeNameExtension)!.names.toJSON();
    expect(san.filter((n) => n.type !== 'url')).toEqual([
      { type: 'dns', value: 'mqtt.example' },
      { type: 'ip', value: '127.0.0.1' },
    ]);
    const plain = await issueEndEntityCertificate({
      ...base,
      identity: { entityId: 'pilot-9', roles: ['pilot', 'admin'] },
    });
    expect(plain.subject).toBe('CN=pilot-9');
    const eku = plain.getExtension(x509.ExtendedKeyUsageExtension)!.usages;
    expect(eku).toEqual([...new Set(eku)]);
    expect(plain.getExtension(x509.BasicConstraintsExtension)).toMatchObject({ ca: false, critical: true });
    await expect(
      issueEndEntityCertificate({ ...base, identity: { entityId: 'nobody', roles: [] } }),
    ).rejects.toThrow(new TypeError('an end entity needs at least one role'));
  });

  it('refuses a CRL number that is negative, fractional or beyond 2^53, and takes 0', async () => {
    const params = {
      issuer: pki.issuing,
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + 1000),
      entries: [],
    };
    for (const crlNumber of [-1, 1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY])
      await expect(buildCrlDer({ ...params, crlNumber }), String(crlNumber)).rejects.toThrow(
        new TypeError('crlNumber must be a non-negative integer'),
      );
    const zero = await buildCrl({ ...params, crlNumber: 0 });
    expect(crlNumberOf(zero)).toBe(0);
    expect(zero.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
      pki.issuing.certificate.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId,
    );
    expect(zero.entries).toEqual([]);
  });

  it('writes the template CRL as it is without entries or extensions, and splices extra extensions alone', async () => {
    const params = {
      issuer: pki.issuing,
      crlNumber: 3,
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + 1000),
      entries: [],
    };
    const extra = Uint8Array.from([0x30, 0x07, 0x06, 0x03, 0x69, 0x01, 0x00, 0x04, 0x00]);
    const crl = await buildCrl({ ...params, extensions: [extra] });
    expect(crl.extensions.map((e) => e.type)).toEqual(['2.5.29.20', '2.5.29.35', '2.25.1.0']);
    expect((await buildCrl({ ...params, extensions: [] })).extensions.map((e) => e.type)).toEqual([
      '2.5.29.20',
      '2.5.29.35',
    ]);
    expect(await crl.verify({ publicKey: pki.issuing.certificate.publicKey })).toBe(true);
  });

  it('reads no CRL number from a CRL without one', async () => {
    const crl = await x509.X509CrlGenerator.create({
      issuer: pki.issuing.certificate.subjectName,
      thisUpdate: NOW,
      signingKey: pki.issuing.keys.privateKey,
      signingAlgorithm: signingAlgorithmFor(pki.issuing.keys.privateKey),
    });
    expect(crlNumberOf(crl)).toBeUndefined();
  });
});
