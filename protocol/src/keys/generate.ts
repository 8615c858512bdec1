/** Key generation per key specification, with WebCrypto only (runs in Node, Electron and browsers). */
import { HelmlinkError } from '../errors';
import { isKeySpec, type KeySpec } from './types';

/** How an RSA key will be used: X.509 signatures (RSASSA-PKCS1-v1_5) or JWS PS256 (RSA-PSS). */
export type RsaScheme = 'pkcs1' | 'pss';

export interface GenerateKeyOptions {
  /** Whether the private key can be exported (needed to store it encrypted). Default true. */
  extractable?: boolean;
  /** Signature scheme an RSA key is created for. Default `pkcs1` (certificates and CRLs). */
  rsaScheme?: RsaScheme;
}

/** The WebCrypto algorithm for generating or importing a key of `spec`. */
export function webCryptoAlgorithm(
  spec: KeySpec,
  rsaScheme: RsaScheme = 'pkcs1',
): RsaHashedKeyGenParams | EcKeyGenParams | Algorithm {
  switch (spec) {
    case 'ecdsa-p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ecdsa-p384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'ed25519':
      return { name: 'Ed25519' };
    case 'rsa-3072':
    case 'rsa-4096':
      return {
        name: rsaScheme === 'pss' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5',
        modulusLength: spec === 'rsa-3072' ? 3072 : 4096,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      };
  }
}

/**
 * Generates a signing key pair for `spec`. Throws ERR_KEY_UNSUPPORTED for a spec outside the key policy.
 */
export async function generateKeyPair(
  spec: KeySpec,
  options: GenerateKeyOptions = {},
): Promise<CryptoKeyPair> {
  if (!isKeySpec(spec))
    throw new HelmlinkError('ERR_KEY_UNSUPPORTED', `unsupported key specification: ${String(spec)}`);
  const algorithm = webCryptoAlgorithm(spec, options.rsaScheme);
  return (await crypto.subtle.generateKey(algorithm, options.extractable ?? true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}

/** The key specification of a WebCrypto key (public or private). Throws ERR_KEY_UNSUPPORTED otherwise. */
export function keySpecOf(key: CryptoKey): KeySpec {
  const alg = key.algorithm as KeyAlgorithm & { namedCurve?: string; modulusLength?: number };
  if (alg.name === 'ECDSA' && alg.namedCurve === 'P-256') return 'ecdsa-p256';
  if (alg.name === 'ECDSA' && alg.namedCurve === 'P-384') return 'ecdsa-p384';
  if (alg.name === 'Ed25519') return 'ed25519';
  if (
    (alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'RSA-PSS') &&
    (alg.modulusLength === 3072 || alg.modulusLength === 4096)
  ) {
    return alg.modulusLength === 3072 ? 'rsa-3072' : 'rsa-4096';
  }
  throw new HelmlinkError(
    'ERR_KEY_UNSUPPORTED',
    `key algorithm ${alg.name} ${alg.namedCurve ?? alg.modulusLength ?? ''} is outside the key policy`,
  );
}
