/**
 * Reading the CA's answers: JSON bodies and refusals (`ErrorBody`) as coded errors, with the console's
 * client-side codes or with the CA's own codes as they are.
 */
import { HelmlinkError, isErrorCode, type ErrorCode } from '@helmlink/protocol';
import type { RawResponse } from './transport';
import type { ErrorBody } from './wire';

export const isSuccess = (res: RawResponse): boolean => res.status >= 200 && res.status < 300;

/** The body as JSON, or the parse failure. */
export function parseBody(res: RawResponse): { parsed: unknown; malformed?: unknown } {
  try {
    return { parsed: JSON.parse(res.body.toString('utf8')) };
  } catch (cause) {
    return { parsed: undefined, malformed: cause ?? new Error('malformed JSON') };
  }
}

/**
 * A non-2xx answer as a HelmlinkError with client-side codes: the CA's code (`{error: {code, message}}` or
 * `{code, message}`) when it is a registered code, else ERR_CA_RESPONSE (an unregistered one kept as
 * `details.wireCode`).
 */
export function clientSideError(res: RawResponse, parsed: unknown): HelmlinkError {
  let code: ErrorCode = 'ERR_CA_RESPONSE';
  let wireCode: string | undefined;
  let message = `the CA answered with HTTP ${res.status}`;
  if (parsed === undefined) parsed = parseBody(res).parsed;
  if (parsed && typeof parsed === 'object') {
    const p = parsed as { code?: unknown; message?: unknown; error?: { code?: unknown; message?: unknown } };
    const e = p.error && typeof p.error === 'object' ? p.error : p;
    if (isErrorCode(e.code)) code = e.code;
    else if (typeof e.code === 'string') wireCode = e.code.slice(0, 64);
    if (typeof e.message === 'string') message = e.message;
  }
  return new HelmlinkError(code, message, {
    details: { status: res.status, ...(wireCode ? { wireCode } : {}) },
  });
}

/**
 * A non-2xx answer as the CA's own coded error (ERR_INTERNAL without a registered one: a code this build does not
 * register is kept as `details.wireCode`, never passed on as a code), with status and Retry-After.
 */
export function caError(res: RawResponse, parsed: unknown): HelmlinkError {
  const err = (parsed as Partial<ErrorBody> | undefined)?.error;
  const retry = res.headers['retry-after'];
  const code = isErrorCode(err?.code) ? err.code : 'ERR_INTERNAL';
  return new HelmlinkError(code, err?.message ?? `the CA answered ${res.status}`, {
    details: {
      status: res.status,
      ...(err?.code !== undefined && err.code !== code ? { wireCode: err.code } : {}),
      ...(err?.details ?? {}),
      ...(retry ? { retryAfter: Number(retry) } : {}),
    },
  });
}
