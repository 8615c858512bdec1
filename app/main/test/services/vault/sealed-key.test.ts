import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { isHelmlinkError } from '@helmlink/protocol';
import {
  needsPassphrase,
  openWithDataKey,
  recoverDataKey,
  resealKey,
  sealKey,
} from '../../../src/services/vault/sealed-key';
import { TEST_SCRYPT } from '../../helpers/console';

const pkcs8 = new Uint8Array(randomBytes(138));

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (isHelmlinkError(err)) return err.code;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('sealed private key (AES-256-GCM under a random data key)', () => {
  it('opens with the passphrase only, and refuses a wrong or missing one', async () => {
    const { file, dataKey } = await sealKey(pkcs8, {
      custody: 'passphrase',
      passphrase: 'pw',
      scrypt: TEST_SCRYPT,
    });
    expect(needsPassphrase(file)).toBe(true);
    expect(file.ciphertext).not.toContain(Buffer.from(pkcs8).toString('base64').slice(0, 20));
    const recovered = await recoverDataKey(file, { passphrase: 'pw' });
    expect(recovered.equals(dataKey)).toBe(true);
    expect(Buffer.from(openWithDataKey(file, recovered)).equals(Buffer.from(pkcs8))).toBe(true);
    expect(await codeOf(recoverDataKey(file, {}))).toBe('ERR_IDENTITY_LOCKED');
    expect(
      await codeOf(async () => openWithDataKey(file, await recoverDataKey(file, { passphrase: 'wrong' }))),
    ).toBe('ERR_KEY_DECRYPT');
  });

  it('refuses passphrase-only custody without a passphrase', async () => {
    expect(await codeOf(sealKey(pkcs8, { custody: 'passphrase' }))).toBe('ERR_PASSPHRASE_REQUIRED');
    expect(await codeOf(sealKey(pkcs8, { custody: 'passphrase', passphrase: '' }))).toBe(
      'ERR_PASSPHRASE_REQUIRED',
    );
  });

  it('binds the header: changing custody or KDF parameters breaks decryption', async () => {
    const { file, dataKey } = await sealKey(pkcs8, {
      custody: 'passphrase',
      passphrase: 'pw',
      scrypt: TEST_SCRYPT,
    });
    expect(await codeOf(() => openWithDataKey({ ...file, kdf: { ...file.kdf!, N: 2 ** 15 } }, dataKey))).toBe(
      'ERR_KEY_DECRYPT',
    );
    const tampered = Buffer.from(file.ciphertext, 'base64');
    tampered[0]! ^= 1;
    expect(
      await codeOf(() => openWithDataKey({ ...file, ciphertext: tampered.toString('base64') }, dataKey)),
    ).toBe('ERR_KEY_DECRYPT');
  });

  it('re-seals a renewed key under the same data key with a fresh IV', async () => {
    const { file, dataKey } = await sealKey(pkcs8, {
      custody: 'passphrase',
      passphrase: 'pw',
      scrypt: TEST_SCRYPT,
    });
    const next = new Uint8Array(randomBytes(138));
    const resealed = resealKey(file, dataKey, next);
    expect(resealed.iv).not.toBe(file.iv);
    expect(resealed.kdf).toEqual(file.kdf);
    expect(
      Buffer.from(openWithDataKey(resealed, await recoverDataKey(resealed, { passphrase: 'pw' }))).equals(
        Buffer.from(next),
      ),
    ).toBe(true);
  });

  it('refuses hostile KDF parameters', async () => {
    const { file } = await sealKey(pkcs8, { custody: 'passphrase', passphrase: 'pw', scrypt: TEST_SCRYPT });
    expect(
      await codeOf(recoverDataKey({ ...file, kdf: { ...file.kdf!, N: 2 ** 24 } }, { passphrase: 'pw' })),
    ).toBe('ERR_KEY_UNSUPPORTED');
  });
});
