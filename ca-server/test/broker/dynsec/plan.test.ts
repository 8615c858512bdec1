import { describe, expect, it } from 'vitest';
import { CRL_TOPIC, topics } from '@helmlink/protocol';
import { kickCommands, parseDynsecState, planDynsec } from '../../../src/broker/dynsec/plan';
import {
  CONTROL_ROLE,
  desiredDynsecState,
  DYNSEC_RESPONSE_TOPIC,
  DYNSEC_TOPIC,
  entityAcls,
  renderDynsecConfig,
  type DynsecState,
} from '../../../src/broker/dynsec/policy';

const vessel = { entityId: 'mv-a', roles: ['vessel' as const] };
const pilot = { entityId: 'pilot-1', roles: ['pilot' as const] };

describe('dynamic-security policy', () => {
  it('turns the topic policy into plugin ACLs: read = subscribe + receive, write = publish', () => {
    const acls = entityAcls(vessel);
    expect(acls).toContainEqual({
      acltype: 'subscribePattern',
      topic: topics.cmd('mv-a'),
      priority: 0,
      allow: true,
    });
    expect(acls).toContainEqual({
      acltype: 'publishClientReceive',
      topic: topics.cmd('mv-a'),
      priority: 0,
      allow: true,
    });
    expect(acls).toContainEqual({
      acltype: 'publishClientSend',
      topic: topics.ack('mv-a'),
      priority: 0,
      allow: true,
    });
    expect(acls).toContainEqual({ acltype: 'subscribePattern', topic: CRL_TOPIC, priority: 0, allow: true });
    expect(acls.every((a) => a.allow)).toBe(true);
    // Nothing of another vessel, nothing of the control API.
    expect(acls.some((a) => a.topic.includes('mv-b') || a.topic.startsWith('$CONTROL'))).toBe(false);
  });

  it('gives the CA service identity, and only it, the control role, even when the store has no active certificate for it', () => {
    const state = desiredDynsecState([vessel, pilot], 'helmlink-ca');
    const control = state.roles.find((r) => r.rolename === CONTROL_ROLE)!;
    expect(control.acls).toEqual([
      { acltype: 'publishClientSend', topic: DYNSEC_TOPIC, priority: 0, allow: true },
      { acltype: 'subscribePattern', topic: DYNSEC_RESPONSE_TOPIC, priority: 0, allow: true },
      { acltype: 'publishClientReceive', topic: DYNSEC_RESPONSE_TOPIC, priority: 0, allow: true },
    ]);
    const holders = state.clients.filter((c) => c.roles.some((r) => r.rolename === CONTROL_ROLE));
    expect(holders.map((c) => c.username)).toEqual(['helmlink-ca']);
    expect(state.clients.map((c) => c.username)).toEqual(['helmlink-ca', 'mv-a', 'pilot-1']);
  });

  it('renders a configuration file that denies by default', () => {
    const file = JSON.parse(renderDynsecConfig(desiredDynsecState([vessel], 'helmlink-ca'))) as Record<
      string,
      unknown
    >;
    expect(file.defaultACLAccess).toEqual({
      publishClientSend: false,
      publishClientReceive: false,
      subscribe: false,
      unsubscribe: true,
    });
    expect(file.groups).toEqual([]);
  });
});

describe('planDynsec', () => {
  const desired = desiredDynsecState([vessel, pilot], 'helmlink-ca');

  it('plans nothing when the broker agrees', () => {
    expect(planDynsec(desired, desired)).toEqual([]);
    // ACL order does not matter.
    const shuffled: DynsecState = {
      clients: [...desired.clients].reverse(),
      roles: desired.roles.map((r) => ({ ...r, acls: [...r.acls].reverse() })),
    };
    expect(planDynsec(desired, shuffled)).toEqual([]);
  });

  it('creates roles before the clients that need them', () => {
    const plan = planDynsec(desired, { clients: [], roles: [] });
    const firstClient = plan.findIndex((c) => c.command === 'createClient');
    const lastRole = plan.map((c) => c.command).lastIndexOf('createRole');
    expect(lastRole).toBeLessThan(firstClient);
    expect(plan.filter((c) => c.command === 'createClient').map((c) => c.username)).toEqual([
      'helmlink-ca',
      'mv-a',
      'pilot-1',
    ]);
    expect(plan.find((c) => c.username === 'mv-a')).toMatchObject({
      textname: 'helmlink',
      roles: [{ rolename: 'helmlink:entity:mv-a' }],
    });
  });

  it('deletes a managed client that lost its last valid certificate, then its role; leaves the operator’s own alone', () => {
    const actual = desiredDynsecState(
      [vessel, pilot, { entityId: 'mv-gone', roles: ['vessel'] }],
      'helmlink-ca',
    );
    actual.clients.push({ username: 'operator-tool', roles: [{ rolename: 'ops' }] });
    actual.roles.push({ rolename: 'ops', acls: [] });
    expect(planDynsec(desired, actual)).toEqual([
      { command: 'deleteClient', username: 'mv-gone' },
      { command: 'deleteRole', rolename: 'helmlink:entity:mv-gone' },
    ]);
  });

  it('updates changed ACLs and roles, and enables a disabled client', () => {
    const actual: DynsecState = structuredClone(desired);
    actual.roles.find((r) => r.rolename === 'helmlink:entity:mv-a')!.acls.pop();
    actual.clients.find((c) => c.username === 'pilot-1')!.roles = [];
    actual.clients.find((c) => c.username === 'mv-a')!.disabled = true;
    expect(planDynsec(desired, actual)).toEqual([
      {
        command: 'modifyRole',
        rolename: 'helmlink:entity:mv-a',
        acls: desired.roles.find((r) => r.rolename === 'helmlink:entity:mv-a')!.acls,
      },
      { command: 'enableClient', username: 'mv-a' },
      { command: 'modifyClient', username: 'pilot-1', roles: [{ rolename: 'helmlink:entity:pilot-1' }] },
    ]);
  });

  it('kicks with disable + enable, and parses the verbose list answers', () => {
    expect(kickCommands('mv-a')).toEqual([
      { command: 'disableClient', username: 'mv-a' },
      { command: 'enableClient', username: 'mv-a' },
    ]);
    const state = parseDynsecState(
      {
        totalCount: 1,
        clients: [{ username: 'mv-a', textname: 'helmlink', disabled: true, roles: [{ rolename: 'r' }] }],
      },
      {
        totalCount: 1,
        roles: [
          { rolename: 'r', acls: [{ acltype: 'publishClientSend', topic: 't', priority: 0, allow: true }] },
        ],
      },
    );
    expect(state).toEqual({
      clients: [{ username: 'mv-a', textname: 'helmlink', disabled: true, roles: [{ rolename: 'r' }] }],
      roles: [
        { rolename: 'r', acls: [{ acltype: 'publishClientSend', topic: 't', priority: 0, allow: true }] },
      ],
    });
    expect(() => parseDynsecState({}, { roles: [] })).toThrow(TypeError);
  });
});
