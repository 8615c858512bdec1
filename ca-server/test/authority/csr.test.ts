/**
 * The CSR policy against crafted requests (the same function as POST /ca/v1/enroll): every hole a lenient reader
 * leaves is replayed with a request that an attacker can sign, and each must end in its coded refusal.
 */
import { execFileSync } from 'node:child_process';
import { ECDH, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { identityUris } from '@helmlink/protocol';
import { checkCsr, csrCommonName } from '../../src/authority/csr';

// --- a small DER writer for crafted requests ---------------------------------------------------------------------
const cat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);
function len(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}
const tlv = (tag: number, ...content: Uint8Array[]): Uint8Array => {
  const c = cat(...content);
  return cat(Uint8Array.of(tag), len(c.length), c);
};
/** A TLV whose length is spelled in long form although it is short (BER, not DER). */
const longFormTlv = (tag: number, ...content: Uint8Array[]): Uint8Array => {
  const c = cat(...content);
  return cat(Uint8Array.of(tag, 0x81, c.length), c);
};
const oid = (hex: string): Uint8Array => tlv(0x06, Buffer.from(hex, 'hex'));
const utf8 = (s: string): Uint8Array => tlv(0x0c, Buffer.from(s, 'utf8'));

const OID_CN = '550403';
const ECDSA_SHA256 = tlv(0x30, oid('2a8648ce3d040302'));
const ED25519 = tlv(0x30, oid('2b6570'));
const SHA256_RSA = tlv(0x30, oid('2a864886f70d01010b'), Uint8Array.of(0x05, 0x00));

interface Craft {
  key: KeyObject;
  spki: Uint8Array;
  hash: string | null;
  sigAlg?: Uint8Array;
  version?: Uint8Array;
  name?: Uint8Array;
  infoTail?: Uint8Array[];
  requestTail?: Uint8Array[];
  unusedBits?: number;
  wrapInfo?: (tag: number, ...content: Uint8Array[]) => Uint8Array;
}

/** A CSR signed over exactly the bytes given (so the signature always verifies unless the test says otherwise). */
function craft(c: Craft): Uint8Array {
  const name = c.name ?? tlv(0x30, tlv(0x31, tlv(0x30, oid(OID_CN), utf8('mv-crafted'))));
  const info = (c.wrapInfo ?? tlv)(
    0x30,
    c.version ?? tlv(0x02, Uint8Array.of(0)),
    name,
    c.spki,
    Uint8Array.of(0xa0, 0x00),
    ...(c.infoTail ?? []),
  );
  const signature = new Uint8Array(sign(c.hash, info, c.key));
  return tlv(
    0x30,
    info,
    c.sigAlg ?? ECDSA_SHA256,
    tlv(0x03, Uint8Array.of(c.unusedBits ?? 0), signature),
    ...(c.requestTail ?? []),
  );
}

