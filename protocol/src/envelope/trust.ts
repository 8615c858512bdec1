/**
 * The trust a verifier works with: anchors, optional intermediates, CRLs (a list or a provider with a generation
 * counter), the revocation policy and the path validator. It owns a cache of validated signers keyed by the raw
 * `alg` + x5c strings, so a warm verification parses no certificate, builds no path and imports no key: the entry
 * holds the imported public key and is used only while the verification time lies inside the path's validity
 * window (latest notBefore … earliest notAfter / CRL nextUpdate + grace) and the CRL generation is unchanged.
 */
import '../reflect';
import * as x509 from '@peculiar/x509';
import { HelmlinkError } from '../errors';
import { base64ToBytes } from '../pki/pem';
import type { CrlInput } from '../pki/crl';
import type { PathValidationOptions, RevocationPolicy } from '../pki/types';
import { validatePath as defaultValidatePath, type ValidatedPathResult } from '../pki/validate';
import { ChainCache } from '../pki/cache';
import { checkHeader, decodeJsonSegment } from './header';
import { MIN_RSA_BITS, type EnvelopeHeader, type SignerInfo, type TokenTyp } from './types';
import { type JwsAlgorithm } from '../vocabulary/algorithms';

/** Validates a certification path (the PKI module's `validatePath`, or another with the same contract). */
export type PathValidator = (
  leaf: x509.X509Certificate,
  options: PathValidationOptions,
) => Promise<ValidatedPathResult>;

/**
 * CRLs that change over time; `generation` increases whenever the set changes, which invalidates cached paths.
 * The PKI module's CrlStore is one (the vessel feeds it CRLs from MQTT and HTTPS).
 */
export interface CrlProvider {
  readonly generation: number;
  crls(): readonly CrlInput[];
}

/**
 * Checks a JWS signature with the signer's imported key. The default uses WebCrypto (`crypto.subtle.verify`);
 * Node callers may pass `nodeSignatureVerifier` from `@helmlink/protocol/node` (same check, synchronous).
 * `data` is a reused buffer: a verifier must consume (or copy) it before it returns, as WebCrypto does.
 */
export type SignatureVerifier = (
  alg: JwsAlgorithm,
  key: CryptoKey,
  signature: Uint8Array,
  data: Uint8Array,
) => boolean | Promise<boolean>;

/** The default signature check: WebCrypto with the JWS algorithm's parameters. */
export const webCryptoSignatureVerifier: SignatureVerifier = (alg, key, signature, data) =>
  globalThis.crypto.subtle.verify(
    verifyParams(alg),
    key,
    signature as Uint8Array<ArrayBuffer>,
    data as Uint8Array<ArrayBuffer>,
  );

export interface TrustOptions {
  /** Trusted roots. A root inside x5c is never an anchor. */
  trustAnchors: readonly x509.X509Certificate[];
  /** Extra untrusted intermediates (x5c normally carries the issuing CA). */
  intermediates?: readonly x509.X509Certificate[];
  /** CRLs, as a fixed list or a provider (e.g. CrlStore) whose generation changes when a newer CRL arrives. */
  crls?: readonly CrlInput[] | CrlProvider;
  /** Revocation policy passed to path validation (`leaf` requires the signer's CRL). */
  revocation: RevocationPolicy;
  /** The path validator (default: the PKI module's validatePath). */
  validatePath?: PathValidator;
  /**
   * Cache of validated paths keyed by the raw x5c strings (default: a new ChainCache of 1024 entries; `false`
   * validates every token). One cache per trust configuration: never share it between different anchors.
   */
  chainCache?: ChainCache | false;
  /** The signature check (default: WebCrypto). */
  signatureVerifier?: SignatureVerifier;
}

interface HeaderEntry {
  raw: Record<string, unknown>;
  chainKey: string;
  checked: Map<string, EnvelopeHeader>;
}

/** A checked protected header, with the keys the caches use. */
export interface CheckedHeader {
  header: EnvelopeHeader;
  /** The x5c strings joined: the chain cache key ('' when the header names its signer by x5t#S256). */
  chainKey: string;
  /** typ and allow-list the header was checked against. */
  rulesKey: string;
  /** The decoded header when it was not served from the cache. */
  raw?: Record<string, unknown>;
}

/** A signer whose path was validated and whose key is imported. */
export interface TrustedSigner {
  key: CryptoKey;
  path: ValidatedPathResult;
  info: SignerInfo;
}

function isProvider(crls: TrustOptions['crls']): crls is CrlProvider {
  return (
    typeof crls === 'object' &&
    crls !== null &&
    !Array.isArray(crls) &&
    typeof (crls as CrlProvider).crls === 'function'
  );
}

