/**
 * The console's private key at rest. The PKCS#8 key is encrypted with AES-256-GCM under a random 256-bit data key.
 * The data key is split into a stored share and, optionally, a passphrase share:
 *
 *   dataKey = share XOR scrypt(passphrase, salt)        (with a passphrase)
 *   dataKey = share                                    (keychain without a passphrase)
 *
 * The share lives in the OS keychain (custody `keychain`) or in the key file itself (custody `passphrase`, where the
 * passphrase is then mandatory). So a copied key file alone never opens the key: it needs the user's keychain, the
 * passphrase, or both. The file header is bound to the ciphertext as GCM additional data.
 */
import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';
import { HelmlinkError } from '@helmlink/protocol';
import type { Keychain } from './keychain';

export type Custody = 'keychain' | 'passphrase';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** scrypt cost for new files: N=2^16, r=8, p=1 (64 MiB, ~0.2 s here). Files with a lower cost are still read. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 16, r: 8, p: 1 };
/** Refuse to run scrypt beyond this (a hostile file must not exhaust memory). */
const MAX_SCRYPT_N = 2 ** 20;

export interface SealedKeyFile {
  v: 1;
  custody: Custody;
  /** Keychain account holding the share (custody keychain). */
  account?: string;
  /** The share, base64 (custody passphrase). */
  share?: string;
  /** Present when a passphrase share is used. */
  kdf?: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  iv: string;
  tag: string;
  ciphertext: string;
}

const scrypt = (password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const options: ScryptOptions = {
      N: params.N,
      r: params.r,
      p: params.p,
      maxmem: 256 * params.N * params.r + 1024 * 1024,
    };
    scryptCb(password.normalize('NFC'), salt, 32, options, (err, key) => (err ? reject(err) : resolve(key)));
  });

const xor = (a: Buffer, b: Buffer): Buffer => {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
};

function aad(file: Pick<SealedKeyFile, 'v' | 'custody' | 'account' | 'kdf'>): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: file.v,
      custody: file.custody,
      account: file.account ?? null,
      kdf: file.kdf ?? null,
    }),
  );
}

/** Encrypts PKCS#8 under a data key with AES-256-GCM, producing the cipher fields of a sealed file. */
function encryptWith(
  dataKey: Buffer,
  pkcs8: Uint8Array,
  header: Pick<SealedKeyFile, 'v' | 'custody' | 'account' | 'kdf'>,
) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(aad(header));
  const ciphertext = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

export interface SealOptions {
  custody: Custody;
  passphrase?: string;
  keychain?: Keychain;
  scrypt?: ScryptParams;
}

export interface SealResult {
  file: SealedKeyFile;
  /** The data key, kept in memory by the identity service to re-seal a renewed key without asking again. */
  dataKey: Buffer;
}

/**
 * Seals a PKCS#8 key. Custody `keychain` stores the share in the keychain (ERR_KEYCHAIN_UNAVAILABLE when it
 * cannot); custody `passphrase` requires a passphrase (ERR_PASSPHRASE_REQUIRED).
 */
export async function sealKey(pkcs8: Uint8Array, options: SealOptions): Promise<SealResult> {
  const passphrase = options.passphrase;
  if (options.custody === 'passphrase' && !passphrase) throw new HelmlinkError('ERR_PASSPHRASE_REQUIRED');
  if (passphrase !== undefined && passphrase.length === 0) throw new HelmlinkError('ERR_PASSPHRASE_REQUIRED');
  const dataKey = randomBytes(32);
  let kdf: SealedKeyFile['kdf'];
  let share: Buffer = dataKey;
  if (passphrase) {
    const params = options.scrypt ?? DEFAULT_SCRYPT;
    const salt = randomBytes(16);
    kdf = { name: 'scrypt', ...params, salt: salt.toString('base64') };
    share = xor(dataKey, await scrypt(passphrase, salt, params));
  }
  const header: Pick<SealedKeyFile, 'v' | 'custody' | 'account' | 'kdf'> = { v: 1, custody: options.custody };
  if (kdf) header.kdf = kdf;
  const file: SealedKeyFile = { ...header, iv: '', tag: '', ciphertext: '' };
  if (options.custody === 'keychain') {
    if (!options.keychain) throw new TypeError('keychain custody needs a keychain');
    const account = `data-key-${randomBytes(8).toString('hex')}`;
    header.account = account;
    file.account = account;
    await options.keychain.set(account, share.toString('base64'));
  } else {
    file.share = share.toString('base64');
  }
  Object.assign(file, encryptWith(dataKey, pkcs8, header));
  return { file, dataKey };
}

/** Re-encrypts a new PKCS#8 key (after renewal) under the same data key and shares. */
export function resealKey(file: SealedKeyFile, dataKey: Buffer, pkcs8: Uint8Array): SealedKeyFile {
  return { ...file, ...encryptWith(dataKey, pkcs8, file) };
}

/** True when opening the file needs a passphrase. */
export const needsPassphrase = (file: SealedKeyFile): boolean => file.kdf !== undefined;

/** Recovers the data key. ERR_IDENTITY_LOCKED without a needed passphrase; ERR_KEYCHAIN_ENTRY_MISSING; ERR_KEYCHAIN_UNAVAILABLE. */
export async function recoverDataKey(
  file: SealedKeyFile,
  options: { passphrase?: string; keychain?: Keychain },
): Promise<Buffer> {
  let share: Buffer;
  if (file.custody === 'keychain') {
    if (!options.keychain || !file.account)
      throw new HelmlinkError('ERR_KEYCHAIN_UNAVAILABLE', 'the key file needs the OS keychain');
    const stored = await options.keychain.get(file.account);
    if (stored === null) throw new HelmlinkError('ERR_KEYCHAIN_ENTRY_MISSING');
    share = Buffer.from(stored, 'base64');
  } else {
    share = Buffer.from(file.share ?? '', 'base64');
  }
  if (share.length !== 32) throw new HelmlinkError('ERR_KEY_DECRYPT', 'the stored key share is damaged');
  if (!file.kdf) return share;
  if (!options.passphrase) throw new HelmlinkError('ERR_IDENTITY_LOCKED');
  if (file.kdf.name !== 'scrypt' || file.kdf.N > MAX_SCRYPT_N || file.kdf.r > 32 || file.kdf.p > 16) {
    throw new HelmlinkError('ERR_KEY_UNSUPPORTED', 'unsupported key derivation parameters');
  }
  return xor(share, await scrypt(options.passphrase, Buffer.from(file.kdf.salt, 'base64'), file.kdf));
}

/** Decrypts the PKCS#8 key with the data key. ERR_KEY_DECRYPT on a wrong passphrase or a damaged file. */
export function openWithDataKey(file: SealedKeyFile, dataKey: Buffer): Uint8Array {
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(file.iv, 'base64'));
    decipher.setAAD(aad(file));
    decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
    return new Uint8Array(
      Buffer.concat([decipher.update(Buffer.from(file.ciphertext, 'base64')), decipher.final()]),
    );
  } catch (cause) {
    throw new HelmlinkError('ERR_KEY_DECRYPT', undefined, { cause });
  }
}

/** Removes the keychain entry of a sealed file (when it has one). */
export async function destroySealedKey(file: SealedKeyFile, keychain: Keychain | undefined): Promise<void> {
  if (file.custody === 'keychain' && file.account && keychain) await keychain.delete(file.account);
}

/** Constant-time comparison of two data keys (tests and integrity checks). */
export const sameKey = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);
