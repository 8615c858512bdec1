/** The in-memory replay cache. Also the building block for callers that persist it together with other state. */
import { HelmlinkError } from '../errors';
import type { ReplayEntry, ReplaySnapshotJson, ReplayStore } from './types';

/**
 * A synchronous, serializable jti cache per issuer.
 *
 * A caller that must persist replay state atomically with its own state (the vessel: stream state + replay in one
 * write-rename) uses `has`/`record` or `checkAndRecord` on a snapshot, then serializes `toJSON()` together with its
 * state in one file. Expired entries are pruned lazily, at most once per clock second.
 */
export class ReplaySnapshot implements ReplayStore {
  private readonly byIssuer = new Map<string, Map<string, number>>();
  private lastPrune = Number.NEGATIVE_INFINITY;
  private count = 0;

  /** Number of entries held (expired ones included until pruned). */
  get size(): number {
    return this.count;
  }

  /** True when (iss, jti) was recorded and not yet pruned. */
  has(iss: string, jti: string): boolean {
    return this.byIssuer.get(iss)?.has(jti) ?? false;
  }

  /** Records an entry (keeping the later expiry when it is already present). */
  record(entry: ReplayEntry): void {
    let jtis = this.byIssuer.get(entry.iss);
    if (!jtis) {
      jtis = new Map();
      this.byIssuer.set(entry.iss, jtis);
    }
    const previous = jtis.get(entry.jti);
    if (previous === undefined) this.count++;
    jtis.set(entry.jti, Math.max(previous ?? Number.NEGATIVE_INFINITY, entry.expiresAt));
  }

  /** {@inheritDoc ReplayStore.checkAndRecord} */
  checkAndRecord(entry: ReplayEntry, nowSeconds: number): boolean {
    this.maybePrune(nowSeconds);
    if (this.has(entry.iss, entry.jti)) return false;
    this.record(entry);
    return true;
  }

  /** Forgets entries whose expiresAt is before `nowSeconds`; returns how many were removed. */
  prune(nowSeconds: number): number {
    let removed = 0;
    for (const [iss, jtis] of this.byIssuer) {
      for (const [jti, expiresAt] of jtis) {
        if (expiresAt < nowSeconds) {
          jtis.delete(jti);
          removed++;
        }
      }
      if (jtis.size === 0) this.byIssuer.delete(iss);
    }
    this.count -= removed;
    this.lastPrune = nowSeconds;
    return removed;
  }

  private maybePrune(nowSeconds: number): void {
    if (nowSeconds - this.lastPrune >= 1) this.prune(nowSeconds);
  }

  /** The serializable form. */
  toJSON(): ReplaySnapshotJson {
    const entries: Record<string, Record<string, number>> = {};
    for (const [iss, jtis] of this.byIssuer) entries[iss] = Object.fromEntries(jtis);
    return { v: 1, entries };
  }

  /**
   * Restores a snapshot from its serialized form.
   * @throws HelmlinkError ERR_REPLAY_STORE when the value is not a replay snapshot.
   */
  static fromJSON(value: unknown): ReplaySnapshot {
    const snapshot = new ReplaySnapshot();
    const bad = (why: string): never => {
      throw new HelmlinkError('ERR_REPLAY_STORE', `the replay snapshot is damaged: ${why}`);
    };
    if (typeof value !== 'object' || value === null) return bad('not an object');
    const { v, entries } = value as Partial<ReplaySnapshotJson>;
    if (v !== 1) return bad('unknown version');
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return bad('no entries');
    for (const [iss, jtis] of Object.entries(entries)) {
      if (typeof jtis !== 'object' || jtis === null || Array.isArray(jtis)) return bad(`entries of ${iss}`);
      for (const [jti, expiresAt] of Object.entries(jtis)) {
        // Not finite: a string, or 1e999 in a tampered file (Infinity: an entry that would never be forgotten).
        if (!Number.isFinite(expiresAt)) return bad(`expiry of ${iss}/${jti}`);
        snapshot.record({ iss, jti, expiresAt: expiresAt as number });
      }
    }
    return snapshot;
  }
}

/** An in-memory replay store (a ReplaySnapshot nobody persists): replay protection until the process ends. */
export class MemoryReplayStore extends ReplaySnapshot {}
