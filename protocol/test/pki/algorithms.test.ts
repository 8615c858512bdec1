import '../../src/reflect';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
} from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { HelmlinkError } from '../../src/errors';
import { keyInfo, PublicKeyHandle, signatureScheme, signatureSchemeOf } from '../../src/pki/algorithms';
import { ecdsaDerToRaw, integerContent, readIntegerValue, signedPart } from '../../src/pki/der';
import { nameKey } from '../../src/pki/names';
import { toX509Signature } from '../../src/pki/der-writer';

const alg = (algorithm: string, parameters?: ArrayBuffer | null) =>
  new AlgorithmIdentifier({ algorithm, ...(parameters !== undefined ? { parameters } : {}) });
const code = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (err) {
    return err instanceof HelmlinkError ? err.code : String(err);
  }
};
const NULL = new Uint8Array([0x05, 0x00]).buffer;

describe('signatureScheme', () => {
  it('accepts ECDSA/RSA PKCS#1 with SHA-2 and Ed25519', () => {
    expect(signatureScheme(alg('1.2.840.10045.4.3.2'))).toEqual({ kind: 'ecdsa', hash: 'SHA-256' });
    expect(signatureScheme(alg('1.2.840.10045.4.3.4'))).toEqual({ kind: 'ecdsa', hash: 'SHA-512' });
    expect(signatureScheme(alg('1.2.840.113549.1.1.12', NULL))).toEqual({
      kind: 'rsa-pkcs1',
      hash: 'SHA-384',
    });
    expect(signatureScheme(alg('1.3.101.112'))).toEqual({ kind: 'ed25519' });
  });

  it('refuses MD5, SHA-1, DSA and unknown algorithms with ERR_CHAIN_ALG_UNSUPPORTED', () => {
    for (const oid of [
      '1.2.840.113549.1.1.4',
      '1.2.840.113549.1.1.5',
      '1.2.840.10045.4.1',
      '1.2.840.10040.4.3',
      '2.16.840.1.101.3.4.3.2',
      '1.2.3.4',
    ]) {
      expect(code(() => signatureScheme(alg(oid, NULL)))).toBe('ERR_CHAIN_ALG_UNSUPPORTED');
    }
    try {
      signatureScheme(alg('1.2.840.113549.1.1.5', NULL));
    } catch (err) {
      expect((err as Error).message).toContain('sha1WithRSAEncryption');
    }
  });

  it('refuses ECDSA and Ed25519 identifiers that carry NULL parameters (RFC 5758 3.2, RFC 8410 3: MUST be absent)', () => {
    // Attack: a certificate, CRL or CSR whose signatureAlgorithm is ecdsa-with-SHA256 followed by an explicit NULL,
    // a non-DER-conforming encoding a strict validator refuses. The DER parser reads that NULL as `null`, so a
    // truthiness test on the parameters let it through.
    const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
    const ecdsaSha256 = '06082a8648ce3d040302';
    const ed25519 = '06032b6570';
    expect(signatureSchemeOf(hex(`300a${ecdsaSha256}`))).toEqual({ kind: 'ecdsa', hash: 'SHA-256' });
    expect(code(() => signatureSchemeOf(hex(`300c${ecdsaSha256}0500`)))).toBe('ERR_CHAIN_ALG_UNSUPPORTED');
    expect(() => signatureSchemeOf(hex(`300c${ecdsaSha256}0500`))).toThrow(
      'ECDSA with parameters: 1.2.840.10045.4.3.2 is not accepted',
    );
    expect(signatureSchemeOf(hex(`3005${ed25519}`))).toEqual({ kind: 'ed25519' });
    expect(() => signatureSchemeOf(hex(`3007${ed25519}0500`))).toThrow(
      'Ed25519 with parameters: 1.3.101.112 is not accepted',
    );
    // The same through an AlgorithmIdentifier built with a null parameter.
    expect(code(() => signatureScheme(alg('1.2.840.10045.4.3.3', null)))).toBe('ERR_CHAIN_ALG_UNSUPPORTED');
    expect(code(() => signatureScheme(alg('1.3.101.112', null)))).toBe('ERR_CHAIN_ALG_UNSUPPORTED');
  });

  it('decodes RSASSA-PSS parameters: SHA-2 with matching MGF1 only', () => {
    // SEQUENCE { [0] sha256, [1] mgf1(sha256), [2] 32 }
    const sha256 = '300d06096086480165030402010500';
    const mgf1 = (h: string) => `301a06092a864886f70d010108${h}`;
    const pss = (hash: string, mgfHash: string, salt: number) => {
      const body = `a00f${hash}a11c${mgf1(mgfHash)}a2030201${salt.toString(16).padStart(2, '0')}`;
      return new Uint8Array(Buffer.from(`30${(body.length / 2).toString(16)}${body}`, 'hex')).buffer;
    };
    expect(signatureScheme(alg('1.2.840.113549.1.1.10', pss(sha256, sha256, 32)))).toEqual({
      kind: 'rsa-pss',
      hash: 'SHA-256',
      saltLength: 32,
    });
    const sha384 = '300d06096086480165030402020500';
    expect(code(() => signatureScheme(alg('1.2.840.113549.1.1.10', pss(sha256, sha384, 32))))).toBe(
      'ERR_CHAIN_ALG_UNSUPPORTED',
    );
    // Malformed parameters are refused the same way, never as an uncoded error.
    expect(
      code(() =>
        signatureScheme(alg('1.2.840.113549.1.1.10', new Uint8Array([0x30, 0x05, 0xa0, 0x09]).buffer)),
      ),
    ).toBe('ERR_CHAIN_ALG_UNSUPPORTED');
    // Empty parameters = SHA-1 defaults.
    expect(
      code(() => signatureScheme(alg('1.2.840.113549.1.1.10', new Uint8Array([0x30, 0x00]).buffer))),
    ).toBe('ERR_CHAIN_ALG_UNSUPPORTED');
  });
});

