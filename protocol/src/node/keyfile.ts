/** Node file helpers for encrypted private keys: written atomically with owner-only permissions. */
import { readFile } from 'node:fs/promises';
import {
  encryptPrivateKey,
  decryptAndImportPrivateKey,
  type DecryptKeyOptions,
  type EncryptKeyOptions,
  type ImportKeyOptions,
} from '../keys';
import { writeFileAtomic } from './atomic-file';

/** Encrypts a private key under `passphrase` and writes it as PEM `ENCRYPTED PRIVATE KEY` (mode 0600). */
export async function writeEncryptedKeyFile(
  path: string,
  key: CryptoKey | Uint8Array,
  passphrase: string,
  options: EncryptKeyOptions = {},
): Promise<void> {
  writeFileAtomic(path, await encryptPrivateKey(key, passphrase, options), { mode: 0o600 });
}

/** Reads and decrypts a PEM `ENCRYPTED PRIVATE KEY` file into a signing CryptoKey. */
export async function readEncryptedKeyFile(
  path: string,
  passphrase: string,
  options: DecryptKeyOptions & ImportKeyOptions = {},
): Promise<CryptoKey> {
  return decryptAndImportPrivateKey(await readFile(path, 'utf8'), passphrase, options);
}
