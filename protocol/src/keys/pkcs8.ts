/**
 * Private keys at rest: PKCS#8 `EncryptedPrivateKeyInfo` with PBES2 (RFC 8018) = PBKDF2-HMAC-SHA256 + AES-256-CBC,
 * built with @peculiar/asn1-schema and WebCrypto, so OpenSSL (`openssl pkey -in key.pem`) and Node
 * (`crypto.createPrivateKey({ key, passphrase })`) read the same file. 600,000 PBKDF2 iterations by default
 * (OWASP 2023 for PBKDF2-HMAC-SHA256); an empty passphrase is refused with ERR_PASSPHRASE_REQUIRED.
 */
import { AsnConvert, AsnProp, AsnPropTypes, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { EncryptedData, EncryptedPrivateKeyInfo, PrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import { HelmlinkError } from '../errors';
import { decodePem, encodePem } from '../pki/pem';
import { webCryptoAlgorithm, type RsaScheme } from './generate';
import { KEY_OIDS, type KeySpec } from './types';

const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';
const OID_HMAC_SHA256 = '1.2.840.113549.2.9';
const OID_AES256_CBC = '2.16.840.1.101.3.4.1.42';

/** Default and minimum PBKDF2 iteration count for keys written by Helmlink. */
export const PBKDF2_ITERATIONS = 600_000;
/** Iteration counts above this are refused when reading (a hostile file must not pin the CPU). */
export const PBKDF2_MAX_ITERATIONS = 10_000_000;

/** ASN.1 PBKDF2-params (RFC 8018 A.2); shared with the console's PKCS#12 reader. */
export class Pbkdf2Params {
  @AsnProp({ type: AsnPropTypes.OctetString })
  salt: ArrayBuffer = new ArrayBuffer(0);

  @AsnProp({ type: AsnPropTypes.Integer })
  iterationCount = 0;

  @AsnProp({ type: AsnPropTypes.Integer, optional: true })
  keyLength?: number;

  @AsnProp({ type: AlgorithmIdentifier, optional: true })
  prf?: AlgorithmIdentifier;

  constructor(params: Partial<Pbkdf2Params> = {}) {
    Object.assign(this, params);
  }
}

/** ASN.1 PBES2-params (RFC 8018 A.4); shared with the console's PKCS#12 reader. */
export class Pbes2Params {
  @AsnProp({ type: AlgorithmIdentifier })
  keyDerivationFunc = new AlgorithmIdentifier();

  @AsnProp({ type: AlgorithmIdentifier })
  encryptionScheme = new AlgorithmIdentifier();

  constructor(params: Partial<Pbes2Params> = {}) {
    Object.assign(this, params);
  }
}

export interface EncryptKeyOptions {
  /** PBKDF2 iterations, at least {@link PBKDF2_ITERATIONS}. */
  iterations?: number;
}

export interface DecryptKeyOptions {
  /**
   * The lowest PBKDF2 iteration count accepted. Default {@link PBKDF2_ITERATIONS}; lower it explicitly to import
   * keys written by other tools (OpenSSL 3 writes 2048 by default).
   */
  minIterations?: number;
}

const encoder = new TextEncoder();

function assertPassphrase(passphrase: string): void {
  if (typeof passphrase !== 'string') throw new TypeError('passphrase must be a string');
  if (passphrase.length === 0) throw new HelmlinkError('ERR_PASSPHRASE_REQUIRED');
}

const buf = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

async function deriveAesKey(
  passphrase: string,
  salt: ArrayBuffer,
  iterations: number,
  usage: KeyUsage,
): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', encoder.encode(passphrase), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    base,
    { name: 'AES-CBC', length: 256 },
    false,
    [usage],
  );
}

/** Exports a private CryptoKey as PKCS#8 DER. */
export async function exportPkcs8(key: CryptoKey): Promise<Uint8Array> {
  if (key.type !== 'private') throw new TypeError('exportPkcs8 needs a private key');
  return new Uint8Array(await crypto.subtle.exportKey('pkcs8', key));
}

/**
 * Encrypts a private key (CryptoKey or PKCS#8 DER) under a passphrase and returns PEM
 * `ENCRYPTED PRIVATE KEY`. Throws ERR_PASSPHRASE_REQUIRED for an empty passphrase.
 */
