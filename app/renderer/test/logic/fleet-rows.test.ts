import { describe, expect, it } from 'vitest';
import {
  consoleStaleReason,
  filterRows,
  fleetRow,
  sameRow,
  sortRows,
  type ConsoleLinks,
} from '../../src/logic/fleet-rows';
import { command, connectionStatus, stream, vessel } from '../support/test-api';

const connected = connectionStatus();
const up: ConsoleLinks = { service: 'open', broker: connected };
const catalog = () => [stream('misc', 1, true), stream('tgtd', 2, true), stream('satd', 3, false)];
const named = (id: string, name: string, extra = {}) =>
  vessel(id, catalog(), { identity: { name, imo: '9074729', mmsi: '257123450', flag: 'NO' }, ...extra });

describe('fleet rows', () => {
  it('shows the services’ status, ship particulars, link and figures', () => {
    const r = fleetRow(named('v1', 'MV Nordic Tern', { lastRttMs: 42 }), undefined, undefined, up);
    expect(r).toMatchObject({
      vesselId: 'v1',
      name: 'MV Nordic Tern',
      imo: '9074729',
      mmsi: '257123450',
      flag: 'NO',
      status: 'verified',
      link: 'connected',
      rttMs: 42,
      pending: 0,
      streamsOn: 2,
      streamsTotal: 3,
      requestedBps: 3000,
    });
    expect(r.verifiedAt).toBe(Date.parse('2026-11-22T02:00:00.100Z'));
  });

  it('maps link_down and keeps the services’ reason with the vessel’s words', () => {
    const r = fleetRow(
      named('v1', 'A', {
        status: 'rejected',
        statusReason: { code: 'ERR_HOOK_REJECTED', message: 'Refused.', vesselText: 'VDRD must stay on' },
      }),
      undefined,
      undefined,
      up,
    );
    expect(r.status).toBe('rejected');
    expect(r.reason).toBe('Refused. The vessel says: “VDRD must stay on”');
    const down = fleetRow(
      named('v2', 'B', { status: 'link_down', link: { state: 'link_down', since: 'x', reason: null } }),
      undefined,
      undefined,
      up,
    );
    expect([down.status, down.link]).toEqual(['linkDown', 'down']);
    expect(down.reason).toBe("The vessel's link to the broker is down.");
  });

  it('is stale when the page lost the service link, or the broker is down (whatever the services said)', () => {
    const v = named('v1', 'A');
    expect(fleetRow(v, undefined, undefined, { service: 'closed', broker: connected })).toMatchObject({
      status: 'stale',
      link: 'stale',
      reason: 'The console lost its link to the Helmlink service.',
    });
    const down = {
      ...connected,
      state: 'error' as const,
      lastError: { code: 'ERR_BROKER_CONNECT' as const, message: 'refused' },
    };
    expect(consoleStaleReason({ service: 'open', broker: down })).toBe(
      'Not connected to the broker (refused).',
    );
    expect(fleetRow(v, undefined, undefined, { service: 'open', broker: down }).status).toBe('stale');
    expect(consoleStaleReason({ service: 'open', broker: null })).toBeNull();
    expect(fleetRow(v, undefined, undefined, { service: 'ended', broker: connected })).toMatchObject({
      status: 'stale',
      reason: 'This console session has ended: open a new console link.',
    });
  });

  it('is pending with the pilot’s unsent changes, counting them with the command in flight', () => {
    const v = named('v1', 'A', { status: 'applied', pendingChanges: 1 });
    const r = fleetRow(v, { satd: true }, undefined, up);
    expect(r).toMatchObject({ status: 'pending', pending: 2, requestedBps: 6000 });
    expect(r.reason).toBe('1 change not sent yet.');
    // A change the latest command already carries is not unsent.
    const carried = command('c1', 'v1', 'pending', { on: ['239.192.0.3:60003'] });
    expect(fleetRow(named('v1', 'A'), { satd: true }, carried, up).pending).toBe(0);
    // Problems outrank unsent changes.
    expect(fleetRow(named('v1', 'A', { status: 'unverified' }), { satd: true }, undefined, up).status).toBe(
      'unverified',
    );
  });

  it('sorts worst status first, by name both ways, ties by name; filters by particulars and status', () => {
    const rows = [
      fleetRow(named('c', 'Charlie', { status: 'verified' }), undefined, undefined, up),
      fleetRow(named('a', 'alpha', { status: 'verified' }), undefined, undefined, up),
      fleetRow(
        vessel('b', catalog(), {
          identity: { name: 'Bravo', imo: '9305556', mmsi: '219004512', flag: 'DK' },
          status: 'unverified',
        }),
        undefined,
        undefined,
        up,
      ),
    ];
    expect(sortRows(rows, { key: 'status', dir: 'asc' }).map((r) => r.vesselId)).toEqual(['b', 'a', 'c']);
    expect(sortRows(rows, { key: 'name', dir: 'asc' }).map((r) => r.vesselId)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, { key: 'name', dir: 'desc' }).map((r) => r.vesselId)).toEqual(['c', 'b', 'a']);
    expect(filterRows(rows, '9305556', null).map((r) => r.vesselId)).toEqual(['b']);
    expect(filterRows(rows, 'dk', null).map((r) => r.vesselId)).toEqual(['b']);
    expect(filterRows(rows, 'ALPHA', null).map((r) => r.vesselId)).toEqual(['a']);
    expect(filterRows(rows, '', 'unverified').map((r) => r.vesselId)).toEqual(['b']);
    expect(filterRows(rows, 'nothing', null)).toEqual([]);
  });

  it('compares rows by what they show', () => {
    const a = fleetRow(named('v1', 'A'), undefined, undefined, up);
    expect(sameRow(a, { ...a })).toBe(true);
    expect(sameRow(a, { ...a, streamsOn: 1 })).toBe(false);
  });
});
