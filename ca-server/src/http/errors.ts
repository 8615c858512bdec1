/** Mapping of coded errors to HTTP: a stable JSON body `{ error: { code, message, details? } }`, no internals on 5xx. */
import {
  isHelmlinkError,
  type CaServerErrorCode,
  type ErrorCode,
  type ProtocolErrorCode,
} from '@helmlink/protocol';
import type { ErrorBody } from '@helmlink/ca-client/wire';

/** The codes that can reach the CA's HTTP edge: the CA's own and the protocol's (CSR, key and chain checks). */
export type CaWireCode = ProtocolErrorCode | CaServerErrorCode;

// Exhaustive: a new CA or protocol code does not compile until it has a status here.
const STATUS = {
  // --- protocol: untrusted input --------------------------------------------------------------------
  ERR_INPUT_INVALID: 400,
  ERR_ID_INVALID: 400,
  ERR_CMD_INVALID: 400,
  ERR_CMD_VERSION_UNSUPPORTED: 400,
  ERR_CMD_TYPE_UNSUPPORTED: 400,
  ERR_STREAM_ADDRESS_INVALID: 400,
  ERR_STREAM_UNKNOWN: 400,
  ERR_STREAM_DUPLICATE: 400,
  ERR_STREAM_CONFLICT: 400,
  ERR_STREAM_MISSING: 400,
  ERR_CATALOG_INVALID: 400,
  ERR_TOKEN_TOO_LARGE: 400,
  ERR_TOKEN_MALFORMED: 400,
  ERR_JOSE_ALG_NOT_ALLOWED: 400,
  ERR_JOSE_HEADER_FORBIDDEN: 400,
  ERR_JOSE_TYP_INVALID: 400,
  ERR_JOSE_CRIT_UNSUPPORTED: 400,
  ERR_JOSE_X5C_INVALID: 400,
  ERR_JOSE_X5T_INVALID: 400,
  ERR_JOSE_X5T_UNKNOWN: 400,
  ERR_JOSE_SIGNER_AMBIGUOUS: 400,
  ERR_JOSE_SIGNER_MISSING: 400,
  ERR_SIGNATURE_INVALID: 400,
  ERR_CLAIM_MISSING: 400,
  ERR_CLAIM_INVALID: 400,
  ERR_ISS_MISMATCH: 400,
  ERR_AUD_MISMATCH: 400,
  ERR_CMD_EXPIRED: 400,
  ERR_CMD_NOT_YET_VALID: 400,
  ERR_CMD_IAT_IN_FUTURE: 400,
  ERR_CMD_LIFETIME_TOO_LONG: 400,
  ERR_ROLE_FORBIDDEN: 400,
  ERR_ACK_MISMATCH: 400,
  ERR_REPLAY: 400,
  ERR_CERT_MALFORMED: 400,
  ERR_CERT_PROFILE: 400,
  ERR_CHAIN_UNTRUSTED: 400,
  ERR_CHAIN_SIGNATURE: 400,
  ERR_CHAIN_EXPIRED: 400,
  ERR_CHAIN_NOT_YET_VALID: 400,
  ERR_CHAIN_REVOKED: 400,
  ERR_CHAIN_BASIC_CONSTRAINTS: 400,
  ERR_CHAIN_PATH_LENGTH: 400,
  ERR_CHAIN_KEY_USAGE: 400,
  ERR_CHAIN_EKU: 400,
  ERR_CHAIN_NAME_MISMATCH: 400,
  ERR_CHAIN_ALG_UNSUPPORTED: 400,
  ERR_CHAIN_CRITICAL_EXTENSION: 400,
  ERR_CHAIN_PROFILE: 400,
  ERR_CHAIN_NAME_CONSTRAINTS: 400,
  ERR_CHAIN_TOO_COMPLEX: 400,
  ERR_CRL_MALFORMED: 400,
  ERR_CRL_INVALID: 400,
  ERR_CRL_MISSING: 400,
  ERR_CRL_STALE: 400,
  ERR_CRL_CRITICAL_EXTENSION: 400,
  ERR_CRL_PROFILE: 400,
  ERR_CRL_NOT_NEWER: 400,
  ERR_KEY_DECRYPT: 400,
  ERR_PASSPHRASE_REQUIRED: 400,
  ERR_KEY_WEAK: 422,
  ERR_KEY_UNSUPPORTED: 422,
  ERR_SIG_ALG_WEAK: 422,
  // --- protocol: faults of this server --------------------------------------------------------------
  ERR_INTERNAL: 500,
  ERR_REPLAY_STORE: 500,
  ERR_PORT_IN_USE: 500,
  ERR_NOT_CONNECTED: 500,
  ERR_BROKER_REVOKED: 500,
  // --- CA ---------------------------------------------------------------------------------------------
  ERR_CSR_INVALID: 400,
  ERR_REVOCATION_REASON_INVALID: 400,
  ERR_CSR_SIGNATURE: 422,
  ERR_CSR_SUBJECT_MISMATCH: 422,
  ERR_CSR_EXTENSION_FORBIDDEN: 422,
  ERR_ENROLL_TOKEN_UNKNOWN: 403,
  ERR_ENROLL_TOKEN_EXPIRED: 403,
  ERR_ENROLL_TOKEN_USED: 409,
  ERR_CLIENT_CERT_REQUIRED: 401,
  ERR_CLIENT_CERT_INVALID: 401,
  ERR_FORBIDDEN: 403,
  ERR_CERT_NOT_FOUND: 404,
  ERR_NOT_FOUND: 404,
  ERR_CERT_ALREADY_REVOKED: 409,
  ERR_CERT_NOT_ON_HOLD: 409,
  ERR_KEY_IN_USE: 409,
  ERR_KEY_COMPROMISED: 409,
  ERR_IDENTIFIER_IN_USE: 409,
  ERR_REVOCATION_GUARDED: 409,
  ERR_REPLACEMENT_INVALID: 409,
  ERR_LAST_ADMIN: 409,
  ERR_CA_EXISTS: 409,
  ERR_BODY_TOO_LARGE: 413,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_RATE_LIMITED: 429,
  ERR_CA_NOT_INITIALIZED: 500,
  ERR_AUDIT_TAMPERED: 500,
  ERR_CA_STORE: 500,
  ERR_BROKER_START: 500,
  ERR_BROKER_ORPHAN: 500,
  ERR_BROKER_CONTROL: 500,
  ERR_SERVICE_IDENTITY: 500,
} as const satisfies Record<CaWireCode, number>;