describe('keyInfo', () => {
  it('accepts P-256/P-384/Ed25519/RSA-2048 and refuses P-521 and short RSA', async () => {
    const spki = async (algorithm: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm) => {
      const pair = (await globalThis.crypto.subtle.generateKey(algorithm, true, [
        'sign',
        'verify',
      ])) as CryptoKeyPair;
      return AsnConvert.parse(
        await globalThis.crypto.subtle.exportKey('spki', pair.publicKey),
        SubjectPublicKeyInfo,
      );
    };
    expect(keyInfo(await spki({ name: 'ECDSA', namedCurve: 'P-256' }))).toEqual({
      kind: 'ec',
      curve: 'P-256',
      size: 32,
    });
    expect(keyInfo(await spki({ name: 'ECDSA', namedCurve: 'P-384' }))).toEqual({
      kind: 'ec',
      curve: 'P-384',
      size: 48,
    });
    expect(keyInfo(await spki({ name: 'Ed25519' }))).toEqual({ kind: 'ed25519' });
    expect(code(() => keyInfo(new SubjectPublicKeyInfo()))).toBe('ERR_CHAIN_ALG_UNSUPPORTED');
    const p521 = await spki({ name: 'ECDSA', namedCurve: 'P-521' });
    expect(code(() => keyInfo(p521))).toBe('ERR_CHAIN_ALG_UNSUPPORTED');
    const rsa = (bits: number) =>
      spki({
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: bits,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      });
    expect(keyInfo(await rsa(2048))).toEqual({ kind: 'rsa', bits: 2048 });
    expect(code(() => keyInfo(null as never))).not.toBe('ok');
    const small = await rsa(1024);
    expect(code(() => keyInfo(small))).toBe('ERR_CHAIN_ALG_UNSUPPORTED');
  });
});

describe('der', () => {
  it('converts ECDSA signature values strictly', () => {
    const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
    expect(Buffer.from(ecdsaDerToRaw(hex('3007020101020200ff'), 2)!).toString('hex')).toBe('000100ff');
    expect(Buffer.from(ecdsaDerToRaw(hex('300802010102030000ff'), 2)!).toString('hex')).toBe('000100ff'); // padded
    expect(ecdsaDerToRaw(hex('30060201010201ff'), 2)).toBeUndefined(); // negative s
    expect(ecdsaDerToRaw(hex('3008020101020301aabb'), 2)).toBeUndefined(); // wider than the field
    expect(ecdsaDerToRaw(hex('3006020101020200ff'), 2)).toBeUndefined(); // SEQUENCE length does not match
    expect(ecdsaDerToRaw(hex('3007020101020200ff00'), 2)).toBeUndefined(); // trailing bytes
  });

  it('reads INTEGERs (negative too) and refuses non-SEQUENCE signed data', () => {
    expect(readIntegerValue(Buffer.from('020200ff', 'hex'))).toBe(255n);
    expect(integerContent(Buffer.from('ff', 'hex'))).toBe(-1n);
    expect(() => signedPart(Buffer.from('0400', 'hex'))).toThrow(RangeError);
    expect(() => signedPart(Buffer.from('3003020100', 'hex'))).toThrow(RangeError);
  });
});