/** PEM, as an attacker posts it to POST /ca/v1/enroll. */
const pem = (der: Uint8Array): string =>
  `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;

async function codeOf(csr: string | Uint8Array): Promise<string> {
  try {
    await checkCsr(typeof csr === 'string' ? csr : pem(csr), { entityId: 'mv-crafted', roles: ['vessel'] });
    return 'accepted';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const spkiOf = (k: KeyObject): Uint8Array => new Uint8Array(k.export({ type: 'spki', format: 'der' }));
const base: Craft = { key: ec.privateKey, spki: spkiOf(ec.publicKey), hash: 'sha256' };

describe('CSR policy: DER mode and structure', () => {
  it('accepts the crafted baseline (so each refusal below is the change it makes)', async () => {
    expect(await codeOf(craft(base))).toBe('accepted');
  });

  it('refuses version 1 (or anything but v1 = 0)', async () => {
    expect(await codeOf(craft({ ...base, version: tlv(0x02, Uint8Array.of(1)) }))).toBe('ERR_CSR_INVALID');
  });

  it('refuses non-minimal DER: a long-form length and a padded integer', async () => {
    expect(await codeOf(craft({ ...base, wrapInfo: longFormTlv }))).toBe('ERR_CSR_INVALID');
    const name = longFormTlv(0x30, tlv(0x31, tlv(0x30, oid(OID_CN), utf8('mv-crafted'))));
    expect(await codeOf(craft({ ...base, name }))).toBe('ERR_CSR_INVALID');
    expect(await codeOf(craft({ ...base, version: tlv(0x02, Uint8Array.of(0, 0)) }))).toBe('ERR_CSR_INVALID');
  });

  it('refuses extra trailing elements in the request and in the request info', async () => {
    expect(await codeOf(craft({ ...base, requestTail: [utf8('extra')] }))).toBe('ERR_CSR_INVALID');
    expect(await codeOf(craft({ ...base, infoTail: [tlv(0xa1)] }))).toBe('ERR_CSR_INVALID');
  });

  it('refuses a second CN hidden inside a name attribute', async () => {
    const name = tlv(0x30, tlv(0x31, tlv(0x30, oid(OID_CN), utf8('mv-crafted'), utf8('admin'))));
    expect(await codeOf(craft({ ...base, name }))).toBe('ERR_CSR_INVALID');
  });

  it('refuses a signature BIT STRING with unused bits', async () => {
    expect(await codeOf(craft({ ...base, unusedBits: 1 }))).toBe('ERR_CSR_INVALID');
  });
});

/** The SPKI of a P-256 key with another point: its BIT STRING (03 42 00 04 x y, the last 68 bytes) replaced. */
function withPoint(spki: Uint8Array, point: Uint8Array): Uint8Array {
  const algorithm = spki.subarray(2, spki.length - 68);
  return tlv(0x30, algorithm, tlv(0x03, Uint8Array.of(0), point));
}

describe('CSR policy: the public key (read from its coordinates or from the SPKI)', () => {
  const point = spkiOf(ec.publicKey).subarray(-65);

  it('accepts P-384 with ecdsa-with-SHA384', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const sigAlg = tlv(0x30, oid('2a8648ce3d040303'));
    expect(
      await codeOf(craft({ key: p384.privateKey, spki: spkiOf(p384.publicKey), hash: 'sha384', sigAlg })),
    ).toBe('accepted');
  });

  it('reads a compressed point from the SPKI as before', async () => {
    const compressed = new Uint8Array(
      ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'compressed') as Buffer,
    );
    expect(await codeOf(craft({ ...base, spki: withPoint(spkiOf(ec.publicKey), compressed) }))).toBe(
      'accepted',
    );
  });

  it('refuses a point that is not on the curve, and one that is on it but is not the signer', async () => {
    const offCurve = Uint8Array.from(point);
    offCurve[64]! ^= 1;
    expect(await codeOf(craft({ ...base, spki: withPoint(spkiOf(ec.publicKey), offCurve) }))).toBe(
      'ERR_CSR_SIGNATURE',
    );
    const other = spkiOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    expect(await codeOf(craft({ ...base, spki: other }))).toBe('ERR_CSR_SIGNATURE');
  });
});

describe('CSR policy: the declared algorithm', () => {
  it('refuses an ECDSA signature labelled sha256WithRSAEncryption', async () => {
    expect(await codeOf(craft({ ...base, sigAlg: SHA256_RSA }))).toBe('ERR_CSR_SIGNATURE');
  });

  it('refuses an Ed25519 signature labelled ecdsa-with-SHA256, and accepts it labelled Ed25519', async () => {
    const edBase: Craft = { key: ed.privateKey, spki: spkiOf(ed.publicKey), hash: null };
    expect(await codeOf(craft({ ...edBase, sigAlg: ECDSA_SHA256 }))).toBe('ERR_CSR_SIGNATURE');
    expect(await codeOf(craft({ ...edBase, sigAlg: ED25519 }))).toBe('accepted');
  });

  describe('RSASSA-PSS (OpenSSL-made requests)', () => {
    const work = mkdtempSync(join(tmpdir(), 'helmlink-csr-pss-'));
    const key = join(work, 'rsa.pem');
    beforeAll(() => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
      writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    });
    const pssCsr = (hash: string): string =>
      execFileSync(
        'openssl',
        [
          'req',
          '-new',
          '-key',
          key,
          '-subj',
          '/CN=mv-crafted',
          `-${hash}`,
          '-sigopt',
          'rsa_padding_mode:pss',
        ],
        { encoding: 'utf8' },
      );

    it('refuses SHA-1 inside the PSS parameters', async () => {
      expect(await codeOf(pssCsr('sha1'))).toBe('ERR_SIG_ALG_WEAK');
      // In words, with the algorithm named (a downgrade of the hash inside PSS, not a malformed request).
      expect(await refusal(pssCsr('sha1'))).toMatchObject({
        message:
          'RSASSA-PSS must name SHA-256, SHA-384 or SHA-512 for both its hash and MGF1 (SHA-1 is refused)',
        details: { algorithm: 'RSASSA-PSS' },
        cause: expect.objectContaining({ code: expect.stringMatching(/^ERR_/u) }),
      });
    });

    it('accepts PSS with SHA-256 (verified with exactly its parameters)', async () => {
      expect(await codeOf(pssCsr('sha256'))).toBe('accepted');
    });
  });
});

// --- the subject and the requested names, each refusal in words (issue 15's survivors) ---------------------------
const OID_O = '55040a';
const OID_OU = '55040b';
const rdn = (oidHex: string, value: string): Uint8Array => tlv(0x31, tlv(0x30, oid(oidHex), utf8(value)));
const nameOf = (...rdns: Uint8Array[]): Uint8Array => tlv(0x30, ...rdns);
const ENROLLED = { entityId: 'mv-crafted', roles: ['vessel'] as const };

/** A request whose attributes ([0] of the request info) are exactly `attributes`. */
function craftWithAttributes(attributes: Uint8Array[], over: Partial<Craft> = {}): Uint8Array {
  const name = over.name ?? nameOf(rdn(OID_CN, 'mv-crafted'));
  const info = tlv(0x30, tlv(0x02, Uint8Array.of(0)), name, base.spki, tlv(0xa0, ...attributes));
  return tlv(
    0x30,
    info,
    ECDSA_SHA256,
    tlv(0x03, Uint8Array.of(0), new Uint8Array(sign('sha256', info, base.key))),
  );
}
/** The extensionRequest attribute asking for `extensions` (each: OID hex and DER value). */
const extensionRequest = (...extensions: [string, Uint8Array][]): Uint8Array =>
  tlv(
    0x30,
    oid('2a864886f70d01090e'),
    tlv(0x31, tlv(0x30, ...extensions.map(([o, v]) => tlv(0x30, oid(o), tlv(0x04, v))))),
  );
const SAN = '551d11';
const sanUris = (...uris: string[]): Uint8Array => tlv(0x30, ...uris.map((u) => tlv(0x86, Buffer.from(u))));

/** The refusal of a request (`expected` null: checked without an enrollment). */
async function refusal(csr: Uint8Array | string, expected: typeof ENROLLED | null = ENROLLED) {
  try {
    await checkCsr(
      typeof csr === 'string' ? csr : pem(csr),
      expected ? { ...expected, roles: [...expected.roles] } : undefined,
    );
  } catch (err) {
    const e = err as { code: string; message: string; details?: unknown; cause?: unknown };
    return { code: e.code, message: e.message, details: e.details, cause: e.cause };
  }
  throw new Error('the request was accepted');
}

describe('CSR policy: the subject names the enrolled entity and nothing else', () => {
  it('CN plus O is accepted; the returned key is a copy that a later change to the posted bytes cannot alter', async () => {
    const der = craft({ ...base, name: nameOf(rdn(OID_O, 'Helmlink'), rdn(OID_CN, 'mv-crafted')) });
    const checked = await checkCsr(der, { ...ENROLLED, roles: ['vessel'] });
    expect(checked).toMatchObject({ entityId: 'mv-crafted', keySpec: 'ecdsa-p256' });
    expect(Buffer.from(checked.spki).equals(Buffer.from(base.spki))).toBe(true);
    der.fill(0);
    expect(Buffer.from(checked.spki).equals(Buffer.from(base.spki))).toBe(true);
  });

  it('an OU (any attribute but CN and O) is refused by name', async () => {
    const name = nameOf(rdn(OID_CN, 'mv-crafted'), rdn(OID_OU, 'admins'));
    expect(await refusal(craft({ ...base, name }))).toMatchObject({
      code: 'ERR_CSR_SUBJECT_MISMATCH',
      message: 'the subject may only carry CN (and O), not 2.5.4.11',
    });
  });

  it('no CN, or two CNs in separate RDNs (which one would the certificate name?), is refused', async () => {
    for (const name of [
      nameOf(rdn(OID_O, 'Helmlink')),
      nameOf(rdn(OID_CN, 'mv-crafted'), rdn(OID_CN, 'admin-1')),
    ])
      expect(await refusal(craft({ ...base, name }))).toMatchObject({
        code: 'ERR_CSR_SUBJECT_MISMATCH',
        message: 'the subject needs exactly one CN',
      });
  });

  it('a token enrolled for one entity cannot obtain a certificate for another (admin-1)', async () => {
    const name = nameOf(rdn(OID_CN, 'admin-1'));
    expect(await refusal(craft({ ...base, name }))).toMatchObject({
      code: 'ERR_CSR_SUBJECT_MISMATCH',
      message: 'the subject CN "admin-1" is not the enrolled entity',
      details: { expected: 'mv-crafted' },
    });
  });

  it('without an enrollment to compare with, a CN that is no valid entity id is refused', async () => {
    const name = nameOf(rdn(OID_CN, 'MV Crafted/../admin'));
    const r = await refusal(craft({ ...base, name }), null);
    expect(r).toMatchObject({
      code: 'ERR_CSR_SUBJECT_MISMATCH',
      message: 'the subject CN is not a valid entity id',
    });
    expect(r.cause).toMatchObject({ code: expect.stringMatching(/^ERR_/u) });
  });
});

describe('CSR policy: no attribute or extension beyond the granted SAN URIs', () => {
  const granted = identityUris({ ...ENROLLED, roles: ['vessel'] });

  it('a SAN with exactly the granted URIs is accepted', async () => {
    const der = craftWithAttributes([extensionRequest([SAN, sanUris(...granted)])]);
    expect((await checkCsr(der, { ...ENROLLED, roles: ['vessel'] })).entityId).toBe('mv-crafted');
  });

  it('a challengePassword (any attribute but extensionRequest) is refused by name', async () => {
    const challenge = tlv(0x30, oid('2a864886f70d010907'), tlv(0x31, utf8('secret')));
    expect(await refusal(craftWithAttributes([challenge]))).toMatchObject({
      code: 'ERR_CSR_EXTENSION_FORBIDDEN',
      message: 'the request carries attribute 1.2.840.113549.1.9.7',
    });
  });

  it('asking for basicConstraints cA=true (to become a CA) is refused: the CA sets extensions', async () => {
    const caTrue = tlv(0x30, Uint8Array.of(0x01, 0x01, 0xff));
    expect(await refusal(craftWithAttributes([extensionRequest(['551d13', caTrue])]))).toMatchObject({
      code: 'ERR_CSR_EXTENSION_FORBIDDEN',
      message: 'the request asks for extension 2.5.29.19; the CA sets extensions from the profile',
    });
  });

  it('a URI the enrollment does not grant (the pilot role), or a DNS name, is refused by name', async () => {
    const pilotUri = identityUris({ entityId: 'mv-crafted', roles: ['pilot'] })[0]!;
    expect(
      await refusal(craftWithAttributes([extensionRequest([SAN, sanUris(granted[0]!, pilotUri)])])),
    ).toMatchObject({
      code: 'ERR_CSR_EXTENSION_FORBIDDEN',
      message: `the request asks for the name ${pilotUri} that the enrollment does not grant`,
    });
    const dns = tlv(0x30, tlv(0x82, Buffer.from('ca.example')));
    expect(await refusal(craftWithAttributes([extensionRequest([SAN, dns])]))).toMatchObject({
      message: 'the request asks for the name tag-82: that the enrollment does not grant',
    });
    // Without an enrollment, no name at all may be requested.
    expect(
      await refusal(craftWithAttributes([extensionRequest([SAN, sanUris(...granted)])]), null),
    ).toMatchObject({ code: 'ERR_CSR_EXTENSION_FORBIDDEN' });
  });

  it('a SAN in BER (a long-form length inside the extension value) cannot be parsed', async () => {
    const ber = longFormTlv(0x30, tlv(0x86, Buffer.from(granted[0]!)));
    const r = await refusal(craftWithAttributes([extensionRequest([SAN, ber])]));
    expect(r).toMatchObject({
      code: 'ERR_CSR_INVALID',
      message: 'the requested subject alternative names cannot be parsed',
    });
    expect(r.cause).toBeInstanceOf(Error);
  });
});

describe('CSR policy: signatures and algorithms in words', () => {
  it('a key that does not fit the declared scheme names both', async () => {
    expect(await refusal(craft({ ...base, sigAlg: SHA256_RSA }))).toMatchObject({
      code: 'ERR_CSR_SIGNATURE',
      message: 'the request declares a rsa-pkcs1 signature but carries a ecdsa-p256 key',
      details: { algorithm: 'rsa-pkcs1', keySpec: 'ecdsa-p256' },
    });
  });

  it('a second spelling of a valid ECDSA signature (a padded INTEGER in Ecdsa-Sig-Value) is refused', async () => {
    const der = craft(base);
    // Re-encode r with a redundant leading 0x00: the same (r, s), other bytes (signature malleability).
    const request = readBack(der);
    const sig = request.signature;
    const r = sig.subarray(2, 4 + sig[3]!);
    const padded = tlv(0x02, Uint8Array.of(0), r.subarray(2));
    const rest = sig.subarray(4 + sig[3]!);
    const malleated = tlv(0x30, padded, rest);
    const forged = tlv(0x30, request.info, ECDSA_SHA256, tlv(0x03, Uint8Array.of(0), malleated));
    expect(await refusal(forged)).toMatchObject({ code: 'ERR_CSR_SIGNATURE' });
  });

  it('ecdsa-with-SHA256 carrying parameters (a curve OID) is a malformed algorithm, not a weak one', async () => {
    const withCurve = tlv(0x30, oid('2a8648ce3d040302'), oid('2a8648ce3d030107'));
    const r = await refusal(craft({ ...base, sigAlg: withCurve }));
    expect(r.code).toBe('ERR_CSR_INVALID');
    expect(r.message).toMatch(/^the signature algorithm is malformed: ./u);
    expect(r.cause).toBeInstanceOf(Error);
  });

  it('a structure that is not a request names what the reader found wrong', async () => {
    const notASequence = tlv(0x31, tlv(0x02, Uint8Array.of(0)));
    expect((await refusal(notASequence)).message).toBe(
      'the certificate request is not a DER PKCS#10 request (PEM CERTIFICATE REQUEST or DER expected): not a SEQUENCE',
    );
    // Broken PEM (no base64): the PEM reader's own coded error is the cause, no reader detail is appended.
    const broken = await refusal(
      '-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n',
    );
    expect(broken.message).toBe(
      'the certificate request is not a DER PKCS#10 request (PEM CERTIFICATE REQUEST or DER expected)',
    );
    expect(broken.cause).toMatchObject({ code: expect.stringMatching(/^ERR_/u) });
  });

  it('text that is no request at all: ERR_CSR_INVALID in words', async () => {
    const r = await refusal('hello');
    expect(r.code).toBe('ERR_CSR_INVALID');
    expect(r.message).toMatch(
      /^the certificate request is not a DER PKCS#10 request \(PEM CERTIFICATE REQUEST or DER expected\)/u,
    );
    expect(r.cause).toBeInstanceOf(Error);
  });
});

describe('csrCommonName', () => {
  it('reads the one CN without any policy, undefined without one', () => {
    expect(csrCommonName(craft(base))).toBe('mv-crafted');
    expect(csrCommonName(craft({ ...base, name: nameOf(rdn(OID_O, 'Helmlink')) }))).toBeUndefined();
    expect(csrCommonName(craft({ ...base, name: nameOf(rdn(OID_O, 'x'), rdn(OID_CN, 'mv-2')) }))).toBe(
      'mv-2',
    );
  });
});

/** The request info and signature bytes of a crafted request (both are short-form TLVs here). */
function readBack(der: Uint8Array): { info: Uint8Array; signature: Uint8Array } {
  const at = (buf: Uint8Array, i: number) => {
    const long = buf[i + 1]! & 0x80 ? buf[i + 1]! & 0x7f : 0;
    const length = long ? buf.subarray(i + 2, i + 2 + long).reduce((a, b) => a * 256 + b, 0) : buf[i + 1]!;
    const start = i + 2 + long;
    return { start, end: start + length, whole: buf.subarray(i, start + length) };
  };
  const outer = at(der, 0);
  const info = at(der, outer.start);
  const alg = at(der, info.end);
  const bits = at(der, alg.end);
  return { info: info.whole, signature: der.subarray(bits.start + 1, bits.end) };
}
