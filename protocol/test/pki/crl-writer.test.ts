import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCrl, buildCrlDer, createRootCertificate, crlNumberOf, randomSerial } from '../../src/pki/build';
import { certificateToPem, encodePem, parseCrls } from '../../src/pki/pem';
import { generateKeyPair, type KeySpec } from '../../src/keys';

const now = new Date('2026-11-22T00:00:00Z');

async function issuer(spec: KeySpec) {
  const keys = await generateKeyPair(spec);
  const certificate = await createRootCertificate({
    name: { cn: `CRL ${spec}` },
    keys,
    notBefore: now,
    notAfter: new Date('2040-01-01T00:00:00Z'),
  });
  return { certificate, privateKey: keys.privateKey };
}

describe('CRL builder with the direct DER writer', () => {
  it.each<KeySpec>(['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa-3072'])(
    'writes CRLs that verify (%s) in @peculiar/x509 and OpenSSL',
    async (spec) => {
      const iss = await issuer(spec);
      const entries = [
        { serial: randomSerial(), revokedAt: now, reason: 1 as const },
        {
          serial: '00ff',
          revokedAt: new Date('2051-03-04T05:06:07Z'),
          reason: 6 as const,
          invalidityDate: new Date('2026-11-01T00:00:00Z'),
        },
        { serial: '1', revokedAt: now },
      ];
      const crl = await buildCrl({
        issuer: iss,
        crlNumber: 42,
        thisUpdate: now,
        nextUpdate: new Date('2026-11-23T00:00:00Z'),
        entries,
      });
      expect(await crl.verify({ publicKey: iss.certificate.publicKey })).toBe(true);
      expect(crlNumberOf(crl)).toBe(42);
      expect(crl.entries.map((e) => [e.serialNumber.toLowerCase(), e.reason])).toEqual([
        [entries[0]!.serial, 1],
        ['ff', 6],
        ['01', undefined],
      ]);
      expect(crl.entries[1]!.revocationDate.toISOString()).toBe('2051-03-04T05:06:07.000Z');
      expect(crl.entries[1]!.invalidity?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
      const dir = mkdtempSync(join(tmpdir(), 'helmlink-crl-'));
      writeFileSync(join(dir, 'crl.pem'), encodePem('X509 CRL', crl.rawData));
      writeFileSync(join(dir, 'ca.pem'), certificateToPem(iss.certificate));
      const out = execFileSync(
        'openssl',
        ['crl', '-in', join(dir, 'crl.pem'), '-CAfile', join(dir, 'ca.pem'), '-noout', '-text'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      expect(out).toContain('Certificate Hold');
      expect(out).toContain('Key Compromise');
    },
  );

  it('handles 20,000 entries and refuses duplicate serials', async () => {
    const iss = await issuer('ecdsa-p256');
    const entries = Array.from({ length: 20_000 }, () => ({
      serial: randomSerial(),
      revokedAt: now,
      reason: 4 as const,
    }));
    const der = await buildCrlDer({
      issuer: iss,
      crlNumber: 1,
      thisUpdate: now,
      nextUpdate: new Date('2026-11-23T00:00:00Z'),
      entries,
    });
    expect(der.length).toBeGreaterThan(20_000 * 30);
    // parseCrls reads CRLs far beyond asn1js's default node limit (~1,200 entries).
    const parsed = parseCrls(encodePem('X509 CRL', der))[0]!;
    expect(parsed.entries.length).toBe(20_000);
    await expect(
      buildCrlDer({
        issuer: iss,
        crlNumber: 1,
        thisUpdate: now,
        nextUpdate: now,
        entries: [entries[0]!, { ...entries[0]!, serial: `00${entries[0]!.serial}` }],
      }),
    ).rejects.toThrow(TypeError);
  });
});
