/** Roles of the Helmlink certificate profile (one SAN URI per role, see pki/profile.ts). */

/** Every role a certificate can carry: `ca` is the CA service's own identity (HTTPS and CRL publishing). */
export const ROLES = ['pilot', 'admin', 'vessel', 'broker', 'ca'] as const;
export type Role = (typeof ROLES)[number];

/** Roles an administrator can create enrollment tokens for (never `ca`). */
export const ENROLLABLE_ROLES = ['pilot', 'admin', 'vessel', 'broker'] as const satisfies readonly Role[];
export type EnrollableRole = (typeof ENROLLABLE_ROLES)[number];

/** True when `value` is one of {@link ROLES}. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
