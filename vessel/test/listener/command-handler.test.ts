/**
 * The command handler's group commit with a real PKI and a real fsynced state file: the next command is taken in
 * while the previous one is still on its way to disk, and no ack leaves before the record of its command is durable
 * (one fdatasync covers every record written before it started); a failed fdatasync lets no ack out, nor any later.
 */
import { symlinkSync, unlinkSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import type { IPublishPacket } from 'mqtt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { topics } from '@helmlink/protocol';
import type { VesselAlert } from '../../src';
import { createCommandHandler } from '../../src/listener/command-handler';
import { NAVD, processorFixture } from '../helpers/processor';

const TGTD = '239.192.0.2:60002';

/** The handler over a real PKI and an fsynced state file (the listener's default), recording what it publishes. */
async function setup() {
  const { ctx, store, pilot, sign } = await processorFixture({ fsync: true });
  /** Every ack published, with the records on disk at that moment. */
  const published: { ack: string; durable: number }[] = [];
  const alerts: Omit<VesselAlert, 'at'>[] = [];
  const handle = createCommandHandler({
    ctx,
    log: pino({ level: 'silent' }),
    alert: (a) => alerts.push(a),
    events: new EventEmitter(),
    onChanged: () => undefined,
    publish: (topic, ack) => {
      expect(topic).toBe(topics.ack('MV'));
      published.push({ ack, durable: store.lastDurableRecord });
      return Promise.resolve();
    },
  });
  const packet = async (on: string[]): Promise<IPublishPacket> => ({
    cmd: 'publish',
    topic: topics.cmd('MV'),
    payload: Buffer.from(await sign(pilot, on)),
    qos: 1,
    dup: false,
    retain: false,
  });
  return { store, path: store.path, handle, packet, published, alerts };
}

describe('command handler: group commit', () => {
  it('takes the next command in before the previous is durable, and acks each only once its record is on disk', async () => {
    const { store, handle, packet, published } = await setup();
    const [a, b] = [await packet([NAVD]), await packet([TGTD])];
    const syncsBefore = store.syncs;
    const first = await handle(a);
    // Handed over: A is written (record n) but its fdatasync has not returned, and nothing was published.
    const recordA = store.lastRecord;
    expect(store.lastDurableRecord).toBeLessThan(recordA);
    expect(published).toEqual([]);
    const second = await handle(b);
    const recordB = store.lastRecord;
    expect(recordB).toBe(recordA + 1);
    await Promise.all([first.settled, second.settled]);
    // Each ack left only when an fdatasync covering its record had returned; A's before B's (arrival order).
    expect(published).toHaveLength(2);
    expect(published[0]!.durable).toBeGreaterThanOrEqual(recordA);
    expect(published[1]!.durable).toBeGreaterThanOrEqual(recordB);
    expect(store.lastDurableRecord).toBe(recordB);
    // At most one fdatasync per command, one when B was written while A's sync ran.
    expect(store.syncs - syncsBefore).toBeGreaterThanOrEqual(1);
    expect(store.syncs - syncsBefore).toBeLessThanOrEqual(2);
    expect(store.seq).toBe(2);
    store.close();
  });

  it('two commands written while an fdatasync runs share the next one, and neither is acked before it returns', async () => {
    const { store, handle, packet, published } = await setup();
    const [w, a, b, c] = [
      await packet([NAVD]),
      await packet([TGTD]),
      await packet([NAVD, TGTD]),
      await packet([]),
    ];
    await (
      await handle(w)
    ).settled; // the pilot's chain is now cached: a warm command needs no thread-pool work
    const syncsBefore = store.syncs;
    const first = await handle(a);
    // Handed over one after another, as the session does; A's fdatasync (started by A) cannot return in between:
    // its callback needs a turn of the event loop, and warm verification and signing are synchronous.
    const second = await handle(b);
    const third = await handle(c);
    const recordA = store.lastRecord - 2;
    expect(store.lastDurableRecord).toBeLessThan(recordA);
    expect(store.syncs).toBe(syncsBefore);
    expect(published).toHaveLength(1); // the warm-up command's ack only
    await Promise.all([first.settled, second.settled, third.settled]);
    // A's fdatasync covered A; B and C, written while it ran, shared the next one: two in all, not three.
    expect(store.syncs - syncsBefore).toBe(2);
    expect(published.slice(1).map((p) => p.durable)).toEqual([recordA, recordA + 2, recordA + 2]);
    expect(store.seq).toBe(4);
    store.close();
  });

  it('a failed fdatasync lets no ack out (the command stays unacknowledged), nor any later one', async () => {
    const { store, path, handle, packet, published, alerts } = await setup();
    const [a, b] = [await packet([NAVD]), await packet([TGTD])];
    // The journal now lands on a device that cannot sync (EINVAL), as a failing disk would answer.
    unlinkSync(path);
    symlinkSync('/dev/null', path);
    const first = await handle(a);
    await expect(first.settled).rejects.toMatchObject({ code: 'ERR_STATE_STORE' });
    await expect(handle(b)).rejects.toMatchObject({ code: 'ERR_STATE_STORE' });
    expect(published).toEqual([]);
    expect(alerts.map((x) => x.code)).toEqual(['ERR_STATE_STORE', 'ERR_STATE_STORE']);
    expect(alerts[0]!.message).toBe(`command not handled: cannot sync the state file ${path}`);
    store.close();
  });
});
