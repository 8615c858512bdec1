/**
 * The console's CRLs: fetched from the CA over HTTPS on every connection and every 10 minutes, and taken from the
 * retained MQTT CRL topic (optional). A newer CRL may change the revocation status of the broker and of every
 * vessel: `onNewer` re-checks them.
 */
import { parseCrls, type Clock } from '@helmlink/protocol';
import { toApiError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { TrustMaterial } from '../fleet/trust-material';
import { consoleCaClient } from '../ca/console-ca';

/** How often the CRL is fetched over HTTPS while connected. */
export const CRL_REFRESH_MS = 10 * 60_000;

export interface CrlFetcherOptions {
  /** The CA's URL (null: no CA known, nothing to fetch). */
  caUrl: () => string | null;
  /** The trust material CRLs go into (null before the first connection). */
  trust: () => TrustMaterial | null;
  clock: Clock;
  logger: Logger;
  /** Called after a newer CRL was accepted. */
  onNewer: () => Promise<void>;
}

export class CrlFetcher {
  readonly #o: CrlFetcherOptions;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: CrlFetcherOptions) {
    this.#o = options;
  }

  /** Starts the periodic HTTPS refresh (once). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.refresh(), CRL_REFRESH_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Fetches the current CRL from the CA over HTTPS; a failure is logged (the retained MQTT copy may still come). */
  async refresh(): Promise<void> {
    const caUrl = this.#o.caUrl();
    const trust = this.#o.trust();
    if (!caUrl || !trust) return;
    try {
      const res = await consoleCaClient({ url: caUrl, root: trust.root, timeoutMs: 5_000 }).raw(
        'GET',
        '/ca/v1/crl',
      );
      if (res.status === 200) await this.accept(res.body);
    } catch (err) {
      this.#o.logger.warn({ code: toApiError(err).code }, 'CRL refresh from the CA failed');
    }
  }

  /** Offers CRLs (PEM or DER) to the trust material; an empty payload (cleared retained CRL) is ignored. */
  async accept(payload: Buffer): Promise<void> {
    const trust = this.#o.trust();
    if (!trust || payload.length === 0) return;
    const text = payload.toString('latin1');
    const crls = text.includes('-----BEGIN') ? parseCrls(text) : parseCrls(new Uint8Array(payload));
    let newer = false;
    for (const crl of crls) newer = (await trust.acceptCrl(crl, new Date(this.#o.clock()))) || newer;
    if (newer) await this.#o.onNewer();
  }
}
