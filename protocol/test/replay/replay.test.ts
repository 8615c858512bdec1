import { existsSync, mkdtempSync, readFileSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryReplayStore, ReplaySnapshot } from '../../src/replay';
import { FileReplayStore } from '../../src/node/replay-file';
import { isHelmlinkError } from '../../src/errors';

const NOW = 1_800_000_000;

describe('ReplaySnapshot / MemoryReplayStore', () => {
  it('records a jti once per issuer', () => {
    const store = new MemoryReplayStore();
    expect(store.checkAndRecord({ iss: 'pilot-1', jti: 'a', expiresAt: NOW + 60 }, NOW)).toBe(true);
    expect(store.checkAndRecord({ iss: 'pilot-1', jti: 'a', expiresAt: NOW + 60 }, NOW + 1)).toBe(false);
    // The same jti from another issuer is another token.
    expect(store.checkAndRecord({ iss: 'pilot-2', jti: 'a', expiresAt: NOW + 60 }, NOW + 1)).toBe(true);
  });

  it('keeps entries until exp + tolerance, then forgets them', () => {
    const store = new ReplaySnapshot();
    store.record({ iss: 'p', jti: 'a', expiresAt: NOW + 60 });
    expect(store.prune(NOW + 60)).toBe(0);
    expect(store.has('p', 'a')).toBe(true);
    expect(store.prune(NOW + 61)).toBe(1);
    expect(store.has('p', 'a')).toBe(false);
    expect(store.size).toBe(0);
  });

  it('serializes and restores (for callers persisting replay with their own state)', () => {
    const store = new ReplaySnapshot();
    store.record({ iss: 'p', jti: 'a', expiresAt: NOW + 60 });
    const restored = ReplaySnapshot.fromJSON(JSON.parse(JSON.stringify(store.toJSON())));
    expect(restored.has('p', 'a')).toBe(true);
    expect(restored.checkAndRecord({ iss: 'p', jti: 'a', expiresAt: NOW + 60 }, NOW)).toBe(false);
  });

  it('rejects a damaged snapshot with ERR_REPLAY_STORE', () => {
    for (const bad of [null, { v: 2, entries: {} }, { v: 1, entries: { p: { a: 'soon' } } }]) {
      expect(() => ReplaySnapshot.fromJSON(bad)).toThrowError(
        expect.objectContaining({ code: 'ERR_REPLAY_STORE' }),
      );
    }
  });
});

describe('FileReplayStore', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'helmlink-replay-'));

  it('survives a restart: a jti recorded before is still a replay after reopening', () => {
    const path = join(dir(), 'replay.json');
    const first = FileReplayStore.open(path, NOW);
    expect(first.checkAndRecord({ iss: 'pilot-1', jti: 'a', expiresAt: NOW + 60 }, NOW)).toBe(true);
    // No close(): a crash leaves the entry only in the journal.
    const second = FileReplayStore.open(path, NOW + 5);
    expect(second.checkAndRecord({ iss: 'pilot-1', jti: 'a', expiresAt: NOW + 60 }, NOW + 5)).toBe(false);
    expect(second.checkAndRecord({ iss: 'pilot-1', jti: 'b', expiresAt: NOW + 60 }, NOW + 5)).toBe(true);
    second.close();
    const third = FileReplayStore.open(path, NOW + 10);
    expect(third.has('pilot-1', 'a') && third.has('pilot-1', 'b')).toBe(true);
    third.close();
  });

  it('compacts: the snapshot holds the entries and expired ones are dropped on open', () => {
    const path = join(dir(), 'replay.json');
    const store = FileReplayStore.open(path, NOW, { compactEvery: 2 });
    store.checkAndRecord({ iss: 'p', jti: 'a', expiresAt: NOW + 10 }, NOW);
    store.checkAndRecord({ iss: 'p', jti: 'b', expiresAt: NOW + 100 }, NOW);
    expect(JSON.parse(readFileSync(path, 'utf8')).entries.p).toEqual({ a: NOW + 10, b: NOW + 100 });
    expect(readFileSync(`${path}.journal`, 'utf8')).toBe('');
    const reopened = FileReplayStore.open(path, NOW + 50);
    expect(reopened.has('p', 'a')).toBe(false);
    expect(reopened.has('p', 'b')).toBe(true);
    reopened.close();
  });

  it('ignores a torn last journal line left by a crash', () => {
    const path = join(dir(), 'replay.json');
    const store = FileReplayStore.open(path, NOW);
    store.checkAndRecord({ iss: 'p', jti: 'a', expiresAt: NOW + 60 }, NOW);
    appendFileSync(`${path}.journal`, '{"iss":"p","jti":"b","expi');
    const reopened = FileReplayStore.open(path, NOW);
    expect(reopened.has('p', 'a')).toBe(true);
    expect(reopened.has('p', 'b')).toBe(false);
    reopened.close();
  });

  it("is locked to one process: a live holder is refused, a dead holder's lock is taken over", () => {
    const path = join(dir(), 'replay.json');
    writeFileSync(`${path}.lock`, String(process.ppid));
    expect(() => FileReplayStore.open(path, NOW)).toThrowError(
      expect.objectContaining({ code: 'ERR_REPLAY_STORE' }),
    );
    writeFileSync(`${path}.lock`, '4194303');
    const store = FileReplayStore.open(path, NOW);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(String(process.pid));
    store.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('reports a damaged snapshot with ERR_REPLAY_STORE', () => {
    const path = join(dir(), 'replay.json');
    writeFileSync(path, 'not json');
    let err: unknown;
    try {
      FileReplayStore.open(path, NOW);
    } catch (e) {
      err = e;
    }
    expect(isHelmlinkError(err, 'ERR_REPLAY_STORE')).toBe(true);
  });
});

