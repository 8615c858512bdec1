/** Enrollment attribute rules of the CA: roles and maritime attributes (the entity-id rule is the vocabulary's). */
import {
  HelmlinkError,
  SHIP_NAME_RULE,
  isRole,
  isValidShipName,
  maritimeProblem,
  type MaritimeIdentifiers,
  type Role,
} from '@helmlink/protocol';

/** Throws ERR_INPUT_INVALID for unknown roles or an empty list; returns the de-duplicated roles. */
export function assertRoles(roles: unknown): Role[] {
  if (!Array.isArray(roles) || roles.length === 0)
    throw new HelmlinkError('ERR_INPUT_INVALID', 'at least one role is required');
  for (const r of roles)
    if (!isRole(r)) throw new HelmlinkError('ERR_INPUT_INVALID', `unknown role: ${String(r)}`);
  return [...new Set(roles as Role[])];
}

/**
 * Checks the optional maritime attributes with the vocabulary's rules (IMO with check digit, ship station MMSI with
 * an allocated MID, assigned ISO 3166-1 alpha-2 flag, the MID allocated to that flag, the ship's name). Throws
 * ERR_INPUT_INVALID (details.field names the attribute).
 */
export function assertMaritime(attrs: MaritimeIdentifiers & { name?: string | undefined }): void {
  const problem = maritimeProblem(attrs);
  if (problem)
    throw new HelmlinkError('ERR_INPUT_INVALID', problem.message, {
      details: { field: problem.field, rule: problem.rule },
    });
  if (attrs.name !== undefined && !isValidShipName(attrs.name))
    throw new HelmlinkError('ERR_INPUT_INVALID', SHIP_NAME_RULE, { details: { field: 'name' } });
}
