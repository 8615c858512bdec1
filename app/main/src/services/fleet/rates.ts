/** Live data indicators: messages per second per vessel stream over a sliding window of one-second buckets. */
import type { RatesSnapshot } from '@helmlink/app-preload';

interface Counter {
  vesselId: string;
  streamId: string;
  buckets: Map<number, number>;
  last: number | null;
}

/** Counts `data/` messages and reports rates. `now` is epoch ms (injected by the caller). */
export class RateMeter {
  readonly #window: number;
  readonly #counters = new Map<string, Counter>();

  constructor(windowSeconds = 5) {
    this.#window = windowSeconds;
  }

  /** Records one message. */
  count(vesselId: string, streamId: string, now: number): void {
    const key = `${vesselId}/${streamId}`;
    let c = this.#counters.get(key);
    if (!c) {
      c = { vesselId, streamId, buckets: new Map(), last: null };
      this.#counters.set(key, c);
    }
    const second = Math.floor(now / 1000);
    c.buckets.set(second, (c.buckets.get(second) ?? 0) + 1);
    c.last = now;
  }

  /** Rates over the last full window (the current, partial second excluded). */
  snapshot(now: number): RatesSnapshot {
    const current = Math.floor(now / 1000);
    const oldest = current - this.#window;
    const rates = [...this.#counters.values()].map((c) => {
      let n = 0;
      for (const [s, k] of c.buckets) {
        if (s < oldest) c.buckets.delete(s);
        else if (s < current) n += k;
      }
      return {
        vesselId: c.vesselId,
        streamId: c.streamId,
        messagesPerSecond: Math.round((n / this.#window) * 100) / 100,
        lastMessageAt: c.last === null ? null : new Date(c.last).toISOString(),
      };
    });
    return { at: new Date(now).toISOString(), windowSeconds: this.#window, rates };
  }

  /** Forgets every counter (e.g. on disconnect). */
  clear(): void {
    this.#counters.clear();
  }
}
