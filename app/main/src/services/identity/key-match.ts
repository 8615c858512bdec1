/** Which certificate belongs to a private key: compared by SubjectPublicKeyInfo. */
import 'reflect-metadata';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type * as x509 from '@peculiar/x509';

/** The DER SubjectPublicKeyInfo of a PKCS#8 private key. */
export const spkiOfPkcs8 = (pkcs8: Uint8Array): Buffer =>
  createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })).export({
    format: 'der',
    type: 'spki',
  });

/** True when `cert` certifies the public key `spki`. */
export const sameSpki = (cert: x509.X509Certificate, spki: Buffer): boolean =>
  Buffer.from(cert.publicKey.rawData).equals(spki);
