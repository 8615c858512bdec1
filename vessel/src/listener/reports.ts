/**
 * What the vessel tells the ROC without being asked, signed with its current identity: its alerts on
 * `vessels/{id}/alert` and its link status, retained on `vessels/{id}/link` (`up` on every connection; `down` handed
 * to the broker as the Last Will, so the broker says it when the connection is lost). Alerts raised while the link
 * is down wait here (at most MAX_QUEUED_ALERTS, the oldest dropped and counted) and go out once connected; the
 * listener's alert limiter already bounds how many are raised.
 */
import type { Logger } from 'pino';
import { signAlert, signLink, topics, type Clock, type Signer } from '@helmlink/protocol';
import type { MqttSession, SessionWill } from '@helmlink/protocol/mqtt';
import type { VesselAlert } from './types';

/** Alerts kept while offline. */
export const MAX_QUEUED_ALERTS = 100;

export interface VesselReportsOptions {
  vesselId: string;
  /** The current signer (follows renewals). */
  signer: () => Signer;
  clock: Clock;
  session: MqttSession;
  log: Logger;
}

export class VesselReports {
  readonly #o: VesselReportsOptions;
  readonly #queue: VesselAlert[] = [];
  #dropped = 0;
  #flushing = false;

  constructor(options: VesselReportsOptions) {
    this.#o = options;
  }

  /** The Last Will for the next connection: a signed, retained `down`. */
  async will(): Promise<SessionWill> {
    const { token } = await signLink(this.#o.signer(), { clock: this.#o.clock, link: 'down' });
    return { topic: topics.link(this.#o.vesselId), payload: token, qos: 1, retain: true };
  }

  /** The session is ready: say `up` (retained, replacing the will of a lost connection) and send queued alerts. */
  onReady(): void {
    void (async () => {
      const { token } = await signLink(this.#o.signer(), { clock: this.#o.clock, link: 'up' });
      await this.#o.session.publish(topics.link(this.#o.vesselId), token, { qos: 1, retain: true });
    })().catch((err: Error) => this.#o.log.warn({ err: err.message }, 'link status publish failed'));
    void this.#flush();
  }

  /** Queues an alert for the ROC and sends it when connected. */
  alert(a: VesselAlert): void {
    if (this.#queue.length >= MAX_QUEUED_ALERTS) {
      this.#queue.shift();
      this.#dropped++;
    }
    this.#queue.push(a);
    void this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#queue.length > 0 && this.#o.session.ready) {
        const a = this.#queue[0]!;
        const note = this.#dropped > 0 ? ` (${this.#dropped} older alerts dropped while offline)` : '';
        const { token } = await signAlert(this.#o.signer(), {
          clock: this.#o.clock,
          kind: a.kind,
          code: a.code,
          message: `${a.message}${note}`,
        });
        await this.#o.session.publish(topics.alert(this.#o.vesselId), token, { qos: 1 });
        this.#queue.shift();
        if (note) this.#dropped = 0;
      }
    } catch (err) {
      // Kept in the queue: the next connection sends it.
      this.#o.log.warn({ err: (err as Error).message }, 'alert publish failed; kept for the next connection');
    } finally {
      this.#flushing = false;
    }
  }
}
