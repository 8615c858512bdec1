/**
 * node:crypto's synchronous primitives for the certificate writer (`issueEndEntityCertificateDer`): the issuer's
 * signature and SHA-1 for the subject key identifier without WebCrypto's thread-pool round trip, which was the
 * largest single cost of an enrollment at the CA. Same output as WebCrypto (ECDSA as r‖s, which the writer encodes).
 */
import { constants, createHash, KeyObject, sign } from 'node:crypto';
import type { CertWriterCrypto } from '../pki/cert-writer';

const keyObjects = new WeakMap<CryptoKey, KeyObject>();

function keyObjectOf(key: CryptoKey): KeyObject {
  let keyObject = keyObjects.get(key);
  if (!keyObject) {
    keyObject = KeyObject.from(key);
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}

/** Node's name of a WebCrypto hash ('SHA-256' → 'sha256'). */
function hashName(hash: unknown): string {
  const name = typeof hash === 'string' ? hash : (hash as { name?: string } | undefined)?.name;
  if (name !== 'SHA-256' && name !== 'SHA-384' && name !== 'SHA-512')
    throw new TypeError(`unsupported signature hash: ${String(name)}`);
  return name.replace('-', '').toLowerCase();
}

/** The certificate writer's primitives on node:crypto. @throws TypeError for an algorithm the writer never uses. */
export const nodeCertWriterCrypto: CertWriterCrypto = {
  sign(algorithm, key, data) {
    const a = algorithm as Algorithm & { hash?: unknown; saltLength?: number };
    const k = keyObjectOf(key);
    switch (a.name) {
      case 'ECDSA':
        return sign(hashName(a.hash), data, { key: k, dsaEncoding: 'ieee-p1363' });
      case 'Ed25519':
        return sign(null, data, k);
      case 'RSASSA-PKCS1-v1_5':
        return sign(hashName(a.hash), data, { key: k, padding: constants.RSA_PKCS1_PADDING });
      case 'RSA-PSS':
        return sign(hashName(a.hash), data, {
          key: k,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: a.saltLength ?? 32,
        });
      default:
        throw new TypeError(`unsupported signing algorithm: ${a.name}`);
    }
  },
  sha1: (data) => createHash('sha1').update(data).digest(),
};