export async function encryptPrivateKey(
  key: CryptoKey | Uint8Array,
  passphrase: string,
  options: EncryptKeyOptions = {},
): Promise<string> {
  assertPassphrase(passphrase);
  const iterations = options.iterations ?? PBKDF2_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < PBKDF2_ITERATIONS) {
    throw new TypeError(`PBKDF2 iterations must be an integer >= ${PBKDF2_ITERATIONS}`);
  }
  const pkcs8 = key instanceof Uint8Array ? key : await exportPkcs8(key);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(16));
  const aes = await deriveAesKey(passphrase, buf(salt), iterations, 'encrypt');
  const ciphertext = await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, aes, buf(pkcs8));
  const kdf = new Pbkdf2Params({
    salt: buf(salt),
    iterationCount: iterations,
    prf: new AlgorithmIdentifier({ algorithm: OID_HMAC_SHA256, parameters: null }),
  });
  const params = new Pbes2Params({
    keyDerivationFunc: new AlgorithmIdentifier({
      algorithm: OID_PBKDF2,
      parameters: AsnConvert.serialize(kdf),
    }),
    encryptionScheme: new AlgorithmIdentifier({
      algorithm: OID_AES256_CBC,
      parameters: AsnConvert.serialize(new OctetString(iv)),
    }),
  });
  const info = new EncryptedPrivateKeyInfo({
    encryptionAlgorithm: new AlgorithmIdentifier({
      algorithm: OID_PBES2,
      parameters: AsnConvert.serialize(params),
    }),
    encryptedData: new EncryptedData(ciphertext),
  });
  return encodePem('ENCRYPTED PRIVATE KEY', AsnConvert.serialize(info));
}

function unsupported(message: string): HelmlinkError {
  return new HelmlinkError('ERR_KEY_UNSUPPORTED', message);
}

/**
 * Decrypts PEM `ENCRYPTED PRIVATE KEY` (or its DER) to PKCS#8 DER. Accepts PBES2 with PBKDF2-HMAC-SHA256 and
 * AES-256-CBC only. Throws ERR_PASSPHRASE_REQUIRED, ERR_KEY_UNSUPPORTED (other schemes, too few or too many
 * iterations), ERR_KEY_DECRYPT (wrong passphrase or damaged file) or ERR_INPUT_INVALID (not a key file).
 */
export async function decryptPrivateKey(
  data: string | Uint8Array,
  passphrase: string,
  options: DecryptKeyOptions = {},
): Promise<Uint8Array> {
  assertPassphrase(passphrase);
  let der: Uint8Array | undefined;
  if (typeof data === 'string') {
    der = decodePem(data).find((b) => b.label === 'ENCRYPTED PRIVATE KEY')?.der;
    if (!der) throw new HelmlinkError('ERR_INPUT_INVALID', 'no ENCRYPTED PRIVATE KEY block found');
  } else {
    der = data;
  }
  let info: EncryptedPrivateKeyInfo;
  let pbes2: Pbes2Params;
  let kdf: Pbkdf2Params;
  try {
    info = AsnConvert.parse(buf(der), EncryptedPrivateKeyInfo);
    if (info.encryptionAlgorithm.algorithm !== OID_PBES2 || !info.encryptionAlgorithm.parameters)
      throw unsupported('only PBES2 encrypted keys are accepted');
    pbes2 = AsnConvert.parse(info.encryptionAlgorithm.parameters, Pbes2Params);
    if (pbes2.keyDerivationFunc.algorithm !== OID_PBKDF2 || !pbes2.keyDerivationFunc.parameters)
      throw unsupported('only PBKDF2 key derivation is accepted');
    kdf = AsnConvert.parse(pbes2.keyDerivationFunc.parameters, Pbkdf2Params);
  } catch (cause) {
    if (cause instanceof HelmlinkError) throw cause;
    throw new HelmlinkError('ERR_INPUT_INVALID', 'the encrypted private key cannot be parsed', { cause });
  }
  if (kdf.prf?.algorithm !== OID_HMAC_SHA256) throw unsupported('only PBKDF2 with HMAC-SHA256 is accepted');
  if (pbes2.encryptionScheme.algorithm !== OID_AES256_CBC || !pbes2.encryptionScheme.parameters)
    throw unsupported('only AES-256-CBC is accepted');
  const minIterations = options.minIterations ?? PBKDF2_ITERATIONS;
  if (kdf.iterationCount < minIterations || kdf.iterationCount > PBKDF2_MAX_ITERATIONS) {
    throw unsupported(
      `PBKDF2 iteration count ${kdf.iterationCount} is outside [${minIterations}, ${PBKDF2_MAX_ITERATIONS}]`,
    );
  }
  const iv = AsnConvert.parse(pbes2.encryptionScheme.parameters, OctetString);
  if (iv.byteLength !== 16) throw unsupported('the AES-CBC IV must be 16 bytes');
  const aes = await deriveAesKey(passphrase, kdf.salt, kdf.iterationCount, 'decrypt');
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: 'AES-CBC', iv: iv.buffer }, aes, info.encryptedData.buffer);
    AsnConvert.parse(plain, PrivateKeyInfo);
  } catch (cause) {
    throw new HelmlinkError('ERR_KEY_DECRYPT', undefined, { cause });
  }
  return new Uint8Array(plain);
}

