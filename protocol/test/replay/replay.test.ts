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
