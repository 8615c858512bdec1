/** Signing Helmlink tokens as compact JWS with jose (WebCrypto keys only). */
import '../reflect';
import type * as x509 from '@peculiar/x509';
import { CompactSign } from 'jose';
import { base64ToBytes, bytesToBase64, bytesToBase64Url as b64url } from '../pki/pem';
import { readIdentity } from '../pki/profile';
import type { StreamCatalog } from '../catalog/types';
import { parseCommand } from '../command/parse';
import type { Command } from '../command/schema';
import { checkStreamsSet } from '../command/check';
import { UUID_RE } from './claims';
import type { ErrorCode } from '../errors';
import { isErrorCode } from '../vocabulary/errors';
import { commandDigest } from './digest';
import { isReasonText } from './reason-text';
import {
  DEFAULT_LIFETIME_SECONDS,
  DEFAULT_STATE_LIFETIME_SECONDS,
  MAX_LIFETIME_SECONDS,
  MAX_STATE_LIFETIME_SECONDS,
  TYP_ACK,
  TYP_COMMAND,
  TYP_STATE,
  THUMBPRINT_TYPS,
  type AckClaims,
  type AckStatus,
  type CommandClaims,
  type StateClaims,
  type SignerReference,
  type StreamStateClaim,
  type TokenTyp,
} from './types';
import { JWS_ALGORITHMS, type JwsAlgorithm } from '../vocabulary/algorithms';
import { readClock, type Clock } from '../clock';

/** A signing identity: private key, certificate chain (leaf first) and the JWS algorithm. */
export interface Signer {
  alg: JwsAlgorithm;
  privateKey: CryptoKey;
  /** The entity id from the certificate CN (becomes `iss`). */
  entityId: string;
  /**
   * x5c: the signer certificate only, standard base64 DER. Verifiers are configured with the issuing CA as an
   * intermediate, so carrying it in every token would only cost ~0.9 KB on the link.
   */
  x5c: string[];
  /**
   * Optional raw signer producing the JWS signature for `alg` over the signing input with `privateKey` (e.g. a
   * synchronous node:crypto path on the vessel's hot path). Default: WebCrypto through jose.
   */
  signBytes?: (signingInput: Uint8Array) => Uint8Array | Promise<Uint8Array>;
}

export interface CreateSignerOptions {
  privateKey: CryptoKey;
  /** The signer certificate first, then intermediates. Only the signer certificate goes into x5c. */
  chain: readonly x509.X509Certificate[];
  /** The JWS algorithm; inferred from the key when omitted (P-256 → ES256, P-384 → ES384, Ed25519 → EdDSA, RSA-PSS → PS256). */
  alg?: JwsAlgorithm;
  /** See {@link Signer.signBytes}. */
  signBytes?: Signer['signBytes'];
}

/** The JWS algorithm for a private key, or TypeError when the key cannot sign Helmlink tokens. */
export function algorithmForKey(key: CryptoKey): JwsAlgorithm {
  const a = key.algorithm as EcKeyAlgorithm & RsaHashedKeyAlgorithm;
  if (a.name === 'ECDSA' && a.namedCurve === 'P-256') return 'ES256';
  if (a.name === 'ECDSA' && a.namedCurve === 'P-384') return 'ES384';
  if (a.name === 'Ed25519') return 'EdDSA';
  if (a.name === 'RSA-PSS') return 'PS256';
  throw new TypeError(`a ${a.name} key cannot sign Helmlink tokens`);
}

/**
 * Creates a signer from a private key and its certificate chain. The entity id comes from the certificate
 * (profile CN), so `iss` always equals what a verifier reads from x5c.
 */
export function createSigner(options: CreateSignerOptions): Signer {
  const [leaf] = options.chain;
  if (!leaf) throw new TypeError('the certificate chain is empty');
  if (options.privateKey.type !== 'private') throw new TypeError('privateKey must be a private key');
  const alg = options.alg ?? algorithmForKey(options.privateKey);
  if (!(JWS_ALGORITHMS as readonly string[]).includes(alg))
    throw new TypeError(`unsupported algorithm ${alg}`);
  const x5c = [bytesToBase64(new Uint8Array(leaf.rawData))];
  const signer: Signer = { alg, privateKey: options.privateKey, entityId: readIdentity(leaf).entityId, x5c };
  if (options.signBytes) signer.signBytes = options.signBytes;
  return signer;
}

