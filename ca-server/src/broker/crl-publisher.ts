/**
 * Publishes every new CRL (DER) retained at QoS 1 on `helmlink/v1/pki/crl`, so vessels at sea receive it over MQTT,
 * through the CA's broker link (the CA service identity: the only one the broker lets write that topic).
 *
 * Nothing is swallowed: a publish that fails (refused, not acknowledged in time, no connection) raises an alert on
 * the first failure of a streak (and every tenth after it) and is retried with backoff until the broker holds the
 * current CRL; the first success after failures raises an `info` alert. The current CRL is also published again
 * after every reconnect (a broker without persistence forgets retained messages). `/health` reports the number of
 * the last CRL the broker acknowledged next to the current one ({@link CrlPublisher.status}).
 */
import { CRL_TOPIC, HelmlinkError, type Clock } from '@helmlink/protocol';
import { backoffDelay, type BackoffPolicy } from '@helmlink/protocol/mqtt';
import type { Authority } from '../authority/authority';
import type { IssuedCrl } from '../authority/crl';
import { BrokerLink } from './link';

/** Retry delays after a failed publish: 1 s doubling to 60 s, a quarter random. */
export const PUBLISH_RETRY: BackoffPolicy = { initialDelayMs: 1000, maxDelayMs: 60_000, jitter: 0.25 };

export interface CrlPublisherTuning {
  retry?: BackoffPolicy;
  /** How long a publish may wait for the broker's PUBACK, ms. Default 10 000. */
  publishTimeoutMs?: number;
}

/** A publisher with a broker session of its own (when the CA has no {@link BrokerLink} to share). */
export interface CrlPublisherOptions extends CrlPublisherTuning {
  /** mqtts://host:port */
  url: string;
  /** PEM key (may be encrypted, with passphrase) and certificate chain of the CA service identity. */
  key?: string;
  cert?: string;
  passphrase?: string;
  /** Server name checked on the broker certificate, when it differs from the URL host. */
  servername?: string;
}

/** What the broker holds, as far as the CA knows. */
export interface CrlPublisherStatus {
  /** Number of the last CRL the broker acknowledged (retained), if any. */
  publishedCrlNumber: number | null;
  publishedAt: string | null;
  /** Consecutive failed attempts (0 when the last one succeeded). */
  failures: number;
  lastError?: string;
}

export class CrlPublisher {
  #published: { number: number; at: number } | undefined;
  #wanted: IssuedCrl | undefined;
  /** Publish the wanted CRL even if its number was acknowledged before (after a reconnect). */
  #force = false;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #lastError: string | undefined;
  #stopped = false;
  #off: (() => void) | undefined;
  #link: BrokerLink | undefined;
  #ownLink = false;
  readonly #clock: Clock;
  readonly options: CrlPublisherTuning;

  /** Publishes through `link`, or through a session of its own made from connection options. */
  constructor(
    private readonly authority: Authority,
    private readonly target: BrokerLink | CrlPublisherOptions,
    tuning: CrlPublisherTuning = {},
  ) {
    this.#clock = authority.clock;
    this.options = target instanceof BrokerLink ? tuning : { ...target, ...tuning };
  }

  private get link(): BrokerLink {
    if (!this.#link) throw new TypeError('the CRL publisher was not started');
    return this.#link;
  }

  /**
   * Publishes the current CRL now and every new one; retries until the broker has it.
   * @throws TypeError for a publisher of its own without key and certificate.
   */
  start(): void {
    if (this.target instanceof BrokerLink) this.#link = this.target;
    else {
      const { key, cert, passphrase, servername, url } = this.target;
      if (!key || !cert) throw new TypeError('the CRL publisher needs the CA service key and certificate');
      this.#link = new BrokerLink({
        url,
        clientId: `${this.authority.config.serviceId}-crl`,
        key,
        cert,
        ca: this.authority.chainPem(),
        ...(passphrase !== undefined ? { passphrase } : {}),
        ...(servername ? { servername } : {}),
        alerts: this.authority.alerts,
        clock: this.#clock,
      });
      this.#ownLink = true;
      this.#link.start();
    }
    this.#off = this.authority.onCrl((crl) => this.#want(crl));
    this.link.on('ready', this.#onReady);
    if (this.link.ready) this.#onReady();
  }

  status(): CrlPublisherStatus {
    return {
      publishedCrlNumber: this.#published?.number ?? null,
      publishedAt: this.#published ? new Date(this.#published.at).toISOString() : null,
      failures: this.#failures,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  /** Resolves once the CRL work in progress (if any) has finished. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#off?.();
    this.#link?.off('ready', this.#onReady);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.idle();
    if (this.#ownLink) await this.#link?.close();
  }

  readonly #onReady = (): void => {
    // Connected again: no need to sit out a retry delay.
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.authority.currentCrl().then(
      (crl) => {
        this.#force = true;
        this.#want(crl);
      },
      // The store is closing (shutdown): nothing left to publish.
      () => undefined,
    );
  };

  #want(crl: IssuedCrl): void {
    if (!this.#wanted || crl.number >= this.#wanted.number) this.#wanted = crl;
    this.#kick();
  }

  #kick(): void {
    if (this.#stopped || this.#running || this.#timer) return;
    this.#running = this.#pump().finally(() => {
      this.#running = undefined;
    });
  }

  #due(): IssuedCrl | undefined {
    const wanted = this.#wanted;
    if (!wanted) return undefined;
    if (this.#force || !this.#published || this.#published.number < wanted.number) return wanted;
    return undefined;
  }

  async #pump(): Promise<void> {
    for (let crl = this.#due(); crl && !this.#stopped; crl = this.#due()) {
      // Not connected: the link's next `ready` brings us back (nothing to count as a failure of ours).
      if (!this.link.ready) return;
      this.#force = false;
      try {
        await this.#publishOnce(crl);
      } catch (err) {
        this.#failed(crl, err);
        return;
      }
      this.#published = { number: crl.number, at: this.#clock() };
      if (this.#failures > 0)
        this.authority.alerts.raise(
          'crl_published',
          'info',
          `CRL ${crl.number} is published over MQTT again after ${this.#failures} failed attempts`,
          { crlNumber: crl.number, failures: this.#failures },
        );
      this.#failures = 0;
      this.#lastError = undefined;
    }
  }

  #publishOnce(crl: IssuedCrl): Promise<void> {
    const timeoutMs = this.options.publishTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new HelmlinkError('ERR_NOT_CONNECTED', `the broker did not acknowledge within ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
    });
    return Promise.race([
      this.link.session.publish(CRL_TOPIC, Buffer.from(crl.der), { qos: 1, retain: true }),
      timeout,
    ]).finally(() => clearTimeout(timer));
  }

  #failed(crl: IssuedCrl, err: unknown): void {
    this.#failures++;
    this.#force = true;
    const code = (err as { code?: unknown }).code;
    this.#lastError = `${err instanceof Error ? err.message : String(err)}${typeof code === 'number' ? ` (reason code ${code})` : ''}`;
    if (this.#failures === 1 || this.#failures % 10 === 0)
      this.authority.alerts.raise(
        'crl_publish_failed',
        'warning',
        `CRL ${crl.number} could not be published over MQTT (attempt ${this.#failures}: ${this.#lastError}); retrying`,
        { crlNumber: crl.number, attempts: this.#failures, error: this.#lastError },
      );
    const delay = backoffDelay(this.#failures - 1, this.options.retry ?? PUBLISH_RETRY);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, delay);
    this.#timer.unref();
  }
}
