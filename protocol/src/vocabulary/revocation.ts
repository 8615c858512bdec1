/** RFC 5280 §5.3.1 CRLReason: the one table of codes, names and words for people. */

/** Every CRLReason: its code, its ASN.1 name and a label for people. Code 7 is unused by RFC 5280. */
export const CRL_REASONS = [
  { code: 0, name: 'unspecified', label: 'Unspecified' },
  { code: 1, name: 'keyCompromise', label: 'Key compromise' },
  { code: 2, name: 'cACompromise', label: 'CA compromise' },
  { code: 3, name: 'affiliationChanged', label: 'Affiliation changed' },
  { code: 4, name: 'superseded', label: 'Superseded' },
  { code: 5, name: 'cessationOfOperation', label: 'Cessation of operation' },
  { code: 6, name: 'certificateHold', label: 'Certificate hold (can be released)' },
  { code: 8, name: 'removeFromCRL', label: 'Removed from CRL (hold released)' },
  { code: 9, name: 'privilegeWithdrawn', label: 'Privilege withdrawn' },
  { code: 10, name: 'aACompromise', label: 'AA compromise' },
] as const;

type CrlReason = (typeof CRL_REASONS)[number];
export type CrlReasonName = CrlReason['name'];
export type CrlReasonCode = CrlReason['code'];

/**
 * The reasons a revocation may carry: every CRLReason but removeFromCRL (8), which only appears in delta CRLs and
 * is the release operation, not a reason.
 */
export type RevocationReason = Exclude<CrlReason, { name: 'removeFromCRL' }>;
export type RevocationReasonName = RevocationReason['name'];
export type RevocationReasonCode = RevocationReason['code'];

/** {@link RevocationReason}s in code order, for menus and schemas. */
export const REVOCATION_REASON_LIST: readonly RevocationReason[] = CRL_REASONS.filter(
  (r): r is RevocationReason => r.name !== 'removeFromCRL',
);

/** Revocation reason codes by name (`REVOCATION_REASONS.certificateHold === 6`). */
export const REVOCATION_REASONS = Object.freeze(
  Object.fromEntries(REVOCATION_REASON_LIST.map((r) => [r.name, r.code])),
) as { readonly [R in RevocationReason as R['name']]: R['code'] };

/** The code removeFromCRL (8): on a delta CRL it releases a certificate from hold. */
export const REMOVE_FROM_CRL = 8 satisfies CrlReasonCode;

/** The CRLReason of a code, or undefined for a code RFC 5280 does not define. */
export function crlReason(code: number): CrlReason | undefined {
  return CRL_REASONS.find((r) => r.code === code);
}

/** True when `code` is a reason a revocation may carry ({@link RevocationReasonCode}). */
export function isRevocationReasonCode(code: unknown): code is RevocationReasonCode {
  return REVOCATION_REASON_LIST.some((r) => r.code === code);
}

/** The name of a revocation reason code, or undefined when the code is not one a revocation may carry. */
export function reasonName(code: number): RevocationReasonName | undefined {
  return REVOCATION_REASON_LIST.find((r) => r.code === code)?.name;
}
