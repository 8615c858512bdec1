/**
 * Reading the CA's answers: JSON bodies and refusals (`ErrorBody`) as coded errors, with the console's
 * client-side codes or with the CA's own codes as they are.
 */
import { HelmlinkError } from '@helmlink/protocol';
import type { RawResponse } from './transport';
import type { ErrorBody } from './wire';

const ERROR_CODE = /^ERR_[A-Z0-9_]+$/u;

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
 * `{code, message}`) when it is an ERR_ code, else ERR_CA_RESPONSE.
 */
export function clientSideError(res: RawResponse, parsed: unknown): HelmlinkError {
  let code = 'ERR_CA_RESPONSE';
  let message = `the CA answered with HTTP ${res.status}`;
  if (parsed === undefined) parsed = parseBody(res).parsed;
  if (parsed && typeof parsed === 'object') {
    const p = parsed as { code?: unknown; message?: unknown; error?: { code?: unknown; message?: unknown } };
    const e = p.error && typeof p.error === 'object' ? p.error : p;
    if (typeof e.code === 'string' && ERROR_CODE.test(e.code)) code = e.code;
    if (typeof e.message === 'string') message = e.message;
  }
  return new HelmlinkError(code, message, { details: { status: res.status } });
}

/** A non-2xx answer as the CA's own coded error (ERR_INTERNAL without one), with status and Retry-After. */
export function caError(res: RawResponse, parsed: unknown): HelmlinkError {
  const err = (parsed as Partial<ErrorBody> | undefined)?.error;
  const retry = res.headers['retry-after'];
  return new HelmlinkError(err?.code ?? 'ERR_INTERNAL', err?.message ?? `the CA answered ${res.status}`, {
    details: {
      status: res.status,
      ...(err?.details ?? {}),
      ...(retry ? { retryAfter: Number(retry) } : {}),
    },
  });
}
