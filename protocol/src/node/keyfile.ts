/** Node file helpers for encrypted private keys: written atomically with owner-only permissions. */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import {
  encryptPrivateKey,
  decryptAndImportPrivateKey,
  type DecryptKeyOptions,
  type EncryptKeyOptions,
  type ImportKeyOptions,
} from '../keys';

/** Writes `data` to `path` atomically (temp file + rename) with the given mode. */
export async function writeFileAtomicMode(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

/** Encrypts a private key under `passphrase` and writes it as PEM `ENCRYPTED PRIVATE KEY` (mode 0600). */
export async function writeEncryptedKeyFile(
  path: string,
  key: CryptoKey | Uint8Array,
  passphrase: string,
  options: EncryptKeyOptions = {},
): Promise<void> {
  await writeFileAtomicMode(path, await encryptPrivateKey(key, passphrase, options), 0o600);
}

/** Reads and decrypts a PEM `ENCRYPTED PRIVATE KEY` file into a signing CryptoKey. */
export async function readEncryptedKeyFile(
  path: string,
  passphrase: string,
  options: DecryptKeyOptions & ImportKeyOptions = {},
): Promise<CryptoKey> {
  return decryptAndImportPrivateKey(await readFile(path, 'utf8'), passphrase, options);
}
