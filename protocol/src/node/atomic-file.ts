/** The one atomic file write of Helmlink: keys, certificates, CRLs, replay snapshots, vessel state, broker files. */
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** The file's permission bits, set exactly (not narrowed by the umask). Default 0o600. */
  mode?: number;
  /**
   * fsync the data before the rename and the directory after it, so the new content survives a power loss, not only
   * a process crash. Default true.
   */
  durable?: boolean;
}

/**
 * Writes `data` to `path` atomically: a temporary file in the same directory, (fsync), rename over the target,
 * (fsync of the directory). Readers see the old or the new content, never a mix; a failed write leaves the old
 * file and no temporary file. Synchronous on purpose: callers persist small security state that must be on disk
 * before they go on (an ack is published, a key is used), and the stores that call it are synchronous.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  const mode = options.mode ?? 0o600;
  const durable = options.durable ?? true;
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      fchmodSync(fd, mode);
      writeFileSync(fd, data);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  if (durable) syncDirectory(dirname(path));
}

/**
 * {@link writeFileAtomic} off the event loop: the same temporary file, fsync, rename and directory fsync, run by
 * libuv's thread pool. For files whose write must not stall everything else the process does (a vessel's CRL cache:
 * the CRL is enforced from memory at once, the file keeps it across a restart).
 */
export async function writeFileAtomicAsync(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600;
  const durable = options.durable ?? true;
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(tmp, 'wx', mode);
    try {
      await file.chmod(mode);
      await file.writeFile(data);
      if (durable) await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (durable) {
    try {
      const dir = await open(dirname(path), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {
      // Some filesystems refuse fsync on directories; the rename itself is still atomic.
    }
  }
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  }
}
