/**
 * The state file against the faults of a ship's disk and of the file itself (issue 15's survivors): a record that
 * cannot be made durable, unreadable or unwritable files, descriptors that leak or point at a replaced file, the
 * ack window, the repair's exact boundary and backup, and every refusal in words.
 */
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateStore } from '../../src/state';
import { ack, all, catalog, clock, file, NOW } from '../helpers/state';

const NOW_S = NOW / 1000;
const openFds = () => readdirSync('/proc/self/fd').length;

/** The error a call throws (the test fails when it does not throw). */
function thrown(fn: () => unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

/** A state file whose journal line 3 (record 2) is damaged, and whether a second line is damaged too. */
function damagedJournal(twoLines = false): { path: string; text: string } {
  const path = file();
  const s = StateStore.open(path, catalog, { now: clock, compactEvery: 1000, fsync: false });
  for (let i = 1; i <= 4; i++) s.commit(ack(i, NOW_S + 3600), i % 2 ? { on: [], off: all } : undefined);
  s.close();
  const lines = readFileSync(path, 'utf8').split('\n');
  lines[2] = 'garbage';
  if (twoLines) lines[3] = 'more garbage';
  const text = lines.join('\n');
  writeFileSync(path, text);
  return { path, text };
}

describe('state file: a record that is not durable is not acknowledged', () => {
  it('a disk that cannot sync the record (fdatasync fails) never lets its ack out, nor any later one', async () => {
    const path = file();
    const s = StateStore.open(path, catalog, { now: clock });
    // The journal now lands on a device that cannot sync (EINVAL), as a failing disk would answer.
    unlinkSync(path);
    symlinkSync('/dev/null', path);
    // The write reaches the page cache; the ack waits for durable(), which refuses.
    s.commit(ack(1), { on: [], off: all });
    const err = await s.durable().then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(err).toMatchObject({ code: 'ERR_STATE_STORE', message: `cannot sync the state file ${path}` });
    expect((err?.cause as NodeJS.ErrnoException).code).toBe('EINVAL');
    // Once a sync failed the page cache may have lost records: nothing later is accepted or made durable.
    expect(thrown(() => s.commit(ack(2)))).toBe(err);
    await expect(s.durable()).rejects.toBe(err);
    s.close();
    // Without fsync (a test or a tmpfs) the same write is accepted: the sync is what failed.
    const relaxed = file();
    const r = StateStore.open(relaxed, catalog, { now: clock, fsync: false });
    unlinkSync(relaxed);
    symlinkSync('/dev/null', relaxed);
    r.commit(ack(1), { on: [], off: all });
    await r.durable();
    expect(r.seq).toBe(1);
    r.close();
  });

  it('a state file that cannot be opened for the journal (replaced by a directory) refuses the commit', () => {
    const path = file();
    const s = StateStore.open(path, catalog, { now: clock, fsync: false });
    unlinkSync(path);
    mkdirSync(path);
    const err = thrown(() => s.commit(ack(1)));
    expect(err).toMatchObject({ code: 'ERR_STATE_STORE', message: `cannot open the state file ${path}` });
    expect((err.cause as NodeJS.ErrnoException).code).toBe('EISDIR');
    expect(s.seen('pilot', 'jti-1')).toBe(false);
  });

  it('a snapshot that cannot replace the file fails loudly (ERR_STATE_STORE), never silently', () => {
    const path = file();
    const s = StateStore.open(path, catalog, { now: clock, fsync: false });
    s.close();
    unlinkSync(path);
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), '');
    const err = thrown(() => s.compact());
    expect(err).toMatchObject({ code: 'ERR_STATE_STORE', message: `cannot write the state file ${path}` });
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('an unreadable state file (a directory in its place) stops the start; a damaged snapshot is named', () => {
    const path = file();
    mkdirSync(path);
    const err = thrown(() => StateStore.open(path, catalog, { now: clock }));
    expect(err).toMatchObject({ code: 'ERR_STATE_STORE', message: `cannot read the state file ${path}` });
    expect((err.cause as NodeJS.ErrnoException).code).toBe('EISDIR');
    const damaged = file();
    writeFileSync(damaged, 'garbage\n');
    const bad = thrown(() => StateStore.open(damaged, catalog, { now: clock }));
    expect(bad).toMatchObject({ code: 'ERR_STATE_STORE', message: `the state file ${damaged} is damaged` });
    expect(bad.cause).toBeInstanceOf(Error);
  });

  it('the file is readable by the vessel user only (0600), also after every compaction', () => {
    const path = file();
    const s = StateStore.open(path, catalog, { now: clock, fsync: false, compactEvery: 1 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    s.commit(ack(1));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    s.close();
  });
});

describe('state file: descriptors', () => {
  it('one journal descriptor however many commits (a long voyage must not run out of descriptors); close releases it', () => {
    const before = openFds();
    const s = StateStore.open(file(), catalog, { now: clock, fsync: false, compactEvery: 1000 });
    for (let i = 1; i <= 20; i++) s.commit(ack(i));
    expect(openFds()).toBe(before + 1);
    s.close();
    expect(openFds()).toBe(before);
  });

  it('a record committed after a compaction lands in the new file (the old descriptor points at the replaced one)', () => {
    const path = file();
    const s = StateStore.open(path, catalog, { now: clock, fsync: false, compactEvery: 2 });
    s.commit(ack(1), { on: [], off: all });
    s.commit(ack(2)); // compaction: the file is replaced
    s.commit(ack(3), { on: all, off: [] });
    s.close();
    const r = StateStore.open(path, catalog, { now: clock });
    expect([r.seq, r.seen('pilot', 'jti-3'), r.ackFor('sha-3')?.ack]).toEqual([2, true, 'ack-3']);
    r.close();
  });
});

describe('state file: the ack window', () => {
  it('acks survive two restarts (the second reads them from the snapshot): a redelivery still gets its ack', () => {
    const path = file();
    const s = StateStore.open(path, catalog, { now: clock, fsync: false });
    s.commit(ack(1), { on: [], off: all });
    s.close();
    StateStore.open(path, catalog, { now: clock }).close();
    const r = StateStore.open(path, catalog, { now: clock });
    expect(r.ackFor('sha-1')).toEqual(ack(1));
    r.close();
  });

  it('keeps the newest maxAcks acks (oldest dropped first) while the replay cache still refuses the dropped one', () => {
    const s = StateStore.open(file(), catalog, { now: clock, fsync: false, maxAcks: 2 });
    for (const n of [1, 2, 3]) s.commit(ack(n));
    expect([1, 2, 3].map((n) => s.ackFor(`sha-${n}`)?.ack)).toEqual([undefined, 'ack-2', 'ack-3']);
    expect(s.seen('pilot', 'jti-1')).toBe(true);
    s.close();
  });

  it('keeps 1024 acks by default', () => {
    const s = StateStore.open(file(), catalog, { now: clock, fsync: false, compactEvery: 5000 });
    for (let n = 1; n <= 1025; n++) s.commit(ack(n));
    expect([s.ackFor('sha-1'), s.ackFor('sha-2')?.ack, s.ackFor('sha-1025')?.ack]).toEqual([
      undefined,
      'ack-2',
      'ack-1025',
    ]);
    s.close();
  });

  it('an ack expiring exactly now is still kept at compaction (like its replay entry); one a second older is not', () => {
    const s = StateStore.open(file(), catalog, { now: clock, fsync: false });
    s.commit(ack(1, NOW_S));
    s.commit(ack(2, NOW_S - 1));
    s.compact();
    expect([s.ackFor('sha-1')?.ack, s.seen('pilot', 'jti-1')]).toEqual(['ack-1', true]);
    expect([s.ackFor('sha-2'), s.seen('pilot', 'jti-2')]).toEqual([undefined, false]);
    s.close();
  });
});

describe('state file: damage and repair in words', () => {
  const refusal = (path: string, more: string) =>
    `the state file ${path} is damaged at line 3 (not JSON)${more}. Refusing to start: skipping it would restart ` +
    'the vessel at an older state with older replay entries and apply old commands again. Keep a copy of the ' +
    'file, then run `helmlink vessel state-repair --config FILE` (docs/vessel.md, "Damaged state file")';

  it('one damaged line, or several, with the exact refusal', () => {
    const one = damagedJournal();
    expect(thrown(() => StateStore.open(one.path, catalog, { now: clock }))).toMatchObject({
      code: 'ERR_STATE_JOURNAL_DAMAGED',
      message: refusal(one.path, ''),
      details: { path: one.path, line: 3, reason: 'not JSON', damagedLines: 1 },
    });
    const two = damagedJournal(true);
    expect(thrown(() => StateStore.open(two.path, catalog, { now: clock }))).toMatchObject({
      message: refusal(two.path, ' and 1 more line(s)'),
      details: { damagedLines: 2 },
    });
  });

  it('vessel status (read) refuses a damaged journal too, instead of showing an older state', () => {
    const { path } = damagedJournal();
    expect(thrown(() => StateStore.read(path, catalog))).toMatchObject({
      code: 'ERR_STATE_JOURNAL_DAMAGED',
      details: { line: 3 },
    });
  });

  it('repair: refused until the exact moment every recorded command has expired, allowed at that moment', () => {
    const { path, text } = damagedJournal();
    const safeAt = statSync(path).mtimeMs + (300 + 2 * 30) * 1000;
    const retryAt = new Date(safeAt).toISOString();
    const early = thrown(() =>
      StateStore.repair(path, catalog, { toleranceSeconds: 30, now: () => safeAt - 1 }),
    );
    expect(early).toMatchObject({
      code: 'ERR_STATE_JOURNAL_DAMAGED',
      message:
        `not before ${retryAt}: commands recorded in the damaged lines may still be valid until then, and their ` +
        'replay entries are lost with the lines',
      details: { retryAt },
    });
    expect(readFileSync(path, 'utf8')).toBe(text);
    const result = StateStore.repair(path, catalog, { toleranceSeconds: 30, now: () => safeAt });
    expect(result.backup).toBe(`${path}.damaged-${new Date(safeAt).toISOString().replace(/[:.]/g, '-')}`);
    expect(result.backup).toMatch(/\.damaged-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    expect(readFileSync(result.backup!, 'utf8')).toBe(text);
  });

  it('repair that cannot keep a copy of the damaged file changes nothing', () => {
    const { path, text } = damagedJournal();
    const at = statSync(path).mtimeMs + 3_600_000;
    const backup = `${path}.damaged-${new Date(at).toISOString().replace(/[:.]/g, '-')}`;
    mkdirSync(backup);
    writeFileSync(join(backup, 'keep'), '');
    const err = thrown(() => StateStore.repair(path, catalog, { toleranceSeconds: 30, now: () => at }));
    expect(err).toMatchObject({
      code: 'ERR_STATE_STORE',
      message: `cannot keep a copy of the state file as ${backup}`,
    });
    expect(err.cause).toBeInstanceOf(Error);
    expect(readFileSync(path, 'utf8')).toBe(text);
    rmSync(backup, { recursive: true });
  });
});
