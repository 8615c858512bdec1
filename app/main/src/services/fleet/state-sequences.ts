/**
 * The highest verified state sequence number per vessel, kept in `fleet-seq.json` in the console's data folder. A
 * vessel's `seq` only grows, so a verified state token with a lower one is an old token replayed (or a vessel whose
 * state file was reset): it is refused whatever the vessel's current view shows, across restarts of the console.
 */
import { existsSync, readFileSync } from 'node:fs';
import { HelmlinkError, isEntityId } from '@helmlink/protocol';
import { writeFileAtomic } from '@helmlink/protocol/node';

/** Persisted high-water marks of vessel state sequence numbers. */
export class StateSequences {
  readonly #path: string | undefined;
  readonly #marks: Map<string, number>;

  private constructor(path: string | undefined, marks: Map<string, number>) {
    this.#path = path;
    this.#marks = marks;
  }

  /** Marks kept in memory only (tests, tools). */
  static inMemory(): StateSequences {
    return new StateSequences(undefined, new Map());
  }

  /**
   * Opens (or starts) the file. A damaged file is refused, never reset: resetting would accept old states again.
   * @throws HelmlinkError ERR_FLEET_STORE naming the file.
   */
  static open(path: string): StateSequences {
    const marks = new Map<string, number>();
    if (!existsSync(path)) return new StateSequences(path, marks);
    try {
      const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Error('not an object');
      for (const [vesselId, seq] of Object.entries(value)) {
        if (!isEntityId(vesselId) || !Number.isSafeInteger(seq) || (seq as number) < 0)
          throw new Error(`bad entry ${vesselId.slice(0, 64)}`);
        marks.set(vesselId, seq as number);
      }
    } catch (cause) {
      throw new HelmlinkError(
        'ERR_FLEET_STORE',
        `the verified state sequence file ${path} is damaged (${(cause as Error).message}); it is not reset, ` +
          'because that would accept old vessel states again: restore it, or delete it knowingly',
        { cause },
      );
    }
    return new StateSequences(path, marks);
  }

  /** The highest verified `seq` of a vessel, or undefined when none was verified yet. */
  highest(vesselId: string): number | undefined {
    return this.#marks.get(vesselId);
  }

  /**
   * Records a verified `seq`; only a higher one changes (and rewrites) the file.
   * @throws HelmlinkError ERR_FLEET_STORE when the file cannot be written.
   */
  raise(vesselId: string, seq: number): void {
    const current = this.#marks.get(vesselId);
    if (current !== undefined && seq <= current) return;
    this.#marks.set(vesselId, seq);
    if (!this.#path) return;
    try {
      writeFileAtomic(this.#path, `${JSON.stringify(Object.fromEntries(this.#marks))}\n`, { mode: 0o600 });
    } catch (cause) {
      throw new HelmlinkError('ERR_FLEET_STORE', `cannot write ${this.#path}: ${(cause as Error).message}`, {
        cause,
      });
    }
  }
}
