/** Pushes the live data rates (`fleet.rates`) to the UI at a fixed interval while connected. */
import type { ConsoleEvents } from '../core/events';
import type { RateMeter } from '../fleet/rates';
import type { Clock } from '@helmlink/protocol';

export class RateTimer {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rates: RateMeter,
    private readonly events: ConsoleEvents,
    private readonly clock: Clock,
    private readonly intervalMs = 1000,
  ) {}

  /** Starts pushing (once). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(
      () => this.events.emit('fleet.rates', this.rates.snapshot(this.clock())),
      this.intervalMs,
    );
    this.#timer.unref();
  }

  /** Stops pushing and forgets the counted rates. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.rates.clear();
  }
}
