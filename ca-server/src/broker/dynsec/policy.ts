/**
 * The broker's access control as Mosquitto dynamic-security state, derived from the CA store: one client per entity
 * (username = certificate CN = entity id, as `use_identity_as_username` makes it) holding one role with that
 * entity's topic rules (the policy of `protocol/src/acl.ts`, the same rules an embedded broker applies), and the CA
 * service identity's control role for `$CONTROL/dynamic-security/v1`. Everything not granted is denied, so a
 * client the plugin does not know (or no longer knows) can do nothing even when its TLS handshake succeeds.
 */
import { aclRules, type AclSubject } from '@helmlink/protocol';

/** The plugin's control topic and the topic its responses are published on. */
export const DYNSEC_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_TOPIC}/response`;

/** Role granting the dynamic-security API (the CA service identity only). */
export const CONTROL_ROLE = 'helmlink:control';
/** Prefix of the per-entity roles; roles and clients carrying it are ours to create, change and delete. */
export const ENTITY_ROLE_PREFIX = 'helmlink:entity:';
/** `textname` of the clients we create (how a reconciliation recognises them). */
export const MANAGED_TEXTNAME = 'helmlink';

export type DynsecAclType = 'publishClientSend' | 'publishClientReceive' | 'subscribePattern';

export interface DynsecAcl {
  acltype: DynsecAclType;
  topic: string;
  priority: number;
  allow: boolean;
}

export interface DynsecRole {
  rolename: string;
  acls: DynsecAcl[];
}

export interface DynsecClient {
  username: string;
  textname?: string;
  disabled?: boolean;
  roles: { rolename: string; priority?: number }[];
}

/** What the broker should hold. */
export interface DynsecState {
  clients: DynsecClient[];
  roles: DynsecRole[];
}

/** Deny by default: publish, receive and subscribe need a role that grants them. */
export const DEFAULT_ACL_ACCESS = {
  publishClientSend: false,
  publishClientReceive: false,
  subscribe: false,
  unsubscribe: true,
} as const;

const allow = (acltype: DynsecAclType, topic: string): DynsecAcl => ({
  acltype,
  topic,
  priority: 0,
  allow: true,
});

/** The per-entity role name. */
export const entityRoleName = (entityId: string): string => `${ENTITY_ROLE_PREFIX}${entityId}`;

/** The plugin's ACLs for one identity: `read` = subscribe + receive, `write` = publish. */
export function entityAcls(subject: AclSubject): DynsecAcl[] {
  return aclRules(subject).flatMap((r) =>
    r.access === 'write'
      ? [allow('publishClientSend', r.topic)]
      : [allow('subscribePattern', r.topic), allow('publishClientReceive', r.topic)],
  );
}

const controlRole = (): DynsecRole => ({
  rolename: CONTROL_ROLE,
  acls: [
    allow('publishClientSend', `${DYNSEC_TOPIC}`),
    allow('subscribePattern', DYNSEC_RESPONSE_TOPIC),
    allow('publishClientReceive', DYNSEC_RESPONSE_TOPIC),
  ],
});

/**
 * The desired state for the store's active identities. `serviceId` (the CA service identity) also gets the control
 * role, whether or not it is active: the CA must never lock itself out of its broker.
 */
export function desiredDynsecState(identities: readonly AclSubject[], serviceId: string): DynsecState {
  const roles: DynsecRole[] = [controlRole()];
  const clients: DynsecClient[] = [];
  const byId = new Map(identities.map((s) => [s.entityId, s]));
  if (!byId.has(serviceId)) byId.set(serviceId, { entityId: serviceId, roles: ['ca'] });
  for (const subject of [...byId.values()].sort((a, b) => a.entityId.localeCompare(b.entityId))) {
    const rolename = entityRoleName(subject.entityId);
    roles.push({ rolename, acls: entityAcls(subject) });
    clients.push({
      username: subject.entityId,
      textname: MANAGED_TEXTNAME,
      roles: [{ rolename }, ...(subject.entityId === serviceId ? [{ rolename: CONTROL_ROLE }] : [])],
    });
  }
  return { clients, roles };
}

/** The plugin's configuration file (`plugin_opt_config_file`) for a state: what a broker starts from. */
export function renderDynsecConfig(state: DynsecState): string {
  return `${JSON.stringify(
    {
      defaultACLAccess: DEFAULT_ACL_ACCESS,
      clients: state.clients,
      groups: [],
      roles: state.roles,
    },
    null,
    1,
  )}\n`;
}