// Protected headers per signer, typ and signer reference (they never change for a signer), as objects and encoded.
const headers = new WeakMap<Signer, Map<string, { header: object; segment: string }>>();

/** The `x5t#S256` of the signer certificate: base64url SHA-256 of its DER (RFC 7515 §4.1.8). */
export async function signerThumbprint(signer: Signer): Promise<string> {
  const der = base64ToBytes(signer.x5c[0]!) as Uint8Array<ArrayBuffer>;
  return b64url(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', der)));
}

async function protectedHeader(
  signer: Signer,
  typ: TokenTyp,
  reference: SignerReference,
): Promise<{ header: object; segment: string }> {
  let byKey = headers.get(signer);
  if (!byKey) headers.set(signer, (byKey = new Map()));
  const key = `${typ}|${reference}`;
  let entry = byKey.get(key);
  if (entry === undefined) {
    const header =
      reference === 'x5t#S256'
        ? { alg: signer.alg, typ, 'x5t#S256': await signerThumbprint(signer) }
        : { alg: signer.alg, typ, x5c: signer.x5c };
    entry = { header, segment: b64url(new TextEncoder().encode(JSON.stringify(header))) };
    byKey.set(key, entry);
  }
  return entry;
}

/**
 * Signs `claims` as a compact JWS of type `typ` (header: alg, typ and the signer certificate in x5c or, for the
 * token types that allow it, named by x5t#S256).
 */
export async function signToken(
  signer: Signer,
  typ: TokenTyp,
  claims: object,
  reference: SignerReference = 'x5c',
): Promise<string> {
  if (reference !== 'x5c' && !(reference === 'x5t#S256' && THUMBPRINT_TYPS.includes(typ)))
    throw new TypeError(`a ${typ} names its signer in x5c`);
  const { header, segment } = await protectedHeader(signer, typ, reference);
  if (signer.signBytes) {
    // The same compact serialization jose writes: base64url(header JSON) . base64url(claims JSON) . base64url(sig)
    const encoder = new TextEncoder();
    const input = `${segment}.${b64url(encoder.encode(JSON.stringify(claims)))}`;
    return `${input}.${b64url(await signer.signBytes(encoder.encode(input)))}`;
  }
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader(header as { alg: JwsAlgorithm })
    .sign(signer.privateKey);
}

function lifetimeOf(seconds: number | undefined): number {
  const lifetime = seconds ?? DEFAULT_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime <= 0 || lifetime > MAX_LIFETIME_SECONDS) {
    throw new TypeError(`lifetime must be an integer in 1..${MAX_LIFETIME_SECONDS} seconds`);
  }
  return lifetime;
}

interface TimedOptions {
  /** The current time, epoch milliseconds. */
  clock: Clock;
  /** Seconds until exp (default 30, at most 300). */
  lifetimeSeconds?: number;
  /** The token id (default: a random UUID). Only tests set it. */
  jti?: string;
}

function timedClaims(o: TimedOptions): { iat: number; nbf: number; exp: number; jti: string } {
  const iat = Math.floor(readClock(o.clock) / 1000);
  return {
    iat,
    nbf: iat,
    exp: iat + lifetimeOf(o.lifetimeSeconds),
    jti: o.jti ?? globalThis.crypto.randomUUID(),
  };
}

export interface SignCommandOptions extends TimedOptions {
  /** The vessel id. */
  audience: string;
  cmd: Command;
}

/** Signs a command for one vessel. Returns the compact token and its claims. */
export async function signCommand(
  signer: Signer,
  options: SignCommandOptions,
): Promise<{ token: string; claims: CommandClaims }> {
  const cmd = parseCommand(options.cmd);
  const claims: CommandClaims = { iss: signer.entityId, aud: options.audience, ...timedClaims(options), cmd };
  return { token: await signToken(signer, TYP_COMMAND, claims), claims };
}

