/**
 * RFC 5280 §5.3.1 CRL reason codes offered when revoking, with words for the picker. Code 7 is unused in the
 * RFC; `removeFromCRL` (8) is not a revocation reason (it is what "release hold" produces), so it is not offered.
 */
export const REVOCATION_REASONS = [
  { value: 'unspecified', code: 0, label: 'Unspecified', help: 'No specific reason given' },
  { value: 'keyCompromise', code: 1, label: 'Key compromise', help: 'The private key was or may have been exposed' },
  { value: 'cACompromise', code: 2, label: 'CA compromise', help: 'The issuing CA key was compromised' },
  { value: 'affiliationChanged', code: 3, label: 'Affiliation changed', help: 'The holder left the organisation or changed role' },
  { value: 'superseded', code: 4, label: 'Superseded', help: 'A new certificate replaces this one' },
  { value: 'cessationOfOperation', code: 5, label: 'Cessation of operation', help: 'The holder or vessel is out of service' },
  { value: 'certificateHold', code: 6, label: 'Certificate hold (temporary)', help: 'Suspend; can be released later' },
  { value: 'privilegeWithdrawn', code: 9, label: 'Privilege withdrawn', help: 'The holder may no longer act in this role' },
  { value: 'aACompromise', code: 10, label: 'AA compromise', help: 'An attribute authority was compromised' },
] as const;

export type RevocationReason = (typeof REVOCATION_REASONS)[number]['value'];

/** Words for a reason name or numeric code (also `removeFromCRL`). */
export function describeRevocationReason(reason: string | number | undefined): string {
  if (reason === undefined) return '—';
  if (reason === 'removeFromCRL' || reason === 8) return 'Removed from CRL (hold released)';
  const found = REVOCATION_REASONS.find((r) => r.value === reason || r.code === reason);
  return found ? found.label : String(reason);
}
