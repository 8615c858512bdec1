/**
 * Batched fleet events: 500 vessels changing at once cost one `fleet.changed` (only the changed vessels, whole)
 * and at most one full list a second, instead of a full list per message.
 */
import { describe, expect, it } from 'vitest';
import type { EventMap, VesselView } from '@helmlink/app-preload';
import { systemClock } from '@helmlink/protocol';
import { ConsoleEvents } from '../../../src/services/core/events';
import { FleetPublisher } from '../../../src/services/fleet/fleet-publisher';

const view = (vesselId: string): VesselView => ({ vesselId }) as VesselView;

function setup(changesIntervalMs: number, listIntervalMs: number) {
  const events = new ConsoleEvents();
  const changed: EventMap['fleet.changed'][] = [];
  const lists: EventMap['fleet.vessels'][] = [];
  events.subscribe((e, p) => {
    if (e === 'fleet.changed') changed.push(p as EventMap['fleet.changed']);
    if (e === 'fleet.vessels') lists.push(p as EventMap['fleet.vessels']);
  });
  const known = new Map<string, VesselView>();
  const publisher = new FleetPublisher({
    events,
    clock: systemClock,
    view: (id) => known.get(id) ?? null,
    all: () => [...known.values()],
    changesIntervalMs,
    listIntervalMs,
  });
  return { publisher, known, changed, lists };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FleetPublisher', () => {
  it('pushes 500 changed vessels as one batch, each once, and removals by id', async () => {
    const { publisher, known, changed, lists } = setup(30, 200);
    for (let i = 0; i < 500; i++) {
      const id = `IMO${1000000 + i}`;
      known.set(id, view(id));
      publisher.changed(id);
      publisher.changed(id);
    }
    publisher.changed('IMO-GONE');
    expect(changed).toHaveLength(0);
    await sleep(80);
    expect(changed).toHaveLength(1);
    expect(changed[0]!.changed).toHaveLength(500);
    expect(new Set(changed[0]!.changed.map((v) => v.vesselId)).size).toBe(500);
    expect(changed[0]!.removed).toEqual(['IMO-GONE']);
    expect(Number.isNaN(Date.parse(changed[0]!.at))).toBe(false);
    await sleep(50);
    expect(lists).toHaveLength(1);
    expect(lists[0]).toHaveLength(500);
    publisher.close();
  });

  it('flush(true) pushes a due list at once, also when the timer already pushed the changes, and only once', async () => {
    const { publisher, known, changed, lists } = setup(10, 60_000);
    known.set('A', view('A'));
    publisher.changed('A');
    publisher.flush(true);
    expect([changed.length, lists.length]).toEqual([1, 1]);
    publisher.changed('A');
    await sleep(40); // the changes timer pushes them; the list waits for its interval
    expect([changed.length, lists.length]).toEqual([2, 1]);
    publisher.flush(true);
    expect(lists).toHaveLength(2);
    publisher.flush(true);
    expect([changed.length, lists.length]).toEqual([2, 2]);
    publisher.close();
  });

  it('throttles the full list to one per interval and sends the last state after a burst', async () => {
    const { publisher, known, changed, lists } = setup(10, 250);
    known.set('A', view('A'));
    for (let i = 0; i < 8; i++) {
      publisher.changed('A');
      await sleep(40);
    }
    await sleep(300);
    // Timers may merge batches on a busy machine; the full list is still rarer, and it does come.
    expect(changed.length).toBeGreaterThan(lists.length);
    expect(lists.length).toBeGreaterThanOrEqual(1);
    expect(lists.length).toBeLessThanOrEqual(3);
    publisher.close();
  });

  it('flush pushes at once; close drops what is pending', async () => {
    const { publisher, known, changed } = setup(1000, 1000);
    known.set('A', view('A'));
    publisher.changed('A');
    publisher.flush();
    expect(changed).toHaveLength(1);
    publisher.changed('A');
    publisher.close();
    await sleep(20);
    expect(changed).toHaveLength(1);
  });
});
