/**
 * Verification of Helmlink tokens. The order is fixed and documented in docs/protocol.md:
 *
 *   size → header → typ → alg → forbidden parameters/crit → x5c → chain (cache) → signature →
 *   claims (iss, aud, exp/nbf/iat, lifetime) → role → type-specific content → replay check-and-record (last)
 *
 * Cheap checks that need no key come first (an oversized or malformed token costs nothing), the replay cache is
 * touched only by tokens that passed everything else, so invalid tokens can never poison it.
 *
 * Every error is a HelmlinkError whose `details.attributable` says whether it can be pinned on an authenticated,
 * authorised signer (see attribution.ts): only then may a vessel answer with a `rejected` ack.
 */
import { base64url } from 'jose';
import { HelmlinkError, isHelmlinkError } from '../errors';
import { parseCommand } from '../command/parse';
import { checkStreamsSet } from '../command/check';
import { parseCatalog } from '../catalog/parse';
import type { StreamCatalog } from '../catalog/types';
import type { Role } from '../vocabulary/roles';
import type { ReplayStore } from '../replay/types';
import { checkTokenSize, decodeJsonSegment, assertAlgorithms } from './header';
import { checkTimes, ERROR_CODE_RE, numericDateClaim, requireClaims, SHA256_B64URL_RE, stringClaim, uuidClaim, UUID_RE } from './claims';
import { commandDigest } from './digest';
import { peekClaims } from './peek';
import type { Trust, TrustedSigner } from './trust';
import {
  ACK_STATUSES,
  DEFAULT_ALGORITHMS,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  MAX_LIFETIME_SECONDS,
  MAX_STATE_TOKEN_BYTES,
  MAX_TOKEN_BYTES,
  TYP_ACK,
  TYP_COMMAND,
  TYP_STATE,
  type AckClaims,
  type AckStatus,
  type CommandClaims,
  type EnvelopeHeader,
  type StateClaims,
  type TokenTyp,
  type VerifiedToken,
} from './types';
import { type JwsAlgorithm } from '../vocabulary/algorithms';
import type { Clock } from '../clock';

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
}

export interface VerifyStateOptions extends VerifyOptions {
  /** The vessel whose state this must be. */
  vesselId: string;
  /** When given, a state issued longer ago than this is rejected with ERR_CMD_EXPIRED. */
  maxAgeSeconds?: number;
}

/** A verified command, with the resulting stream state when a catalog was given. */
export interface VerifiedCommand extends VerifiedToken<CommandClaims> {
  /** The catalog-ordered result of applying the command (only when options.catalog was given). */
  state?: { on: string[]; off: string[] };
}

interface Envelope {
  text: string;
  header: EnvelopeHeader;
  payload: Record<string, unknown>;
  signer: TrustedSigner;
}

interface Resolved {
  algorithms: readonly JwsAlgorithm[];
  tolerance: number;
  maxLifetime: number;
  maxBytes: number;
  nowMs: number;
}

function resolve(options: VerifyOptions, defaultMaxBytes = MAX_TOKEN_BYTES): Resolved {
  if (!options || typeof options.clock !== 'function') throw new TypeError('options.clock is required');
  if (!options.trust || typeof options.trust.signer !== 'function') throw new TypeError('options.trust is required');
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const maxLifetime = options.maxLifetimeSeconds ?? MAX_LIFETIME_SECONDS;
  if (!(tolerance >= 0)) throw new TypeError('clockToleranceSeconds must be >= 0');
  if (!(maxLifetime > 0 && maxLifetime <= MAX_LIFETIME_SECONDS)) throw new TypeError(`maxLifetimeSeconds must be in (0, ${MAX_LIFETIME_SECONDS}]`);
  const nowMs = options.clock();
  if (!Number.isFinite(nowMs)) throw new TypeError('options.clock must return epoch milliseconds');
  return {
    algorithms: assertAlgorithms(options.algorithms ?? DEFAULT_ALGORITHMS),
    tolerance,
    maxLifetime,
    maxBytes: options.maxTokenBytes ?? defaultMaxBytes,
    nowMs,
  };
}

const encoder = new TextEncoder();
// One reusable buffer for the signing input: WebCrypto copies its input when verify() is called and the Node
// verifier is synchronous, so the buffer is free again as soon as the call returned.
let signingInput = new Uint8Array(MAX_TOKEN_BYTES);

