/**
 * A cache of validated certification paths. Path building and validation cost milliseconds; a command
 * verification must cost microseconds, so the envelope looks a path up by a caller-supplied key (the raw x5c
 * base64 strings joined: a warm hit needs no parsing or hashing) before validating.
 *
 * An entry is used only
 *  - at times inside its window [validFrom, validUntil] (the latest notBefore / CRL thisUpdate and the earliest
 *    notAfter / CRL nextUpdate + grace along the path), and
 *  - under the CRL generation it was validated with (a CrlStore bumps its generation on every accepted CRL,
 *    so a newer CRL invalidates every cached path at once).
 * Size is bounded; the least recently used entry goes first. A Map keeps insertion order, so an LRU touch is a
 * delete + set and every operation is O(1).
 *
 * Callers must key by everything that selects the path's inputs besides time and CRLs (x5c, and the trust
 * anchors/purpose if those vary per call): one cache per verifier configuration.
 */
import type { ValidatedPathResult } from './validate';

interface Entry {
  path: ValidatedPathResult;
  from: number;
  until: number;
  generation: number;
}

export interface ChainCacheOptions {
  /** Maximum entries. Default 1024. */
  maxEntries?: number;
}

/** Validated paths by caller key, bounded LRU, valid per time window and CRL generation. */
export class ChainCache {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  #hits = 0;
  #misses = 0;

  constructor(options: ChainCacheOptions = {}) {
    const max = options.maxEntries ?? 1024;
    if (!Number.isInteger(max) || max < 1)
      throw new TypeError('ChainCache: maxEntries must be a positive integer');
    this.#max = max;
  }

  /** The cached path for `key` if it is valid at `timeMs` under CRL `generation`; undefined otherwise. */
  get(key: string, timeMs: number, generation: number): ValidatedPathResult | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#misses++;
      return undefined;
    }
    if (entry.generation !== generation || timeMs > entry.until) {
      // Never valid again: an older generation or a passed horizon.
      this.#entries.delete(key);
      this.#misses++;
      return undefined;
    }
    if (timeMs < entry.from) {
      this.#misses++;
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#hits++;
    return entry.path;
  }

  /** Stores a path validated under CRL `generation`. */
  set(key: string, path: ValidatedPathResult, generation: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, {
      path,
      from: path.validFrom.getTime(),
      until: path.validUntil.getTime(),
      generation,
    });
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /**
   * The cached path, or the result of `validate()` (stored on success). Failures are not cached: a rejected
   * chain costs a full validation each time, which is what an attacker replaying it gets.
   */
  async getOrValidate(
    key: string,
    timeMs: number,
    generation: number,
    validate: () => Promise<ValidatedPathResult>,
  ): Promise<ValidatedPathResult> {
    const hit = this.get(key, timeMs, generation);
    if (hit !== undefined) return hit;
    const path = await validate();
    this.set(key, path, generation);
    return path;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Hit and miss counters (for benchmarks and diagnostics). */
  get stats(): { hits: number; misses: number; size: number } {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }
}
