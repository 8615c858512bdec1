/**
 * Automatic certificate renewal: due at `renewal.atFraction` of the lifetime plus jitter (the shared `renewalDueAt`), retried
 * with backoff after a failure (capped at `renewal.retrySeconds`), alerting after `renewal.alertAfterFailures`
 * failures in a row. The renewed identity is handed to `swap`, which puts it to work (signer, trust, session).
 */
import type { Logger } from 'pino';
import { renewalDueAt, type Clock } from '@helmlink/protocol';
import { backoffDelay } from '@helmlink/protocol/mqtt';
import type { VesselConfig } from '../config';
import type { RaiseAlert, VesselStatus } from '../listener/types';
import type { VesselIdentity } from './files';
import { renewIdentity } from './renew';

export interface RenewalOptions {
  config: VesselConfig;
  passphrase: string;
  /** The identity in use (swapped on renewal). */
  identity: () => VesselIdentity;
  /** Puts a renewed identity to work. */
  swap: (next: VesselIdentity) => Promise<void>;
  clock: Clock;
  random: () => number;
  log: Logger;
  alert: RaiseAlert;
}

export class RenewalScheduler {
  readonly #o: RenewalOptions;
  #dueAt: number;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;
  #stopped = false;

  constructor(options: RenewalOptions) {
    this.#o = options;
    this.#dueAt = renewalDueAt(options.identity().certificate, {
      ...options.config.renewal,
      random: options.random,
    });
  }

  /** Schedules the next attempt (nothing when renewal is disabled). */
  start(): void {
    const { config, clock, random } = this.#o;
    if (!config.renewal.enabled || this.#stopped) return;
    const retryMs = config.renewal.retrySeconds * 1000;
    const delay =
      this.#failures > 0
        ? Math.min(
            retryMs,
            backoffDelay(this.#failures - 1, {
              initialDelayMs: 1000,
              maxDelayMs: retryMs,
              jitter: 0.5,
              random,
            }),
          )
        : Math.max(0, this.#dueAt - clock());
    this.#timer = setTimeout(
      () => {
        this.renewNow()
          .catch(() => undefined)
          .finally(() => this.start());
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    this.#timer.unref?.();
  }

  /** Stops scheduling; resolves once a renewal in progress has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#renewing?.catch(() => undefined);
  }

  /** Renews now (joins a renewal in progress). @throws HelmlinkError ERR_RENEWAL_FAILED */
  renewNow(): Promise<void> {
    this.#renewing ??= this.#renewOnce().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  status(): VesselStatus['renewal'] {
    return { dueAt: new Date(this.#dueAt).toISOString(), consecutiveFailures: this.#failures };
  }

  async #renewOnce(): Promise<void> {
    const { config, log } = this.#o;
    try {
      const next = await renewIdentity(config, this.#o.identity(), this.#o.passphrase);
      this.#failures = 0;
      this.#dueAt = this.#nextDue(next);
      await this.#o.swap(next);
    } catch (err) {
      this.#failures++;
      log.warn({ err: (err as Error).message, failures: this.#failures }, 'certificate renewal failed');
      if (this.#failures >= config.renewal.alertAfterFailures) {
        this.#o.alert({
          kind: 'renewal-failing',
          code: 'ERR_RENEWAL_FAILED',
          message: `renewal failed ${this.#failures} times in a row: ${(err as Error).message}`,
        });
      }
      throw err;
    }
  }

  /** When the renewed certificate is due; never sooner than one retry period. */
  #nextDue(next: VesselIdentity): number {
    const { config, clock, random, log } = this.#o;
    const due = renewalDueAt(next.certificate, { ...config.renewal, random });
    const floor = clock() + config.renewal.retrySeconds * 1000;
    // A fresh certificate that already looks due means this clock runs far ahead of the CA's: never renew in a loop.
    if (due < floor)
      log.warn(
        { notBefore: next.certificate.notBefore.toISOString() },
        'the renewed certificate is already due: is the vessel clock ahead?',
      );
    return Math.max(due, floor);
  }
}
