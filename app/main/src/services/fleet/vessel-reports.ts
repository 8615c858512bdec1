/**
 * The vessels' own reports, verified before anything is shown (signature, x5c chain to the pinned root, CRL, role
 * vessel, signer = the vessel in the topic): the retained link status (`down` is the vessel's Last Will, published
 * by the broker when it lost the vessel: "link down since …") and the alerts a vessel raises (forged commands, stale
 * CRL, failing renewal, a revoked broker, …). A report that does not verify is logged and dropped.
 */
import { JWS_ALGORITHMS, verifyAlert, verifyLink, type Clock, type JwsAlgorithm } from '@helmlink/protocol';
import { toApiError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { FleetState } from './fleet-state';
import type { TrustMaterial } from './trust-material';

export interface VesselReportsOptions {
  fleet: FleetState;
  trust: () => TrustMaterial | null;
  clock: Clock;
  logger: Logger;
  algorithms?: readonly JwsAlgorithm[];
  clockToleranceSeconds?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class VesselReportsReceiver {
  readonly #o: VesselReportsOptions;

  constructor(options: VesselReportsOptions) {
    this.#o = options;
  }

  /** A message on `vessels/{id}/link`; `retained` when the broker kept it from before this subscription. */
  async onLink(vesselId: string, payload: Buffer, retained: boolean): Promise<void> {
    if (payload.length === 0) return;
    const verified = await this.#verify('link', vesselId, (options) =>
      verifyLink(payload.toString('utf8'), options),
    );
    if (!verified) return;
    const now = this.#o.clock();
    this.#o.fleet.setLinkReport(vesselId, {
      state: verified.claims.link,
      // A retained report is older than this subscription: when it happened is unknown.
      since: retained ? null : iso(now),
      reportedAt: iso(verified.claims.iat * 1000),
    });
  }

  /** A message on `vessels/{id}/alert`. */
  async onAlert(vesselId: string, payload: Buffer): Promise<void> {
    const verified = await this.#verify('alert', vesselId, (options) =>
      verifyAlert(payload.toString('utf8'), options),
    );
    if (!verified) return;
    const c = verified.claims;
    this.#o.logger.warn({ vesselId, kind: c.kind, code: c.code }, 'vessel alert');
    this.#o.fleet.addAlert({
      vesselId,
      kind: c.kind,
      code: c.code,
      message: c.message,
      at: iso(c.iat * 1000),
      receivedAt: iso(this.#o.clock()),
    });
  }

  async #verify<T>(
    what: string,
    vesselId: string,
    run: (options: Parameters<typeof verifyLink>[1]) => Promise<T>,
  ): Promise<T | undefined> {
    const trust = this.#o.trust();
    if (!trust) return undefined;
    try {
      return await run({
        trust: trust.trust,
        clock: this.#o.clock,
        vesselId,
        // Every profile algorithm: the key policy bounds them.
        algorithms: this.#o.algorithms ?? JWS_ALGORITHMS,
        ...(this.#o.clockToleranceSeconds !== undefined
          ? { clockToleranceSeconds: this.#o.clockToleranceSeconds }
          : {}),
      });
    } catch (err) {
      this.#o.logger.warn({ vesselId, code: toApiError(err).code }, `vessel ${what} report refused`);
      return undefined;
    }
  }
}
