/** Exponential backoff with jitter for reconnects and retries. */

export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /** 0 = exact exponential delays, 1 = full jitter (uniform in [0, delay]). */
  jitter: number;
  random?: () => number;
}

/** Delay before attempt `attempt` (0-based): min(max, initial·2^attempt), of which a `jitter` fraction is random. */
export function backoffDelay(attempt: number, o: BackoffOptions): number {
  const base = Math.min(o.maxDelayMs, o.initialDelayMs * 2 ** Math.min(attempt, 30));
  const r = (o.random ?? Math.random)();
  return Math.round(base * (1 - o.jitter) + base * o.jitter * r);
}
