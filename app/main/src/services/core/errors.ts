/** Mapping of any thrown value to the contract's safe error shape (the edge where codes become words). */
import { HelmlinkError, describeError } from '@helmlink/protocol';
import type { ApiErrorInfo } from '@helmlink/app-preload';

/** Converts an error to {@link ApiErrorInfo}: coded errors keep their code and message; anything else is ERR_INTERNAL. */
export function toApiError(err: unknown): ApiErrorInfo {
  if (err instanceof HelmlinkError) {
    // Known codes get their standard words; a code only the CA knows keeps the CA's own message.
    const known = describeError(err.code) !== err.code;
    const info: ApiErrorInfo = { code: err.code, message: known ? describeError(err.code) : err.message };
    if (err.message && err.message !== info.message) info.detail = err.message;
    return info;
  }
  return {
    code: 'ERR_INTERNAL',
    message: describeError('ERR_INTERNAL'),
    detail: err instanceof Error ? err.message : String(err),
  };
}
