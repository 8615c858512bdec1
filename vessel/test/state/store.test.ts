import { appendFileSync, existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isHelmlinkError } from '@helmlink/protocol';
import { StateStore } from '../../src/state';
import { ack, all, catalog, clock, file, NOW } from '../helpers/state';

describe('state file', () => {
  it('durable(): one fdatasync covers every record written before it; compaction waits for a running sync', async () => {
    const path = file();
    const s = StateStore.open(path, catalog, { now: clock, compactEvery: 3 });
    await expect(s.durable()).resolves.toBeUndefined(); // nothing written since the snapshot
    s.commit(ack(1), { on: [all[0]!], off: all.slice(1) });
    s.commit(ack(2));
    const first = s.durable();
    // Written while the sync runs: the third record reaches the compaction limit, which waits for the sync.
    s.commit(ack(3), { on: all, off: [] });
    expect(s.journalLength).toBe(3);
    await Promise.all([first, s.durable()]);
    expect(s.journalLength).toBe(0); // compacted once the sync returned
    s.close();
    const r = StateStore.open(path, catalog, { now: clock });
    expect(r.seq).toBe(2);
    expect(r.ackFor('sha-3')?.ack).toBe('ack-3');
    r.close();
  });

  it('durable() resolves at once without fsync (the write reached the page cache)', async () => {
    const path = file();
    const s = StateStore.open(path, catalog, { now: clock, fsync: false });
    s.commit(ack(1), { on: [all[0]!], off: all.slice(1) });
    await expect(s.durable()).resolves.toBeUndefined();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    s.close();
  });

  it('starts with every stream on, persists applied commands, replay entries and acks across reopen', () => {
    const path = file();
    const s = StateStore.open(path, catalog, { now: clock });
    expect(s.streams).toEqual({ on: all, off: [] });
    s.commit(ack(1), { on: [all[0]!], off: all.slice(1) });
    s.commit(ack(2)); // rejected: remembered, state unchanged
    s.close();
    const r = StateStore.open(path, catalog, { now: clock });
    expect(r.streams.on).toEqual([all[0]]);
    expect(r.seq).toBe(1);
    expect(r.lastJti).toBe('jti-1');
    expect(r.seen('pilot', 'jti-2')).toBe(true);
    expect(r.ackFor('sha-1')?.ack).toBe('ack-1');
    expect(r.ackFor('sha-2')?.ack).toBe('ack-2');
    r.close();
  });

  it('ignores a torn last journal line (its ack was never sent) and refuses a damaged snapshot', () => {
    const path = file();
    const s = StateStore.open(path, catalog, { now: clock });
    s.commit(ack(1), { on: [], off: all });
    s.close();
    appendFileSync(path, '{"type":"record","n":2,"handled":{"cmdSha');
    const r = StateStore.open(path, catalog, { now: clock });
    expect(r).toMatchObject({ seq: 1 });
    expect(r.seen('pilot', 'jti-1')).toBe(true);
    r.close();
    writeFileSync(path, 'garbage\n');
    expect(() => StateStore.open(path, catalog)).toThrow(
      expect.objectContaining({ code: 'ERR_STATE_STORE' }),
    );
  });

  it('compacts into one snapshot line, pruning expired replay entries and acks', () => {
    const path = file();
    let now = NOW;
    const s = StateStore.open(path, catalog, { now: () => now, compactEvery: 3 });
    s.commit(ack(1, NOW / 1000 + 10), { on: [], off: all });
    s.commit(ack(2, NOW / 1000 + 1000));
    now += 60_000;
    s.commit(ack(3, NOW / 1000 + 1000)); // third record triggers compaction at now + 60 s
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(s.seen('pilot', 'jti-1')).toBe(false);
    expect(s.seen('pilot', 'jti-2')).toBe(true);
    expect(s.ackFor('sha-1')).toBeUndefined();
    expect(s.journalLength).toBe(0);
    s.close();
  });

  it('keeps on/off for streams still in a changed catalog; new streams start on', () => {
    const path = file();
    const s = StateStore.open(path, catalog, { now: clock });
    s.commit(ack(1), { on: [all[0]!], off: all.slice(1) });
    s.close();
    const bigger = {
      streams: [
        ...catalog.streams,
        { id: 'CAM', name: 'cam', kind: 'camera' as const, address: '239.192.1.1:60101', bitrateBps: 1 },
      ],
    };
    const r = StateStore.open(path, bigger, { now: clock });
    expect(r.streams.on).toEqual([all[0], '239.192.1.1:60101']);
    expect(r.streams.off).toEqual(all.slice(1));
    r.close();
  });

  /** A state file with a snapshot and `count` journal records (every other one applied), left uncompacted. */
  function journal(count: number): { path: string; lines: () => string[] } {
    const path = file();
    const s = StateStore.open(path, catalog, { now: clock, compactEvery: 1000 });
    for (let i = 1; i <= count; i++)
      s.commit(
        ack(i, Date.now() / 1000 + 3600),
        i % 2 ? { on: all.slice(0, i), off: all.slice(i) } : undefined,
      );
    s.close();
    return { path, lines: () => readFileSync(path, 'utf8').split('\n') };
  }

  const damagedAt = (path: string) => {
    try {
      StateStore.open(path, catalog, { now: clock });
    } catch (err) {
      if (isHelmlinkError(err, 'ERR_STATE_JOURNAL_DAMAGED')) return err;
      throw err;
    }
    throw new Error('the damaged journal was accepted');
  };

  it('refuses to start on a damaged line inside the journal instead of dropping every later record', () => {
    const { path, lines } = journal(5);
    const healthy = lines();
    expect(healthy).toHaveLength(7); // snapshot, 5 records, '' after the last newline
    // Line 3 (record 2) damaged in place: records 3–5 (seq 2 and 3, their replay entries) must not vanish.
    for (const damage of ['{"type":"record","n":2,"hand', 'x'.repeat(40), '', '{}', '[1,2]']) {
      writeFileSync(path, [...healthy.slice(0, 2), damage, ...healthy.slice(3)].join('\n'));
      const err = damagedAt(path);
      expect(err.details).toMatchObject({ path, line: 3, damagedLines: 1 });
      expect(err.message).toContain(`the state file ${path} is damaged at line 3`);
      expect(err.message).toContain('helmlink vessel state-repair');
      expect(readFileSync(path, 'utf8')).toContain(damage); // nothing rewritten
    }
    // A whole line missing (the numbering has a gap) or a sequence number out of step is damage too.
    writeFileSync(path, [...healthy.slice(0, 2), ...healthy.slice(3)].join('\n'));
    expect(damagedAt(path).message).toContain('record number 3 where 2 was expected');
    const reordered = [healthy[0], healthy[1], healthy[3], healthy[2], ...healthy.slice(4)];
    writeFileSync(path, reordered.join('\n'));
    expect(damagedAt(path).details).toMatchObject({ line: 3 });
    const skewed = healthy[3]!.replace('"seq":2', '"seq":7');
    writeFileSync(path, [...healthy.slice(0, 3), skewed, ...healthy.slice(4)].join('\n'));
    expect(damagedAt(path).message).toContain('state sequence 7 where 2 was expected');
    // The undamaged file opens with every record.
    writeFileSync(path, healthy.join('\n'));
    const r = StateStore.open(path, catalog, { now: clock });
    expect(r.seq).toBe(3);
    expect(r.seen('pilot', 'jti-5')).toBe(true);
    r.close();
  });

  it('drops only a torn last line; a damaged last complete line is refused', () => {
    const { path, lines } = journal(3);
    const healthy = lines();
    writeFileSync(path, `${healthy.join('\n')}{"type":"rec`);
    const r = StateStore.open(path, catalog, { now: clock });
    expect([r.seq, r.seen('pilot', 'jti-3')]).toEqual([2, true]);
    r.close();
    const { path: p2, lines: l2 } = journal(3);
    const h2 = l2();
    writeFileSync(p2, [...h2.slice(0, 3), 'garbage', ''].join('\n'));
    expect(damagedAt(p2).details).toMatchObject({ line: 4 });
  });

  it('repairs a damaged journal only after every command it may hold has expired, keeping a copy and the later records', () => {
    const { path, lines } = journal(5);
    const healthy = lines();
    const damaged = [...healthy.slice(0, 2), 'garbage', ...healthy.slice(3)].join('\n');
    writeFileSync(path, damaged);
    const written = statSync(path).mtimeMs;
    const early = () =>
      StateStore.repair(path, catalog, { toleranceSeconds: 30, now: () => written + 359_000 });
    expect(early).toThrow(expect.objectContaining({ code: 'ERR_STATE_JOURNAL_DAMAGED' }));
    expect(early).toThrow(new Date(written + 360_000).toISOString());
    expect(readFileSync(path, 'utf8')).toBe(damaged);

    const later = written + 361_000;
    const result = StateStore.repair(path, catalog, { toleranceSeconds: 30, now: () => later });
    expect(result).toMatchObject({ repaired: true, dropped: [{ line: 3, reason: 'not JSON' }], seq: 4 });
    expect(readFileSync(result.backup!, 'utf8')).toBe(damaged);
    const r = StateStore.open(path, catalog, { now: () => later });
    // Records 3–5 are kept: the last applied state (record 5), their replay entries and acks; seq is above
    // every state the vessel may have published (3, plus one per dropped line).
    expect(r.seq).toBe(4);
    expect(r.streams.on).toEqual(all.slice(0, 5));
    expect(['jti-1', 'jti-2', 'jti-3', 'jti-5'].map((j) => r.seen('pilot', j))).toEqual([
      true,
      false,
      true,
      true,
    ]);
    r.close();
    expect(StateStore.repair(path, catalog, { toleranceSeconds: 30, now: () => later })).toMatchObject({
      repaired: false,
      dropped: [],
    });
  });

  it('reads without writing (vessel status next to a running listener)', () => {
    const { path } = journal(3);
    utimesSync(path, new Date(NOW), new Date(NOW));
    const before = { text: readFileSync(path, 'utf8'), stat: statSync(path) };
    const r = StateStore.read(path, catalog);
    expect([r.seq, r.lastJti]).toEqual([2, 'jti-3']);
    r.close();
    const after = statSync(path);
    expect(readFileSync(path, 'utf8')).toBe(before.text);
    expect([after.ino, after.mtimeMs]).toEqual([before.stat.ino, before.stat.mtimeMs]);
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });
});
