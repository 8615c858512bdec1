/**
 * The accepted signature algorithms and public keys, and signature verification through WebCrypto
 * (`globalThis.crypto.subtle`, so this runs in Node, Electron and the renderer alike).
 *
 * Accepted: ECDSA on P-256/P-384 with SHA-256/384/512, Ed25519, RSA (modulus >= 2048 bits) with PKCS#1 v1.5 or
 * PSS (MGF1 with the same SHA-2 hash). Everything else (MD5, SHA-1, DSA, other curves, short RSA keys) is
 * refused with ERR_CHAIN_ALG_UNSUPPORTED: a weak algorithm anywhere in a path lets a forger in.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { HelmlinkError } from '../errors';
import { ecdsaDerToRaw, readChildren, readTlv, rsaModulusBits, toHex } from './der';

export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** A signature algorithm this validator accepts. */
export type SignatureScheme =
  | { kind: 'ecdsa'; hash: HashName }
  | { kind: 'ed25519' }
  | { kind: 'rsa-pkcs1'; hash: HashName }
  | { kind: 'rsa-pss'; hash: HashName; saltLength: number };

/** A public key this validator accepts. */
export type KeyInfo =
  | { kind: 'ec'; curve: 'P-256' | 'P-384'; size: number }
  | { kind: 'ed25519' }
  | { kind: 'rsa'; bits: number };

/** Minimum RSA modulus size in bits. */
export const MIN_RSA_BITS = 2048;

const OID_HASH: Record<string, HashName> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
const OID_ECDSA: Record<string, HashName> = {
  '1.2.840.10045.4.3.2': 'SHA-256',
  '1.2.840.10045.4.3.3': 'SHA-384',
  '1.2.840.10045.4.3.4': 'SHA-512',
};
const OID_RSA_PKCS1: Record<string, HashName> = {
  '1.2.840.113549.1.1.11': 'SHA-256',
  '1.2.840.113549.1.1.12': 'SHA-384',
  '1.2.840.113549.1.1.13': 'SHA-512',
};
const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
const OID_MGF1 = '1.2.840.113549.1.1.8';
const OID_ED25519 = '1.3.101.112';
const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
// DER of the namedCurve OIDs as they appear in the SPKI algorithm parameters.
const CURVE_PARAMS: Record<string, { curve: 'P-256' | 'P-384'; size: number }> = {
  '06082a8648ce3d030107': { curve: 'P-256', size: 32 },
  '06052b81040022': { curve: 'P-384', size: 48 },
};

const KNOWN_WEAK: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10040.4.3': 'dsa-with-sha1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-sha256',
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
};

function unsupported(what: string, oid: string): HelmlinkError {
  const name = KNOWN_WEAK[oid] ? `${KNOWN_WEAK[oid]} (${oid})` : oid;
  return new HelmlinkError('ERR_CHAIN_ALG_UNSUPPORTED', `${what} ${name} is not accepted`, {
    details: { oid },
  });
}

function isAbsentOrNull(params: ArrayBuffer | null | undefined): boolean {
  if (params === undefined || params === null) return true;
  const b = new Uint8Array(params);
  return b.length === 2 && b[0] === 0x05 && b[1] === 0x00;
}

function oidFromTlv(buf: Uint8Array, start: number, end: number): string {
  return AsnConvert.parse(buf.slice(start, end), AlgorithmIdentifier).algorithm;
}

