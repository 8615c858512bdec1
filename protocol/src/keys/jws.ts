/** Mapping of keys to JWS algorithms (RFC 7518, RFC 8037). */
import { HelmlinkError } from '../errors';
import { keySpecOf } from './generate';
import type { JwsAlgorithm } from '../vocabulary/algorithms';
import type { KeySpec } from './types';

/** The JWS `alg` for a key specification: ES256, ES384, EdDSA, or PS256 for RSA. */
export function jwsAlgForSpec(spec: KeySpec): JwsAlgorithm {
  switch (spec) {
    case 'ecdsa-p256':
      return 'ES256';
    case 'ecdsa-p384':
      return 'ES384';
    case 'ed25519':
      return 'EdDSA';
    case 'rsa-3072':
    case 'rsa-4096':
      return 'PS256';
    default:
      throw new HelmlinkError('ERR_KEY_UNSUPPORTED', `no JWS algorithm for ${String(spec)}`);
  }
}

/**
 * The JWS `alg` for a WebCrypto key. An RSA key must have been imported for RSA-PSS to sign PS256
 * (see `importPrivateKey(..., { rsaScheme: 'pss' })`); a PKCS#1 v1.5 RSA key is refused with ERR_KEY_UNSUPPORTED.
 */
export function jwsAlgForKey(key: CryptoKey): JwsAlgorithm {
  const spec = keySpecOf(key);
  if (spec.startsWith('rsa-') && key.algorithm.name !== 'RSA-PSS') {
    throw new HelmlinkError(
      'ERR_KEY_UNSUPPORTED',
      'an RSA key must be imported for RSA-PSS to sign PS256 tokens',
    );
  }
  return jwsAlgForSpec(spec);
}