describe('names', () => {
  const name = (...rdns: [string, Partial<AttributeValue>][][]) =>
    new Name(
      rdns.map(
        (rdn) =>
          new RelativeDistinguishedName(
            rdn.map(([type, v]) => new AttributeTypeAndValue({ type, value: new AttributeValue(v) })),
          ),
      ),
    );
  const CN = '2.5.4.3';
  const O = '2.5.4.10';

  it('matches case, white space and string type differences (RFC 5280 7.1)', () => {
    const a = name([[O, { printableString: 'Helmlink  Fleet ' }]], [[CN, { printableString: 'Issuing CA' }]]);
    const b = name([[O, { utf8String: ' helmlink fleet' }]], [[CN, { utf8String: 'ISSUING CA' }]]);
    expect(nameKey(a)).toBe(nameKey(b));
  });

  it('distinguishes RDN order, attribute types and values; a multi-valued RDN is a set', () => {
    const a = name([[O, { utf8String: 'X' }]], [[CN, { utf8String: 'Y' }]]);
    expect(nameKey(a)).not.toBe(nameKey(name([[CN, { utf8String: 'Y' }]], [[O, { utf8String: 'X' }]])));
    expect(nameKey(a)).not.toBe(
      nameKey(name([[O, { utf8String: 'X' }]], [['2.5.4.11', { utf8String: 'Y' }]])),
    );
    expect(nameKey(a)).not.toBe(nameKey(name([[O, { utf8String: 'X' }]], [[CN, { utf8String: 'Y2' }]])));
    const multi1 = name([
      [O, { utf8String: 'X' }],
      [CN, { utf8String: 'Y' }],
    ]);
    const multi2 = name([
      [CN, { utf8String: 'y' }],
      [O, { utf8String: 'x' }],
    ]);
    expect(nameKey(multi1)).toBe(nameKey(multi2));
    expect(nameKey(multi1)).not.toBe(nameKey(a));
    // Separators inside values cannot forge structure.
    expect(nameKey(name([[CN, { utf8String: 'a,2.5.4.3=b' }]]))).not.toBe(
      nameKey(name([[CN, { utf8String: 'a' }]], [[CN, { utf8String: 'b' }]])),
    );
  });
});