function signingInputOf(text: string, end: number): Uint8Array {
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
async function openEnvelope(token: string | Uint8Array, typ: TokenTyp, r: Resolved, trust: Trust): Promise<Envelope> {
  const { text, dot1, dot2 } = checkTokenSize(token, r.maxBytes);
  const headerSegment = text.slice(0, dot1);
  const checked = trust.header(headerSegment, typ, r.algorithms);
  const { header } = checked;
  const signer = await trust.signer(header.x5c, header.alg, r.nowMs, checked.chainKey);
  let signature: Uint8Array;
  try {
    signature = base64url.decode(text.slice(dot2 + 1));
  } catch {
    throw new HelmlinkError('ERR_TOKEN_MALFORMED', 'the token signature is not base64url');
  }
  const expectedLength = SIGNATURE_BYTES[header.alg];
  const valid =
    signature.length > 0 &&
    (expectedLength === undefined || signature.length === expectedLength) &&
    (await trust.verifySignature(header.alg, signer.key, signature, signingInputOf(text, dot2)));
  if (!valid) throw new HelmlinkError('ERR_SIGNATURE_INVALID', 'the token signature does not verify');
  trust.rememberHeader(headerSegment, checked);
  const payload = decodeJsonSegment(text.slice(dot1 + 1, dot2), 'payload');
  return { text, header, payload, signer };
}

function rejectUnknownClaims(claims: Record<string, unknown>, allowed: readonly string[]): void {
  for (const name of Object.keys(claims)) {
    if (!allowed.includes(name)) throw new HelmlinkError('ERR_CLAIM_INVALID', `the ${name.slice(0, 30)} claim is not allowed in this token type`, { details: { claim: name.slice(0, 30) } });
  }
}

function requireRole(signer: TrustedSigner, role: Role): void {
  if (!signer.info.roles.includes(role)) {
    throw new HelmlinkError('ERR_ROLE_FORBIDDEN', `${signer.info.entityId} does not hold the ${role} role`, { details: { signer: signer.info.entityId, required: role } });
  }
}

/** Re-throws `err` with attribution details merged in (never changes code or message). */
function attribute(err: unknown, attribution: { attributable: boolean; signer?: string; jti?: string }): never {
  if (isHelmlinkError(err)) {
    throw new HelmlinkError(err.code, err.message, { cause: err.cause, details: { ...err.details, ...attribution } });
  }
  throw err;
}

async function recordReplay(replay: ReplayStore, iss: string, jti: string, exp: number, r: Resolved): Promise<void> {
  let fresh: boolean;
  try {
    fresh = await replay.checkAndRecord({ iss, jti, expiresAt: exp + r.tolerance }, r.nowMs / 1000);
  } catch (err) {
    if (isHelmlinkError(err)) throw err;
    throw new HelmlinkError('ERR_REPLAY_STORE', `the replay store failed: ${(err as Error).message}`, { cause: err });
  }
  if (!fresh) throw new HelmlinkError('ERR_REPLAY', `token ${jti} from ${iss} was already accepted`, { details: { jti } });
}

const COMMAND_CLAIMS = ['iss', 'aud', 'iat', 'nbf', 'exp', 'jti', 'cmd'] as const;

/**
 * Verifies a command token for this vessel (`typ` helmlink-cmd+jwt, signer role pilot, aud = options.audience),
 * optionally checks it against the catalog, and records its jti last.
 * @throws HelmlinkError with the first failing check's code; `details.attributable` is true when the signer is an
 *   authenticated pilot and the jti is readable (then `details.signer` and `details.jti` name whom to answer).
 */
export async function verifyCommand(token: string | Uint8Array, options: VerifyCommandOptions): Promise<VerifiedCommand> {
  const r = resolve(options);
  if (!options.replay || typeof options.replay.checkAndRecord !== 'function') throw new TypeError('options.replay is required');
  if (typeof options.audience !== 'string' || options.audience === '') throw new TypeError('options.audience is required');
  let env: Envelope;
  try {
    env = await openEnvelope(token, TYP_COMMAND, r, options.trust);
  } catch (err) {
    return attribute(err, { attributable: false });
  }
  const { payload: c, signer } = env;
  const jti = typeof c.jti === 'string' && UUID_RE.test(c.jti) ? c.jti : undefined;
  const attributable = signer.info.roles.includes('pilot') && jti !== undefined;
  try {
    requireClaims(c, COMMAND_CLAIMS);
    rejectUnknownClaims(c, COMMAND_CLAIMS);
    const claims = {
      iss: stringClaim(c, 'iss'),
      aud: stringClaim(c, 'aud'),
      iat: numericDateClaim(c, 'iat'),
      nbf: numericDateClaim(c, 'nbf'),
      exp: numericDateClaim(c, 'exp'),
      jti: uuidClaim(c, 'jti'),
    };
    if (claims.iss !== signer.info.entityId) {
      throw new HelmlinkError('ERR_ISS_MISMATCH', `iss ${claims.iss} is not the signer ${signer.info.entityId}`, { details: { iss: claims.iss } });
    }
    if (claims.aud !== options.audience) throw new HelmlinkError('ERR_AUD_MISMATCH', `the command is for ${claims.aud}, not ${options.audience}`, { details: { aud: claims.aud } });
    checkTimes(claims, { now: r.nowMs / 1000, toleranceSeconds: r.tolerance, maxLifetimeSeconds: r.maxLifetime });
    requireRole(signer, 'pilot');
    const cmd = parseCommand(c.cmd);
    const result: VerifiedCommand = { token: env.text, header: env.header, claims: { ...claims, cmd }, signer: signer.info };
    if (options.catalog) result.state = checkStreamsSet(cmd, options.catalog);
    await recordReplay(options.replay, claims.iss, claims.jti, claims.exp, r);
    return result;
  } catch (err) {
    return attribute(err, attributable ? { attributable, signer: signer.info.entityId, jti: jti! } : { attributable: false });
  }
}

const ACK_CLAIMS = ['iss', 'aud', 'iat', 'nbf', 'exp', 'jti', 'in_reply_to', 'cmd_sha256', 'status', 'reason', 'state'] as const;

function streamListClaim(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.length > 128 || !value.every((a) => typeof a === 'string' && a.length <= 32)) {
    throw new HelmlinkError('ERR_CLAIM_INVALID', `${name} must be a list of stream addresses`, { details: { claim: name } });
  }
  return value as string[];
}

