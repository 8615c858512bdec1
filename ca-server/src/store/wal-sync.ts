/** The fdatasync that makes a batch of the store's commits durable (see SqliteStore.transactionDurableLater). */
import { closeSync, fdatasync, fstatSync, openSync } from 'node:fs';
import { HelmlinkError } from '@helmlink/protocol';

/** The sync call (node:fs `fdatasync`; a test injects one that fails). */
export type FdatasyncFn = (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => void;

/**
 * Syncs one file (the database's write-ahead log) in the thread pool through a descriptor held open between syncs:
 * opening and closing a FileHandle around every sync cost three thread-pool round trips per batch of enrollments
 * instead of one. The descriptor is opened again if the file was unlinked meanwhile (SQLite removes the log only
 * when the last connection closes, which the store's own open connection prevents, but a sync must never go to a
 * file that is no longer the log).
 *
 * A failed sync is final. After a failed fdatasync the kernel may have dropped the dirty pages it could not write,
 * and a later fdatasync of the same file can then succeed although those frames never reached the disk ("fsyncgate");
 * a write-ahead log is only as good as its first lost frame (SQLite's frame checksums chain). So every sync started
 * after the failure, and every sync still in flight, rejects with the same ERR_CA_STORE, and syncs settle in the
 * order they started: a batch is never reported durable before an earlier batch is.
 */
export class WalSync {
  #fd: number | undefined;
  #pending = 0;
  #closing = false;
  #failure: HelmlinkError | undefined;
  /** Settles (never rejects) once the last sync started has settled. */
  #tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly fdatasyncFn: FdatasyncFn = fdatasync,
  ) {}

  /** The failure that stopped this log being made durable, if any. */
  get failure(): HelmlinkError | undefined {
    return this.#failure;
  }

  /**
   * Resolves once everything written to the file so far is on disk and every earlier sync succeeded.
   * @throws HelmlinkError ERR_CA_STORE when this or any earlier sync failed (then every later one fails too).
   */
  sync(): Promise<void> {
    if (this.#closing) return Promise.reject(new Error('the store is closed'));
    if (this.#failure) return Promise.reject(this.#failure);
    const previous = this.#tail;
    const result = this.#fdatasync().then(
      () => previous.then(() => this.#settle(undefined)),
      (err: unknown) => previous.then(() => this.#settle(err)),
    );
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Closes the descriptor (after the syncs in flight). */
  close(): void {
    this.#closing = true;
    if (this.#pending === 0) this.#release();
  }

  /** One sync's outcome, once every earlier one has settled. */
  #settle(err: unknown): void {
    if (this.#failure) throw this.#failure;
    if (err === undefined) return;
    this.#failure = new HelmlinkError(
      'ERR_CA_STORE',
      `cannot make the CA database durable: syncing ${this.path} failed; writes are refused until the CA is restarted`,
      { cause: err },
    );
    throw this.#failure;
  }

  #fdatasync(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let fd: number;
      try {
        fd = this.#descriptor();
      } catch (err) {
        reject(err);
        return;
      }
      this.#pending++;
      this.fdatasyncFn(fd, (err) => {
        this.#pending--;
        if (this.#closing && this.#pending === 0) this.#release();
        if (err) reject(err);
        else resolve();
      });
    });
  }

  #descriptor(): number {
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
