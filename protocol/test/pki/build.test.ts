import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCrl, crlNumberOf, randomSerial } from '../../src/pki/build';
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
