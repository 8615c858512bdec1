/**
 * PEM and DER input of certificates, CRLs and CSRs (pem.ts): which blocks are read, which are ignored, how garbage
 * is refused (with the coded error of the kind of object asked for), and that the renderer's portable base64 path
 * (no Node Buffer) writes the same text as Node's.
 */
import * as x509 from '@peculiar/x509';
import { describe, expect, it, vi } from 'vitest';
import { generateKeyPair } from '../../src/keys';
import { buildCrl, createRootCertificate } from '../../src/pki/build';
import { createProfileCsr } from '../../src/pki/csr';
import {
  base64ToBytes,
  bytesToHex,
  certificateFingerprint,
  certificateToPem,
  certificatesToPem,
  crlToPem,
  decodePem,
  encodePem,
  normalizeFingerprint,
  parseCertificate,
  parseCertificates,
  parseCrls,
  parseCrlsIndexed,
  parseCsr,
  sha256Hex,
  toDer,
} from '../../src/pki/pem';

const NOW = new Date('2026-06-01T12:00:00Z');
/**
 * Certificates, a CRL and a CSR, made inside each test that needs them (not in a hook: the CSR is written with this
 * file's encodePem, and a fault there must fail a test, not a hook).
 */
async function material() {
  const keys = await generateKeyPair('ed25519');
  const root = await createRootCertificate({
    name: { cn: 'PEM root' },
    keys,
    notBefore: NOW,
    notAfter: new Date('2036-01-01T00:00:00Z'),
  });
  const other = await createRootCertificate({
    name: { cn: 'PEM other' },
    keys: await generateKeyPair('ed25519'),
    notBefore: NOW,
    notAfter: new Date('2036-01-01T00:00:00Z'),
  });
  const crl = await buildCrl({
    issuer: { certificate: root, privateKey: keys.privateKey },
    crlNumber: 7,
    thisUpdate: NOW,
    nextUpdate: new Date('2026-06-02T12:00:00Z'),
    entries: [{ serial: '0a', revokedAt: NOW }],
  });
  const csrPem = await createProfileCsr('mv-pem', await generateKeyPair('ed25519'));
  return { root, other, crl, csrPem };
}

const der = (c: { rawData: ArrayBuffer }) => new Uint8Array(c.rawData);
const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('base64 input', () => {
  it('decodes padded base64 with line breaks and spaces in it', () => {
    expect([...base64ToBytes('Zm9v\r\nYmE=')]).toEqual([...new TextEncoder().encode('fooba')]);
    expect([...base64ToBytes(' Zg = = ')]).toEqual([0x66]);
    expect([...base64ToBytes('')]).toEqual([]);
    expect([...base64ToBytes('+/8=')]).toEqual([0xfb, 0xff]);
  });

  it('refuses another alphabet, padding in the middle, three pad signs and a length that is not a multiple of 4', () => {
    for (const bad of ['-_8=', 'Zg==Zg==', 'Z===', 'Zm9', 'Zm9vY', 'Zm9v!', '=Zm9'])
      expect(() => base64ToBytes(bad), bad).toThrow(
        expect.objectContaining({ code: 'ERR_INPUT_INVALID', message: 'invalid base64 data' }),
      );
  });

  it('writes hex two digits per byte', () => {
    expect(bytesToHex(Uint8Array.from([0x00, 0x0f, 0xa0, 0xff]))).toBe('000fa0ff');
  });
});

describe('the portable base64 path (a renderer has no Buffer)', () => {
  it('writes what Node’s Buffer writes, padded and URL-safe, across chunk boundaries', async () => {
    const node = await import('../../src/pki/pem');
    // A second instance of the module (the query makes it another module id), evaluated while Buffer is absent.
    const portablePath = '../../src/pki/pem.ts?portable';
    vi.stubGlobal('Buffer', undefined);
    let portable: typeof node;
    try {
      portable = (await import(/* @vite-ignore */ portablePath)) as typeof node;
    } finally {
      vi.unstubAllGlobals();
    }
    expect(portable).not.toBe(node);
    const sizes = [0, 1, 2, 3, 4, 0x8000 - 1, 0x8000, 0x8000 + 1, 0x10000 + 2];
    for (const n of sizes) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
      const view = Uint8Array.from([0xaa, ...bytes, 0xbb]).subarray(1, n + 1);
      expect(portable.bytesToBase64(view), `base64 ${n}`).toBe(Buffer.from(bytes).toString('base64'));
      expect(portable.bytesToBase64Url(view), `base64url ${n}`).toBe(
        Buffer.from(bytes).toString('base64url'),
      );
    }
    expect(portable.bytesToBase64Url(Uint8Array.from([0xfb, 0xff]))).toBe('-_8');
    expect(portable.bytesToBase64Url(Uint8Array.from([0xfb, 0xef, 0xbe]))).toBe('----');
    expect(portable.bytesToBase64Url(Uint8Array.from([0xff, 0xff, 0xff]))).toBe('____');
  });
});

