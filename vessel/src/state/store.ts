/**
 * The vessel's state file. ONE file holds the stream state, the replay cache and the recent acks, so they can never
 * disagree after a crash:
 *
 * - line 1: a snapshot, written as a whole to a temporary file, fsynced and renamed over the old file (atomic);
 * - following lines: one journal record per handled command (new state + jti + ack), appended with a single
 *   `write`; with `fsync` on, {@link StateStore.durable} resolves once an fdatasync covered it, and the listener
 *   publishes the ack only then. Group commit: one fdatasync covers every record written before it started, so
 *   commands handled while a sync is running share the next one instead of each waiting for its own.
 *
 * On open, the snapshot is read and the complete records after it are replayed (`journal.ts`); a torn last line
 * (power loss mid-append) is dropped, which is safe because its ack was never sent. Any other damaged line stops the
 * open with ERR_STATE_JOURNAL_DAMAGED ({@link StateStore.repair} is the documented way out). The file is compacted
 * into a fresh snapshot when the journal grows, so each command costs one small append instead of rewriting the
 * whole cache.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fdatasync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import {
  HelmlinkError,
  ReplaySnapshot,
  systemClock,
  type Clock,
  type StreamCatalog,
} from '@helmlink/protocol';
import { writeFileAtomic } from '@helmlink/protocol/node';
import { readStateFile, type JournalDamage, type StateFileContents } from './journal';
import type { StateRecord, StateSnapshot, StoredAck, Streams } from './types';

export interface StateStoreOptions {
  /** fsync every write (default true). Without it the state survives process crashes but not power loss. */
  fsync?: boolean;
  /** Compact after this many journal records (default 2000). */
  compactEvery?: number;
  /** Keep at most this many recent acks for redelivery (default 1024). */
  maxAcks?: number;
  /** Clock for pruning, epoch milliseconds (default Date.now). */
  now?: Clock;
}

/** Initial state: every catalog stream on. */
export function initialStreams(catalog: StreamCatalog): Streams {
  return { on: catalog.streams.map((s) => s.address), off: [] };
}

/** Keeps the persisted on/off for streams still in the catalog; new catalog streams start on. Catalog order. */
function reconcile(streams: Streams, catalog: StreamCatalog): Streams {
  const off = new Set(streams.off);
  return {
    on: catalog.streams.filter((s) => !off.has(s.address)).map((s) => s.address),
    off: catalog.streams.filter((s) => off.has(s.address)).map((s) => s.address),
  };
}

function fail(message: string, cause: unknown): never {
  throw new HelmlinkError('ERR_STATE_STORE', message, { cause });
}

/** The longest command lifetime a vessel accepts (protocol cap), for the repair's waiting time. */
const LONGEST_COMMAND_SECONDS = 300;

export interface StateRepairOptions {
  /** The listener's clock tolerance, seconds. */
  toleranceSeconds: number;
  /** Clock, epoch milliseconds (default Date.now). */
  now?: Clock;
}

export interface StateRepairResult {
  /** False when the file had no damaged line (nothing was written). */
  repaired: boolean;
  /** The dropped lines. */
  dropped: JournalDamage[];
  /** The state sequence number the vessel continues from. */
  seq: number;
  /** Where the damaged file was copied. */
  backup?: string;
}

/** Reads and parses the state file; with `refuseDamage`, a damaged journal is ERR_STATE_JOURNAL_DAMAGED. */
function readContents(path: string, refuseDamage: boolean): StateFileContents {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    fail(`cannot read the state file ${path}`, cause);
  }
  let contents: StateFileContents;
  try {
    contents = readStateFile(text);
  } catch (cause) {
    fail(`the state file ${path} is damaged`, cause);
  }
  const first = contents.damage[0];
  if (refuseDamage && first) {
    const more = contents.damage.length > 1 ? ` and ${contents.damage.length - 1} more line(s)` : '';
    throw new HelmlinkError(
      'ERR_STATE_JOURNAL_DAMAGED',
      `the state file ${path} is damaged at line ${first.line} (${first.reason})${more}. Refusing to start: ` +
        'skipping it would restart the vessel at an older state with older replay entries and apply old ' +
        'commands again. Keep a copy of the file, then run `helmlink vessel state-repair --config FILE` ' +
        '(docs/vessel.md, "Damaged state file")',
      { details: { path, line: first.line, reason: first.reason, damagedLines: contents.damage.length } },
    );
  }
  return contents;
}

