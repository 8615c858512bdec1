/** Fixed-window rate limits per client address and per identity, for enroll, renew and revoke. */
import type { Clock } from '@helmlink/protocol';

export type RateGroup = 'enroll' | 'renew' | 'revoke';

/** Counted per client address or per identity (entity id). */
export type RateKind = 'perAddress' | 'perIdentity';

export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in ms. */
  windowMs: number;
}

export type RateLimits = Record<RateGroup, Record<RateKind, RateLimit>>;

/** Defaults: generous for fleets enrolling in bulk, tight enough to stop token guessing and CSR floods. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  enroll: { perAddress: { limit: 600, windowMs: 60_000 }, perIdentity: { limit: 10, windowMs: 60_000 } },
  renew: { perAddress: { limit: 600, windowMs: 60_000 }, perIdentity: { limit: 10, windowMs: 60_000 } },
  revoke: { perAddress: { limit: 300, windowMs: 60_000 }, perIdentity: { limit: 120, windowMs: 60_000 } },
};

export interface RateVerdict {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfter: number;
  /** True for the first refusal in a window (audited and alerted once, not on every refused request). */
  firstTrip: boolean;
}

interface Window {
  start: number;
  count: number;
  tripped: boolean;
}

/** In-memory fixed windows keyed by `group|kind|key`. */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limits: RateLimits,
    private readonly clock: Clock,
  ) {}

  /** Counts one request for `key` and says whether it is allowed. */
  hit(group: RateGroup, kind: RateKind, key: string): RateVerdict {
    const { limit, windowMs } = this.limits[group][kind];
    const now = this.clock();
    const id = `${group}|${kind}|${key}`;
    let w = this.windows.get(id);
    if (!w || now - w.start >= windowMs) {
      w = { start: now, count: 0, tripped: false };
      this.windows.set(id, w);
      if (this.windows.size > 100_000) this.prune(now);
    }
    w.count++;
    const retryAfter = Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
    if (w.count <= limit) return { allowed: true, retryAfter, firstTrip: false };
    const firstTrip = !w.tripped;
    w.tripped = true;
    return { allowed: false, retryAfter, firstTrip };
  }

  private prune(now: number): void {
    for (const [id, w] of this.windows) {
      const group = id.split('|')[0] as RateGroup;
      const kind = id.split('|')[1] as RateKind;
      if (now - w.start >= this.limits[group][kind].windowMs) this.windows.delete(id);
    }
  }
}