describe('PEM blocks', () => {
  it('decodes every block in order, with its label, skipping header lines and text around', () => {
    const text = [
      'text before',
      '-----BEGIN ONE-----',
      'Proc-Type: 4,ENCRYPTED',
      'AQID',
      '-----END ONE-----',
      'between',
      '-----BEGIN X509 CRL-----\r\nBAU=\r\n-----END X509 CRL-----',
      '-----BEGIN TWO-----',
      'Bg==',
      '-----END THREE-----',
    ].join('\n');
    expect(decodePem(text).map((b) => [b.label, [...b.der]])).toEqual([
      ['ONE', [1, 2, 3]],
      ['X509 CRL', [4, 5]],
    ]);
    expect(decodePem('no PEM here')).toEqual([]);
  });

  it('writes 64 columns per line with the label, from bytes or an ArrayBuffer', () => {
    const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
    const pem = encodePem('TEST LABEL', bytes);
    const lines = pem.split('\n');
    expect(lines[0]).toBe('-----BEGIN TEST LABEL-----');
    // 100 bytes are 136 base64 characters: 64 + 64 + 8.
    expect(lines.slice(1, 4).map((l) => l.length)).toEqual([64, 64, 8]);
    expect(lines.slice(4)).toEqual(['-----END TEST LABEL-----', '']);
    expect(encodePem('TEST LABEL', bytes.slice().buffer)).toBe(pem);
    expect(decodePem(pem)[0]!.der).toEqual(bytes);
    expect(encodePem('E', new Uint8Array(0))).toBe('-----BEGIN E-----\n\n-----END E-----\n');
  });
});

