/**
 * The one backoff policy of Helmlink: capped exponential delays with a share of random jitter, so a fleet that lost
 * its broker at the same instant does not come back at the same instant. Used for broker reconnects, refused
 * subscriptions, refused publishes and certificate renewal retries. Pure: the random source is injected.
 */

export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  initialDelayMs: number;
  /** Cap of every delay, ms. */
  maxDelayMs: number;
  /** 0 = exact exponential delays, 1 = full jitter (uniform in [0, delay]). */
  jitter: number;
  /** Random source in [0, 1) (tests inject a fixed one). Default Math.random. */
  random?: () => number;
}

/**
 * Delay before retry `attempt` (0-based): `min(max, initial·2^attempt)`, of which a `jitter` share is random.
 * @throws TypeError when the policy is not usable (caller bug).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  if (
    !(policy.initialDelayMs >= 0) ||
    !(policy.maxDelayMs >= 0) ||
    !(policy.jitter >= 0 && policy.jitter <= 1)
  ) {
    throw new TypeError('backoff policy needs delays >= 0 and 0 <= jitter <= 1');
  }
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const r = (policy.random ?? Math.random)();
  return Math.round(base * (1 - policy.jitter) + base * policy.jitter * r);
}
