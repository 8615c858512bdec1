/**
 * The commands that bring a broker's dynamic-security state to the desired one. Pure: the plan is computed from the
 * two states (`listClients`/`listRoles` with `verbose`) and tested without a broker.
 *
 * Only what is ours is touched: roles named with {@link ENTITY_ROLE_PREFIX} (and the control role) and clients we
 * created (`textname` {@link MANAGED_TEXTNAME}, or holding one of our roles); an operator's own clients and roles
 * stay. `deleteClient` also disconnects every session of that username at once (the plugin kicks it), which is how
 * a revoked identity loses its open session; the order is: roles first (a new client needs its role), then
 * clients, then the roles nobody uses any more.
 */
import {
  CONTROL_ROLE,
  ENTITY_ROLE_PREFIX,
  MANAGED_TEXTNAME,
  type DynsecAcl,
  type DynsecClient,
  type DynsecRole,
  type DynsecState,
} from './policy';

/** One command of the plugin's JSON API (`{"commands": [...]}` on `$CONTROL/dynamic-security/v1`). */
export type DynsecCommand = { command: string } & Record<string, unknown>;

const ours = (rolename: string): boolean =>
  rolename === CONTROL_ROLE || rolename.startsWith(ENTITY_ROLE_PREFIX);

const managedClient = (c: DynsecClient): boolean =>
  c.textname === MANAGED_TEXTNAME || c.roles.some((r) => ours(r.rolename));

const aclKey = (a: DynsecAcl): string =>
  `${a.acltype} ${a.allow ? 'allow' : 'deny'} ${a.priority} ${a.topic}`;
const sameAcls = (a: readonly DynsecAcl[], b: readonly DynsecAcl[]): boolean =>
  a.map(aclKey).sort().join('\n') === b.map(aclKey).sort().join('\n');
const roleKey = (c: DynsecClient): string =>
  c.roles
    .map((r) => r.rolename)
    .sort()
    .join('\n');

/** The commands turning `actual` into `desired` (empty when they agree). */
export function planDynsec(desired: DynsecState, actual: DynsecState): DynsecCommand[] {
  const before: DynsecCommand[] = [];
  const clients: DynsecCommand[] = [];
  const after: DynsecCommand[] = [];
  const actualRoles = new Map(actual.roles.map((r) => [r.rolename, r]));
  const wantedRoles = new Map(desired.roles.map((r) => [r.rolename, r]));
  for (const role of desired.roles) {
    const have = actualRoles.get(role.rolename);
    if (!have) before.push({ command: 'createRole', rolename: role.rolename, acls: role.acls });
    else if (!sameAcls(have.acls, role.acls))
      before.push({ command: 'modifyRole', rolename: role.rolename, acls: role.acls });
  }
  const actualClients = new Map(actual.clients.map((c) => [c.username, c]));
  const wantedClients = new Set(desired.clients.map((c) => c.username));
  for (const client of desired.clients) {
    const have = actualClients.get(client.username);
    if (!have) {
      clients.push({
        command: 'createClient',
        username: client.username,
        ...(client.textname ? { textname: client.textname } : {}),
        roles: client.roles,
      });
      continue;
    }
    if (roleKey(have) !== roleKey(client))
      clients.push({ command: 'modifyClient', username: client.username, roles: client.roles });
    // A disabled client keeps its permissions in Mosquitto 2.0 (only password logins check the flag): enable it
    // so that the state we read back is the state that applies.
    if (have.disabled) clients.push({ command: 'enableClient', username: client.username });
  }
  for (const client of actual.clients) {
    if (!wantedClients.has(client.username) && managedClient(client))
      clients.push({ command: 'deleteClient', username: client.username });
  }
  for (const role of actual.roles) {
    if (!wantedRoles.has(role.rolename) && ours(role.rolename))
      after.push({ command: 'deleteRole', rolename: role.rolename });
  }
  return [...before, ...clients, ...after];
}

/** Disconnects every session of `username` without changing what it may do (disable, then enable again). */
export const kickCommands = (username: string): DynsecCommand[] => [
  { command: 'disableClient', username },
  { command: 'enableClient', username },
];

/** Parses the `data` of verbose `listClients` and `listRoles` responses into a state. */
export function parseDynsecState(clientsData: unknown, rolesData: unknown): DynsecState {
  const list = (data: unknown, key: string): unknown[] => {
    const v = (data as Record<string, unknown> | undefined)?.[key];
    if (!Array.isArray(v)) throw new TypeError(`dynamic-security answer without ${key}`);
    return v;
  };
  const clients = list(clientsData, 'clients').map((c) => {
    const o = c as Record<string, unknown>;
    return {
      username: String(o.username),
      ...(typeof o.textname === 'string' ? { textname: o.textname } : {}),
      ...(o.disabled === true ? { disabled: true } : {}),
      roles: (Array.isArray(o.roles) ? o.roles : []).map((r) => ({
        rolename: String((r as Record<string, unknown>).rolename),
      })),
    };
  });
  const roles = list(rolesData, 'roles').map((r) => {
    const o = r as Record<string, unknown>;
    return {
      rolename: String(o.rolename),
      acls: (Array.isArray(o.acls) ? o.acls : []).map((a) => {
        const acl = a as Record<string, unknown>;
        return {
          acltype: String(acl.acltype) as DynsecAcl['acltype'],
          topic: String(acl.topic),
          priority: Number(acl.priority ?? 0),
          allow: acl.allow === true,
        };
      }),
    } satisfies DynsecRole;
  });
  return { clients, roles };
}
