/**
 * What every token verification shares: the explicit options, and opening the envelope (size → header → typ →
 * alg → forbidden parameters/crit → x5c → chain (cache) → signature) before the type-specific claim checks in
 * verify.ts (commands), verify-ack.ts and verify-state.ts. The order is documented in docs/protocol.md.
 */
import { base64url } from 'jose';
import { HelmlinkError, isHelmlinkError } from '../errors';
import type { StreamCatalog } from '../catalog/types';
import type { Role } from '../vocabulary/roles';
import type { ReplayStore } from '../replay/types';
import { checkTokenSize, decodeJsonSegment, assertAlgorithms } from './header';
import type { CheckedHeader, Trust, TrustedSigner } from './trust';
import type { SignerCertificates } from './certificates';
import {
  DEFAULT_ALGORITHMS,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  MAX_LIFETIME_SECONDS,
  MAX_TOKEN_BYTES,
  type CommandClaims,
  type EnvelopeHeader,
  type TokenTyp,
  type VerifiedToken,
} from './types';
import { type JwsAlgorithm } from '../vocabulary/algorithms';
import { readClock, type Clock } from '../clock';

/** Options shared by every verification. All security choices are explicit here. */
export interface VerifyOptions {
  /** Anchors, CRLs, revocation policy, path validator and signer cache. */
  trust: Trust;
  /** The current time, epoch milliseconds (inject a frozen clock in tests). */
  clock: Clock;
  /** Allowed `alg` values (default ES256 only). */
  algorithms?: readonly JwsAlgorithm[];
  /** Tolerance for exp/nbf/iat, seconds (default 30). */
  clockToleranceSeconds?: number;
  /** Maximum token lifetime, seconds (default and upper bound 300). Not applied to state tokens. */
  maxLifetimeSeconds?: number;
  /** Maximum token size, bytes (default 16 KiB; 64 KiB for state tokens, which carry the catalog). */
  maxTokenBytes?: number;
}

export interface VerifyCommandOptions extends VerifyOptions {
  /** This vessel's id: the required `aud`. */
  audience: string;
  /** Where seen jtis are recorded (check-and-record is the last step). */
  replay: ReplayStore;
  /** When given, the command must partition this catalog exactly (ERR_STREAM_* codes). */
  catalog?: StreamCatalog;
}

export interface VerifyAckOptions extends VerifyOptions {
  /** The vessel the command was sent to: the ack's signer and `iss`. */
  vesselId: string;
  /** The pilot id that sent the command: the required `aud`. */
  audience: string;
  /** The exact command token that was sent; the ack must name its jti and SHA-256. */
  commandToken: string;
  /**
   * base64url SHA-256 of `commandToken` when the caller kept it from signing (saves an asynchronous WebCrypto digest
   * per ack); computed here when omitted. It describes the caller's own token, so no trust is placed in the sender.
   */
  commandSha256?: string;
  /** Optional replay store for acks (acks are idempotent answers, so consoles usually omit it). */
  replay?: ReplayStore;
  /**
   * The vessel certificates this verifier validated (from verified state tokens): an ack naming its signer by
   * `x5t#S256` is resolved only here (ERR_JOSE_X5T_UNKNOWN otherwise) and validated again. Without it such an ack
   * is refused.
   */
  certificates?: SignerCertificates;
}

export interface VerifyStateOptions extends VerifyOptions {
  /** The vessel whose state this must be. */
  vesselId: string;
  /** When given, a state issued longer ago than this is rejected with ERR_CMD_EXPIRED. */
  maxAgeSeconds?: number;
  /**
   * Where the signer of a state that verified is recorded, so that its acks may name it by `x5t#S256` (pass the
   * same store to verifyAck).
   */
  certificates?: SignerCertificates;
}

/** A verified command, with the resulting stream state when a catalog was given. */
export interface VerifiedCommand extends VerifiedToken<CommandClaims> {
  /** The catalog-ordered result of applying the command (only when options.catalog was given). */
  state?: { on: string[]; off: string[] };
}

export interface Envelope {
  text: string;
  header: EnvelopeHeader;
  payload: Record<string, unknown>;
  signer: TrustedSigner;
}

export interface Resolved {
  algorithms: readonly JwsAlgorithm[];
  tolerance: number;
  maxLifetime: number;
  maxBytes: number;
  nowMs: number;
}

