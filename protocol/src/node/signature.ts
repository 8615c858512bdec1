/**
 * A Node-only signature verifier for the envelope: `node:crypto.verify` on a KeyObject derived once per imported
 * CryptoKey. It does the same check as the default WebCrypto path (same key, same algorithm parameters) but
 * synchronously, without the thread-pool round trip of `crypto.subtle.verify`: about 20 % less CPU per token,
 * which matters on the vessel's hot path. Pass it as `createTrust({ ..., signatureVerifier: nodeSignatureVerifier })`.
 */
import { constants, KeyObject, verify } from 'node:crypto';
import type { SignatureVerifier } from '../envelope/trust';

const keyObjects = new WeakMap<CryptoKey, KeyObject>();

/** Verifies a JWS signature with node:crypto; false for any malformed signature. */
export const nodeSignatureVerifier: SignatureVerifier = (alg, key, signature, data) => {
  let keyObject = keyObjects.get(key);
  if (!keyObject) {
    keyObject = KeyObject.from(key);
    keyObjects.set(key, keyObject);
  }
  try {
    switch (alg) {
      case 'ES256':
        return verify('sha256', data, { key: keyObject, dsaEncoding: 'ieee-p1363' }, signature);
      case 'ES384':
        return verify('sha384', data, { key: keyObject, dsaEncoding: 'ieee-p1363' }, signature);
      case 'EdDSA':
        return verify(null, data, keyObject, signature);
      case 'PS256':
        return verify(
          'sha256',
          data,
          { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
          signature,
        );
      default:
        return false;
    }
  } catch {
    return false;
  }
};
