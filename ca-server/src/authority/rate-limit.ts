/**
 * Fixed-window rate limits per client address and per identity, for enroll, renew and revoke, and one budget of
 * unauthenticated failures per address (unknown, used or expired tokens, refused CSRs, missing or refused client
 * certificates). Requests that authenticate (a usable token, a valid client certificate) count against their own
 * per-address and per-identity limits only: another party's failures from the same address never lock them out.
 */
import type { Clock } from '@helmlink/protocol';

export type RateGroup = 'enroll' | 'renew' | 'revoke' | 'failures';

/** Counted per client address or per identity (entity id). */
export type RateKind = 'perAddress' | 'perIdentity';

export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in ms. */
  windowMs: number;
}

export interface RateLimits {
  enroll: Record<'perAddress' | 'perIdentity', RateLimit>;
  renew: Record<'perAddress' | 'perIdentity', RateLimit>;
  revoke: Record<'perAddress' | 'perIdentity', RateLimit>;
  /** Unauthenticated failures per address, all routes together; also the window their alerts are aggregated in. */
  failures: { perAddress: RateLimit };
}

/** Defaults: generous for fleets enrolling in bulk, tight enough to stop token guessing and CSR floods. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  enroll: { perAddress: { limit: 600, windowMs: 60_000 }, perIdentity: { limit: 10, windowMs: 60_000 } },
  renew: { perAddress: { limit: 600, windowMs: 60_000 }, perIdentity: { limit: 10, windowMs: 60_000 } },
  revoke: { perAddress: { limit: 300, windowMs: 60_000 }, perIdentity: { limit: 120, windowMs: 60_000 } },
  failures: { perAddress: { limit: 60, windowMs: 60_000 } },
};

/** Rate limits to change: per group, some of its limits. */
export type RateLimitOptions = { [G in keyof RateLimits]?: Partial<RateLimits[G]> };

/** The defaults with the given groups' limits replaced (a group given in part keeps the defaults of the rest). */
export function mergeRateLimits(over: RateLimitOptions = {}): RateLimits {
  return {
    enroll: { ...DEFAULT_RATE_LIMITS.enroll, ...over.enroll },
    renew: { ...DEFAULT_RATE_LIMITS.renew, ...over.renew },
    revoke: { ...DEFAULT_RATE_LIMITS.revoke, ...over.revoke },
    failures: { ...DEFAULT_RATE_LIMITS.failures, ...over.failures },
  };
}

/** The limit of `group`/`kind` (a kind a group does not have is a caller bug). */
function limitOf(limits: RateLimits, group: RateGroup, kind: RateKind): RateLimit {
  const limit = (limits[group] as Partial<Record<RateKind, RateLimit>>)[kind];
  if (!limit) throw new TypeError(`no rate limit ${group}.${kind}`);
  return limit;
}

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
    const { limit, windowMs } = limitOf(this.limits, group, kind);
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

  /** True when `key` has used up its budget in the current window (nothing is counted). */
  exhausted(group: RateGroup, kind: RateKind, key: string): boolean {
    const { limit, windowMs } = limitOf(this.limits, group, kind);
    const w = this.windows.get(`${group}|${kind}|${key}`);
    return w !== undefined && this.clock() - w.start < windowMs && w.count >= limit;
  }

  private prune(now: number): void {
    for (const [id, w] of this.windows) {
      const group = id.split('|')[0] as RateGroup;
      const kind = id.split('|')[1] as RateKind;
      if (now - w.start >= limitOf(this.limits, group, kind).windowMs) this.windows.delete(id);
    }
  }
}