/** Reads the jti of a command token this console signed itself (no verification: it is our own token). */
function ownCommandJti(commandToken: string): string {
  const jti = peekClaims(commandToken)?.jti;
  if (typeof jti !== 'string') throw new TypeError('commandToken is not a compact JWS with a jti');
  return jti;
}

/**
 * Verifies an acknowledgement (`typ` helmlink-ack+jwt) from `vesselId` to this pilot for `commandToken`:
 * signer role vessel with entity id = vesselId, aud = the pilot, in_reply_to = the command's jti,
 * cmd_sha256 = base64url SHA-256 of the exact command token (ERR_ACK_MISMATCH otherwise).
 */
export async function verifyAck(token: string | Uint8Array, options: VerifyAckOptions): Promise<VerifiedToken<AckClaims>> {
  const r = resolve(options);
  const commandJti = ownCommandJti(options.commandToken);
  const env = await openEnvelope(token, TYP_ACK, r, options.trust);
  const { payload: c, signer } = env;
  requireClaims(
    c,
    ACK_CLAIMS.filter((n) => n !== 'reason'),
  );
  rejectUnknownClaims(c, ACK_CLAIMS);
  const base = {
    iss: stringClaim(c, 'iss'),
    aud: stringClaim(c, 'aud'),
    iat: numericDateClaim(c, 'iat'),
    nbf: numericDateClaim(c, 'nbf'),
    exp: numericDateClaim(c, 'exp'),
    jti: uuidClaim(c, 'jti'),
  };
  const inReplyTo = uuidClaim(c, 'in_reply_to');
  if (typeof c.cmd_sha256 !== 'string' || !SHA256_B64URL_RE.test(c.cmd_sha256)) throw new HelmlinkError('ERR_CLAIM_INVALID', 'cmd_sha256 must be a base64url SHA-256', { details: { claim: 'cmd_sha256' } });
  if (!(ACK_STATUSES as readonly unknown[]).includes(c.status)) throw new HelmlinkError('ERR_CLAIM_INVALID', 'status must be applied or rejected', { details: { claim: 'status' } });
  const status = c.status as AckStatus;
  if (status === 'rejected' && (typeof c.reason !== 'string' || !ERROR_CODE_RE.test(c.reason))) {
    throw new HelmlinkError('ERR_CLAIM_INVALID', 'a rejected ack needs a reason code', { details: { claim: 'reason' } });
  }
  if (status === 'applied' && c.reason !== undefined) throw new HelmlinkError('ERR_CLAIM_INVALID', 'an applied ack carries no reason', { details: { claim: 'reason' } });
  const st = c.state as Record<string, unknown> | null;
  if (typeof st !== 'object' || st === null || Array.isArray(st) || Object.keys(st).some((k) => k !== 'on' && k !== 'off')) {
    throw new HelmlinkError('ERR_CLAIM_INVALID', 'state must be an object with on and off', { details: { claim: 'state' } });
  }
  const state = { on: streamListClaim(st.on, 'state.on'), off: streamListClaim(st.off, 'state.off') };
  if (base.iss !== signer.info.entityId) throw new HelmlinkError('ERR_ISS_MISMATCH', `iss ${base.iss} is not the signer ${signer.info.entityId}`);
  if (base.aud !== options.audience) throw new HelmlinkError('ERR_AUD_MISMATCH', `the ack is for ${base.aud}, not ${options.audience}`);
  checkTimes(base, { now: r.nowMs / 1000, toleranceSeconds: r.tolerance, maxLifetimeSeconds: r.maxLifetime });
  requireRole(signer, 'vessel');
  if (signer.info.entityId !== options.vesselId) throw new HelmlinkError('ERR_ISS_MISMATCH', `the ack is signed by ${signer.info.entityId}, not by ${options.vesselId}`);
  if (inReplyTo !== commandJti) throw new HelmlinkError('ERR_ACK_MISMATCH', `the ack answers ${inReplyTo}, not ${commandJti}`);
  if (c.cmd_sha256 !== (options.commandSha256 ?? (await commandDigest(options.commandToken)))) throw new HelmlinkError('ERR_ACK_MISMATCH', 'the ack answers another command token (cmd_sha256 differs)');
  const claims: AckClaims = { ...base, in_reply_to: inReplyTo, cmd_sha256: c.cmd_sha256, status, state };
  if (typeof c.reason === 'string') claims.reason = c.reason;
  if (options.replay) await recordReplay(options.replay, base.iss, base.jti, base.exp, r);
  return { token: env.text, header: env.header, claims, signer: signer.info };
}

