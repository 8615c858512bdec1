import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildCrl,
  buildCrlDer,
  createRootCertificate,
  crlNumberOf,
  randomSerial,
  signingAlgorithmFor,
} from '../../src/pki/build';
import { spliceCrlEntries } from '../../src/pki/crl-writer';
import { readChildren, readTlv } from '../../src/pki/der';
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

// The CRL splicer (crl-writer.ts) on its own: what it refuses to splice into a signed CRL (an extension that is not
// a plain non-critical Extension, a serial listed twice under two spellings), how entries are written (no reasonCode
// for reason 0), and that a template's own entries are replaced, never kept beside the new list.

const NEXT = new Date('2026-11-23T00:00:00Z');
let ca: { certificate: x509.X509Certificate; privateKey: CryptoKey };

beforeAll(async () => {
  const keys = await generateKeyPair('ecdsa-p256');
  const certificate = await createRootCertificate({
    name: { cn: 'Splice CA' },
    keys,
    notBefore: now,
    notAfter: new Date('2036-01-01T00:00:00Z'),
  });
  ca = { certificate, privateKey: keys.privateKey };
});

const template = (options: Partial<x509.X509CrlCreateParams> = {}) =>
  x509.X509CrlGenerator.create({
    issuer: ca.certificate.subjectName,
    thisUpdate: now,
    nextUpdate: NEXT,
    signingKey: ca.privateKey,
    signingAlgorithm: signingAlgorithmFor(ca.privateKey),
    extensions: [new x509.Extension('2.5.29.20', false, Uint8Array.from([0x02, 0x01, 0x05]))],
    entries: [],
    ...options,
  });

async function splice(
  entries: Parameters<typeof spliceCrlEntries>[1],
  extra: Uint8Array[] = [],
  from?: x509.X509Crl,
): Promise<x509.X509Crl> {
  const der = await spliceCrlEntries(
    from ?? (await template()),
    entries,
    ca.privateKey,
    signingAlgorithmFor(ca.privateKey),
    extra,
  );
  const crl = new x509.X509Crl(der.slice().buffer as ArrayBuffer);
  expect(await crl.verify({ publicKey: ca.certificate.publicKey })).toBe(true);
  return crl;
}

/** The TBSCertList's fields, as their tags. */
const tbsTags = (crl: x509.X509Crl): number[] => {
  const der = new Uint8Array(crl.rawData);
  const [tbs] = readChildren(der, readTlv(der, 0));
  return readChildren(der, tbs!).map((f) => f.tag);
};

// A non-critical extension with a private OID (2.25.1.0) and an empty OCTET STRING value.
const EXTRA = Uint8Array.from([0x30, 0x07, 0x06, 0x03, 0x69, 0x01, 0x00, 0x04, 0x00]);

describe('spliceCrlEntries', () => {
  it('splices extra extensions after the template’s own, and refuses anything but a plain non-critical Extension', async () => {
    const crl = await splice([{ serial: '01', revokedAt: now }], [EXTRA]);
    expect(crl.extensions.map((e) => [e.type, e.critical])).toEqual([
      ['2.5.29.20', false],
      ['2.25.1.0', false],
    ]);
    const critical = Uint8Array.from([
      0x30, 0x0a, 0x06, 0x03, 0x69, 0x01, 0x00, 0x01, 0x01, 0xff, 0x04, 0x00,
    ]);
    for (const [what, bad] of [
      ['a critical extension', critical],
      ['a SET', Uint8Array.from([0x31, ...EXTRA.subarray(1)])],
      ['trailing bytes', Uint8Array.from([...EXTRA, 0x00])],
      ['the OID alone', Uint8Array.from([0x30, 0x05, 0x06, 0x03, 0x69, 0x01, 0x00])],
      ['no OID first', Uint8Array.from([0x30, 0x07, 0x04, 0x03, 0x69, 0x01, 0x00, 0x04, 0x00])],
      [
        'a value that is not an OCTET STRING',
        Uint8Array.from([0x30, 0x07, 0x06, 0x03, 0x69, 0x01, 0x00, 0x03, 0x00]),
      ],
    ] as const)
      await expect(splice([], [EXTRA, bad]), what).rejects.toThrow(
        'extra CRL extensions must be non-critical DER Extensions',
      );
  });

  it('refuses a serial listed twice, whatever its case or leading zeros (one certificate, one entry)', async () => {
    await expect(
      splice([
        { serial: '0A', revokedAt: now },
        { serial: 'b', revokedAt: now },
        { serial: '00a', revokedAt: now, reason: 1 },
      ]),
    ).rejects.toThrow('serial 00a is listed twice');
    const crl = await splice([
      { serial: 'a0', revokedAt: now },
      { serial: '0a', revokedAt: now },
    ]);
    expect(crl.entries.map((e) => e.serialNumber.toLowerCase())).toEqual(['a0', '0a']);
  });

  it('writes a reasonCode for reasons 1-10 only, and the invalidity date as GeneralizedTime', async () => {
    const crl = await splice([
      { serial: '01', revokedAt: now, reason: 0 },
      { serial: '02', revokedAt: now },
      { serial: '03', revokedAt: now, reason: 1 },
      { serial: '04', revokedAt: now, reason: 1 },
      { serial: '05', revokedAt: now, invalidityDate: new Date('2026-11-20T01:02:03Z') },
      { serial: '06', revokedAt: new Date('2026-11-21T10:00:00.999Z'), reason: 6 },
    ]);
    expect(crl.entries.map((e) => [e.serialNumber, e.extensions.length, e.reason])).toEqual([
      ['01', 0, undefined],
      ['02', 0, undefined],
      ['03', 1, 1],
      ['04', 1, 1],
      ['05', 1, undefined],
      ['06', 1, 6],
    ]);
    expect(crl.entries[4]!.invalidity?.toISOString()).toBe('2026-11-20T01:02:03.000Z');
    expect(crl.entries[5]!.revocationDate.toISOString()).toBe('2026-11-21T10:00:00.000Z');
  });

  it('writes no revokedCertificates list without entries, and one just before crlExtensions with them', async () => {
    // version, signature, ca, thisUpdate, nextUpdate, [revokedCertificates], [0] crlExtensions
    expect(tbsTags(await splice([], [EXTRA]))).toEqual([0x02, 0x30, 0x30, 0x17, 0x17, 0xa0]);
    expect(tbsTags(await splice([{ serial: '01', revokedAt: now }]))).toEqual([
      0x02, 0x30, 0x30, 0x17, 0x17, 0x30, 0xa0,
    ]);
  });

  it('replaces the entries of a template that has some, and appends to one without crlExtensions', async () => {
    const withEntries = await template({ entries: [{ serialNumber: '77', revocationDate: now }] });
    const replaced = await splice([{ serial: '01', revokedAt: now }], [], withEntries);
    expect(replaced.entries.map((e) => e.serialNumber)).toEqual(['01']);
    expect(tbsTags(replaced)).toEqual([0x02, 0x30, 0x30, 0x17, 0x17, 0x30, 0xa0]);
    const bare = await template({ extensions: [] });
    const appended = await splice([{ serial: '02', revokedAt: now }], [], bare);
    expect(appended.entries.map((e) => e.serialNumber)).toEqual(['02']);
    expect(tbsTags(appended).slice(-2)).toEqual([0x17, 0x30]);
  });
});