/** The persisted state of one vessel. Synchronous on purpose: a command's record is durable before its ack. */
export class StateStore {
  readonly path: string;
  private readonly fsync: boolean;
  private readonly compactEvery: number;
  private readonly maxAcks: number;
  private readonly now: Clock;
  private fd: number | undefined;
  private snapshotRecords = 0;
  private journalCount = 0;
  private recordNumber = 0;
  private _streams: Streams;
  private _seq = 0;
  private _lastJti: string | null = null;
  /** The replay cache (iss, jti) of every command handled after authentication. */
  readonly replay: ReplaySnapshot;
  private readonly acks = new Map<string, StoredAck>();
  /** Highest record number known to be on disk (fsync on), and who waits for a higher one. */
  private syncedRecord = 0;
  private syncCount = 0;
  private syncing = false;
  private compactAfterSync = false;
  private closeAfterSync = false;
  private waiters: { record: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  /** Set once an fdatasync failed: the page cache may have dropped the records, so nothing is trusted after it. */
  private broken: HelmlinkError | undefined;

  private constructor(path: string, streams: Streams, replay: ReplaySnapshot, options: StateStoreOptions) {
    this.path = path;
    this.fsync = options.fsync ?? true;
    this.compactEvery = options.compactEvery ?? 2000;
    this.maxAcks = options.maxAcks ?? 1024;
    this.now = options.now ?? systemClock;
    this._streams = streams;
    this.replay = replay;
  }

  /**
   * Opens (or creates) the state file for the listener, replays its journal and compacts it into a fresh snapshot.
   * @throws HelmlinkError ERR_STATE_STORE when the file exists but its snapshot is damaged, ERR_STATE_JOURNAL_DAMAGED
   *   when a journal line other than a torn last one is damaged (never silently reset or truncated: either would
   *   reopen the replay window and restart at an older sequence number).
   */
  static open(path: string, catalog: StreamCatalog, options: StateStoreOptions = {}): StateStore {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const store = existsSync(path)
      ? StateStore.fromContents(path, readContents(path, true), catalog, options)
      : new StateStore(path, initialStreams(catalog), new ReplaySnapshot(), options);
    // Start each run from a fresh snapshot: drops a torn tail and bounds the journal.
    store.compact();
    return store;
  }

  /**
   * Reads the state file without writing it (`vessel status` next to a running listener: a compaction here would
   * swap the file under the listener's open journal descriptor). Throws like {@link StateStore.open}.
   */
  static read(path: string, catalog: StreamCatalog): StateStore {
    return StateStore.fromContents(path, readContents(path, true), catalog, { fsync: false });
  }

  /**
   * Rebuilds a state file whose journal is damaged (`helmlink vessel state-repair`): a copy of the damaged file is
   * kept next to it, the snapshot and every intact record are kept, the damaged lines are dropped, and the sequence
   * number is raised by the number of dropped lines so it stays above every state the vessel may have published.
   * Allowed only once every command the dropped lines can hold has expired (the file's last write + the longest
   * command lifetime + twice the clock tolerance): the replay entries in those lines are lost.
   * @throws HelmlinkError ERR_STATE_JOURNAL_DAMAGED when it is too early; ERR_STATE_STORE when the snapshot itself is
   *   damaged or the file cannot be written.
   */
  static repair(path: string, catalog: StreamCatalog, options: StateRepairOptions): StateRepairResult {
    const contents = readContents(path, false);
    if (contents.damage.length === 0) return { repaired: false, dropped: [], seq: contents.snapshot.seq };
    const now = options.now ?? systemClock;
    const safeAt = statSync(path).mtimeMs + (LONGEST_COMMAND_SECONDS + 2 * options.toleranceSeconds) * 1000;
    if (now() < safeAt) {
      throw new HelmlinkError(
        'ERR_STATE_JOURNAL_DAMAGED',
        `not before ${new Date(safeAt).toISOString()}: commands recorded in the damaged lines may still be valid ` +
          'until then, and their replay entries are lost with the lines',
        { details: { retryAt: new Date(safeAt).toISOString() } },
      );
    }
    const backup = `${path}.damaged-${new Date(now()).toISOString().replace(/[:.]/gu, '-')}`;
    try {
      copyFileSync(path, backup);
    } catch (cause) {
      fail(`cannot keep a copy of the state file as ${backup}`, cause);
    }
    // Durable (the default fsync): the rebuilt file replaces the only copy the listener will read.
    const store = StateStore.fromContents(path, contents, catalog, options);
    const highest = Math.max(contents.snapshot.seq, ...contents.records.map((r) => r.applied?.seq ?? 0));
    store._seq = highest + contents.damage.length;
    store.compact();
    store.close();
    return { repaired: true, dropped: contents.damage, seq: store._seq, backup };
  }

  private static fromContents(
    path: string,
    contents: StateFileContents,
    catalog: StreamCatalog,
    options: StateStoreOptions,
  ): StateStore {
    const { snapshot } = contents;
    const store = new StateStore(path, snapshot.streams, ReplaySnapshot.fromJSON(snapshot.replay), options);
    store._seq = snapshot.seq;
    store._lastJti = snapshot.lastJti;
    store.recordNumber = snapshot.records;
    for (const a of snapshot.acks) store.acks.set(a.cmdSha256, a);
    for (const record of contents.records) store.applyRecord(record);
    store._streams = reconcile(store._streams, catalog);
    return store;
  }

  /** Current stream state. */
  get streams(): Streams {
    return this._streams;
  }

  /** State sequence number (+1 per applied command). */
  get seq(): number {
    return this._seq;
  }

  /** jti of the last applied command. */
  get lastJti(): string | null {
    return this._lastJti;
  }

  /** Number of the last record written (it is in the page cache; see {@link StateStore.lastDurableRecord}). */
  get lastRecord(): number {
    return this.recordNumber;
  }

  /** Number of the last record known to be on disk (an fdatasync or a durable snapshot covered it). */
  get lastDurableRecord(): number {
    return this.syncedRecord;
  }

  /** fdatasyncs of the journal that returned so far (group commit: fewer than the records they covered). */
  get syncs(): number {
    return this.syncCount;
  }

  /** The stored ack for an exact command token (by its SHA-256), if it was handled. */
  ackFor(cmdSha256: string): StoredAck | undefined {
    return this.acks.get(cmdSha256);
  }

  /** True when (iss, jti) was already handled and is still remembered. */
  seen(iss: string, jti: string): boolean {
    return this.replay.has(iss, jti);
  }

  /**
   * Records a handled command: its replay entry, its ack and (when applied) the new stream state, in one append.
   * The record is written (page cache) when this returns; it is durable once {@link StateStore.durable} resolves.
   * @throws HelmlinkError ERR_STATE_STORE when the write fails or an earlier fdatasync failed (the in-memory state
   *   is left unchanged).
   */
  commit(handled: StoredAck, applied?: Streams): void {
    if (this.broken) throw this.broken;
    const record: StateRecord = {
      type: 'record',
      n: this.recordNumber + 1,
      handled,
      ...(applied ? { applied: { streams: applied, seq: this._seq + 1 } } : {}),
    };
    const fd = this.openFd();
    try {
      writeSync(fd, `${JSON.stringify(record)}\n`);
    } catch (cause) {
      fail(`cannot write the state file ${this.path}`, cause);
    }
    this.applyRecord(record);
    this.journalCount++;
    if (this.journalCount >= this.compactEvery) {
      // Never swap the file under a running fdatasync of its descriptor: compact when it returns.
      if (this.syncing) this.compactAfterSync = true;
      else this.compact();
    }
  }

  /**
   * Resolves once every record committed so far is on disk (immediately with `fsync` off: the write reached the
   * page cache, which survives a process crash). One fdatasync (data and file size, not the timestamps) covers
   * every record written before it starts; records written during it wait for the next one.
   * @throws HelmlinkError ERR_STATE_STORE when the fdatasync failed (then every later commit fails too).
   */
  durable(): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    if (!this.fsync || this.syncedRecord >= this.recordNumber) return Promise.resolve();
    const record = this.recordNumber;
    return new Promise((resolve, reject) => {
      this.waiters.push({ record, resolve, reject });
      this.startSync();
    });
  }

