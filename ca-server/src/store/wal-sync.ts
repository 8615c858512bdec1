/** The fdatasync that makes a batch of the store's commits durable (see SqliteStore.transactionDurableLater). */
import { closeSync, fdatasync, fstatSync, openSync } from 'node:fs';

/**
 * Syncs one file (the database's write-ahead log) in the thread pool through a descriptor held open between syncs:
 * opening and closing a FileHandle around every sync cost three thread-pool round trips per batch of enrollments
 * instead of one. The descriptor is opened again if the file was unlinked meanwhile (SQLite removes the log only
 * when the last connection closes, which the store's own open connection prevents, but a sync must never go to a
 * file that is no longer the log).
 */
export class WalSync {
  #fd: number | undefined;
  #pending = 0;
  #closing = false;

  constructor(private readonly path: string) {}

  /** Resolves once everything written to the file so far is on disk. */
  sync(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let fd: number;
      try {
        fd = this.#descriptor();
      } catch (err) {
        reject(err);
        return;
      }
      this.#pending++;
      fdatasync(fd, (err) => {
        this.#pending--;
        if (this.#closing && this.#pending === 0) this.#release();
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** Closes the descriptor (after the syncs in flight). */
  close(): void {
    this.#closing = true;
    if (this.#pending === 0) this.#release();
  }

  #descriptor(): number {
    if (this.#closing) throw new Error('the store is closed');
    if (this.#fd !== undefined && fstatSync(this.#fd).nlink > 0) return this.#fd;
    this.#release();
    this.#fd = openSync(this.path, 'r');
    return this.#fd;
  }

  #release(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}
