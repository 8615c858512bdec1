/**
 * The entity-id rule. An entity id is a certificate's subject CN, the broker's MQTT user name, an ACL file line and a
 * topic level, so the one rule is the strictest of those places: 1-64 ASCII letters, digits, `.`, `_` or `-`,
 * starting with a letter or a digit. The CA, the console's IPC contract, the vessel configuration, the topic scheme
 * and the certificate profile all check ids with this rule.
 */
import { HelmlinkError } from '../errors';

/** Longest entity id. */
export const ENTITY_ID_MAX_LENGTH = 64;

/** The rule as a regular expression. */
export const ENTITY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u;

/** The rule in words (error messages and form hints). */
export const ENTITY_ID_RULE =
  'an entity id is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';

/** True when `id` follows the entity-id rule. */
export function isEntityId(id: unknown): id is string {
  return typeof id === 'string' && ENTITY_ID_PATTERN.test(id);
}

/** Returns `id` when it follows the entity-id rule; throws HelmlinkError ERR_ID_INVALID otherwise. */
export function assertEntityId(id: unknown, what = 'entity id'): string {
  if (!isEntityId(id)) throw new HelmlinkError('ERR_ID_INVALID', `invalid ${what}: ${ENTITY_ID_RULE}`);
  return id;
}
