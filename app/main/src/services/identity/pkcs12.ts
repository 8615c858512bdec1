/**
 * Reading a PKCS#12 (.p12/.pfx) identity file (RFC 7292): MAC check, then the key and certificates from its safe
 * contents. Supported protection, which covers OpenSSL 3 defaults and the common legacy exports:
 * - PBES2 (RFC 8018) with PBKDF2 (HMAC-SHA1/SHA-256/SHA-384/SHA-512) and AES-128/192/256-CBC or 3DES-CBC;
 * - pbeWithSHAAnd3-KeyTripleDES-CBC (the PKCS#12 KDF, BMPString password);
 * - the integrity MAC with SHA-1/SHA-256/SHA-384/SHA-512 over the PKCS#12 KDF.
 * RC2 (40/128 bit) bags are refused with ERR_KEY_UNSUPPORTED (weak; re-export with AES).
 */
import 'reflect-metadata';
import { createDecipheriv, createHash, createHmac, pbkdf2 as pbkdf2Cb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { AsnConvert, AsnProp, AsnPropTypes, OctetString } from '@peculiar/asn1-schema';
import { type AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { EncryptedContentInfo, type ContentInfo } from '@peculiar/asn1-cms';
import { EncryptedPrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import {
  AuthenticatedSafe,
  CertBag,
  PFX,
  SafeContents,
  id_certBag,
  id_keyBag,
  id_pkcs8ShroudedKeyBag,
  id_x509Certificate,
} from '@peculiar/asn1-pfx';
import * as x509 from '@peculiar/x509';
import { HelmlinkError, Pbes2Params, Pbkdf2Params } from '@helmlink/protocol';

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';
const OID_PBE_SHA1_3DES = '1.2.840.113549.1.12.1.3';
const OID_PBE_SHA1_RC2_128 = '1.2.840.113549.1.12.1.5';
const OID_PBE_SHA1_RC2_40 = '1.2.840.113549.1.12.1.6';

const HASHES: Record<string, { name: string; u: number; v: number }> = {
  '1.3.14.3.2.26': { name: 'sha1', u: 20, v: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', u: 32, v: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', u: 48, v: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', u: 64, v: 128 },
};
const HMAC_PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
};

/** PBKDF2 iteration counts above this are refused (a hostile file must not pin the CPU). PBKDF2 runs off-thread. */
const MAX_ITERATIONS = 10_000_000;
/** The PKCS#12 KDF runs on the main thread: a tighter bound keeps the process responsive. */
const MAX_PKCS12_KDF_ITERATIONS = 1_000_000;
const pbkdf2 = promisify(pbkdf2Cb);

class PbeParams {
  @AsnProp({ type: AsnPropTypes.OctetString })
  salt = new ArrayBuffer(0);

  @AsnProp({ type: AsnPropTypes.Integer })
  iterations = 0;
}

/** CMS EncryptedData (RFC 5652 §8), which asn1-cms does not model. */
class EncryptedData {
  @AsnProp({ type: AsnPropTypes.Integer })
  version = 0;

  @AsnProp({ type: EncryptedContentInfo })
  encryptedContentInfo = new EncryptedContentInfo();
}

export interface Pkcs12Contents {
  /** PKCS#8 DER of the (single) private key. */
  pkcs8: Uint8Array;
  certificates: x509.X509Certificate[];
}

const invalid = (message: string, cause?: unknown) =>
  new HelmlinkError('ERR_IMPORT_INVALID', message, { cause });
const iterationsOk = (n: number, max = MAX_ITERATIONS) => Number.isInteger(n) && n >= 1 && n <= max;

/** Password as BMPString with the terminating NUL pair (RFC 7292 B.1). */
function bmpPassword(password: string): Buffer {
  const out = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

/** The PKCS#12 key derivation function (RFC 7292 Appendix B.2). */
export function pkcs12Kdf(
  hashOid: string,
  password: Buffer,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  n: number,
): Buffer {
  const h = HASHES[hashOid];
  if (!h) throw new HelmlinkError('ERR_KEY_UNSUPPORTED', `PKCS#12 hash ${hashOid} is not supported`);
  const { v, u } = h;
  const repeatTo = (src: Buffer, len: number) => {
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const S = salt.length ? repeatTo(salt, v * Math.ceil(salt.length / v)) : Buffer.alloc(0);
  const P = password.length ? repeatTo(password, v * Math.ceil(password.length / v)) : Buffer.alloc(0);
  const I = Buffer.concat([S, P]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < n; produced += u) {
    let A = createHash(h.name).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(h.name).update(A).digest();
    blocks.push(A);
    const B = repeatTo(A, v);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >>> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, n);
}

/** Decrypts data protected with a PBES2 or PKCS#12 PBE algorithm identifier. */
async function pbeDecrypt(alg: AlgorithmIdentifier, ciphertext: Buffer, password: string): Promise<Buffer> {
  if (!alg.parameters) throw invalid('encryption parameters are missing');
  try {
    if (alg.algorithm === OID_PBES2) {
      const pbes2 = AsnConvert.parse(alg.parameters, Pbes2Params);
      if (pbes2.keyDerivationFunc.algorithm !== OID_PBKDF2 || !pbes2.keyDerivationFunc.parameters) {
        throw new HelmlinkError('ERR_KEY_UNSUPPORTED', 'only PBKDF2 key derivation is supported');
      }
      const kdf = AsnConvert.parse(pbes2.keyDerivationFunc.parameters, Pbkdf2Params);
      const prf = HMAC_PRFS[kdf.prf?.algorithm ?? '1.2.840.113549.2.7'];
      const cipher = CIPHERS[pbes2.encryptionScheme.algorithm];
      if (!prf || !cipher || !pbes2.encryptionScheme.parameters)
        throw new HelmlinkError('ERR_KEY_UNSUPPORTED', 'unsupported PBES2 cipher or PRF');
      if (!iterationsOk(kdf.iterationCount))
        throw new HelmlinkError('ERR_KEY_UNSUPPORTED', 'PBKDF2 iteration count out of range');
      const iv = Buffer.from(AsnConvert.parse(pbes2.encryptionScheme.parameters, OctetString).buffer);
      const key = await pbkdf2(
        Buffer.from(password, 'utf8'),
        Buffer.from(kdf.salt),
        kdf.iterationCount,
        cipher.keyLength,
        prf,
      );
      const d = createDecipheriv(cipher.name, key, iv);
      return Buffer.concat([d.update(ciphertext), d.final()]);
    }
    if (alg.algorithm === OID_PBE_SHA1_3DES) {
      const p = AsnConvert.parse(alg.parameters, PbeParams);
      if (!iterationsOk(p.iterations, MAX_PKCS12_KDF_ITERATIONS))
        throw new HelmlinkError('ERR_KEY_UNSUPPORTED', 'PBE iteration count out of range');
      const pw = bmpPassword(password);
      const salt = Buffer.from(p.salt);
      const key = pkcs12Kdf('1.3.14.3.2.26', pw, salt, 1, p.iterations, 24);
      const iv = pkcs12Kdf('1.3.14.3.2.26', pw, salt, 2, p.iterations, 8);
      const d = createDecipheriv('des-ede3-cbc', key, iv);
      return Buffer.concat([d.update(ciphertext), d.final()]);
    }
  } catch (cause) {
    if (cause instanceof HelmlinkError) throw cause;
    throw new HelmlinkError('ERR_KEY_DECRYPT', 'the identity file cannot be decrypted (wrong passphrase?)', {
      cause,
    });
  }
  if (alg.algorithm === OID_PBE_SHA1_RC2_40 || alg.algorithm === OID_PBE_SHA1_RC2_128) {
    throw new HelmlinkError(
      'ERR_KEY_UNSUPPORTED',
      'the file uses RC2 encryption, which is refused as weak: export it again with AES (OpenSSL 3 default)',
    );
  }
  throw new HelmlinkError('ERR_KEY_UNSUPPORTED', `encryption algorithm ${alg.algorithm} is not supported`);
}

function verifyMac(pfx: PFX, data: Buffer, password: string): void {
  const mac = pfx.macData;
  if (!mac) throw invalid('the file has no integrity MAC; refusing an unauthenticated identity file');
  const h = HASHES[mac.mac.digestAlgorithm.algorithm];
  if (!h)
    throw new HelmlinkError(
      'ERR_KEY_UNSUPPORTED',
      `MAC algorithm ${mac.mac.digestAlgorithm.algorithm} is not supported`,
    );
  const iterations = mac.iterations ?? 1;
  if (!iterationsOk(iterations, MAX_PKCS12_KDF_ITERATIONS))
    throw new HelmlinkError('ERR_KEY_UNSUPPORTED', 'MAC iteration count out of range');
  const key = pkcs12Kdf(
    mac.mac.digestAlgorithm.algorithm,
    bmpPassword(password),
    Buffer.from(mac.macSalt.buffer),
    3,
    iterations,
    h.u,
  );
  const expected = createHmac(h.name, key).update(data).digest();
  const actual = Buffer.from(mac.mac.digest.buffer);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new HelmlinkError(
      'ERR_KEY_DECRYPT',
      'the identity file passphrase is wrong or the file is damaged (MAC mismatch)',
    );
  }
}

const octets = (content: ArrayBuffer): Buffer => Buffer.from(AsnConvert.parse(content, OctetString).buffer);

/**
 * Parses a PKCS#12 file protected by `password`. Throws ERR_IMPORT_INVALID (not PKCS#12, no key, several keys),
 * ERR_KEY_DECRYPT (wrong password) or ERR_KEY_UNSUPPORTED (algorithms outside the supported set).
 */
export async function parsePkcs12(der: Uint8Array, password: string): Promise<Pkcs12Contents> {
  let pfx: PFX;
  try {
    pfx = AsnConvert.parse(Buffer.from(der), PFX);
  } catch (cause) {
    throw invalid('the file is not PKCS#12', cause);
  }
  if (pfx.authSafe.contentType !== OID_DATA)
    throw new HelmlinkError('ERR_KEY_UNSUPPORTED', 'only password-integrity PKCS#12 files are supported');
  const data = octets(pfx.authSafe.content);
  verifyMac(pfx, data, password);
  const keys: Uint8Array[] = [];
  const certificates: x509.X509Certificate[] = [];
  let safes: AuthenticatedSafe;
  try {
    safes = AsnConvert.parse(data, AuthenticatedSafe);
  } catch (cause) {
    throw invalid('the PKCS#12 contents cannot be parsed', cause);
  }
  for (const info of safes as unknown as ContentInfo[]) {
    let contents: Buffer;
    if (info.contentType === OID_DATA) {
      contents = octets(info.content);
    } else if (info.contentType === OID_ENCRYPTED_DATA) {
      const enc = AsnConvert.parse(info.content, EncryptedData).encryptedContentInfo;
      const ec = enc.encryptedContent;
      const cipher = ec?.value
        ? Buffer.from(ec.value.buffer)
        : Buffer.concat((ec?.constructedValue ?? []).map((o) => Buffer.from(o.buffer)));
      contents = await pbeDecrypt(enc.contentEncryptionAlgorithm, cipher, password);
    } else {
      throw new HelmlinkError(
        'ERR_KEY_UNSUPPORTED',
        `PKCS#12 content type ${info.contentType} is not supported`,
      );
    }
    for (const bag of AsnConvert.parse(contents, SafeContents) as unknown as {
      bagId: string;
      bagValue: ArrayBuffer;
    }[]) {
      if (bag.bagId === id_pkcs8ShroudedKeyBag) {
        const epki = AsnConvert.parse(bag.bagValue, EncryptedPrivateKeyInfo);
        keys.push(
          new Uint8Array(
            await pbeDecrypt(epki.encryptionAlgorithm, Buffer.from(epki.encryptedData.buffer), password),
          ),
        );
      } else if (bag.bagId === id_keyBag) {
        keys.push(new Uint8Array(bag.bagValue));
      } else if (bag.bagId === id_certBag) {
        const cb = AsnConvert.parse(bag.bagValue, CertBag);
        if (cb.certId === id_x509Certificate)
          certificates.push(new x509.X509Certificate(new Uint8Array(octets(cb.certValue))));
      }
    }
  }
  if (keys.length !== 1)
    throw invalid(
      keys.length === 0 ? 'the file holds no private key' : 'the file holds more than one private key',
    );
  if (certificates.length === 0) throw invalid('the file holds no certificate');
  return { pkcs8: keys[0]!, certificates };
}

/**
 * Decrypts a PKCS#8 `EncryptedPrivateKeyInfo` (DER) with the same algorithms as PKCS#12 bags (PBES2 or
 * PKCS#12 3DES). ERR_KEY_DECRYPT for a wrong passphrase; ERR_IMPORT_INVALID when it is not such a structure.
 */
export async function decryptEncryptedPkcs8(der: Uint8Array, password: string): Promise<Uint8Array> {
  let epki: EncryptedPrivateKeyInfo;
  try {
    epki = AsnConvert.parse(Buffer.from(der), EncryptedPrivateKeyInfo);
  } catch (cause) {
    throw invalid('the key is not an encrypted PKCS#8 structure', cause);
  }
  return new Uint8Array(
    await pbeDecrypt(epki.encryptionAlgorithm, Buffer.from(epki.encryptedData.buffer), password),
  );
}
