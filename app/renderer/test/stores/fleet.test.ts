import { beforeEach, describe, expect, it } from 'vitest';
import { bindApi } from '../../src/api/current';
import {
  applyRates,
  applyVessels,
  cancelCriticalOff,
  confirmCriticalOff,
  fleetStore,
  loadFleet,
  rateKey,
  requestToggle,
  resetDraft,
  applyFleetChanges,
  dropDraftOf,
  selectVessel,
  setFleetFilter,
  sortFleetBy,
} from '../../src/stores/fleet';
import { createTestApi, stream, vessel, type TestApi } from '../support/test-api';

let t: TestApi;
const catalog = () => [stream('misc', 1, true), stream('tgtd', 2, true), stream('satd', 3, false)];

beforeEach(() => {
  t = createTestApi();
  bindApi(t.api);
  fleetStore.setState(fleetStore.getInitialState(), true);
  applyVessels([vessel('v2', catalog()), vessel('v1', catalog())]);
});

describe('fleet store', () => {
  it('orders vessels and loads rates', async () => {
    t.ok('fleet.vessels', [vessel('b', []), vessel('a', [])]);
    t.ok('fleet.rates', {
      at: '2026-11-22T02:00:00.000Z',
      windowSeconds: 5,
      rates: [{ vesselId: 'a', streamId: 'misc', messagesPerSecond: 4, lastMessageAt: null }],
    });
    await loadFleet();
    const s = fleetStore.getState();
    expect(s.order).toEqual(['a', 'b']);
    expect(s.rates[rateKey('a', 'misc')]?.messagesPerSecond).toBe(4);
    expect(s.error).toBeNull();
  });

  it('keeps a load failure as words', async () => {
    t.fail('fleet.vessels', 'ERR_BRIDGE_DISCONNECTED');
    t.ok('fleet.rates', { at: '', windowSeconds: 5, rates: [] });
    await loadFleet();
    expect(fleetStore.getState().error?.title).toBe('Console connection lost');
  });

  it('puts ordinary toggles straight into the draft', () => {
    expect(requestToggle('v1', 'satd', true)).toBe('set');
    expect(fleetStore.getState().drafts.v1).toEqual({ satd: true });
    expect(requestToggle('v1', 'satd', false)).toBe('set');
    expect(fleetStore.getState().drafts.v1).toEqual({});
    expect(requestToggle('v1', 'nope', true)).toBe('ignored');
  });

  it('asks before switching off a navigation-critical stream', () => {
    expect(requestToggle('v1', 'tgtd', false)).toBe('confirm');
    expect(fleetStore.getState().confirm).toEqual({ vesselId: 'v1', streamId: 'tgtd' });
    expect(fleetStore.getState().drafts.v1).toBeUndefined();
    cancelCriticalOff();
    expect(fleetStore.getState().confirm).toBeNull();
    expect(fleetStore.getState().drafts.v1).toBeUndefined();
    requestToggle('v1', 'tgtd', false);
    confirmCriticalOff();
    expect(fleetStore.getState().drafts.v1).toEqual({ tgtd: false });
    // switching it back on needs no confirmation; with confirmations off it goes straight in
    expect(requestToggle('v1', 'tgtd', true)).toBe('set');
    expect(requestToggle('v1', 'tgtd', false, false)).toBe('set');
    expect(fleetStore.getState().drafts.v1).toEqual({ tgtd: false });
  });

  it('drops draft entries once the verified state shows them applied', () => {
    requestToggle('v1', 'satd', true);
    requestToggle('v1', 'misc', false);
    applyVessels([
      vessel('v1', [stream('misc', 1, true), stream('tgtd', 2, true), stream('satd', 3, true)]),
      vessel('v2', catalog()),
    ]);
    expect(fleetStore.getState().drafts.v1).toEqual({ misc: false });
    resetDraft('v1');
    expect(fleetStore.getState().drafts.v1).toBeUndefined();
  });

  it('replaces rates with each snapshot', () => {
    applyRates({
      at: 'a',
      windowSeconds: 5,
      rates: [
        { vesselId: 'v1', streamId: 'misc', messagesPerSecond: 2, lastMessageAt: null, flow: 'flowing' },
      ],
    });
    applyRates({ at: 'b', windowSeconds: 5, rates: [] });
    expect(fleetStore.getState().rates).toEqual({});
    expect(fleetStore.getState().ratesAt).toBe('b');
  });
});

describe('fleet overview state', () => {
  it('keeps the object of an unchanged vessel when the whole fleet is pushed again, replaces a changed one', () => {
    const before = fleetStore.getState();
    applyVessels([vessel('v2', catalog()), vessel('v1', catalog())]);
    expect(fleetStore.getState()).toBe(before);
    applyFleetChanges({ changed: [vessel('v1', [stream('misc', 1, false)])], removed: [], at: 'now' });
    const after = fleetStore.getState();
    expect(after.vessels.v2).toBe(before.vessels.v2);
    expect(after.vessels.v1).not.toBe(before.vessels.v1);
    expect(after.order).toBe(before.order);
    applyFleetChanges({ changed: [], removed: ['v2'], at: 'now' });
    expect(fleetStore.getState().order).toEqual(['v1']);
  });

  it('drops only the draft entries a settled command asked for (the toggles snap back)', () => {
    requestToggle('v1', 'satd', true);
    requestToggle('v1', 'misc', false);
    dropDraftOf('v1', ['239.192.0.3:60003'], []);
    expect(fleetStore.getState().drafts.v1).toEqual({ misc: false });
    dropDraftOf('v1', [], ['239.192.0.1:60001']);
    expect(fleetStore.getState().drafts.v1).toBeUndefined();
  });

  it('selects a vessel, sorts (the same column flips the direction) and filters', () => {
    selectVessel('v1');
    expect(fleetStore.getState().selected).toBe('v1');
    sortFleetBy('status');
    expect(fleetStore.getState().sort).toEqual({ key: 'status', dir: 'asc' });
    sortFleetBy('status');
    expect(fleetStore.getState().sort).toEqual({ key: 'status', dir: 'desc' });
    setFleetFilter({ text: 'tern' });
    setFleetFilter({ status: 'stale' });
    expect(fleetStore.getState().filter).toEqual({ text: 'tern', status: 'stale' });
  });
});
