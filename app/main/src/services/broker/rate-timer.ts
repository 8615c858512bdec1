/**
 * Pushes the live data rates (`fleet.rates`) to the UI at a fixed interval while connected, and soon after a
 * verified state changed (`nudge`), so a stream switched off shows `stopped` at once, not after the window.
 */
import type { RatesSnapshot } from '@helmlink/app-preload';
import type { ConsoleEvents } from '../core/events';
import type { RateMeter } from '../fleet/rates';

/** Shortest gap between two pushes caused by state changes, ms. */
const NUDGE_MS = 100;

export class RateTimer {
  #timer: NodeJS.Timeout | undefined;
  #nudge: NodeJS.Timeout | undefined;

  constructor(
    private readonly rates: RateMeter,
    private readonly events: ConsoleEvents,
    /** The snapshot to push (the meter's rates judged against the verified states). */
    private readonly snapshot: () => RatesSnapshot,
    private readonly intervalMs = 1000,
  ) {}

  /** Starts pushing (once). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#push(), this.intervalMs);
    this.#timer.unref();
  }

  /** Pushes within NUDGE_MS while running (joins a push already due). */
  nudge(): void {
    if (!this.#timer || this.#nudge) return;
    this.#nudge = setTimeout(() => {
      this.#nudge = undefined;
      this.#push();
    }, NUDGE_MS);
    this.#nudge.unref();
  }

  /** Stops pushing and forgets the counted rates. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#nudge) clearTimeout(this.#nudge);
    this.#timer = this.#nudge = undefined;
    this.rates.clear();
  }

  #push(): void {
    this.events.emit('fleet.rates', this.snapshot());
  }
}