describe('ReplaySnapshot: faults the cache must survive (mutation run)', () => {
  it('recording a jti again keeps one entry (and the later expiry), so the size stays honest', () => {
    const store = new ReplaySnapshot();
    store.record({ iss: 'p', jti: 'a', expiresAt: NOW + 60 });
    store.record({ iss: 'p', jti: 'a', expiresAt: NOW + 30 });
    expect(store.size).toBe(1);
    expect(store.toJSON()).toEqual({ v: 1, entries: { p: { a: NOW + 60 } } });
  });

  it('an issuer whose entries all expired is dropped from the snapshot', () => {
    const store = new ReplaySnapshot();
    store.record({ iss: 'p', jti: 'a', expiresAt: NOW });
    store.record({ iss: 'q', jti: 'b', expiresAt: NOW + 60 });
    store.prune(NOW + 1);
    expect(store.toJSON()).toEqual({ v: 1, entries: { q: { b: NOW + 60 } } });
  });

  it('checkAndRecord forgets expired entries as the clock moves, at most once per clock second', () => {
    const store = new MemoryReplayStore();
    expect(store.checkAndRecord({ iss: 'p', jti: 'a', expiresAt: NOW + 1 }, NOW)).toBe(true);
    // An entry that expired before it was recorded stays until the next prune, which is at most once a second.
    expect(store.checkAndRecord({ iss: 'p', jti: 'b', expiresAt: NOW - 10 }, NOW + 0.5)).toBe(true);
    expect(store.size).toBe(2);
    // Exactly one second after the last prune the cache prunes again: b (expired) goes, a (exp NOW + 1) stays.
    expect(store.checkAndRecord({ iss: 'p', jti: 'c', expiresAt: NOW + 60 }, NOW + 1)).toBe(true);
    expect(store.has('p', 'b')).toBe(false);
    expect(store.has('p', 'a')).toBe(true);
    expect(store.size).toBe(2);
    expect(store.checkAndRecord({ iss: 'p', jti: 'd', expiresAt: NOW + 60 }, NOW + 2.5)).toBe(true);
    expect(store.has('p', 'a')).toBe(false);
    expect(store.size).toBe(2);
  });

  it('no pruning within a second of the last one: a burst of commands does not walk the whole cache each time', () => {
    const store = new MemoryReplayStore();
    store.checkAndRecord({ iss: 'p', jti: 'a', expiresAt: NOW - 10 }, NOW); // pruned at NOW, then recorded
    store.checkAndRecord({ iss: 'p', jti: 'b', expiresAt: NOW + 60 }, NOW + 0.4);
    store.checkAndRecord({ iss: 'p', jti: 'c', expiresAt: NOW + 60 }, NOW + 0.9);
    // a expired long ago but is forgotten only at the next prune, a second after the last.
    expect([store.has('p', 'a'), store.size]).toEqual([true, 3]);
    store.checkAndRecord({ iss: 'p', jti: 'd', expiresAt: NOW + 60 }, NOW + 1);
    expect([store.has('p', 'a'), store.size]).toEqual([false, 3]);
  });

  it.each([
    ['a string (not an object)', 'replay', 'not an object'],
    ['null', null, 'not an object'],
    ['an unknown version', { v: 2, entries: {} }, 'unknown version'],
    ['no entries', { v: 1 }, 'no entries'],
    ['null entries', { v: 1, entries: null }, 'no entries'],
    ['entries as an array', { v: 1, entries: [] }, 'no entries'],
    ['entries as a string', { v: 1, entries: 'pq' }, 'no entries'],
    ["an issuer's entries as a string", { v: 1, entries: { p: 'a' } }, 'entries of p'],
    ["an issuer's entries as null", { v: 1, entries: { p: null } }, 'entries of p'],
    ["an issuer's entries as an array", { v: 1, entries: { p: [] } }, 'entries of p'],
    ['an expiry in words', { v: 1, entries: { p: { a: 'soon' } } }, 'expiry of p/a'],
    // A tampered file can say 1e999: JSON.parse makes it Infinity, an entry that would never be forgotten.
    ['an infinite expiry', JSON.parse('{"v":1,"entries":{"p":{"a":1e999}}}'), 'expiry of p/a'],
  ])('a damaged snapshot (%s) is ERR_REPLAY_STORE naming the damage', (_name, value, why) => {
    let err: unknown;
    try {
      ReplaySnapshot.fromJSON(value);
    } catch (e) {
      err = e;
    }
    expect(isHelmlinkError(err, 'ERR_REPLAY_STORE')).toBe(true);
    expect((err as Error).message).toBe(`the replay snapshot is damaged: ${why}`);
  });
});
