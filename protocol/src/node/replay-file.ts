/**
 * A file-backed replay store that survives restarts: a snapshot file (`PATH`, JSON, replaced by write-rename) plus
 * an append-only journal (`PATH.journal`, one JSON line per recorded jti, fsynced before `checkAndRecord` returns
 * true). Opening loads the snapshot, replays the journal (a torn last line from a crash is ignored: its token was
 * never reported as accepted), prunes expired entries and compacts. One process writes a store at a time: a lock
 * file `PATH.lock` holds the owner's pid (a lock left by a dead process is taken over).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { writeFileAtomic } from './atomic-file';
import { HelmlinkError } from '../errors';
import { ReplaySnapshot } from '../replay/snapshot';
import type { ReplayEntry, ReplayStore } from '../replay/types';

export interface FileReplayStoreOptions {
  /** fsync the journal after every record and the snapshot before renaming (default true). */
  durable?: boolean;
  /** Compact (rewrite the snapshot, empty the journal) after this many journal lines (default 1000). */
  compactEvery?: number;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the store's lock file or throws ERR_REPLAY_STORE when a live process holds it. */
function acquireLock(lockPath: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder)) {
        throw new HelmlinkError('ERR_REPLAY_STORE', `the replay store is in use by process ${holder}`);
      }
      // Stale lock of a dead process (or our own): replace it.
      writeFileSync(lockPath, String(process.pid));
      return;
    }
  }
}

/** The file-backed replay store. Create it with {@link FileReplayStore.open}. */
export class FileReplayStore implements ReplayStore {
  private journalFd: number | undefined;
  private journalLines = 0;

  private constructor(
    readonly path: string,
    private readonly snapshot: ReplaySnapshot,
    private readonly durable: boolean,
    private readonly compactEvery: number,
  ) {}

  /**
   * Opens (or creates) the store at `path`, pruning entries that expired before `nowSeconds`.
   * @throws HelmlinkError ERR_REPLAY_STORE when the files cannot be read, parsed or written.
   */
  static open(path: string, nowSeconds: number, options: FileReplayStoreOptions = {}): FileReplayStore {
    const journal = `${path}.journal`;
    let snapshot: ReplaySnapshot;
    let locked = false;
    try {
      acquireLock(`${path}.lock`);
      locked = true;
      snapshot = existsSync(path)
        ? ReplaySnapshot.fromJSON(JSON.parse(readFileSync(path, 'utf8')))
        : new ReplaySnapshot();
      if (existsSync(journal)) {
        const lines = readFileSync(journal, 'utf8').split('\n');
        for (const [i, line] of lines.entries()) {
          if (line.trim() === '') continue;
          let entry: ReplayEntry;
          try {
            entry = JSON.parse(line) as ReplayEntry;
          } catch (err) {
            // Only the last line can be torn by a crash; anything else means damage.
            if (i >= lines.length - 2) break;
            throw err;
          }
          if (
            typeof entry.iss !== 'string' ||
            typeof entry.jti !== 'string' ||
            typeof entry.expiresAt !== 'number'
          ) {
            throw new Error(`bad journal line ${i + 1}`);
          }
          snapshot.record(entry);
        }
      }
    } catch (err) {
      if (locked) rmSync(`${path}.lock`, { force: true });
      if (err instanceof HelmlinkError) throw err;
      throw new HelmlinkError(
        'ERR_REPLAY_STORE',
        `cannot read the replay store ${path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    snapshot.prune(nowSeconds);
    const store = new FileReplayStore(path, snapshot, options.durable ?? true, options.compactEvery ?? 1000);
    try {
      store.compact();
    } catch (err) {
      rmSync(`${path}.lock`, { force: true });
      throw err;
    }
    return store;
  }

  /** Number of entries held. */
  get size(): number {
    return this.snapshot.size;
  }

  /** True when (iss, jti) is remembered. */
  has(iss: string, jti: string): boolean {
    return this.snapshot.has(iss, jti);
  }

  /** {@inheritDoc ReplayStore.checkAndRecord} The journal line is written (and fsynced) before returning true. */
  checkAndRecord(entry: ReplayEntry, nowSeconds: number): boolean {
    if (this.journalFd === undefined)
      throw new HelmlinkError('ERR_REPLAY_STORE', 'the replay store is closed');
    if (this.snapshot.has(entry.iss, entry.jti)) return false;
    try {
      writeSync(
        this.journalFd,
        `${JSON.stringify({ iss: entry.iss, jti: entry.jti, expiresAt: entry.expiresAt })}\n`,
      );
      if (this.durable) fsyncSync(this.journalFd);
    } catch (err) {
      throw new HelmlinkError(
        'ERR_REPLAY_STORE',
        `cannot write the replay journal: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const recorded = this.snapshot.checkAndRecord(entry, nowSeconds);
    if (++this.journalLines >= this.compactEvery) this.compact();
    return recorded;
  }

  /** Rewrites the snapshot atomically and starts an empty journal. */
  compact(): void {
    try {
      if (this.journalFd !== undefined) closeSync(this.journalFd);
      this.journalFd = undefined;
      writeFileAtomic(this.path, JSON.stringify(this.snapshot.toJSON()), { durable: this.durable });
      // The snapshot now holds every journal entry, so the journal can start over.
      this.journalFd = openSync(`${this.path}.journal`, 'w', 0o600);
      this.journalLines = 0;
    } catch (err) {
      throw new HelmlinkError(
        'ERR_REPLAY_STORE',
        `cannot compact the replay store ${this.path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** Closes the journal (compacting first) and releases the lock. */
  close(): void {
    if (this.journalFd === undefined) return;
    this.compact();
    closeSync(this.journalFd!);
    this.journalFd = undefined;
    rmSync(`${this.path}.lock`, { force: true });
  }
}
