import { CRL_REASONS } from '@helmlink/protocol/vocabulary';

/** Words for an RFC 5280 CRLReason code or name (also 8, removeFromCRL, which "release hold" produces). */
export function describeRevocationReason(reason: string | number | undefined | null): string {
  if (reason === undefined || reason === null) return '—';
  const found = CRL_REASONS.find((r) => r.name === reason || r.code === reason);
  return found ? found.label : String(reason);
}