export interface SignAckOptions extends TimedOptions {
  /** The pilot id (the command signer's entity id). */
  audience: string;
  /** The jti of the command answered. */
  inReplyTo: string;
  /** The exact command token received. */
  commandToken: string;
  /**
   * base64url SHA-256 of `commandToken` when the caller already computed it (the vessel hashes every token to find
   * redeliveries); saves a second, asynchronous WebCrypto digest on the hot path. Computed here when omitted.
   */
  commandSha256?: string;
  status: AckStatus;
  /** The error code, required when rejected. */
  reason?: ErrorCode;
  /** The vessel's own words for a rejection, as {@link sanitizeReasonText} made them (rejected acks only). */
  reasonText?: string;
  /** The stream state after handling the command. */
  state: StreamStateClaim;
  /**
   * How the ack names the vessel certificate (default x5c). `x5t#S256` saves ~0.9 KB per ack on the link: consoles
   * resolve it against the certificate of the vessel's state token they verified.
   */
  signerReference?: SignerReference;
}

/** Signs an acknowledgement bound to the exact command token (cmd_sha256). */
export async function signAck(
  signer: Signer,
  options: SignAckOptions,
): Promise<{ token: string; claims: AckClaims }> {
  if (options.status === 'rejected' && !isErrorCode(options.reason))
    throw new TypeError('a rejected ack needs a registered reason code (ERR_...)');
  if (options.status === 'applied' && options.reason) throw new TypeError('an applied ack carries no reason');
  if (options.reasonText !== undefined) {
    if (options.status !== 'rejected') throw new TypeError('only a rejected ack carries a reason text');
    if (!isReasonText(options.reasonText))
      throw new TypeError('reasonText must be sanitised first (sanitizeReasonText)');
  }
  const claims: AckClaims = {
    iss: signer.entityId,
    aud: options.audience,
    ...timedClaims(options),
    in_reply_to: options.inReplyTo,
    cmd_sha256: options.commandSha256 ?? (await commandDigest(options.commandToken)),
    status: options.status,
    state: { on: [...options.state.on], off: [...options.state.off] },
  };
  if (options.reason) claims.reason = options.reason;
  if (options.reasonText !== undefined) claims.reason_text = options.reasonText;
  return { token: await signToken(signer, TYP_ACK, claims, options.signerReference), claims };
}

export interface SignStateOptions {
  clock: Clock;
  catalog: StreamCatalog;
  on: readonly string[];
  off: readonly string[];
  /** The last applied command's jti, or null. */
  lastJti: string | null;
  /** Monotonic sequence number. */
  seq: number;
  /**
   * Lifetime in seconds (default {@link DEFAULT_STATE_LIFETIME_SECONDS}, at most
   * {@link MAX_STATE_LIFETIME_SECONDS}): the signer re-signs its retained state before it expires.
   */
  expiresInSeconds?: number;
  jti?: string;
}

/** Signs the vessel's retained state. */
export async function signState(
  signer: Signer,
  options: SignStateOptions,
): Promise<{ token: string; claims: StateClaims }> {
  if (!Number.isSafeInteger(options.seq) || options.seq < 0)
    throw new TypeError('seq must be a non-negative integer');
  if (options.lastJti !== null && !UUID_RE.test(options.lastJti))
    throw new TypeError('lastJti must be a UUID or null');
  // A state that verifiers would refuse is a bug of the caller: fail here, not at every console.
  checkStreamsSet({ on: options.on, off: options.off }, options.catalog);
  const lifetime = options.expiresInSeconds ?? DEFAULT_STATE_LIFETIME_SECONDS;
  if (!Number.isSafeInteger(lifetime) || lifetime <= 0 || lifetime > MAX_STATE_LIFETIME_SECONDS)
    throw new TypeError(`expiresInSeconds must be an integer in 1..${MAX_STATE_LIFETIME_SECONDS}`);
  const iat = Math.floor(readClock(options.clock) / 1000);
  const claims: StateClaims = {
    iss: signer.entityId,
    iat,
    exp: iat + lifetime,
    jti: options.jti ?? globalThis.crypto.randomUUID(),
    catalog: options.catalog,
    on: [...options.on],
    off: [...options.off],
    last_jti: options.lastJti,
    seq: options.seq,
  };
  return { token: await signToken(signer, TYP_STATE, claims), claims };
}
