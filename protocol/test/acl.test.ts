import { describe, expect, it } from 'vitest';
import { aclRules, filterCovered, isAllowed, renderMosquittoAcl } from '../src/acl';
import { CRL_TOPIC, topics } from '../src/topics';

const vessel = { entityId: 'mv-aurora', roles: ['vessel'] as const };
const pilot = { entityId: 'pilot-1', roles: ['pilot'] as const };
const admin = { entityId: 'admin-1', roles: ['admin'] as const };
const ca = { entityId: 'helmlink-ca', roles: ['ca'] as const };

describe('topic ACL policy', () => {
  it('lets a vessel read only its own cmd and write only its own ack/state/data', () => {
    expect(isAllowed(vessel, 'read', topics.cmd('mv-aurora'))).toBe(true);
    expect(isAllowed(vessel, 'read', topics.cmd('mv-other'))).toBe(false);
    expect(isAllowed(vessel, 'read', 'helmlink/v1/vessels/+/cmd')).toBe(false);
    expect(isAllowed(vessel, 'write', topics.ack('mv-aurora'))).toBe(true);
    expect(isAllowed(vessel, 'write', topics.state('mv-aurora'))).toBe(true);
    expect(isAllowed(vessel, 'write', topics.data('mv-aurora', 'NAVD'))).toBe(true);
    expect(isAllowed(vessel, 'write', topics.ack('mv-other'))).toBe(false);
    expect(isAllowed(vessel, 'write', topics.cmd('mv-aurora'))).toBe(false);
    expect(isAllowed(vessel, 'write', CRL_TOPIC)).toBe(false);
    expect(isAllowed(vessel, 'read', CRL_TOPIC)).toBe(true);
  });

  it('lets a pilot command any vessel and read acks, state and data', () => {
    expect(isAllowed(pilot, 'write', topics.cmd('mv-aurora'))).toBe(true);
    expect(isAllowed(pilot, 'write', 'helmlink/v1/vessels/+/cmd')).toBe(false);
    expect(isAllowed(pilot, 'read', topics.filters.allAcks)).toBe(true);
    expect(isAllowed(pilot, 'read', topics.filters.allStates)).toBe(true);
    expect(isAllowed(pilot, 'read', topics.filters.allData)).toBe(true);
    expect(isAllowed(pilot, 'read', 'helmlink/v1/#')).toBe(false);
    expect(isAllowed(pilot, 'write', topics.ack('mv-aurora'))).toBe(false);
    expect(isAllowed(pilot, 'read', topics.cmd('mv-aurora'))).toBe(false);
  });

  it('gives admins read-only monitoring and only the CA the CRL topic', () => {
    expect(isAllowed(admin, 'write', topics.cmd('mv-aurora'))).toBe(false);
    expect(isAllowed(admin, 'read', topics.filters.allStates)).toBe(true);
    expect(isAllowed(ca, 'write', CRL_TOPIC)).toBe(true);
    expect(isAllowed(pilot, 'write', CRL_TOPIC)).toBe(false);
    expect(isAllowed({ entityId: 'broker-1', roles: ['broker'] }, 'write', topics.cmd('x'))).toBe(false);
  });

  it('lets a vessel report its own alerts and link status, and pilots, admins and the CA read them', () => {
    expect(isAllowed(vessel, 'write', topics.alert('mv-aurora'))).toBe(true);
    expect(isAllowed(vessel, 'write', topics.link('mv-aurora'))).toBe(true);
    expect(isAllowed(vessel, 'write', topics.alert('mv-other'))).toBe(false);
    expect(isAllowed(vessel, 'write', topics.link('mv-other'))).toBe(false);
    expect(isAllowed(vessel, 'read', topics.filters.allAlerts)).toBe(false);
    for (const reader of [pilot, admin]) {
      expect(isAllowed(reader, 'read', topics.filters.allAlerts)).toBe(true);
      expect(isAllowed(reader, 'read', topics.filters.allLinks)).toBe(true);
      expect(isAllowed(reader, 'write', topics.alert('mv-aurora'))).toBe(false);
      expect(isAllowed(reader, 'write', topics.link('mv-aurora'))).toBe(false);
    }
    expect(isAllowed(ca, 'read', topics.filters.allAlerts)).toBe(true);
    expect(isAllowed(ca, 'write', topics.alert('mv-aurora'))).toBe(false);
  });

  it('matches filters conservatively', () => {
    expect(filterCovered('a/+/c', 'a/b/c')).toBe(true);
    expect(filterCovered('a/+/c', 'a/+/c')).toBe(true);
    expect(filterCovered('a/b/c', 'a/+/c')).toBe(false);
    expect(filterCovered('a/#', 'a/b/#')).toBe(true);
    expect(filterCovered('a/+', 'a/#')).toBe(false);
    expect(filterCovered('a/#', 'a')).toBe(true);
    expect(filterCovered('a/b', 'a/b/c')).toBe(false);
  });

  it('renders a Mosquitto acl_file with one user block per identity and refuses unsafe ids', () => {
    const text = renderMosquittoAcl([vessel, pilot, { entityId: 'pilot-1', roles: ['admin'] }, ca]);
    expect(text).toContain(
      'user mv-aurora\ntopic read helmlink/v1/pki/crl\ntopic read helmlink/v1/vessels/mv-aurora/cmd\n',
    );
    expect(text).toContain('user pilot-1\n');
    expect(text.match(/^user pilot-1$/gmu)).toHaveLength(1);
    expect(text).toContain(
      'user helmlink-ca\ntopic read helmlink/v1/pki/crl\ntopic write helmlink/v1/pki/crl',
    );
    expect(
      aclRules({ entityId: 'x', roles: ['pilot', 'admin'] }).filter((r) => r.topic.endsWith('/ack')),
    ).toHaveLength(1);
    expect(() => renderMosquittoAcl([{ entityId: 'evil\ntopic readwrite #', roles: ['pilot'] }])).toThrow(
      TypeError,
    );
    expect(() => renderMosquittoAcl([{ entityId: 'has space', roles: ['pilot'] }])).toThrow(TypeError);
  });
});