  private startSync(): void {
    if (this.syncing || this.fd === undefined) return;
    this.syncing = true;
    const fd = this.fd;
    const covers = this.recordNumber;
    fdatasync(fd, (err) => {
      this.syncing = false;
      this.syncCount++;
      if (err) {
        this.broken = new HelmlinkError('ERR_STATE_STORE', `cannot sync the state file ${this.path}`, {
          cause: err,
        });
        this.settleWaiters();
      } else this.synced(covers);
      if (this.closeAfterSync) this.closeFd();
      else if (this.compactAfterSync && !this.broken) this.compact();
      else if (this.waiters.length > 0) this.startSync();
    });
  }

  /** Everything up to `record` is on disk: resolves its waiters. */
  private synced(record: number): void {
    this.syncedRecord = Math.max(this.syncedRecord, record);
    this.settleWaiters();
  }

  private settleWaiters(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      if (this.broken) w.reject(this.broken);
      else if (w.record <= this.syncedRecord) w.resolve();
      else this.waiters.push(w);
    }
  }

  private applyRecord(record: StateRecord): void {
    this.recordNumber = record.n;
    const h = record.handled;
    this.replay.record({ iss: h.iss, jti: h.jti, expiresAt: h.expiresAt });
    this.acks.delete(h.cmdSha256);
    this.acks.set(h.cmdSha256, h);
    if (this.acks.size > this.maxAcks) this.acks.delete(this.acks.keys().next().value!);
    if (record.applied) {
      this._streams = record.applied.streams;
      this._seq = record.applied.seq;
      this._lastJti = h.jti;
    }
  }

  /** Rewrites the file as one snapshot (temp + fsync + rename), pruning expired replay entries and acks. */
  compact(nowSeconds = Math.floor(this.now() / 1000)): void {
    this.replay.prune(nowSeconds);
    for (const [k, a] of this.acks) if (a.expiresAt < nowSeconds) this.acks.delete(k);
    const snapshot: StateSnapshot = {
      type: 'snapshot',
      v: 1,
      seq: this._seq,
      records: this.recordNumber,
      streams: this._streams,
      lastJti: this._lastJti,
      replay: this.replay.toJSON(),
      acks: [...this.acks.values()],
    };
    try {
      // The journal is appended through this descriptor: it must point at the new file after the rename.
      this.closeFd();
      writeFileAtomic(this.path, `${JSON.stringify(snapshot)}\n`, { mode: 0o600, durable: this.fsync });
    } catch (cause) {
      fail(`cannot write the state file ${this.path}`, cause);
    }
    this.snapshotRecords = this.recordNumber;
    this.journalCount = 0;
    this.compactAfterSync = false;
    // The snapshot holds every record so far, written durably (when fsync is on).
    this.synced(this.recordNumber);
  }

  /** Records handled since the last snapshot. */
  get journalLength(): number {
    return this.recordNumber - this.snapshotRecords;
  }

  private openFd(): number {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.path, 'a', 0o600);
      } catch (cause) {
        fail(`cannot open the state file ${this.path}`, cause);
      }
    }
    return this.fd;
  }

  private closeFd(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** Closes the file (after a running fdatasync returns: its waiters still learn whether it succeeded). */
  close(): void {
    if (this.syncing) this.closeAfterSync = true;
    else this.closeFd();
  }
}
