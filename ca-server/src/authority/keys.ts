/** Reading the CA's encrypted keys. */
import { readFile } from 'node:fs/promises';
import { decryptAndImportPrivateKey } from '@helmlink/protocol';

/** Decrypts an encrypted PKCS#8 key file into a signing key (RSA keys for PKCS#1 v1.5 X.509 signatures). */
export async function readKey(path: string, passphrase: string, extractable = false): Promise<CryptoKey> {
  return decryptAndImportPrivateKey(await readFile(path, 'utf8'), passphrase, { extractable });
}