/** Decodes RSASSA-PSS-params; only SHA-2 with MGF1 over the same hash is accepted. */
function pssScheme(params: ArrayBuffer | null | undefined): SignatureScheme {
  if (!params) throw unsupported('RSASSA-PSS without parameters (SHA-1 defaults):', OID_RSASSA_PSS);
  const buf = new Uint8Array(params);
  const seq = readTlv(buf, 0);
  let hash: HashName | undefined;
  let mgfHash: HashName | undefined;
  let saltLength = 20;
  for (const field of readChildren(buf, seq)) {
    const inner = readTlv(buf, field.contentStart);
    if (field.tag === 0xa0) {
      hash = OID_HASH[oidFromTlv(buf, inner.start, inner.end)];
    } else if (field.tag === 0xa1) {
      const mgf = AsnConvert.parse(buf.slice(inner.start, inner.end), AlgorithmIdentifier);
      if (mgf.algorithm !== OID_MGF1 || !mgf.parameters)
        throw unsupported('PSS mask generation', mgf.algorithm);
      mgfHash = OID_HASH[AsnConvert.parse(mgf.parameters, AlgorithmIdentifier).algorithm];
    } else if (field.tag === 0xa2) {
      if (inner.tag !== 0x02 || inner.end - inner.contentStart > 2)
        throw unsupported('PSS salt length in', OID_RSASSA_PSS);
      saltLength = 0;
      for (let i = inner.contentStart; i < inner.end; i++) saltLength = saltLength * 256 + buf[i]!;
    } else if (field.tag === 0xa3) {
      if (!(inner.tag === 0x02 && inner.end - inner.contentStart === 1 && buf[inner.contentStart] === 1)) {
        throw unsupported('PSS trailer field in', OID_RSASSA_PSS);
      }
    } else throw unsupported('PSS parameters with an unknown field in', OID_RSASSA_PSS);
  }
  if (!hash || hash !== mgfHash)
    throw unsupported('RSASSA-PSS with a non-SHA-2 or mismatched MGF1 hash:', OID_RSASSA_PSS);
  return { kind: 'rsa-pss', hash, saltLength };
}

/** The accepted scheme for a signature AlgorithmIdentifier, or ERR_CHAIN_ALG_UNSUPPORTED. */
export function signatureScheme(alg: AlgorithmIdentifier): SignatureScheme {
  const oid = alg.algorithm;
  const ecdsa = OID_ECDSA[oid];
  if (ecdsa) {
    // RFC 5758 3.2: the parameters MUST be absent. The ASN.1 parser reads a DER NULL as `null`, so test for
    // absence itself, not truthiness (NULL parameters would otherwise pass).
    if (alg.parameters !== undefined) throw unsupported('ECDSA with parameters:', oid);
    return { kind: 'ecdsa', hash: ecdsa };
  }
  const pkcs1 = OID_RSA_PKCS1[oid];
  if (pkcs1) {
    if (!isAbsentOrNull(alg.parameters)) throw unsupported('RSA PKCS#1 v1.5 with parameters:', oid);
    return { kind: 'rsa-pkcs1', hash: pkcs1 };
  }
  if (oid === OID_RSASSA_PSS) {
    try {
      return pssScheme(alg.parameters);
    } catch (err) {
      if (err instanceof HelmlinkError) throw err;
      throw unsupported('RSASSA-PSS with malformed parameters:', oid);
    }
  }
  if (oid === OID_ED25519) {
    // RFC 8410 3: the parameters MUST be absent (NULL included, see ECDSA above).
    if (alg.parameters !== undefined) throw unsupported('Ed25519 with parameters:', oid);
    return { kind: 'ed25519' };
  }
  throw unsupported('signature algorithm', oid);
}

/** The accepted key type of a SubjectPublicKeyInfo, or ERR_CHAIN_ALG_UNSUPPORTED. */
export function keyInfo(spki: SubjectPublicKeyInfo): KeyInfo {
  const oid = spki.algorithm.algorithm;
  if (oid === OID_EC_PUBLIC_KEY) {
    const curve = spki.algorithm.parameters ? CURVE_PARAMS[toHex(spki.algorithm.parameters)] : undefined;
    if (!curve) throw unsupported('elliptic curve of key', oid);
    return { kind: 'ec', ...curve };
  }
  if (oid === OID_ED25519) return { kind: 'ed25519' };
  if (oid === OID_RSA_ENCRYPTION || oid === OID_RSASSA_PSS) {
    let bits: number;
    try {
      bits = rsaModulusBits(new Uint8Array(spki.subjectPublicKey));
    } catch (cause) {
      throw new HelmlinkError('ERR_CERT_MALFORMED', 'the RSA public key cannot be parsed', { cause });
    }
    if (bits < MIN_RSA_BITS) {
      throw new HelmlinkError(
        'ERR_CHAIN_ALG_UNSUPPORTED',
        `RSA keys of ${bits} bits are not accepted (minimum ${MIN_RSA_BITS})`,
        {
          details: { bits },
        },
      );
    }
    return { kind: 'rsa', bits };
  }
  throw unsupported('public key algorithm', oid);
}

/**
 * A parsed public key with its imported WebCrypto keys cached per scheme (a CA key verifies many signatures).
 */