/** The key specification of a PKCS#8 private key. Throws ERR_KEY_UNSUPPORTED outside the key policy. */
export async function pkcs8KeySpec(pkcs8: Uint8Array): Promise<KeySpec> {
  let info: PrivateKeyInfo;
  try {
    info = AsnConvert.parse(buf(pkcs8), PrivateKeyInfo);
  } catch (cause) {
    throw new HelmlinkError('ERR_INPUT_INVALID', 'not a PKCS#8 private key', { cause });
  }
  const oid = info.privateKeyAlgorithm.algorithm;
  if (oid === KEY_OIDS.ed25519) return 'ed25519';
  if (oid === KEY_OIDS.ecPublicKey) {
    const params = info.privateKeyAlgorithm.parameters
      ? new Uint8Array(info.privateKeyAlgorithm.parameters)
      : new Uint8Array();
    const hex = Array.from(params, (b) => b.toString(16).padStart(2, '0')).join('');
    if (hex === '06082a8648ce3d030107') return 'ecdsa-p256';
    if (hex === '06052b81040022') return 'ecdsa-p384';
    throw unsupported('only the P-256 and P-384 curves are accepted');
  }
  if (oid === KEY_OIDS.rsaEncryption) {
    const key = await crypto.subtle.importKey(
      'pkcs8',
      buf(pkcs8),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      true,
      ['sign'],
    );
    const bits = (key.algorithm as RsaHashedKeyAlgorithm).modulusLength;
    if (bits < 3072)
      throw new HelmlinkError('ERR_KEY_WEAK', `RSA keys need at least 3072 bits (got ${bits})`);
    if (bits === 3072) return 'rsa-3072';
    if (bits === 4096) return 'rsa-4096';
    throw unsupported(`RSA keys must have 3072 or 4096 bits (got ${bits})`);
  }
  throw unsupported(`private key algorithm ${oid} is not accepted`);
}

export interface ImportKeyOptions {
  /** RSA only: `pkcs1` for X.509 signatures (default), `pss` for JWS PS256. */
  rsaScheme?: RsaScheme;
  /** Whether the imported key may be exported again. Default false. */
  extractable?: boolean;
}

/** Imports a PKCS#8 private key as a signing CryptoKey after checking it against the key policy. */
export async function importPrivateKey(
  pkcs8: Uint8Array,
  options: ImportKeyOptions = {},
): Promise<CryptoKey> {
  const spec = await pkcs8KeySpec(pkcs8);
  return crypto.subtle.importKey(
    'pkcs8',
    buf(pkcs8),
    webCryptoAlgorithm(spec, options.rsaScheme),
    options.extractable ?? false,
    ['sign'],
  );
}

/** Decrypts PEM `ENCRYPTED PRIVATE KEY` and imports it as a signing CryptoKey. */
export async function decryptAndImportPrivateKey(
  data: string | Uint8Array,
  passphrase: string,
  options: DecryptKeyOptions & ImportKeyOptions = {},
): Promise<CryptoKey> {
  return importPrivateKey(await decryptPrivateKey(data, passphrase, options), options);
}

/** Derives the public key of a private key (via a JWK round trip; the private key must be extractable). */
export async function publicKeyOf(privateKey: CryptoKey): Promise<CryptoKey> {
  const jwk = await crypto.subtle.exportKey('jwk', privateKey);
  delete jwk.d;
  delete jwk.p;
  delete jwk.q;
  delete jwk.dp;
  delete jwk.dq;
  delete jwk.qi;
  jwk.key_ops = ['verify'];
  return crypto.subtle.importKey('jwk', jwk, privateKey.algorithm, true, ['verify']);
}
