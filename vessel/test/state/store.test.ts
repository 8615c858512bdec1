import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IEC_61162_450_CATALOG } from '@helmlink/protocol';
import { StateStore } from '../../src/state';

const catalog = IEC_61162_450_CATALOG;
const all = catalog.streams.map((s) => s.address);
const NOW = Date.parse('2026-11-22T00:00:00Z');
const clock = () => NOW;
const file = () => join(mkdtempSync(join(tmpdir(), 'vessel-state-')), 'state.jsonl');
const ack = (n: number, expiresAt = NOW / 1000 + 60) => ({
  cmdSha256: `sha-${n}`,
  iss: 'pilot',
  jti: `jti-${n}`,
  ack: `ack-${n}`,
  expiresAt,
});

describe('state file', () => {
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
});
