import { describe, expect, it } from 'vitest';
import {
  buildIntent,
  criticalSwitchOffs,
  desiredOn,
  pendingChanges,
  pruneDraft,
  requestedBitrate,
} from '../../src/logic/fleet';
import { stream, vessel } from '../support/test-api';

const v = vessel('v1', [
  stream('misc', 1, true),
  stream('tgtd', 2, true),
  stream('satd', 3, false),
  stream('navd', 4, true),
]);

describe('fleet logic', () => {
  it('shows the draft over the verified state', () => {
    expect(desiredOn(v.streams[2]!, { satd: true })).toBe(true);
    expect(desiredOn(v.streams[2]!, undefined)).toBe(false);
  });

  it('lists pending changes in catalog order and ignores drafts equal to the state', () => {
    const changes = pendingChanges(v, { navd: false, misc: true, satd: true });
    expect(changes.map((c) => [c.stream.id, c.on])).toEqual([
      ['satd', true],
      ['navd', false],
    ]);
  });

  it('sums the requested bitrate of the streams desired on', () => {
    expect(requestedBitrate(v, undefined)).toBe(1000 + 2000 + 4000);
    expect(requestedBitrate(v, { satd: true, tgtd: false })).toBe(1000 + 3000 + 4000);
  });

  it('finds navigation-critical streams being switched off', () => {
    expect(criticalSwitchOffs(v, { tgtd: false, misc: false }).map((s) => s.id)).toEqual(['tgtd']);
  });

  it('prunes entries the vessel already applied', () => {
    expect(pruneDraft(v, { misc: true, satd: true })).toEqual({ satd: true });
  });

  it('builds the complete on/off partition of the catalog', () => {
    expect(buildIntent(v, { satd: true, navd: false })).toEqual({
      vesselId: 'v1',
      on: ['239.192.0.1:60001', '239.192.0.2:60002', '239.192.0.3:60003'],
      off: ['239.192.0.4:60004'],
    });
  });
});