describe('parsing certificates, CRLs and CSRs', () => {
  it('takes certificates from PEM among other blocks, or one DER certificate', async () => {
    const { root, other, crl } = await material();
    const pem = `${crlToPem(crl)}${certificatesToPem([root, other])}`;
    expect(parseCertificates(pem).map((c) => c.subject)).toEqual(['CN=PEM root', 'CN=PEM other']);
    expect(parseCertificates(der(root))[0]!.subject).toBe('CN=PEM root');
    expect(parseCertificates(new TextEncoder().encode(certificateToPem(other)))[0]!.subject).toBe(
      'CN=PEM other',
    );
    expect(parseCertificate(certificateToPem(root)).serialNumber).toBe(root.serialNumber);
    expect(toDer(root)).toEqual(der(root));
    // PEM text handed over as bytes is still text: both of its certificates are read, not one "DER" blob.
    const twoAsBytes = new TextEncoder().encode(certificatesToPem([root, other]));
    expect(parseCertificates(twoAsBytes).map((c) => c.subject)).toEqual(['CN=PEM root', 'CN=PEM other']);
    expect(certificatesToPem([root, other])).toBe(`${certificateToPem(root)}${certificateToPem(other)}`);
    expect(await certificateFingerprint(root)).toBe(await sha256Hex(der(root)));
    expect(await certificateFingerprint(root)).toMatch(/^[0-9a-f]{64}$/u);
  });

  it('parses a well-formed certificate of 2,048 directory names (beyond asn1js’s default of 10,000 nodes)', async () => {
    const keys = await generateKeyPair('ed25519');
    const names = Array.from({ length: 2048 }, (_, i) => ({
      type: 'dn' as const,
      value: `O=Fleet, CN=unit-${i}`,
    }));
    const big = await x509.X509CertificateGenerator.createSelfSigned(
      {
        name: 'CN=big',
        keys,
        notBefore: NOW,
        notAfter: new Date('2036-01-01T00:00:00Z'),
        signingAlgorithm: { name: 'Ed25519' },
        extensions: [new x509.SubjectAlternativeNameExtension(names)],
      },
      undefined,
    );
    const bytes = der(big);
    expect(bytes.length).toBeGreaterThan(20_000);
    expect(parseCertificate(bytes).subject).toBe('CN=big');
    expect(parseCertificates(certificateToPem(big))).toHaveLength(1);
  });

  it('refuses no certificate, two where one is asked, and names the block that does not parse', async () => {
    const { root, other, crl } = await material();
    expect(() => parseCertificates(crlToPem(crl))).toThrow(
      expect.objectContaining({
        code: 'ERR_CERT_MALFORMED',
        message: 'no certificate found (expected PEM CERTIFICATE or DER)',
      }),
    );
    expect(() => parseCertificates(new Uint8Array(0))).toThrow(
      expect.objectContaining({
        code: 'ERR_CERT_MALFORMED',
        message: expect.stringMatching(/^no certificate/u),
      }),
    );
    expect(() => parseCertificate(certificatesToPem([root, other]))).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_MALFORMED', message: 'expected one certificate, found 2' }),
    );
    const broken = `${certificateToPem(root)}${encodePem('CERTIFICATE', Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01]))}`;
    let thrown: unknown;
    try {
      parseCertificates(broken);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'ERR_CERT_MALFORMED', message: 'certificate #2 cannot be parsed' });
    expect((thrown as Error).cause).toBeInstanceOf(Error);
  });

  it('reads CRLs under both labels, as objects or indexed views, and writes the X509 CRL label', async () => {
    const { root, crl } = await material();
    const pem = crlToPem(crl);
    expect(pem).toMatch(/^-----BEGIN X509 CRL-----\n/u);
    const legacy = pem.replaceAll('X509 CRL', 'CRL');
    for (const input of [pem, legacy, der(crl)]) {
      expect(parseCrls(input).map((c) => hexOf(der(c)))).toEqual([hexOf(der(crl))]);
      const [view] = parseCrlsIndexed(input);
      expect(hexOf(view!.raw)).toBe(hexOf(der(crl)));
      expect(crlToPem(view!)).toBe(pem);
    }
    expect(() => parseCrls(certificateToPem(root))).toThrow(
      expect.objectContaining({
        code: 'ERR_CRL_MALFORMED',
        message: 'no CRL found (expected PEM X509 CRL or CRL or DER)',
      }),
    );
    expect(() => parseCrlsIndexed(certificateToPem(root))).toThrow(
      expect.objectContaining({ code: 'ERR_CRL_MALFORMED' }),
    );
    expect(() => parseCrlsIndexed(der(root))).toThrow(
      expect.objectContaining({ code: 'ERR_CRL_MALFORMED', message: 'CRL #1 cannot be parsed' }),
    );
  });

  it('reads exactly one CSR under either label, and refuses none or two with ERR_INPUT_INVALID', async () => {
    const { root, csrPem } = await material();
    expect(parseCsr(csrPem).subject).toBe('CN=mv-pem');
    expect(parseCsr(csrPem.replaceAll('CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST')).subject).toBe(
      'CN=mv-pem',
    );
    expect(parseCsr(decodePem(csrPem)[0]!.der).subject).toBe('CN=mv-pem');
    expect(() => parseCsr(certificateToPem(root))).toThrow(
      expect.objectContaining({
        code: 'ERR_INPUT_INVALID',
        message:
          'no certificate request found (expected PEM CERTIFICATE REQUEST or NEW CERTIFICATE REQUEST or DER)',
      }),
    );
    expect(() => parseCsr(`${csrPem}${csrPem}`)).toThrow(
      expect.objectContaining({
        code: 'ERR_INPUT_INVALID',
        message: 'expected one certificate request, found 2',
      }),
    );
  });
});

describe('fingerprints', () => {
  it('hashes exactly the bytes of a view, from bytes or an ArrayBuffer', async () => {
    const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    expect(await sha256Hex(new Uint8Array(0))).toBe(empty);
    expect(await sha256Hex(new ArrayBuffer(0))).toBe(empty);
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    const view = new TextEncoder().encode('xabcx').subarray(1, 4);
    expect(await sha256Hex(view)).toBe(abc);
  });

  it('normalises a typed fingerprint and refuses one of the wrong length or alphabet', () => {
    const fp = 'ab'.repeat(32);
    expect(normalizeFingerprint(` AB:${'ab'.repeat(31)}\t`)).toBe(fp);
    for (const bad of ['ab'.repeat(31), 'ab'.repeat(33), `${'ab'.repeat(31)}gz`, `${'ab'.repeat(31)}-ab`])
      expect(() => normalizeFingerprint(bad)).toThrow(
        expect.objectContaining({
          code: 'ERR_INPUT_INVALID',
          message: 'a SHA-256 fingerprint has 64 hex digits',
        }),
      );
  });
});
