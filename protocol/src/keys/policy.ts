/**
 * The key policy (NIST SP 800-57 Part 1: 128-bit security strength for use beyond 2030):
 * ECDSA on P-256 or P-384, Ed25519, RSA with a 3072- or 4096-bit modulus; signatures with SHA-2 or EdDSA.
 * RSA below 3072 bits is refused with ERR_KEY_WEAK, other curves and key types with ERR_KEY_UNSUPPORTED,
 * MD5/SHA-1 (and MD2) signatures with ERR_SIG_ALG_WEAK.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { HelmlinkError } from '../errors';
import { KEY_OIDS, type KeySpec } from './types';

const P256_PARAMS = '06082a8648ce3d030107';
const P384_PARAMS = '06052b81040022';

/** Signature algorithms accepted on CSRs, certificates and CRLs. */
export const ALLOWED_SIGNATURE_OIDS: Readonly<Record<string, string>> = {
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'Ed25519',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
};

/** Signature algorithms refused as broken (collisions): MD2, MD5, SHA-1. */
export const WEAK_SIGNATURE_OIDS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.3.14.3.2.29': 'sha1WithRSASignature',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10040.4.3': 'dsa-with-sha1',
};

const toHex = (bytes: ArrayBuffer | Uint8Array): string =>
  Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');

const toArrayBuffer = (bytes: ArrayBuffer | Uint8Array): ArrayBuffer =>
  bytes instanceof Uint8Array ? (bytes.slice().buffer as ArrayBuffer) : bytes;

/**
 * The exact DER of the SPKIs every enrollment sends (uncompressed P-256 and P-384 points, Ed25519): everything
 * before the key bytes, and the total length. A match is these structures with these parameters, byte for byte;
 * anything else (another encoding, a compressed point, RSA) takes the full parse.
 */
const FIXED_SPKIS: ReadonlyArray<{ prefix: Uint8Array; length: number; spec: KeySpec }> = [
  {
    prefix: hexBytes('3059301306072a8648ce3d020106082a8648ce3d03010703420004'),
    length: 91,
    spec: 'ecdsa-p256',
  },
  { prefix: hexBytes('3076301006072a8648ce3d020106052b8104002203620004'), length: 120, spec: 'ecdsa-p384' },
  { prefix: hexBytes('302a300506032b6570032100'), length: 44, spec: 'ed25519' },
];

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../gu)!, (h) => parseInt(h, 16));
}

function fixedSpkiSpec(der: Uint8Array): KeySpec | undefined {
  for (const f of FIXED_SPKIS) {
    if (der.length === f.length && f.prefix.every((b, i) => der[i] === b)) return f.spec;
  }
  return undefined;
}

/**
 * Checks a SubjectPublicKeyInfo (DER) against the key policy and returns its key specification.
 * Throws ERR_KEY_WEAK (RSA < 3072), ERR_KEY_UNSUPPORTED (other curves, key types, RSA sizes) or ERR_INPUT_INVALID.
 */
export async function checkPublicKeyPolicy(spkiDer: ArrayBuffer | Uint8Array): Promise<KeySpec> {
  // The CA checks one key per enrollment: the common encodings are recognised without an ASN.1 object parse.
  const fixed = fixedSpkiSpec(spkiDer instanceof Uint8Array ? spkiDer : new Uint8Array(spkiDer));
  if (fixed) return fixed;
  let spki: SubjectPublicKeyInfo;
  try {
    spki = AsnConvert.parse(toArrayBuffer(spkiDer), SubjectPublicKeyInfo);
  } catch (cause) {
    throw new HelmlinkError('ERR_INPUT_INVALID', 'the public key is not a valid SubjectPublicKeyInfo', {
      cause,
    });
  }
  const oid = spki.algorithm.algorithm;
  if (oid === KEY_OIDS.ecPublicKey) {
    const params = spki.algorithm.parameters ? toHex(spki.algorithm.parameters) : '';
    if (params === P256_PARAMS) return 'ecdsa-p256';
    if (params === P384_PARAMS) return 'ecdsa-p384';
    throw new HelmlinkError('ERR_KEY_UNSUPPORTED', 'only the P-256 and P-384 elliptic curves are accepted', {
      details: { keyType: 'ec' },
    });
  }
  if (oid === KEY_OIDS.ed25519) return 'ed25519';
  if (oid === KEY_OIDS.rsaEncryption) {
    let bits: number;
    try {
      const key = await crypto.subtle.importKey(
        'spki',
        toArrayBuffer(spkiDer),
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        true,
        ['verify'],
      );
      bits = (key.algorithm as RsaHashedKeyAlgorithm).modulusLength;
    } catch (cause) {
      throw new HelmlinkError('ERR_INPUT_INVALID', 'the RSA public key cannot be read', { cause });
    }
    if (bits < 3072) {
      throw new HelmlinkError('ERR_KEY_WEAK', `RSA keys need at least 3072 bits (got ${bits})`, {
        details: { keyType: 'rsa', bits },
      });
    }
    if (bits === 3072) return 'rsa-3072';
    if (bits === 4096) return 'rsa-4096';
    throw new HelmlinkError('ERR_KEY_UNSUPPORTED', `RSA keys must have 3072 or 4096 bits (got ${bits})`, {
      details: { keyType: 'rsa', bits },
    });
  }
  throw new HelmlinkError('ERR_KEY_UNSUPPORTED', `key algorithm ${oid} is not accepted`, {
    details: { keyType: oid },
  });
}

/** Checks a signature algorithm OID. Throws ERR_SIG_ALG_WEAK for MD2/MD5/SHA-1, ERR_KEY_UNSUPPORTED for unknown ones. */
export function checkSignatureAlgorithm(oid: string): string {
  const weak = WEAK_SIGNATURE_OIDS[oid];
  if (weak)
    throw new HelmlinkError('ERR_SIG_ALG_WEAK', `${weak} signatures are refused (MD5 and SHA-1 are broken)`, {
      details: { algorithm: weak },
    });
  const name = ALLOWED_SIGNATURE_OIDS[oid];
  if (!name)
    throw new HelmlinkError('ERR_KEY_UNSUPPORTED', `signature algorithm ${oid} is not accepted`, {
      details: { algorithm: oid },
    });
  return name;
}
