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
import { keyInfo, signatureScheme, signatureSchemeOf } from '../../src/pki/algorithms';
import { ecdsaDerToRaw, integerContent, readIntegerValue, signedPart } from '../../src/pki/der';
import { nameKey } from '../../src/pki/names';

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