const STATE_CLAIMS = ['iss', 'iat', 'jti', 'exp', 'catalog', 'on', 'off', 'last_jti', 'seq'] as const;

/**
 * Verifies a retained state token (`typ` helmlink-state+jwt) of `vesselId`: signer role vessel with that entity
 * id, iat not in the future, exp (if any) not past, on/off an exact partition of the carried catalog. State tokens
 * have no audience and no lifetime bound; consoles keep the one with the highest `seq`.
 */
export async function verifyState(token: string | Uint8Array, options: VerifyStateOptions): Promise<VerifiedToken<StateClaims>> {
  const r = resolve(options, MAX_STATE_TOKEN_BYTES);
  const env = await openEnvelope(token, TYP_STATE, r, options.trust);
  const { payload: c, signer } = env;
  requireClaims(
    c,
    STATE_CLAIMS.filter((n) => n !== 'exp'),
  );
  rejectUnknownClaims(c, STATE_CLAIMS);
  const iss = stringClaim(c, 'iss');
  const iat = numericDateClaim(c, 'iat');
  const exp = c.exp === undefined ? undefined : numericDateClaim(c, 'exp');
  const jti = uuidClaim(c, 'jti');
  if (c.last_jti !== null && (typeof c.last_jti !== 'string' || !UUID_RE.test(c.last_jti))) throw new HelmlinkError('ERR_CLAIM_INVALID', 'last_jti must be a UUID or null', { details: { claim: 'last_jti' } });
  if (typeof c.seq !== 'number' || !Number.isSafeInteger(c.seq) || c.seq < 0) throw new HelmlinkError('ERR_CLAIM_INVALID', 'seq must be a non-negative integer', { details: { claim: 'seq' } });
  let catalog: StreamCatalog;
  try {
    catalog = parseCatalog(c.catalog);
  } catch (err) {
    throw new HelmlinkError('ERR_CLAIM_INVALID', `catalog: ${(err as Error).message}`, { cause: err, details: { claim: 'catalog' } });
  }
  const on = streamListClaim(c.on, 'on');
  const off = streamListClaim(c.off, 'off');
  if (iss !== signer.info.entityId) throw new HelmlinkError('ERR_ISS_MISMATCH', `iss ${iss} is not the signer ${signer.info.entityId}`);
  checkTimes({ iat, exp }, { now: r.nowMs / 1000, toleranceSeconds: r.tolerance, maxLifetimeSeconds: undefined });
  if (options.maxAgeSeconds !== undefined && r.nowMs / 1000 - r.tolerance > iat + options.maxAgeSeconds) {
    throw new HelmlinkError('ERR_CMD_EXPIRED', `the state is older than ${options.maxAgeSeconds} s`);
  }
  requireRole(signer, 'vessel');
  if (signer.info.entityId !== options.vesselId) throw new HelmlinkError('ERR_ISS_MISMATCH', `the state is signed by ${signer.info.entityId}, not by ${options.vesselId}`);
  checkStreamsSet({ on, off }, catalog);
  const claims: StateClaims = { iss, iat, jti, catalog, on, off, last_jti: c.last_jti as string | null, seq: c.seq };
  if (exp !== undefined) claims.exp = exp;
  return { token: env.text, header: env.header, claims, signer: signer.info };
}