/** WebCrypto verify parameters per JWS algorithm (RFC 7518 §3.3–3.5, RFC 8037). */
export function verifyParams(alg: JwsAlgorithm): AlgorithmIdentifier | EcdsaParams | RsaPssParams {
  switch (alg) {
    case 'ES256':
      return { name: 'ECDSA', hash: 'SHA-256' };
    case 'ES384':
      return { name: 'ECDSA', hash: 'SHA-384' };
    case 'EdDSA':
      return { name: 'Ed25519' };
    case 'PS256':
      return { name: 'RSA-PSS', saltLength: 32 };
  }
}

/** WebCrypto import parameters for verifying each JWS algorithm. */
function importParams(alg: JwsAlgorithm): RsaHashedImportParams | EcKeyImportParams | Algorithm {
  switch (alg) {
    case 'ES256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ES384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'EdDSA':
      return { name: 'Ed25519' };
    case 'PS256':
      return { name: 'RSA-PSS', hash: 'SHA-256' };
  }
}

/**
 * Imports the signer's public key for `alg`; the key type must match the algorithm (no cross-algorithm use) and an
 * RSA key must have at least 3072 bits. Throws ERR_JOSE_ALG_NOT_ALLOWED otherwise.
 */
export async function importVerifyKey(cert: x509.X509Certificate, alg: JwsAlgorithm): Promise<CryptoKey> {
  let key: CryptoKey;
  try {
    key = await globalThis.crypto.subtle.importKey('spki', cert.publicKey.rawData, importParams(alg), false, [
      'verify',
    ]);
  } catch (err) {
    throw new HelmlinkError('ERR_JOSE_ALG_NOT_ALLOWED', `algorithm ${alg} does not match the signer's key`, {
      cause: err,
    });
  }
  if (alg === 'PS256' && ((key.algorithm as RsaHashedKeyAlgorithm).modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new HelmlinkError(
      'ERR_JOSE_ALG_NOT_ALLOWED',
      `PS256 needs an RSA key of at least ${MIN_RSA_BITS} bits`,
    );
  }
  return key;
}

/** The trust of a verifier, with its caches. Create once and reuse. */
export class Trust {
  private readonly chainCache: ChainCache | undefined;
  // Imported keys per validated path and alg; a path leaves the chain cache → its keys become garbage.
  private readonly signers = new WeakMap<ValidatedPathResult, Map<JwsAlgorithm, TrustedSigner>>();
  private readonly headers = new Map<string, HeaderEntry>();
  private lastHeader: { segment: string; entry: HeaderEntry } | undefined;
  private readonly validate: PathValidator;
  /** The signature check used by the verifiers. */
  readonly verifySignature: SignatureVerifier;

  constructor(private readonly options: TrustOptions) {
    if (!Array.isArray(options.trustAnchors) || options.trustAnchors.length === 0)
      throw new TypeError('at least one trust anchor is required');
    if (options.validatePath !== undefined && typeof options.validatePath !== 'function')
      throw new TypeError('validatePath must be a function');
    if (!options.revocation || !['off', 'leaf', 'chain'].includes(options.revocation.mode))
      throw new TypeError('a revocation policy is required');
    this.validate = options.validatePath ?? defaultValidatePath;
    if (options.signatureVerifier !== undefined && typeof options.signatureVerifier !== 'function')
      throw new TypeError('signatureVerifier must be a function');
    this.verifySignature = options.signatureVerifier ?? webCryptoSignatureVerifier;
    this.chainCache = options.chainCache === false ? undefined : (options.chainCache ?? new ChainCache());
  }

  /** The current CRL generation (0 for a fixed list). */
  get generation(): number {
    return isProvider(this.options.crls) ? this.options.crls.generation : 0;
  }

  /** Number of cached validated paths. */
  get cachedSigners(): number {
    return this.chainCache?.size ?? 0;
  }

  /** Number of remembered headers. */
  get cachedHeaders(): number {
    return this.headers.size;
  }

  /** Forgets every cached path and header. */
  clear(): void {
    this.chainCache?.clear();
    this.headers.clear();
    this.lastHeader = undefined;
  }

  /**
   * Decodes and checks a protected header segment (see checkHeader). Headers of tokens that verified are
   * remembered (see rememberHeader): a signer sends the same header bytes with every token, so a warm verification
   * neither decodes nor re-checks them. Also returns the chain cache key (the x5c strings joined), kept as one
   * string object so that its hash is computed once.
   */
  header(segment: string, typ: TokenTyp, algorithms: readonly JwsAlgorithm[]): CheckedHeader {
    const rulesKey = `${typ}|${algorithms.join(',')}`;
    // The last header seen is compared first: a plain string comparison, whereas a Map lookup hashes the whole
    // 2 KB segment of every token (a fresh string each time).
    const last = this.lastHeader;
    const entry = last !== undefined && last.segment === segment ? last.entry : this.headers.get(segment);
    if (entry) this.lastHeader = { segment, entry };
    const hit = entry?.checked.get(rulesKey);
    if (entry && hit) return { header: hit, chainKey: entry.chainKey, rulesKey };
    const raw = entry?.raw ?? decodeJsonSegment(segment, 'header');
    const header = checkHeader(raw, typ, algorithms);
    // A header naming its signer by x5t#S256 has no chain key: the chain comes from the verifier's certificates.
    return { header, chainKey: entry?.chainKey ?? header.x5c?.join('.') ?? '', rulesKey, raw };
  }

  /**
   * Remembers a checked header once its token's signature verified, so that only authentic signers' headers
   * occupy the cache (bounded to 1024 segments).
   */
  rememberHeader(segment: string, checked: CheckedHeader): void {
    if (!this.chainCache || !checked.raw) return;
    const entry = this.headers.get(segment);
    if (entry) {
      entry.checked.set(checked.rulesKey, checked.header);
      return;
    }
    if (this.headers.size >= 1024) this.headers.delete(this.headers.keys().next().value as string);
    this.headers.set(segment, {
      raw: checked.raw,
      chainKey: checked.chainKey,
      checked: new Map([[checked.rulesKey, checked.header]]),
    });
  }

  /**
   * Returns the validated signer of an x5c chain at `time` for `alg`: from the chain cache when the path is still
   * valid (time window, CRL generation), otherwise by parsing x5c and validating the path (clientAuth purpose);
   * the leaf key is imported once per path and alg.
   * @throws HelmlinkError ERR_JOSE_X5C_INVALID, any path validation code (ERR_CHAIN_*, ERR_CRL_*, ERR_CERT_*),
   *   ERR_CERT_PROFILE when the signer has no Helmlink identity, ERR_JOSE_ALG_NOT_ALLOWED.
   */
  async signer(
    x5c: readonly string[],
    alg: JwsAlgorithm,
    timeMs: number,
    chainKey?: string,
  ): Promise<TrustedSigner> {
    const cacheKey = chainKey ?? x5c.join('.');
    const generation = this.generation;
    let path = this.chainCache?.get(cacheKey, timeMs, generation);
    if (!path) {
      path = await this.validateX5c(x5c, timeMs);
      this.chainCache?.set(cacheKey, path, generation);
    }
    return this.signerOf(path, alg);
  }

  /**
   * The signer of a chain whose path is in the cache, valid at `timeMs` under the current CRL generation, and whose
   * key was already imported for `alg`; undefined otherwise (then {@link signer} validates and imports). Lets a warm
   * verification stay synchronous: no promise and no microtask per token.
   */
  cachedSigner(chainKey: string, alg: JwsAlgorithm, timeMs: number): TrustedSigner | undefined {
    const path = this.chainCache?.get(chainKey, timeMs, this.generation);
    return path && this.signers.get(path)?.get(alg);
  }

  private async signerOf(path: ValidatedPathResult, alg: JwsAlgorithm): Promise<TrustedSigner> {
    let byAlg = this.signers.get(path);
    if (!byAlg) {
      byAlg = new Map();
      this.signers.set(path, byAlg);
    }
    const known = byAlg.get(alg);
    if (known) return known;
    if (!path.identity)
      throw new HelmlinkError('ERR_CERT_PROFILE', 'the signer certificate carries no Helmlink identity');
    const signer: TrustedSigner = {
      key: await importVerifyKey(path.leaf, alg),
      path,
      info: {
        entityId: path.identity.entityId,
        roles: [...path.identity.roles],
        fingerprint: path.leafFingerprint,
        subject: path.leaf.subject,
      },
    };
    byAlg.set(alg, signer);
    return signer;
  }

  private async validateX5c(x5c: readonly string[], timeMs: number): Promise<ValidatedPathResult> {
    let certs: x509.X509Certificate[];
    try {
      certs = x5c.map((b64) => new x509.X509Certificate(base64ToBytes(b64) as Uint8Array<ArrayBuffer>));
    } catch (err) {
      throw new HelmlinkError('ERR_JOSE_X5C_INVALID', 'an x5c certificate cannot be parsed', { cause: err });
    }
    const [leaf, ...rest] = certs as [x509.X509Certificate, ...x509.X509Certificate[]];
    const crls = isProvider(this.options.crls) ? this.options.crls.crls() : (this.options.crls ?? []);
    return this.validate(leaf, {
      trustAnchors: this.options.trustAnchors,
      intermediates: [...rest, ...(this.options.intermediates ?? [])],
      crls,
      time: new Date(timeMs),
      purpose: 'clientAuth',
      revocation: this.options.revocation,
    });
  }
}

/** Creates the trust for verifiers. */
export function createTrust(options: TrustOptions): Trust {
  return new Trust(options);
}
