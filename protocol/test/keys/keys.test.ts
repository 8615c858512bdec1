import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkPublicKeyPolicy,
  checkSignatureAlgorithm,
  decryptAndImportPrivateKey,
  decryptPrivateKey,
  encryptPrivateKey,
  exportPkcs8,
  generateKeyPair,
  jwsAlgForKey,
  jwsAlgForSpec,
  keySpecOf,
  publicKeyOf,
  type KeySpec,
} from '../../src/keys';

const spki = async (key: CryptoKey): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.exportKey('spki', key));
const nodeSpki = (type: 'rsa' | 'ec', opts: object): Uint8Array =>
  new Uint8Array(
    (generateKeyPairSync(type as 'rsa', opts as never).publicKey as unknown as KeyObject).export({
      type: 'spki',
      format: 'der',
    }),
  );

describe('generateKeyPair + checkPublicKeyPolicy', () => {
  it.each<KeySpec>(['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa-3072'])(
    'generates %s keys that pass the policy',
    async (spec) => {
      const pair = await generateKeyPair(spec);
      expect(keySpecOf(pair.privateKey)).toBe(spec);
      expect(await checkPublicKeyPolicy(await spki(pair.publicKey))).toBe(spec);
    },
  );

  it('reads the common encodings by their fixed bytes and everything else by a full parse, with the same answers', async () => {
    for (const curve of ['P-256', 'P-384']) {
      const der = nodeSpki('ec', { namedCurve: curve });
      const spec = curve === 'P-256' ? 'ecdsa-p256' : 'ecdsa-p384';
      expect(await checkPublicKeyPolicy(der)).toBe(spec);
      // The same key with a compressed point (other length): the full parse, the same specification.
      const { ECDH } = await import('node:crypto');
      const size = curve === 'P-256' ? 65 : 97;
      const point = der.subarray(der.length - size);
      const compressed = ECDH.convertKey(
        point,
        curve === 'P-256' ? 'prime256v1' : 'secp384r1',
        undefined,
        undefined,
        'compressed',
      ) as Buffer;
      const algorithm = der.subarray(2, der.length - size - 3);
      const bitString = Uint8Array.of(0x03, compressed.length + 1, 0, ...compressed);
      const body = Uint8Array.of(...algorithm, ...bitString);
      expect(await checkPublicKeyPolicy(Uint8Array.of(0x30, body.length, ...body))).toBe(spec);
    }
    // A fixed prefix with a byte after the key is not the fixed structure: the full parse answers (as before).
    const p256 = nodeSpki('ec', { namedCurve: 'P-256' });
    expect(await checkPublicKeyPolicy(Uint8Array.of(...p256, 0))).toBe('ecdsa-p256');
    // Same length, another named curve (…3.1.7 → …3.1.8): not the fixed bytes, refused by the full parse.
    const otherCurve = Uint8Array.from(p256);
    otherCurve[22] = 0x08;
    await expect(checkPublicKeyPolicy(otherCurve)).rejects.toMatchObject({ code: 'ERR_KEY_UNSUPPORTED' });
  });

  it('refuses an unknown key specification', async () => {
    await expect(generateKeyPair('rsa-2048' as KeySpec)).rejects.toMatchObject({
      code: 'ERR_KEY_UNSUPPORTED',
    });
  });

  it('refuses RSA 2048 as weak, RSA 3584 and other curves as unsupported', async () => {
    await expect(checkPublicKeyPolicy(nodeSpki('rsa', { modulusLength: 2048 }))).rejects.toMatchObject({
      code: 'ERR_KEY_WEAK',
    });
    await expect(checkPublicKeyPolicy(nodeSpki('rsa', { modulusLength: 3584 }))).rejects.toMatchObject({
      code: 'ERR_KEY_UNSUPPORTED',
    });
    await expect(checkPublicKeyPolicy(nodeSpki('ec', { namedCurve: 'P-521' }))).rejects.toMatchObject({
      code: 'ERR_KEY_UNSUPPORTED',
    });
    await expect(checkPublicKeyPolicy(nodeSpki('ec', { namedCurve: 'secp256k1' }))).rejects.toMatchObject({
      code: 'ERR_KEY_UNSUPPORTED',
    });
    await expect(checkPublicKeyPolicy(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      code: 'ERR_INPUT_INVALID',
    });
  });

  it('refuses MD5 and SHA-1 signature algorithms', () => {
    expect(() => checkSignatureAlgorithm('1.2.840.113549.1.1.4')).toThrow(
      expect.objectContaining({ code: 'ERR_SIG_ALG_WEAK' }),
    );
    expect(() => checkSignatureAlgorithm('1.2.840.113549.1.1.5')).toThrow(
      expect.objectContaining({ code: 'ERR_SIG_ALG_WEAK' }),
    );
    expect(() => checkSignatureAlgorithm('1.2.840.10045.4.1')).toThrow(
      expect.objectContaining({ code: 'ERR_SIG_ALG_WEAK' }),
    );
    expect(() => checkSignatureAlgorithm('1.2.3.4')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_UNSUPPORTED' }),
    );
    expect(checkSignatureAlgorithm('1.2.840.10045.4.3.2')).toBe('ecdsa-with-SHA256');
  });
});

