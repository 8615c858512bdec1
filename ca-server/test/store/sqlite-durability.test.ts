/**
 * A store whose write-ahead log could not be synced: the frames of that batch may be lost, so nothing may be
 * written on top of them (an audit row chained to a lost one, a CRL number after a lost one) until a restart
 * recovers the log's intact prefix.
 */
import { fdatasync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite';
import type { FdatasyncFn } from '../../src/store/wal-sync';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const dbFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'helmlink-durability-'));
  dirs.push(dir);
  return join(dir, 'ca.db');
};

/** node:fs fdatasync, failing with EIO while `failing.now` is set. */
const flaky = () => {
  const failing = { now: false };
  const fn: FdatasyncFn = (fd, cb) =>
    failing.now
      ? cb(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))
      : fdatasync(fd, cb);
  return { failing, fn };
};

const alert = { ts: 1, kind: 'test', severity: 'info' as const, message: 'm', details: {} };

describe('SqliteStore after a failed WAL sync', () => {
  it('refuses every later write, the single statements outside transaction() too, and keeps reading', async () => {
    const { failing, fn } = flaky();
    const store = new SqliteStore(dbFile(), { fdatasync: fn });
    await store.transactionDurableLater(() => store.nextCrlNumber('issuing')).durable;
    expect(store.durabilityFailure()).toBeUndefined();

    failing.now = true;
    const batch = store.transactionDurableLater(() => store.nextCrlNumber('issuing'));
    expect(batch.value).toBe(2);
    await expect(batch.durable).rejects.toMatchObject({ code: 'ERR_CA_STORE', cause: { code: 'EIO' } });
    expect(store.durabilityFailure()?.code).toBe('ERR_CA_STORE');

    // The disk would take writes again, but what they would build on may be gone.
    failing.now = false;
    expect(() => store.transactionDurableLater(() => store.nextCrlNumber('issuing'))).toThrow(
      store.durabilityFailure()!,
    );
    expect(() => store.transaction(() => store.nextCrlNumber('issuing'))).toThrow(store.durabilityFailure()!);
    expect(() => store.insertAlert(alert)).toThrow(/readonly/iu);
    expect(() => store.appendAudit({ ts: 2, actor: 'ca', action: 'test', details: {} })).toThrow(
      /readonly/iu,
    );
    // Reads go on (the CRL and chain are still served).
    expect(store.listAlerts()).toEqual([]);
    expect(store.countCertificates()).toBe(0);
    store.close();
  });

  it('takes writes again after a restart', async () => {
    const file = dbFile();
    const { failing, fn } = flaky();
    const store = new SqliteStore(file, { fdatasync: fn });
    failing.now = true;
    await expect(store.transactionDurableLater(() => store.insertAlert(alert)).durable).rejects.toMatchObject(
      {
        code: 'ERR_CA_STORE',
      },
    );
    store.close();

    const restarted = new SqliteStore(file);
    await restarted.transactionDurableLater(() => restarted.insertAlert(alert)).durable;
    expect(restarted.durabilityFailure()).toBeUndefined();
    expect(restarted.listAlerts().length).toBeGreaterThanOrEqual(1);
    restarted.close();
  });
});
