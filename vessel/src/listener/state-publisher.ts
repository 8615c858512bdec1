/**
 * Publishes the vessel's signed stream state, retained at QoS 1 on its `state` topic. Coalesced: the token follows
 * every change within STATE_COALESCE_MS, and a burst of commands yields one token for the latest state (consoles
 * keep the highest seq; each ack already carries the resulting state). State tokens expire: after every publish the
 * state is re-signed and published again once `refreshMs` passed (2/3 of the token lifetime), so consoles see a
 * current state while the vessel is up and a stale one when it is not. A refused publish (e.g. the broker's ACL not
 * reloaded yet for a newly enrolled vessel) is retried with backoff while connected; a reconnect publishes again
 * anyway.
 */
import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from '@helmlink/protocol/mqtt';

/** Longest delay between a state change and its retained state token. */
export const STATE_COALESCE_MS = 20;

export interface StatePublisherOptions {
  /** Signs and publishes the current state. */
  publish: () => Promise<void>;
  /** Whether a failed publish should be retried now (connected, not closing). */
  canRetry: () => boolean;
  log: Logger;
  random: () => number;
  /** Re-sign and publish this long after every successful publish (before the token expires); none when unset. */
  refreshMs?: number;
}

export class StatePublisher {
  readonly #o: StatePublisherOptions;
  readonly #retry: BackoffPolicy;
  #timer: NodeJS.Timeout | undefined;
  #refresh: NodeJS.Timeout | undefined;
  #stopped = false;
  #failures = 0;

  constructor(options: StatePublisherOptions) {
    this.#o = options;
    this.#retry = { initialDelayMs: 500, maxDelayMs: 30_000, jitter: 0.5, random: options.random };
  }

  /** Publishes within `delayMs` (joins a publish already scheduled). */
  soon(delayMs = STATE_COALESCE_MS): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#o.publish().then(
        () => {
          this.#failures = 0;
          this.#scheduleRefresh();
        },
        (err: Error) => {
          this.#failures++;
          this.#o.log.warn({ err: err.message, failures: this.#failures }, 'state publish failed; retrying');
          if (this.#o.canRetry()) this.soon(backoffDelay(this.#failures - 1, this.#retry));
        },
      );
    }, delayMs);
  }

  /**
   * Publishes now when a publish is scheduled (on close: the last change is not left behind), and stops re-signing.
   */
  async flush(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#refresh);
    if (!this.#timer) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#o.publish().catch(() => undefined);
  }

  #scheduleRefresh(): void {
    if (this.#o.refreshMs === undefined || this.#stopped) return;
    clearTimeout(this.#refresh);
    this.#refresh = setTimeout(() => this.soon(0), this.#o.refreshMs);
    // The listener's process is held by its run command; a pending re-sign never keeps a test or a tool alive.
    this.#refresh.unref();
  }
}
