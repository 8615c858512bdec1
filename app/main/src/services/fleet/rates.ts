/**
 * Live data indicators: messages per second per vessel stream over a sliding window of one-second buckets, and what
 * the indicator shows (`flow`). The verified state decides: a stream that is off is `stopped` at once (rate 0,
 * whatever is still in the window), a stream on for a whole window without data is `silent` (flagged).
 */
import type { RatesSnapshot, StreamFlow, StreamRate } from '@helmlink/app-preload';

interface Counter {
  vesselId: string;
  streamId: string;
  buckets: Map<number, number>;
  last: number | null;
}

/** A stream as the verified state of its vessel has it. */
export interface RateSubject {
  vesselId: string;
  streamId: string;
  /** On in the verified state. */
  on: boolean;
  /** Since when it is on in the verified state, epoch ms (null when off). */
  onSince: number | null;
}

const key = (vesselId: string, streamId: string): string => `${vesselId}/${streamId}`;

/** Counts `data/` messages and reports rates. `now` is epoch ms (injected by the caller). */
export class RateMeter {
  readonly #window: number;
  readonly #counters = new Map<string, Counter>();

  constructor(windowSeconds = 5) {
    this.#window = windowSeconds;
  }

  /** Records one message. */
  count(vesselId: string, streamId: string, now: number): void {
    const k = key(vesselId, streamId);
    let c = this.#counters.get(k);
    if (!c) {
      c = { vesselId, streamId, buckets: new Map(), last: null };
      this.#counters.set(k, c);
    }
    const second = Math.floor(now / 1000);
    c.buckets.set(second, (c.buckets.get(second) ?? 0) + 1);
    c.last = now;
  }

  /**
   * Rates over the last full window (the current, partial second excluded): one entry per subject (the streams of
   * the verified states; pass none while not connected: everything `unknown`), then one per counted stream no
   * subject names (`flowing` while data arrives, else `unknown`).
   */
  snapshot(now: number, subjects: readonly RateSubject[] = [], live = true): RatesSnapshot {
    const current = Math.floor(now / 1000);
    const oldest = current - this.#window;
    const rateOf = (c: Counter | undefined): number => {
      if (!c) return 0;
      let n = 0;
      for (const [s, k] of c.buckets) {
        if (s < oldest) c.buckets.delete(s);
        else if (s < current) n += k;
      }
      return Math.round((n / this.#window) * 100) / 100;
    };
    const entry = (
      vesselId: string,
      streamId: string,
      c: Counter | undefined,
      flow: StreamFlow,
    ): StreamRate => ({
      vesselId,
      streamId,
      messagesPerSecond: flow === 'stopped' ? 0 : rateOf(c),
      lastMessageAt: c?.last == null ? null : new Date(c.last).toISOString(),
      flow,
    });
    const named = new Set<string>();
    const rates = subjects.map((s) => {
      const k = key(s.vesselId, s.streamId);
      named.add(k);
      const c = this.#counters.get(k);
      return entry(s.vesselId, s.streamId, c, live ? this.#flowOf(s, rateOf(c), now) : 'unknown');
    });
    for (const [k, c] of this.#counters) {
      if (named.has(k)) continue;
      const rate = rateOf(c);
      rates.push(entry(c.vesselId, c.streamId, c, live && rate > 0 ? 'flowing' : 'unknown'));
    }
    return { at: new Date(now).toISOString(), windowSeconds: this.#window, rates };
  }

  /** Forgets every counter (e.g. on disconnect). */
  clear(): void {
    this.#counters.clear();
  }

  #flowOf(s: RateSubject, rate: number, now: number): StreamFlow {
    if (!s.on) return 'stopped';
    if (rate > 0) return 'flowing';
    // Switched on less than a window ago: too early to call it silent.
    return s.onSince !== null && now - s.onSince >= this.#window * 1000 ? 'silent' : 'unknown';
  }
}
