/** Mapping of coded errors to HTTP: a stable JSON body `{ error: { code, message, details? } }`, no internals on 5xx. */
import { type HelmlinkError, isHelmlinkError } from '@helmlink/protocol';
import type { ErrorBody } from '@helmlink/ca-client/wire';

const STATUS: Record<string, number> = {
  ERR_INPUT_INVALID: 400,
  ERR_ID_INVALID: 400,
  ERR_CSR_INVALID: 400,
  ERR_REVOCATION_REASON_INVALID: 400,
  ERR_CSR_SIGNATURE: 422,
  ERR_CSR_SUBJECT_MISMATCH: 422,
  ERR_CSR_EXTENSION_FORBIDDEN: 422,
  ERR_KEY_WEAK: 422,
  ERR_KEY_UNSUPPORTED: 422,
  ERR_SIG_ALG_WEAK: 422,
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
  ERR_BODY_TOO_LARGE: 413,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_RATE_LIMITED: 429,
  ERR_INTERNAL: 500,
};

/** The HTTP status of a code (400 for codes without a mapping). */
export function statusOf(code: string): number {
  return STATUS[code] ?? 400;
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

/** Converts anything thrown by a route into the wire error. Unknown errors become a bare 500 ERR_INTERNAL. */
export function toWireError(err: unknown): WireError {
  if (isHelmlinkError(err)) {
    const status = statusOf(err.code);
    const json = (err as HelmlinkError).toJSON();
    const retryAfter = err.code === 'ERR_RATE_LIMITED' ? Number(err.details?.retryAfter ?? 1) : undefined;
    return { status, body: { error: json }, ...(retryAfter !== undefined ? { retryAfter } : {}) };
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
  return { status: 500, body: { error: { code: 'ERR_INTERNAL', message: 'Internal error' } } };
}
