import { REVOCATION_REASONS } from '@helmlink/app-preload';

/** Words for an RFC 5280 CRLReason code or name (also 8, removeFromCRL, which "release hold" produces). */
export function describeRevocationReason(reason: string | number | undefined | null): string {
  if (reason === undefined || reason === null) return '—';
  if (reason === 'removeFromCRL' || reason === 8) return 'Removed from CRL (hold released)';
  const found = REVOCATION_REASONS.find((r) => r.name === reason || r.code === reason);
  return found ? found.label : String(reason);
}
