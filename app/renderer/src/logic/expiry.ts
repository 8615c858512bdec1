/** Certificate expiry levels for banners and badges. */
import { RENEWAL_AT_FRACTION } from '@helmlink/protocol/vocabulary';

export type ExpiryLevel = 'ok' | 'renew-due' | 'warning' | 'critical' | 'expired';

export interface ExpiryInfo {
  level: ExpiryLevel;
  /** Milliseconds until notAfter (negative once expired). */
  remainingMs: number;
  /** Fraction of the validity period already used, 0..1 (clamped). */
  usedFraction: number;
}

/**
 * Where a certificate stands. Renewal is due at {@link RENEWAL_AT_FRACTION} (2/3) of the lifetime (the main side
 * renews automatically then); a warning shows when less than 1/5 of the lifetime or 7 days remain, critical under 1/10 or 24 hours.
 */
export function expiryInfo(notBefore: number, notAfter: number, now: number): ExpiryInfo {
  const lifetime = Math.max(1, notAfter - notBefore);
  const remainingMs = notAfter - now;
  const usedFraction = Math.min(1, Math.max(0, (now - notBefore) / lifetime));
  let level: ExpiryLevel = 'ok';
  if (remainingMs <= 0) level = 'expired';
  else if (remainingMs <= Math.min(lifetime / 10, 24 * 3600_000)) level = 'critical';
  else if (remainingMs <= Math.min(lifetime / 5, 7 * 24 * 3600_000)) level = 'warning';
  else if (usedFraction >= RENEWAL_AT_FRACTION) level = 'renew-due';
  return { level, remainingMs, usedFraction };
}
