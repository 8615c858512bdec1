/** Entity id and enrollment attribute rules of the CA (stricter than topic ids: they end up in ACL files and DNs). */
import {
  HelmlinkError,
  ROLES,
  isValidFlag,
  isValidImoNumber,
  isValidMmsi,
  type Role,
} from '@helmlink/protocol';

const ENTITY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u;

/** Throws ERR_ID_INVALID unless `id` is 1–64 characters of letters, digits, `.`, `_`, `-` (starting alphanumeric). */
export function assertEntityId(id: unknown): string {
  if (typeof id !== 'string' || !ENTITY_ID.test(id)) {
    throw new HelmlinkError(
      'ERR_ID_INVALID',
      'an entity id is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  }
  return id;
}

/** Throws ERR_INPUT_INVALID for unknown roles or an empty list; returns the de-duplicated roles. */
export function assertRoles(roles: unknown): Role[] {
  if (!Array.isArray(roles) || roles.length === 0)
    throw new HelmlinkError('ERR_INPUT_INVALID', 'at least one role is required');
  for (const r of roles)
    if (!ROLES.includes(r as Role))
      throw new HelmlinkError('ERR_INPUT_INVALID', `unknown role: ${String(r)}`);
  return [...new Set(roles as Role[])];
}

/** Checks the optional maritime attributes (IMO with check digit, 9-digit MMSI, ISO 3166 alpha-2 flag). */
export function assertMaritime(attrs: {
  imo?: string | undefined;
  mmsi?: string | undefined;
  flag?: string | undefined;
}): void {
  if (attrs.imo !== undefined && !isValidImoNumber(attrs.imo))
    throw new HelmlinkError('ERR_INPUT_INVALID', 'the IMO number must have 7 digits and a valid check digit');
  if (attrs.mmsi !== undefined && !isValidMmsi(attrs.mmsi))
    throw new HelmlinkError('ERR_INPUT_INVALID', 'the MMSI must have 9 digits');
  if (attrs.flag !== undefined && !isValidFlag(attrs.flag))
    throw new HelmlinkError('ERR_INPUT_INVALID', 'the flag state must be an ISO 3166-1 alpha-2 code');
}
