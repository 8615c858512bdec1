/**
 * Bounds how many alerts of one kind the listener raises per time window. An attacker who floods the command
 * topic with forged tokens must not turn every message into a webhook call or a pager: each dropped command is
 * still logged (one line per command), but alerts past the budget are counted and summarised in the next alert
 * the window allows.
 */
import type { Clock } from '@helmlink/protocol';

export interface AlertLimiterOptions {
  /** Alerts of one kind allowed per window. */
  maxPerWindow: number;
  windowMs: number;
  /** Milliseconds clock (injected; tests freeze it). */
  clock: Clock;
}

export interface AlertDecision {
  /** Raise this alert. */
  raise: boolean;
  /** Alerts of this kind suppressed since the last one raised (reported with this one). */
  suppressed: number;
}

/** A fixed-window counter per alert kind. */
export class AlertLimiter {
  readonly #o: AlertLimiterOptions;
  readonly #windows = new Map<string, { start: number; raised: number; suppressed: number }>();

  constructor(options: AlertLimiterOptions) {
    if (!(options.maxPerWindow >= 1) || !(options.windowMs > 0))
      throw new TypeError('alert limiter needs maxPerWindow >= 1 and windowMs > 0');
    this.#o = options;
  }

  /** Decides whether an alert of `kind` may be raised now. */
  admit(kind: string): AlertDecision {
    const now = this.#o.clock();
    let w = this.#windows.get(kind);
    if (!w || now - w.start >= this.#o.windowMs) {
      w = { start: now, raised: 0, suppressed: w?.suppressed ?? 0 };
      this.#windows.set(kind, w);
    }
    if (w.raised >= this.#o.maxPerWindow) {
      w.suppressed++;
      return { raise: false, suppressed: w.suppressed };
    }
    w.raised++;
    const suppressed = w.suppressed;
    w.suppressed = 0;
    return { raise: true, suppressed };
  }
}