describe('JWS algorithm mapping', () => {
  it('maps specs and keys', async () => {
    expect(jwsAlgForSpec('ecdsa-p256')).toBe('ES256');
    expect(jwsAlgForSpec('ecdsa-p384')).toBe('ES384');
    expect(jwsAlgForSpec('ed25519')).toBe('EdDSA');
    expect(jwsAlgForSpec('rsa-4096')).toBe('PS256');
    expect(jwsAlgForKey((await generateKeyPair('ed25519')).privateKey)).toBe('EdDSA');
  });

  it('needs an RSA key imported for PSS to sign PS256', async () => {
    const pkcs1 = await generateKeyPair('rsa-3072');
    expect(() => jwsAlgForKey(pkcs1.privateKey)).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_UNSUPPORTED' }),
    );
    const pem = await encryptPrivateKey(pkcs1.privateKey, 'pw');
    const pss = await decryptAndImportPrivateKey(pem, 'pw', { rsaScheme: 'pss' });
    expect(jwsAlgForKey(pss)).toBe('PS256');
  });
});

describe('encrypted PKCS#8 at rest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'helmlink-keys-'));

  it('round-trips and signs with the decrypted key; OpenSSL and Node read the file', async () => {
    const pair = await generateKeyPair('ecdsa-p256');
    const pem = await encryptPrivateKey(pair.privateKey, 'correct horse');
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/u);
    const key = await decryptAndImportPrivateKey(pem, 'correct horse');
    const data = new TextEncoder().encode('hello');
    const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, data);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pair.publicKey, sig, data)).toBe(
      true,
    );

    const file = join(dir, 'key.pem');
    writeFileSync(file, pem);
    const text = execFileSync(
      'openssl',
      ['pkey', '-in', file, '-passin', 'pass:correct horse', '-noout', '-text'],
      { encoding: 'utf8' },
    );
    expect(text).toContain('NIST CURVE: P-256');
    const asn1 = execFileSync('openssl', ['asn1parse', '-in', file], { encoding: 'utf8' });
    expect(asn1).toContain('PBES2');
    expect(asn1).toContain('hmacWithSHA256');
    expect(asn1).toContain('aes-256-cbc');
    expect(createPrivateKey({ key: pem, format: 'pem', passphrase: 'correct horse' }).asymmetricKeyType).toBe(
      'ec',
    );
  });

  it('reads a key encrypted by OpenSSL when the caller lowers the iteration floor', async () => {
    const plain = join(dir, 'plain.pem');
    const enc = join(dir, 'enc.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', plain]);
    execFileSync('openssl', [
      'pkcs8',
      '-topk8',
      '-v2',
      'aes-256-cbc',
      '-v2prf',
      'hmacWithSHA256',
      '-iter',
      '2048',
      '-in',
      plain,
      '-out',
      enc,
      '-passout',
      'pass:pw',
    ]);
    const pem = readFileSync(enc, 'utf8');
    await expect(decryptPrivateKey(pem, 'pw')).rejects.toMatchObject({ code: 'ERR_KEY_UNSUPPORTED' });
    const key = await decryptAndImportPrivateKey(pem, 'pw', { minIterations: 2048, extractable: true });
    expect(keySpecOf(key)).toBe('ed25519');
    expect(keySpecOf(await publicKeyOf(key))).toBe('ed25519');
  });

  it('refuses an empty passphrase, a wrong passphrase and garbage', async () => {
    const pair = await generateKeyPair('ed25519');
    await expect(encryptPrivateKey(pair.privateKey, '')).rejects.toMatchObject({
      code: 'ERR_PASSPHRASE_REQUIRED',
    });
    const pem = await encryptPrivateKey(await exportPkcs8(pair.privateKey), 'right');
    await expect(decryptPrivateKey(pem, '')).rejects.toMatchObject({ code: 'ERR_PASSPHRASE_REQUIRED' });
    await expect(decryptPrivateKey(pem, 'wrong')).rejects.toMatchObject({ code: 'ERR_KEY_DECRYPT' });
    await expect(decryptPrivateKey('nothing here', 'right')).rejects.toMatchObject({
      code: 'ERR_INPUT_INVALID',
    });
    await expect(encryptPrivateKey(pair.privateKey, 'x', { iterations: 1000 })).rejects.toThrow(TypeError);
  });
});