export class PublicKeyHandle {
  readonly info: KeyInfo;
  readonly #spki: Uint8Array;
  readonly #imported = new Map<string, Promise<CryptoKey>>();

  /** Throws ERR_CHAIN_ALG_UNSUPPORTED for keys outside the accepted set. */
  constructor(spki: SubjectPublicKeyInfo) {
    this.info = keyInfo(spki);
    if (spki.algorithm.algorithm === OID_RSASSA_PSS) {
      // WebCrypto imports RSA keys from an rsaEncryption SPKI; the PSS restriction is enforced by the scheme check.
      const plain = new SubjectPublicKeyInfo({
        algorithm: new AlgorithmIdentifier({ algorithm: OID_RSA_ENCRYPTION, parameters: null }),
        subjectPublicKey: spki.subjectPublicKey,
      });
      this.#spki = new Uint8Array(AsnConvert.serialize(plain));
    } else {
      this.#spki = new Uint8Array(AsnConvert.serialize(spki));
    }
  }

  #key(scheme: SignatureScheme): Promise<CryptoKey> {
    const id = scheme.kind === 'ed25519' ? 'ed25519' : `${scheme.kind}:${scheme.hash}`;
    let key = this.#imported.get(id);
    if (!key) {
      const subtle = globalThis.crypto.subtle;
      const info = this.info;
      let algorithm: RsaHashedImportParams | EcKeyImportParams | Algorithm;
      if (scheme.kind === 'ecdsa' && info.kind === 'ec')
        algorithm = { name: 'ECDSA', namedCurve: info.curve };
      else if (scheme.kind === 'ed25519') algorithm = { name: 'Ed25519' };
      else if (scheme.kind === 'rsa-pkcs1') algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: scheme.hash };
      else algorithm = { name: 'RSA-PSS', hash: scheme.hash };
      key = subtle.importKey('spki', this.#spki as Uint8Array<ArrayBuffer>, algorithm, false, ['verify']);
      this.#imported.set(id, key);
    }
    return key;
  }

  /** True when the key is of the kind the scheme needs and `signature` over `data` verifies. */
  async verify(scheme: SignatureScheme, tbs: Uint8Array, sig: Uint8Array): Promise<boolean> {
    // WebCrypto's typings want ArrayBuffer-backed views; these always are.
    const data = tbs as Uint8Array<ArrayBuffer>;
    const signature = sig as Uint8Array<ArrayBuffer>;
    const info = this.info;
    const subtle = globalThis.crypto.subtle;
    try {
      if (scheme.kind === 'ecdsa') {
        if (info.kind !== 'ec') return false;
        const raw = ecdsaDerToRaw(signature, info.size) as Uint8Array<ArrayBuffer> | undefined;
        if (!raw) return false;
        return await subtle.verify({ name: 'ECDSA', hash: scheme.hash }, await this.#key(scheme), raw, data);
      }
      if (scheme.kind === 'ed25519') {
        if (info.kind !== 'ed25519') return false;
        return await subtle.verify({ name: 'Ed25519' }, await this.#key(scheme), signature, data);
      }
      if (info.kind !== 'rsa') return false;
      if (scheme.kind === 'rsa-pkcs1')
        return await subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, await this.#key(scheme), signature, data);
      return await subtle.verify(
        { name: 'RSA-PSS', saltLength: scheme.saltLength },
        await this.#key(scheme),
        signature,
        data,
      );
    } catch {
      // A key WebCrypto refuses to import or a malformed signature is simply a signature that does not verify.
      return false;
    }
  }
}

/**
 * The accepted scheme of a DER AlgorithmIdentifier (e.g. a CSR's signatureAlgorithm), RSASSA-PSS parameters included.
 * Throws ERR_CHAIN_ALG_UNSUPPORTED for anything else (SHA-1 inside PSS parameters too).
 */
export function signatureSchemeOf(algorithmIdentifierDer: Uint8Array): SignatureScheme {
  let alg: AlgorithmIdentifier;
  try {
    alg = AsnConvert.parse(algorithmIdentifierDer.slice(), AlgorithmIdentifier);
  } catch (cause) {
    throw new HelmlinkError('ERR_CHAIN_ALG_UNSUPPORTED', 'the algorithm identifier cannot be parsed', {
      cause,
    });
  }
  return signatureScheme(alg);
}
