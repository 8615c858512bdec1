import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
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
    await expect(new WalSync(fileIn()).sync()).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('never syncs a descriptor whose file was unlinked: it opens the path again', async () => {
    const path = fileIn();
    writeFileSync(path, 'frames');
    const wal = new WalSync(path);
    await wal.sync();
    unlinkSync(path);
    // The old descriptor would still sync (the inode lives on); the log is gone, so this must fail.
    await expect(wal.sync()).rejects.toMatchObject({ code: 'ENOENT' });
    writeFileSync(path, 'a new log');
    await wal.sync();
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
  });
});
