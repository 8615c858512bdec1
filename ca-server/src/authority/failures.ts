/**
 * Unauthenticated failures (unknown, used or expired tokens, refused CSRs, missing or refused client certificates):
 * counted per client address against one budget, and alerted and audited per address, kind and window, aggregated.
 * The first failure of a window is stored, audited and sent to the webhook at once (the first sign of an attack);
 * the rest only count, and when the window ends one summary alert (and audit entry) carries the count. A flood of
 * 650 attempts thus leaves at most two alerts and two audit entries per kind, not 650 of each.
 *
 * Over the budget, further failures from that address are refused with ERR_RATE_LIMITED before any work; requests
 * that authenticate are never refused because of it (rate-limit.ts).
 */
import { HelmlinkError, type Clock } from '@helmlink/protocol';
import type { AlertRecord } from '../store/types';
import type { AlertKind, AlertSink } from './alerts';
import type { RateLimiter } from './rate-limit';

interface Window {
  kind: AlertKind;
  severity: AlertRecord['severity'];
  address: string;
  action: string;
  start: number;
  count: number;
  message: string;
}

/** One failure to record. */
export interface Failure {
  kind: AlertKind;
  severity: AlertRecord['severity'];
  /** The audit action of the first failure of a window (e.g. `enroll.refused`). */
  action: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Counts, refuses and aggregates unauthenticated failures per address. */
export class FailureLog {
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: {
      limiter: RateLimiter;
      alerts: AlertSink;
      audit: (actor: string, action: string, details: Record<string, unknown>) => void;
      clock: Clock;
      windowMs: number;
    },
  ) {}

  /**
   * Refuses (ERR_RATE_LIMITED, counted and aggregated as `rate_limited`) when `address` has used up its failure
   * budget. Call it before the work an unauthenticated request would cause.
   */
  guard(address: string): void {
    if (!this.o.limiter.exhausted('failures', 'perAddress', address)) return;
    this.note(address, {
      kind: 'rate_limited',
      severity: 'warning',
      action: 'rate_limit.trip',
      message: `too many failed requests from address ${address}: refused for the rest of the window`,
      details: { group: 'failures', kind: 'perAddress', key: address },
    });
    const retryAfter = Math.max(1, Math.ceil(this.o.windowMs / 1000));
    throw new HelmlinkError('ERR_RATE_LIMITED', undefined, { details: { retryAfter } });
  }

  /** Counts one failure of `address` against its budget without an alert (e.g. no client certificate at all). */
  count(address: string): void {
    this.o.limiter.hit('failures', 'perAddress', address);
  }

  /** Counts one failure of `address` against its budget and records it (aggregated). */
  fail(address: string, failure: Failure): void {
    this.o.limiter.hit('failures', 'perAddress', address);
    this.note(address, failure);
  }

  private note(address: string, f: Failure): void {
    const now = this.o.clock();
    const key = `${f.kind}|${address}`;
    let w = this.windows.get(key);
    if (w && now - w.start >= this.o.windowMs) {
      this.summarise(w);
      this.windows.delete(key);
      w = undefined;
    }
    if (w) {
      w.count++;
      return;
    }
    this.windows.set(key, { ...f, address, start: now, count: 1 });
    const details = { address, ...f.details, count: 1, windowSeconds: this.o.windowMs / 1000 };
    this.o.audit(address, f.action, details);
    this.o.alerts.raise(f.kind, f.severity, f.message, details);
    this.schedule();
  }

  private summarise(w: Window): void {
    if (w.count <= 1) return;
    const details = {
      address: w.address,
      kind: w.kind,
      count: w.count,
      from: new Date(w.start).toISOString(),
      windowSeconds: this.o.windowMs / 1000,
    };
    this.o.audit(w.address, 'failures.summary', details);
    this.o.alerts.raise(
      w.kind,
      w.severity,
      `${w.count} × ${w.kind} from ${w.address} within ${this.o.windowMs / 1000} s (first: ${w.message})`,
      { ...details, summary: true },
    );
  }

  /** Writes the summary of every window that has ended (all of them with `all`, e.g. at shutdown). */
  closeWindows(all = false): void {
    const now = this.o.clock();
    for (const [key, w] of this.windows) {
      if (!all && now - w.start < this.o.windowMs) continue;
      this.summarise(w);
      this.windows.delete(key);
    }
    if (this.windows.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.closeWindows(), Math.max(1000, this.o.windowMs));
    this.timer.unref();
  }
}
