/**
 * Token types, algorithms, claims and limits of the Helmlink JWS envelope.
 *
 * Three token types, each with its own `typ` and its own validation rules (RFC 8725 §3.11–3.12), so a token of
 * one type can never be accepted as another:
 * - `helmlink-cmd+jwt`: a command from a pilot to one vessel (aud = vessel id), short-lived, applied at most once.
 * - `helmlink-ack+jwt`: a vessel's answer to one command (aud = pilot id), bound to the exact command token.
 * - `helmlink-state+jwt`: a vessel's retained, signed stream state (catalog + on/off + last applied jti + seq).
 * - `helmlink-alert+jwt` and `helmlink-link+jwt`: a vessel's alerts and link status (vessel-events.ts).
 */
import type { StreamCatalog } from '../catalog/types';
import type { Command } from '../command/schema';
import type { JwsAlgorithm } from '../vocabulary/algorithms';

export const TYP_COMMAND = 'helmlink-cmd+jwt';
export const TYP_ACK = 'helmlink-ack+jwt';
export const TYP_STATE = 'helmlink-state+jwt';
/** A vessel's alert to the ROC (see vessel-events.ts). */
export const TYP_ALERT = 'helmlink-alert+jwt';
/** A vessel's link status, retained; `down` is its MQTT Last Will (see vessel-events.ts). */
export const TYP_LINK = 'helmlink-link+jwt';
export type TokenTyp =
  typeof TYP_COMMAND | typeof TYP_ACK | typeof TYP_STATE | typeof TYP_ALERT | typeof TYP_LINK;

/** The default allow-list: ES256 only. */
export const DEFAULT_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze(['ES256']);
/** Smallest RSA modulus accepted for PS256. */
export const MIN_RSA_BITS = 3072;

/** Maximum size of command and ack tokens in bytes, checked before any parsing. */
export const MAX_TOKEN_BYTES = 16 * 1024;
/** Maximum size of state tokens: they carry the whole catalog (up to 64 streams with descriptions). */
export const MAX_STATE_TOKEN_BYTES = 64 * 1024;
/** Default lifetime of commands and acks. */
export const DEFAULT_LIFETIME_SECONDS = 30;
/** Maximum lifetime (exp − min(iat, nbf)) of commands and acks. */
export const MAX_LIFETIME_SECONDS = 300;
/** Default lifetime of a state token, seconds (the vessel re-signs at 2/3 of it). */
export const DEFAULT_STATE_LIFETIME_SECONDS = 900;
/** Longest lifetime a state token may have, seconds (signers refuse more, verifiers reject it). */
export const MAX_STATE_LIFETIME_SECONDS = 86_400;
/** Default clock tolerance applied to exp, nbf and iat. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
/** Most certificates accepted in x5c (signer + intermediates). */
export const MAX_X5C_CERTIFICATES = 4;

/**
 * Header parameters a Helmlink token may carry. Everything else is rejected (jku, x5u, jwk, kid, x5t, cty, ...);
 * `x5t#S256` only on the token types of {@link THUMBPRINT_TYPS}.
 */
export const ALLOWED_HEADER_PARAMS = ['alg', 'typ', 'x5c', 'x5t#S256'] as const;
/** Header parameters that name or carry a key and are never trusted (x5t: SHA-1). */
export const KEY_HEADER_PARAMS = ['jku', 'x5u', 'jwk', 'kid', 'x5t'] as const;
/**
 * Token types whose signer may be named by `x5t#S256` instead of carried in `x5c`: acks only. The console resolves
 * the thumbprint against the vessel certificate of a state token it verified; a command keeps its `x5c` (the vessel
 * verifies offline and never answers an unattributable token, so it cannot ask for a certificate).
 */
export const THUMBPRINT_TYPS: readonly TokenTyp[] = Object.freeze([TYP_ACK]);

/** How a signer names its certificate in a token's header. */
export type SignerReference = 'x5c' | 'x5t#S256';

/** The protected header of a Helmlink token: exactly one of `x5c` and `x5t#S256`. */
export interface EnvelopeHeader {
  alg: JwsAlgorithm;
  typ: TokenTyp;
  /** Standard base64 DER: the signer certificate first, then intermediates; never a root. */
  x5c?: string[];
  /** base64url SHA-256 of the signer certificate's DER (acks only), resolved against validated certificates. */
  'x5t#S256'?: string;
}

/** Registered claims common to every token type. */
export interface BaseClaims {
  /** The signer's entity id: the CN of its certificate. */
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  /** Random UUID. */
  jti: string;
}

/** Claims of a command token. */
export interface CommandClaims extends BaseClaims {
  /** The vessel id. */
  aud: string;
  cmd: Command;
}

/** The on/off state of a vessel's streams (addresses in catalog order). */
export interface StreamStateClaim {
  on: string[];
  off: string[];
}

export const ACK_STATUSES = ['applied', 'rejected'] as const;
export type AckStatus = (typeof ACK_STATUSES)[number];

/** Claims of an acknowledgement token. */
export interface AckClaims extends BaseClaims {
  /** The pilot id (the command's signer). */
  aud: string;
  /** The jti of the command answered. */
  in_reply_to: string;
  /** base64url SHA-256 of the exact command token string. */
  cmd_sha256: string;
  status: AckStatus;
  /** The error code when rejected. */
  reason?: string;
  /**
   * The vessel's own words for a rejection (e.g. the ship systems hook's first line): optional, only beside a
   * `reason`, plain text of at most 200 characters (reason-text.ts); never on an applied ack.
   */
  reason_text?: string;
  /** The vessel's stream state after handling the command (unchanged when rejected). */
  state: StreamStateClaim;
}

/** Claims of a state token (retained; no audience: every console of the fleet reads it). */
export interface StateClaims {
  iss: string;
  iat: number;
  jti: string;
  /**
   * Expiry (required): the vessel re-signs its retained state before it, so a state that stops being refreshed
   * (vessel offline, a replayed old token) shows as stale instead of current.
   */
  exp: number;
  catalog: StreamCatalog;
  on: string[];
  off: string[];
  /** The jti of the last applied command, or null before the first. */
  last_jti: string | null;
  /** Monotonic sequence number, increased with every change. */
  seq: number;
}

/** Who signed a verified token, as read from its validated certificate. */
export interface SignerInfo {
  entityId: string;
  roles: readonly string[];
  /** SHA-256 of the signer certificate DER, lowercase hex. */
  fingerprint: string;
  /** Subject of the signer certificate. */
  subject: string;
}

/** A verified token. */
export interface VerifiedToken<C> {
  token: string;
  header: EnvelopeHeader;
  claims: C;
  signer: SignerInfo;
}
