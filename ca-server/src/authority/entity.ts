/** Enrollment attribute rules of the CA: roles and maritime attributes (the entity-id rule is the vocabulary's). */
import {
  HelmlinkError,
  MARITIME_RULES,
  SHIP_NAME_RULE,
  isRole,
  isValidFlag,
  isValidImoNumber,
  isValidMmsi,
  isValidShipName,
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

/** Checks the optional maritime attributes (IMO with check digit, 9-digit MMSI, ISO 3166 alpha-2 flag, ship name). */
export function assertMaritime(attrs: {
  name?: string | undefined;
  imo?: string | undefined;
  mmsi?: string | undefined;
  flag?: string | undefined;
}): void {
  if (attrs.imo !== undefined && !isValidImoNumber(attrs.imo))
    throw new HelmlinkError('ERR_INPUT_INVALID', MARITIME_RULES.imo);
  if (attrs.mmsi !== undefined && !isValidMmsi(attrs.mmsi))
    throw new HelmlinkError('ERR_INPUT_INVALID', MARITIME_RULES.mmsi);
  if (attrs.flag !== undefined && !isValidFlag(attrs.flag))
    throw new HelmlinkError('ERR_INPUT_INVALID', MARITIME_RULES.flag);
  if (attrs.name !== undefined && !isValidShipName(attrs.name))
    throw new HelmlinkError('ERR_INPUT_INVALID', SHIP_NAME_RULE);
}