/**
 * The HTTP status of a coded error, or undefined for a code that can never reach the CA's edge (a console, vessel or
 * client code): the caller answers that with a 500 and logs it, it is a bug of this server.
 */
export function statusOf(code: ErrorCode): number | undefined {
  return Object.hasOwn(STATUS, code) ? STATUS[code as CaWireCode] : undefined;
}

export interface WireError {
  status: number;
  body: ErrorBody;
  retryAfter?: number;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: unknown;
  message?: string;
}

const INTERNAL: WireError = {
  status: 500,
  body: { error: { code: 'ERR_INTERNAL', message: 'Internal error' } },
};

/**
 * Converts anything thrown by a route into the wire error. Unknown errors, and coded errors whose code has no
 * status here, become a bare 500 ERR_INTERNAL (the error handler logs the cause of every 5xx).
 */
export function toWireError(err: unknown): WireError {
  if (isHelmlinkError(err)) {
    const status = statusOf(err.code);
    if (status === undefined || status >= 500) return INTERNAL;
    const retryAfter = err.code === 'ERR_RATE_LIMITED' ? Number(err.details?.retryAfter ?? 1) : undefined;
    return { status, body: { error: err.toJSON() }, ...(retryAfter !== undefined ? { retryAfter } : {}) };
  }
  const e = (err ?? {}) as FastifyLikeError;
  if (e.validation)
    return {
      status: 400,
      body: { error: { code: 'ERR_INPUT_INVALID', message: e.message ?? 'invalid request' } },
    };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return {
      status: 413,
      body: { error: { code: 'ERR_BODY_TOO_LARGE', message: 'The request body is too large' } },
    };
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return {
      status: 415,
      body: { error: { code: 'ERR_UNSUPPORTED_MEDIA_TYPE', message: 'Send application/json' } },
    };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      status: e.statusCode,
      body: { error: { code: 'ERR_INPUT_INVALID', message: 'The request is not well-formed' } },
    };
  }
  return INTERNAL;
}
