/**
 * A synchronous node:crypto signer for the envelope (`createSigner({ signBytes })`): the same signature WebCrypto
 * would produce (ECDSA in IEEE P1363 form, Ed25519, RSA-PSS with a 32-byte salt), without the thread-pool round
 * trip of `crypto.subtle.sign`, which dominates the vessel's per-command cost.
 */
import { KeyObject, constants, sign } from 'node:crypto';
import { createSigner, type JwsAlgorithm, type Signer } from '@helmlink/protocol';
import type * as x509 from '@peculiar/x509';

/** A raw JWS signing function for `alg` with `privateKey`. */
export function nodeSignBytes(privateKey: CryptoKey, alg: JwsAlgorithm): (input: Uint8Array) => Uint8Array {
  const key = KeyObject.from(privateKey);
  switch (alg) {
    case 'ES256':
      return (input) => sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' });
    case 'ES384':
      return (input) => sign('sha384', input, { key, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return (input) => sign(null, input, key);
    case 'PS256':
      return (input) =>
        sign('sha256', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    default:
      throw new TypeError(`unsupported algorithm ${String(alg)}`);
  }
}

/** createSigner with the node:crypto signing path. */
export function createNodeSigner(privateKey: CryptoKey, chain: readonly x509.X509Certificate[]): Signer {
  const base = createSigner({ privateKey, chain });
  return createSigner({ privateKey, chain, signBytes: nodeSignBytes(privateKey, base.alg) });
}