export function resolve(options: VerifyOptions, defaultMaxBytes = MAX_TOKEN_BYTES): Resolved {
  if (!options || typeof options.clock !== 'function') throw new TypeError('options.clock is required');
  if (!options.trust || typeof options.trust.signer !== 'function')
    throw new TypeError('options.trust is required');
  // Every number is checked finite: a time comparison with NaN is false and one with Infinity always true, so
  // either would accept an expired token (fail open) instead of being refused here as a caller bug.
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0)
    throw new TypeError('clockToleranceSeconds must be a finite number >= 0');
  const maxLifetime = options.maxLifetimeSeconds ?? MAX_LIFETIME_SECONDS;
  if (!(maxLifetime > 0 && maxLifetime <= MAX_LIFETIME_SECONDS))
    throw new TypeError(`maxLifetimeSeconds must be in (0, ${MAX_LIFETIME_SECONDS}]`);
  const maxBytes = options.maxTokenBytes ?? defaultMaxBytes;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
    throw new TypeError('maxTokenBytes must be a positive integer');
  const nowMs = readClock(options.clock);
  return {
    algorithms: assertAlgorithms(options.algorithms ?? DEFAULT_ALGORITHMS),
    tolerance,
    maxLifetime,
    maxBytes,
    nowMs,
  };
}

const encoder = new TextEncoder();
// One reusable buffer for the signing input: WebCrypto copies its input when verify() is called and the Node
// verifier is synchronous, so the buffer is free again as soon as the call returned.
let signingInput = new Uint8Array(MAX_TOKEN_BYTES);

export function signingInputOf(text: string, end: number): Uint8Array {
  if (signingInput.length < end) signingInput = new Uint8Array(Math.max(end, signingInput.length * 2));
  // Every character before `end` is base64url or '.', so characters and bytes coincide.
  const { written } = encoder.encodeInto(text.slice(0, end), signingInput);
  return signingInput.subarray(0, written);
}
const SIGNATURE_BYTES: Partial<Record<JwsAlgorithm, number>> = { ES256: 64, ES384: 96, EdDSA: 64 };

/**
 * Size, header, x5c, chain and signature: everything before the claims. The signature is checked over the JWS
 * signing input (RFC 7515 §5.2) with the key imported for exactly the header's allow-listed alg, by the trust's
 * SignatureVerifier (WebCrypto by default); jose's compactVerify would decode the 2 KB header a second time on
 * every token, which the hot path avoids.
 */
export function openEnvelope(
  token: string | Uint8Array,
  typ: TokenTyp,
  r: Resolved,
  trust: Trust,
  certificates?: SignerCertificates,
): Envelope | Promise<Envelope> {
  const { text, dot1, dot2 } = checkTokenSize(token, r.maxBytes);
  const headerSegment = text.slice(0, dot1);
  const checked = trust.header(headerSegment, typ, r.algorithms);
  const { header } = checked;
  // Warm path: a cached signer and a synchronous signature check open the envelope without a promise.
  const cached = header.x5c ? trust.cachedSigner(checked.chainKey, header.alg, r.nowMs) : undefined;
  if (cached) {
    const valid = checkSignature(text, dot2, header.alg, cached, trust);
    if (typeof valid === 'boolean')
      return opened(valid, text, dot1, dot2, headerSegment, checked, cached, trust);
    return valid.then((v) => opened(v, text, dot1, dot2, headerSegment, checked, cached, trust));
  }
  return (async () => {
    const signer = header.x5c
      ? await trust.signer(header.x5c, header.alg, r.nowMs, checked.chainKey)
      : await thumbprintSigner(header['x5t#S256']!, header.alg, r.nowMs, trust, certificates);
    const valid = await checkSignature(text, dot2, header.alg, signer, trust);
    return opened(valid, text, dot1, dot2, headerSegment, checked, signer, trust);
  })();
}

/** The signature's length for its alg, then the trust's SignatureVerifier over the JWS signing input. */
function checkSignature(
  text: string,
  dot2: number,
  alg: JwsAlgorithm,
  signer: TrustedSigner,
  trust: Trust,
): boolean | Promise<boolean> {
  let signature: Uint8Array;
  try {
    signature = base64url.decode(text.slice(dot2 + 1));
  } catch {
    throw new HelmlinkError('ERR_TOKEN_MALFORMED', 'the token signature is not base64url');
  }
  const expectedLength = SIGNATURE_BYTES[alg];
  if (signature.length === 0 || (expectedLength !== undefined && signature.length !== expectedLength))
    return false;
  return trust.verifySignature(alg, signer.key, signature, signingInputOf(text, dot2));
}

