import { fdatasync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WalSync } from '../../src/store/wal-sync';

const dirs: string[] = [];
const fileIn = () => {
  const dir = mkdtempSync(join(tmpdir(), 'helmlink-wal-sync-'));
  dirs.push(dir);
  return join(dir, 'db-wal');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('WalSync', () => {
  it('syncs the file again and again through one descriptor', async () => {
    const path = fileIn();
    writeFileSync(path, 'frames');
    const wal = new WalSync(path);
    await wal.sync();
    writeFileSync(path, 'more frames', { flag: 'a' });
    await Promise.all([wal.sync(), wal.sync()]);
    wal.close();
    expect(readFileSync(path, 'utf8')).toBe('framesmore frames');
  });

  it('refuses a file that does not exist', async () => {
    await expect(new WalSync(fileIn()).sync()).rejects.toMatchObject({
      code: 'ERR_CA_STORE',
      cause: { code: 'ENOENT' },
    });
  });

  it('never syncs a descriptor whose file was unlinked: it opens the path again', async () => {
    const path = fileIn();
    writeFileSync(path, 'frames');
    const wal = new WalSync(path);
    await wal.sync();
    unlinkSync(path);
    // The old descriptor would still sync (the inode lives on); the log is gone, so this must fail.
    await expect(wal.sync()).rejects.toMatchObject({ code: 'ERR_CA_STORE', cause: { code: 'ENOENT' } });
    // The frames of the deleted log are lost: a new log at the same path must not make later batches durable.
    writeFileSync(path, 'a new log');
    await expect(wal.sync()).rejects.toMatchObject({ code: 'ERR_CA_STORE', cause: { code: 'ENOENT' } });
    wal.close();
  });

  it('a failed fdatasync is final: a later sync that the disk would accept is refused (fsyncgate)', async () => {
    const path = fileIn();
    writeFileSync(path, 'frames');
    let calls = 0;
    // The first sync hits a write error (EIO); the kernel then drops the dirty pages and the next fdatasync of the
    // same file returns success although those frames never reached the disk.
    const wal = new WalSync(path, (fd, cb) => {
      calls++;
      if (calls === 1) cb(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      else fdatasync(fd, cb);
    });
    const failed = wal.sync();
    await expect(failed).rejects.toMatchObject({ code: 'ERR_CA_STORE', cause: { code: 'EIO' } });
    await expect(failed).rejects.toThrow(/writes are refused until the CA is restarted/u);
    expect(wal.failure?.code).toBe('ERR_CA_STORE');
    await expect(wal.sync()).rejects.toBe(wal.failure);
    expect(calls).toBe(1);
    wal.close();
  });

  it('never reports a batch durable before an earlier one: a late failure of the earlier sync fails the later', async () => {
    const path = fileIn();
    writeFileSync(path, 'frames');
    const callbacks: Array<(err: NodeJS.ErrnoException | null) => void> = [];
    const wal = new WalSync(path, (_fd, cb) => callbacks.push(cb));
    const first = wal.sync();
    const second = wal.sync();
    const order: string[] = [];
    second.then(
      () => order.push('second ok'),
      () => order.push('second failed'),
    );
    // The second batch's fdatasync returns first, with success; the first batch's fails afterwards.
    callbacks[1]!(null);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    callbacks[0]!(Object.assign(new Error('EIO'), { code: 'EIO' }));
    await expect(first).rejects.toMatchObject({ code: 'ERR_CA_STORE' });
    await expect(second).rejects.toBe(wal.failure);
    expect(order).toEqual(['second failed']);
    wal.close();
  });

  it('settles syncs in the order they started when all succeed', async () => {
    const path = fileIn();
    writeFileSync(path, 'frames');
    const callbacks: Array<(err: NodeJS.ErrnoException | null) => void> = [];
    const wal = new WalSync(path, (_fd, cb) => callbacks.push(cb));
    const order: number[] = [];
    const syncs = [0, 1, 2].map((i) => wal.sync().then(() => order.push(i)));
    callbacks[2]!(null);
    callbacks[0]!(null);
    callbacks[1]!(null);
    await Promise.all(syncs);
    expect(order).toEqual([0, 1, 2]);
    expect(wal.failure).toBeUndefined();
    wal.close();
  });

  it('refuses to sync once closed, after the syncs in flight completed', async () => {
    const path = fileIn();
    writeFileSync(path, 'frames');
    const wal = new WalSync(path);
    const inFlight = wal.sync();
    wal.close();
    await inFlight;
    await expect(wal.sync()).rejects.toThrow('the store is closed');
    // Closing is the caller's doing, not a disk failure.
    expect(wal.failure).toBeUndefined();
  });
});
