/**
 * The one clock shape of Helmlink: a function returning epoch milliseconds. Every part that decides something by
 * time (token lifetimes, certificate and CRL validity, renewal, rate limits, audit stamps) takes one as an explicit
 * parameter, so tests freeze it and a CLI's `--now` pins it.
 */
export type Clock = () => number;

/** The system clock. */
export const systemClock: Clock = () => Date.now();

/** A clock that stands still until it is moved. */
export interface FrozenClock extends Clock {
  /** Moves the clock to `at`. */
  set(at: Date | number): void;
  /** Moves the clock by `ms` milliseconds (negative: back). */
  advance(ms: number): void;
}

/** A clock frozen at `at`. */
export function frozenClock(at: Date | number): FrozenClock {
  let now = +at;
  return Object.assign((() => now) as Clock, {
    set(to: Date | number) {
      now = +to;
    },
    advance(ms: number) {
      now += ms;
    },
  });
}

/**
 * Reads `clock`, refusing a time that is not a finite number with a TypeError (a caller bug): every comparison
 * with NaN is false, so a NaN time would let an expired token or certificate pass.
 */
export function readClock(clock: Clock): number {
  const ms = clock();
  if (!Number.isFinite(ms)) throw new TypeError('the clock must return epoch milliseconds');
  return ms;
}
