/**
 * Coded errors. Every rejection of untrusted input is a {@link HelmlinkError} with a stable `code`;
 * callers branch on the code, never on the message. Caller bugs (wrong argument types, impossible
 * options) are plain `TypeError`s. The edges (CLI, HTTP, UI) map codes to exit codes, status codes and words.
 * The codes and their descriptions live in the pure vocabulary (`vocabulary/errors/`), one closed union per package.
 */
import { describeError, type ErrorCode } from './vocabulary/errors';

export type { ErrorCode };

export interface HelmlinkErrorOptions {
  cause?: unknown;
  /** Machine-readable details safe to show (never secrets). */
  details?: Record<string, unknown>;
}

/** The one error class for rejections of untrusted input. */
export class HelmlinkError extends Error {
  override readonly name = 'HelmlinkError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options: HelmlinkErrorOptions = {}) {
    super(message ?? describeError(code), { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** A JSON form for logs and wire errors: code, message and details, never the stack. */
  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

/** True when `err` is a HelmlinkError, optionally with the given code. */
export function isHelmlinkError(err: unknown, code?: ErrorCode): err is HelmlinkError {
  return err instanceof HelmlinkError && (code === undefined || err.code === code);
}