describe('signatureScheme: parameters an attacker controls', () => {
  const PKCS1_SHA256 = '1.2.840.113549.1.1.11';
  const PSS = '1.2.840.113549.1.1.10';
  const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex')).buffer;
  const refusal = (f: () => unknown): { code: string; message: string; details: unknown } => {
    try {
      f();
    } catch (err) {
      if (err instanceof HelmlinkError) return { code: err.code, message: err.message, details: err.details };
      throw err;
    }
    throw new Error('accepted');
  };
  const sha256 = '300d06096086480165030402010500';
  const mgf1 = (h: string) => `301a06092a864886f70d010108${h}`;
  const seq = (body: string) => `30${(body.length / 2).toString(16).padStart(2, '0')}${body}`;
  const pss = (...fields: string[]) => bytes(seq(fields.join('')));
  const HASH = `a00f${sha256}`;
  const MGF = `a11c${mgf1(sha256)}`;

  it('sha256WithRSAEncryption accepts absent or NULL parameters only (RFC 4055 5: anything else is smuggled data)', () => {
    expect(signatureScheme(alg(PKCS1_SHA256))).toEqual({ kind: 'rsa-pkcs1', hash: 'SHA-256' });
    expect(signatureScheme(alg(PKCS1_SHA256, null))).toEqual({ kind: 'rsa-pkcs1', hash: 'SHA-256' });
    expect(signatureScheme(alg(PKCS1_SHA256, NULL))).toEqual({ kind: 'rsa-pkcs1', hash: 'SHA-256' });
    // Attack: an OCTET STRING, a NULL with content, or a NULL followed by extra bytes in the parameters.
    for (const params of ['0400', '0501', '0501ff', '050000']) {
      expect(
        refusal(() => signatureScheme(alg(PKCS1_SHA256, bytes(params)))),
        params,
      ).toEqual({
        code: 'ERR_CHAIN_ALG_UNSUPPORTED',
        message: `RSA PKCS#1 v1.5 with parameters: ${PKCS1_SHA256} is not accepted`,
        details: { oid: PKCS1_SHA256 },
      });
    }
  });

  it('RSASSA-PSS: absent parameters (SHA-1 defaults), a mask other than MGF1 and MGF1 without a hash are refused', () => {
    expect(refusal(() => signatureScheme(alg(PSS))).message).toBe(
      `RSASSA-PSS without parameters (SHA-1 defaults): ${PSS} is not accepted`,
    );
    // Attack: a mask generation function the verifier does not implement (WebCrypto would silently use MGF1).
    const pSpecified = `301a06092a864886f70d010109${sha256}`;
    expect(refusal(() => signatureScheme(alg(PSS, pss(HASH, `a11c${pSpecified}`)))).message).toBe(
      'PSS mask generation 1.2.840.113549.1.1.9 is not accepted',
    );
    expect(
      refusal(() => signatureScheme(alg(PSS, pss(HASH, `a10d300b06092a864886f70d010108`)))).message,
    ).toBe(`PSS mask generation ${'1.2.840.113549.1.1.8'} is not accepted`);
    expect(
      refusal(() => signatureScheme(alg(PSS, pss(`a00f300d06096086480165030402020500`, MGF)))).message,
    ).toBe(`RSASSA-PSS with a non-SHA-2 or mismatched MGF1 hash: ${PSS} is not accepted`);
  });

  it('RSASSA-PSS salt length: an INTEGER of at most two octets, read big-endian', () => {
    expect(signatureScheme(alg(PSS, pss(HASH, MGF, 'a20402020100')))).toEqual({
      kind: 'rsa-pss',
      hash: 'SHA-256',
      saltLength: 256,
    });
    // Absent: the default of 20.
    expect(signatureScheme(alg(PSS, pss(HASH, MGF)))).toEqual({
      kind: 'rsa-pss',
      hash: 'SHA-256',
      saltLength: 20,
    });
    // Attack: a salt length that is not an INTEGER, or one too large to be honest.
    for (const salt of ['a203040120', 'a2050203010000']) {
      expect(refusal(() => signatureScheme(alg(PSS, pss(HASH, MGF, salt)))).message, salt).toBe(
        `PSS salt length in ${PSS} is not accepted`,
      );
    }
  });

  it('RSASSA-PSS trailer field: only trailerFieldBC (1), and it is not read as a salt length', () => {
    expect(signatureScheme(alg(PSS, pss(HASH, MGF, 'a203020120', 'a303020101')))).toEqual({
      kind: 'rsa-pss',
      hash: 'SHA-256',
      saltLength: 32,
    });
    for (const trailer of ['a303020102', 'a303040101', 'a30402020001', 'a304020201ff']) {
      expect(refusal(() => signatureScheme(alg(PSS, pss(HASH, MGF, trailer)))).message, trailer).toBe(
        `PSS trailer field in ${PSS} is not accepted`,
      );
    }
  });

  it('RSASSA-PSS parameters with a field the structure does not have are refused, not skipped', () => {
    expect(refusal(() => signatureScheme(alg(PSS, pss(HASH, MGF, 'a403020101')))).message).toBe(
      `PSS parameters with an unknown field in ${PSS} is not accepted`,
    );
  });

  it('malformed PSS parameters and unknown algorithms are refused with a message naming them', () => {
    expect(refusal(() => signatureScheme(alg(PSS, bytes('3005a009'))))).toEqual({
      code: 'ERR_CHAIN_ALG_UNSUPPORTED',
      message: `RSASSA-PSS with malformed parameters: ${PSS} is not accepted`,
      details: { oid: PSS },
    });
    expect(refusal(() => signatureScheme(alg('1.2.3.4'))).message).toBe(
      'signature algorithm 1.2.3.4 is not accepted',
    );
    expect(refusal(() => signatureScheme(alg('1.2.840.113549.1.1.5', NULL))).message).toBe(
      'signature algorithm sha1WithRSAEncryption (1.2.840.113549.1.1.5) is not accepted',
    );
  });

  it('signatureSchemeOf reads an identifier inside a larger buffer, and refuses bytes that are not one', () => {
    // A CSR's signatureAlgorithm is a view into the whole request.
    const inside = new Uint8Array(Buffer.from('ffff300a06082a8648ce3d040302ffff', 'hex')).subarray(2, 14);
    expect(signatureSchemeOf(inside)).toEqual({ kind: 'ecdsa', hash: 'SHA-256' });
    expect(refusal(() => signatureSchemeOf(new Uint8Array([0x04, 0x00])))).toEqual({
      code: 'ERR_CHAIN_ALG_UNSUPPORTED',
      message: 'the algorithm identifier cannot be parsed',
      details: undefined,
    });
    // The parser's own error stays attached for diagnosis.
    let caught: unknown;
    try {
      signatureSchemeOf(new Uint8Array([0x04, 0x00]));
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).cause).toBeInstanceOf(Error);
  });
});

