/** Mapping of any thrown value to the contract's safe error shape (the edge where codes become words). */
import { HelmlinkError, describeError } from '@helmlink/protocol';
import type { ApiErrorInfo } from '@helmlink/app-preload';

/**
 * Converts an error to {@link ApiErrorInfo}: coded errors keep their code, get their standard words and keep their
 * own message as the detail; anything else is ERR_INTERNAL.
 */
export function toApiError(err: unknown): ApiErrorInfo {
  if (err instanceof HelmlinkError) {
    const info: ApiErrorInfo = { code: err.code, message: describeError(err.code) };
    if (err.message && err.message !== info.message) info.detail = err.message;
    return info;
  }
  return {
    code: 'ERR_INTERNAL',
    message: describeError('ERR_INTERNAL'),
    detail: err instanceof Error ? err.message : String(err),
  };
}