/** After the signature check: refuse, or remember the header and decode the payload. */
function opened(
  valid: boolean,
  text: string,
  dot1: number,
  dot2: number,
  headerSegment: string,
  checked: CheckedHeader,
  signer: TrustedSigner,
  trust: Trust,
): Envelope {
  if (!valid) throw new HelmlinkError('ERR_SIGNATURE_INVALID', 'the token signature does not verify');
  trust.rememberHeader(headerSegment, checked);
  const payload = decodeJsonSegment(text.slice(dot1 + 1, dot2), 'payload');
  return { text, header: checked.header, payload, signer };
}

/**
 * The signer named by `x5t#S256`: only a certificate this verifier validated before (never fetched), validated again
 * now exactly like an x5c leaf (path, time, revocation with the current CRLs), so one revoked since is refused.
 */
async function thumbprintSigner(
  thumbprint: string,
  alg: JwsAlgorithm,
  nowMs: number,
  trust: Trust,
  certificates: SignerCertificates | undefined,
): Promise<TrustedSigner> {
  if (!certificates)
    throw new HelmlinkError(
      'ERR_JOSE_X5T_UNKNOWN',
      'x5t#S256 names a certificate, but this verifier holds no validated certificates to resolve it',
      { details: { thumbprint } },
    );
  // The store holds what the verifier itself validated under the validated leaf's own thumbprint.
  return trust.signer(certificates.resolve(thumbprint), alg, nowMs);
}

export function rejectUnknownClaims(claims: Record<string, unknown>, allowed: readonly string[]): void {
  for (const name of Object.keys(claims)) {
    if (!allowed.includes(name))
      throw new HelmlinkError(
        'ERR_CLAIM_INVALID',
        `the ${name.slice(0, 30)} claim is not allowed in this token type`,
        { details: { claim: name.slice(0, 30) } },
      );
  }
}

export function requireRole(signer: TrustedSigner, role: Role): void {
  if (!signer.info.roles.includes(role)) {
    throw new HelmlinkError('ERR_ROLE_FORBIDDEN', `${signer.info.entityId} does not hold the ${role} role`, {
      details: { signer: signer.info.entityId, required: role },
    });
  }
}

/** Re-throws `err` with attribution details merged in (never changes code or message). */
export function attribute(
  err: unknown,
  attribution: { attributable: boolean; signer?: string; jti?: string },
): never {
  if (isHelmlinkError(err)) {
    throw new HelmlinkError(err.code, err.message, {
      cause: err.cause,
      details: { ...err.details, ...attribution },
    });
  }
  throw err;
}

/**
 * Checks and records (iss, jti) in the replay store, last; ERR_REPLAY when it was seen. Synchronous for a
 * synchronous store (the memory and snapshot stores), a promise for an asynchronous one.
 */
export function recordReplay(
  replay: ReplayStore,
  iss: string,
  jti: string,
  exp: number,
  r: Resolved,
): void | Promise<void> {
  let fresh: boolean | Promise<boolean>;
  try {
    fresh = replay.checkAndRecord({ iss, jti, expiresAt: exp + r.tolerance }, r.nowMs / 1000);
  } catch (err) {
    throw replayStoreError(err);
  }
  if (typeof fresh === 'boolean') return replayVerdict(fresh, iss, jti);
  return Promise.resolve(fresh).then(
    (f) => replayVerdict(f, iss, jti),
    (err: unknown) => {
      throw replayStoreError(err);
    },
  );
}

function replayStoreError(err: unknown): unknown {
  if (isHelmlinkError(err)) return err;
  return new HelmlinkError('ERR_REPLAY_STORE', `the replay store failed: ${(err as Error).message}`, {
    cause: err,
  });
}

function replayVerdict(fresh: boolean, iss: string, jti: string): void {
  if (!fresh)
    throw new HelmlinkError('ERR_REPLAY', `token ${jti} from ${iss} was already accepted`, {
      details: { jti },
    });
}

/** A list-of-stream-ids claim (state on/off): an array of strings, checked by the catalog afterwards. */
export function streamListClaim(value: unknown, name: string): string[] {
  if (
    !Array.isArray(value) ||
    value.length > 128 ||
    !value.every((a) => typeof a === 'string' && a.length <= 32)
  ) {
    throw new HelmlinkError('ERR_CLAIM_INVALID', `${name} must be a list of stream addresses`, {
      details: { claim: name },
    });
  }
  return value as string[];
}