describe('keys an attacker controls', () => {
  const subtle = globalThis.crypto.subtle;
  const RSA_PSS_OID = '1.2.840.113549.1.1.10';
  const generate = async (algorithm: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm) =>
    (await subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const spkiOf = async (pair: CryptoKeyPair) =>
    AsnConvert.parse(await subtle.exportKey('spki', pair.publicKey), SubjectPublicKeyInfo);
  const rsa = (name: string, hash = 'SHA-256') =>
    generate({ name, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash });
  const withOid = (spki: SubjectPublicKeyInfo, algorithm: string, parameters?: ArrayBuffer) =>
    new SubjectPublicKeyInfo({
      algorithm: new AlgorithmIdentifier({ algorithm, ...(parameters ? { parameters } : {}) }),
      subjectPublicKey: spki.subjectPublicKey,
    });
  const data = new TextEncoder().encode('to be signed');
  const sign = async (alg: Algorithm & Record<string, unknown>, key: CryptoKey) =>
    toX509Signature(alg, new Uint8Array(await subtle.sign(alg, key, data)));
  const failure = (f: () => unknown): HelmlinkError => {
    try {
      f();
    } catch (err) {
      if (err instanceof HelmlinkError) return err;
      throw err;
    }
    throw new Error('accepted');
  };

  it('names the refused key: short RSA with its size, unknown or weak algorithms with their OID', async () => {
    const small = await spkiOf(
      await generate({
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      }),
    );
    const short = failure(() => keyInfo(small));
    expect([short.code, short.message, short.details]).toEqual([
      'ERR_CHAIN_ALG_UNSUPPORTED',
      'RSA keys of 1024 bits are not accepted (minimum 2048)',
      { bits: 1024 },
    ]);
    const dsa = failure(() => keyInfo(withOid(small, '1.2.840.10040.4.1')));
    expect([dsa.code, dsa.message, dsa.details]).toEqual([
      'ERR_CHAIN_ALG_UNSUPPORTED',
      'public key algorithm DSA (1.2.840.10040.4.1) is not accepted',
      { oid: '1.2.840.10040.4.1' },
    ]);
  });

  it('an RSA key whose modulus cannot be read is a malformed certificate, not an accepted key', async () => {
    const garbage = withOid(await spkiOf(await rsa('RSASSA-PKCS1-v1_5')), '1.2.840.113549.1.1.1');
    garbage.subjectPublicKey = new Uint8Array([0x04, 0x00]).buffer;
    const err = failure(() => keyInfo(garbage));
    expect([err.code, err.message]).toEqual(['ERR_CERT_MALFORMED', 'the RSA public key cannot be parsed']);
    expect(err.cause).toBeInstanceOf(RangeError);
  });

  it('an id-RSASSA-PSS key (RFC 4055) is an RSA key and verifies PSS signatures', async () => {
    const pair = await rsa('RSA-PSS');
    const spki = withOid(await spkiOf(pair), RSA_PSS_OID);
    expect(keyInfo(spki)).toEqual({ kind: 'rsa', bits: 2048 });
    const sig = await sign({ name: 'RSA-PSS', saltLength: 32 }, pair.privateKey);
    const handle = new PublicKeyHandle(spki);
    expect(await handle.verify({ kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }, data, sig)).toBe(true);
  });

  it('one key verifies under each of its schemes: a cached import for one hash is never reused for another', async () => {
    // Fault: a CA key that signed one certificate with SHA-256 and the next with SHA-384 (or PSS) must verify
    // both; a cache keyed too coarsely would verify the second with the first import's hash and refuse it.
    const pkcs1 = await rsa('RSASSA-PKCS1-v1_5');
    const spki = await spkiOf(pkcs1);
    const handle = new PublicKeyHandle(spki);
    const sha384Key = await subtle.importKey(
      'pkcs8',
      await subtle.exportKey('pkcs8', pkcs1.privateKey),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' },
      false,
      ['sign'],
    );
    const pssKey = await subtle.importKey(
      'pkcs8',
      await subtle.exportKey('pkcs8', pkcs1.privateKey),
      { name: 'RSA-PSS', hash: 'SHA-384' },
      false,
      ['sign'],
    );
    const s256 = await sign({ name: 'RSASSA-PKCS1-v1_5' }, pkcs1.privateKey);
    const s384 = await sign({ name: 'RSASSA-PKCS1-v1_5' }, sha384Key);
    const sPss = await sign({ name: 'RSA-PSS', saltLength: 48 }, pssKey);
    expect(await handle.verify({ kind: 'rsa-pkcs1', hash: 'SHA-256' }, data, s256)).toBe(true);
    expect(await handle.verify({ kind: 'rsa-pkcs1', hash: 'SHA-384' }, data, s384)).toBe(true);
    expect(await handle.verify({ kind: 'rsa-pss', hash: 'SHA-384', saltLength: 48 }, data, sPss)).toBe(true);
    expect(await handle.verify({ kind: 'rsa-pkcs1', hash: 'SHA-256' }, data, s384)).toBe(false);
    const ed = await generate({ name: 'Ed25519' });
    const edSig = await sign({ name: 'Ed25519' }, ed.privateKey);
    const edHandle = new PublicKeyHandle(await spkiOf(ed));
    expect(await edHandle.verify({ kind: 'ed25519' }, data, edSig)).toBe(true);
    expect(await edHandle.verify({ kind: 'ed25519' }, data, s256)).toBe(false);
  });

  it('key confusion: a signature checked under a scheme of another key type is simply false', async () => {
    const ec = await generate({ name: 'ECDSA', namedCurve: 'P-256' });
    const ecSig = await sign({ name: 'ECDSA', hash: 'SHA-256' }, ec.privateKey);
    const ecHandle = new PublicKeyHandle(await spkiOf(ec));
    expect(await ecHandle.verify({ kind: 'ecdsa', hash: 'SHA-256' }, data, ecSig)).toBe(true);
    expect(await ecHandle.verify({ kind: 'ed25519' }, data, ecSig)).toBe(false);
    expect(await ecHandle.verify({ kind: 'rsa-pkcs1', hash: 'SHA-256' }, data, ecSig)).toBe(false);
    const edHandle = new PublicKeyHandle(await spkiOf(await generate({ name: 'Ed25519' })));
    expect(await edHandle.verify({ kind: 'ecdsa', hash: 'SHA-256' }, data, ecSig)).toBe(false);
    // A signature value that is not a DER ECDSA-Sig-Value.
    expect(await ecHandle.verify({ kind: 'ecdsa', hash: 'SHA-256' }, data, new Uint8Array([1, 2]))).toBe(
      false,
    );
  });

  it('an issuer EC key that is not a point on its curve verifies nothing (no uncoded error escapes)', async () => {
    // Attack: a forged issuer certificate with an invalid-curve public key; WebCrypto refuses to import it.
    const ec = await generate({ name: 'ECDSA', namedCurve: 'P-256' });
    const spki = await spkiOf(ec);
    const point = new Uint8Array(spki.subjectPublicKey);
    point[point.length - 1] = point.at(-1)! ^ 1;
    spki.subjectPublicKey = point.buffer;
    const handle = new PublicKeyHandle(spki);
    const sig = await sign({ name: 'ECDSA', hash: 'SHA-256' }, ec.privateKey);
    expect(await handle.verify({ kind: 'ecdsa', hash: 'SHA-256' }, data, sig)).toBe(false);
  });
});
