/**
 * Validity periods (RFC 5280 4.1.2.5, 6.1.3 (a)(2)). X.509 times have whole-second precision, and the period
 * runs from notBefore through notAfter inclusive: the verification time is compared at that precision (floored
 * to its second by the caller, context.ts), so a certificate is still valid during the whole second of its
 * notAfter and not yet valid during the second before its notBefore.
 */
import { describe, fail } from './context';
import type { CertInfo } from './extensions';

/** Throws ERR_CHAIN_NOT_YET_VALID / ERR_CHAIN_EXPIRED unless `time` (whole seconds) is inside the period. */
export function checkValidity(info: CertInfo, time: number): void {
  if (time < info.notBefore) {
    throw fail(
      'ERR_CHAIN_NOT_YET_VALID',
      `${describe(info)} is not valid before ${new Date(info.notBefore).toISOString()}`,
      info,
      {
        notBefore: new Date(info.notBefore).toISOString(),
      },
    );
  }
  if (time > info.notAfter) {
    throw fail(
      'ERR_CHAIN_EXPIRED',
      `${describe(info)} expired at ${new Date(info.notAfter).toISOString()}`,
      info,
      {
        notAfter: new Date(info.notAfter).toISOString(),
      },
    );
  }
}
