/** Results and errors: every method resolves to an ApiResult; unwrap turns it into the value or an ApiError. */
import type { ErrorCode } from '@helmlink/protocol/vocabulary';

/** A coded error safe to show: `code` is stable (the protocol vocabulary), `message` is words for people. */
export interface ApiErrorInfo {
  code: ErrorCode;
  message: string;
  /** Technical detail, shown one click away (never secrets). */
  detail?: string;
  /** For ERR_IPC_PAYLOAD_INVALID: which fields failed. */
  issues?: { path: string; message: string }[];
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorInfo };

/** The error {@link unwrap} throws; carries the stable code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly issues: { path: string; message: string }[] | undefined;
  constructor(info: ApiErrorInfo) {
    super(info.message);
    this.code = info.code;
    this.detail = info.detail;
    this.issues = info.issues;
  }
}

/** Returns the value of a result or throws an {@link ApiError}. */
export function unwrap<T>(result: ApiResult<T>): T {
  if (result.ok) return result.value;
  throw new ApiError(result.error);
}
