/**
 * The topic access policy per role — one source for the Mosquitto `acl_file` (rendered here) and for an embedded
 * broker's authorizer (aedes `authorizePublish`/`authorizeSubscribe` call {@link isAllowed}).
 *
 * - vessel V: reads only `vessels/V/cmd`; writes only `vessels/V/ack`, `vessels/V/state`, `vessels/V/data/{stream}`,
 *   `vessels/V/alert` and `vessels/V/link` (its Last Will included).
 * - pilot: writes any vessel's `cmd`; reads every vessel's `ack`, `state`, `data`, `alert`, `link`.
 * - admin: reads every vessel's `ack`, `state`, `data`, `alert`, `link` (monitoring; commands need the pilot role).
 * - ca: the only identity that writes the CRL topic; reads every vessel's `alert` (forwarded to its webhook).
 * - every identity reads the CRL topic; broker: nothing else.
 * Anything not granted is denied. The MQTT username is the certificate CN (= entity id).
 */
import { TOPIC_ROOT, CRL_TOPIC } from './topics';
import { assertEntityId } from './vocabulary/entity-id';
import type { Role } from './vocabulary/roles';

export type AclAccess = 'read' | 'write';

export interface AclRule {
  access: AclAccess;
  /** A topic filter (MQTT wildcards allowed). */
  topic: string;
}

export interface AclSubject {
  entityId: string;
  roles: readonly Role[];
}

const VESSELS = `${TOPIC_ROOT}/vessels`;

/** Rules granted by one role to one entity. */
export function roleRules(role: Role, entityId: string): AclRule[] {
  const id = assertEntityId(entityId);
  switch (role) {
    case 'vessel':
      return [
        { access: 'read', topic: `${VESSELS}/${id}/cmd` },
        { access: 'write', topic: `${VESSELS}/${id}/ack` },
        { access: 'write', topic: `${VESSELS}/${id}/state` },
        { access: 'write', topic: `${VESSELS}/${id}/data/+` },
        { access: 'write', topic: `${VESSELS}/${id}/alert` },
        { access: 'write', topic: `${VESSELS}/${id}/link` },
      ];
    case 'pilot':
      return [
        { access: 'write', topic: `${VESSELS}/+/cmd` },
        { access: 'read', topic: `${VESSELS}/+/ack` },
        { access: 'read', topic: `${VESSELS}/+/state` },
        { access: 'read', topic: `${VESSELS}/+/data/+` },
        { access: 'read', topic: `${VESSELS}/+/alert` },
        { access: 'read', topic: `${VESSELS}/+/link` },
      ];
    case 'admin':
      return [
        { access: 'read', topic: `${VESSELS}/+/ack` },
        { access: 'read', topic: `${VESSELS}/+/state` },
        { access: 'read', topic: `${VESSELS}/+/data/+` },
        { access: 'read', topic: `${VESSELS}/+/alert` },
        { access: 'read', topic: `${VESSELS}/+/link` },
      ];
    case 'ca':
      return [
        { access: 'write', topic: CRL_TOPIC },
        { access: 'read', topic: `${VESSELS}/+/alert` },
      ];
    case 'broker':
      return [];
    default:
      return [];
  }
}

/** All rules of an identity: its roles' rules plus reading the CRL topic, without duplicates. */
export function aclRules(subject: AclSubject): AclRule[] {
  const rules: AclRule[] = [{ access: 'read', topic: CRL_TOPIC }];
  for (const role of subject.roles) {
    for (const rule of roleRules(role, subject.entityId)) {
      if (!rules.some((r) => r.access === rule.access && r.topic === rule.topic)) rules.push(rule);
    }
  }
  return rules;
}

/** True when topic filter `filter` only matches topics that `pattern` also matches. */
export function filterCovered(pattern: string, filter: string): boolean {
  const p = pattern.split('/');
  const f = filter.split('/');
  for (let i = 0; i < f.length; i++) {
    const pl = p[i];
    const fl = f[i]!;
    if (pl === undefined) return false;
    if (pl === '#') return true;
    if (fl === '#') return false;
    if (pl === '+') continue;
    if (fl === '+' || pl !== fl) return false;
  }
  return p.length === f.length || (p.length === f.length + 1 && p[f.length] === '#');
}

/**
 * The authorizer: may `subject` publish to `topic` (`write`) or subscribe to `filter` (`read`)?
 * A subscription is allowed only when every topic it can match is readable.
 */
export function isAllowed(subject: AclSubject, access: AclAccess, topicOrFilter: string): boolean {
  if (access === 'write' && /[+#]/u.test(topicOrFilter)) return false;
  return aclRules(subject).some((r) => r.access === access && filterCovered(r.topic, topicOrFilter));
}

// A username or topic in the ACL file runs to the end of its line: control characters and spaces would let an
// identity inject rules.
const ACL_SAFE = /^[\x21-\x7e]+$/u;

/**
 * Renders a Mosquitto `acl_file` for the given identities (one `user` block each, sorted by entity id).
 * Throws TypeError for an entity id that is not safe to write into the file.
 */
export function renderMosquittoAcl(
  subjects: readonly AclSubject[],
  header = 'Helmlink topic ACL, generated from the CA store. Do not edit.',
): string {
  const lines = [`# ${header.replace(/[\r\n]/gu, ' ')}`, '# Anything not granted here is denied.', ''];
  const merged = new Map<string, Set<Role>>();
  for (const s of subjects) {
    if (!ACL_SAFE.test(s.entityId))
      throw new TypeError(`entity id not safe for an ACL file: ${JSON.stringify(s.entityId)}`);
    const roles = merged.get(s.entityId) ?? new Set<Role>();
    for (const r of s.roles) roles.add(r);
    merged.set(s.entityId, roles);
  }
  for (const entityId of [...merged.keys()].sort()) {
    const rules = aclRules({ entityId, roles: [...merged.get(entityId)!].sort() });
    lines.push(`user ${entityId}`);
    for (const r of rules) lines.push(`topic ${r.access} ${r.topic}`);
    lines.push('');
  }
  return lines.join('\n');
}
