/**
 * Vessel alerts reach the ROC's webhook: the CA reads every vessel's alert topic (`helmlink/v1/vessels/+/alert`)
 * through its broker link, believes an alert only when it is a `helmlink-alert+jwt` signed by that very vessel (path
 * to this CA's root, role vessel, signer = topic's vessel, a certificate of this CA's store that is still valid) and
 * not a replay (its jti), and raises it as a CA alert (`vessel_alert`), which the alert sink stores and posts.
 *
 * Rate-limited and aggregated: per vessel and alert kind, the first {@link VesselAlertForwarderOptions.perWindow}
 * alerts of a window go out at once; the rest are counted and summed up in one alert when the window closes. Tokens
 * that do not verify are never forwarded: they are counted and reported once per window (a flood of forgeries is
 * one alert, then one summary per window, not a webhook storm).
 */
import type { IPublishPacket } from 'mqtt';
import {
  createTrust,
  isHelmlinkError,
  parseTopic,
  topics,
  validatePath,
  verifyAlert,
  type AlertClaims,
  type Trust,
  type VesselAlertKind,
} from '@helmlink/protocol';
import { nodeSignatureVerifier } from '@helmlink/protocol/node';
import type { AlertRecord } from '../store/types';
import type { Authority } from '../authority/authority';

export interface VesselAlertForwarderOptions {
  /** Window of the rate limit, ms. Default 60 000. */
  windowMs?: number;
  /** Alerts per vessel and kind forwarded one by one in a window. Default 3. */
  perWindow?: number;
  /** Remembered jtis (replays are dropped). Default 10 000. */
  replayCapacity?: number;
}

/** How severe each kind is ashore. */
const SEVERITY: Record<VesselAlertKind, AlertRecord['severity']> = {
  'unattributable-command': 'warning',
  'response-topic-refused': 'warning',
  'renewal-failing': 'warning',
  'crl-stale': 'warning',
  'crl-rejected': 'warning',
  'state-store': 'critical',
  redis: 'warning',
  'broker-revoked': 'critical',
};

interface Window {
  start: number;
  sent: number;
  suppressed: number;
  latest: AlertClaims | undefined;
  timer: NodeJS.Timeout | undefined;
}

export interface VesselAlertStats {
  forwarded: number;
  suppressed: number;
  rejected: number;
}

export class VesselAlertForwarder {
  readonly #trust: Trust;
  readonly #windows = new Map<string, Window>();
  readonly #seen = new Set<string>();
  readonly #o: Required<VesselAlertForwarderOptions>;
  #rejected: { count: number; timer: NodeJS.Timeout } | undefined;
  readonly stats: VesselAlertStats = { forwarded: 0, suppressed: 0, rejected: 0 };

  constructor(
    private readonly authority: Authority,
    options: VesselAlertForwarderOptions = {},
  ) {
    this.#o = { windowMs: 60_000, perWindow: 3, replayCapacity: 10_000, ...options };
    this.#trust = createTrust({
      trustAnchors: [authority.root],
      intermediates: [authority.issuing.certificate],
      // Revocation comes from the store itself (what the CRL is made of), checked after the signature.
      revocation: { mode: 'off' },
      validatePath,
      signatureVerifier: nodeSignatureVerifier,
    });
  }

  /** The broker link subscription that feeds this forwarder. */
  subscription(): Record<string, (packet: IPublishPacket) => void> {
    return {
      [topics.filters.allAlerts]: (packet) =>
        // handle() verifies and never throws; raising can fail only while the store closes (shutdown).
        void this.handle(packet.topic, Buffer.from(packet.payload)).catch(() => undefined),
    };
  }

  /** Verifies one message of an alert topic and forwards it (rate-limited). Never throws. */
  async handle(topic: string, payload: Uint8Array): Promise<'forwarded' | 'suppressed' | 'rejected'> {
    const parsed = parseTopic(topic);
    if (parsed?.kind !== 'alert' || !parsed.vesselId) return this.#reject(topic, 'not an alert topic');
    let claims: AlertClaims;
    try {
      const verified = await verifyAlert(payload, {
        vesselId: parsed.vesselId,
        trust: this.#trust,
        clock: this.authority.clock,
      });
      const valid = this.authority.store
        .listCertificates({ entityId: verified.signer.entityId })
        .some((c) => c.fingerprint === verified.signer.fingerprint && c.status === 'valid');
      if (!valid) return this.#reject(topic, 'the signer certificate is not a valid certificate of this CA');
      claims = verified.claims;
    } catch (err) {
      return this.#reject(topic, isHelmlinkError(err) ? `${err.code}: ${err.message}` : String(err));
    }
    if (this.#seen.has(claims.jti)) return this.#reject(topic, `replayed alert ${claims.jti}`);
    this.#remember(claims.jti);
    return this.#admit(parsed.vesselId, claims);
  }

  /** Raises the pending summaries and stops the timers. */
  close(): void {
    for (const [key, w] of this.#windows) {
      if (w.timer) clearTimeout(w.timer);
      this.#summarise(key, w);
    }
    this.#windows.clear();
    if (this.#rejected) {
      clearTimeout(this.#rejected.timer);
      this.#reportRejected();
    }
  }

  #remember(jti: string): void {
    this.#seen.add(jti);
    if (this.#seen.size > this.#o.replayCapacity) this.#seen.delete(this.#seen.values().next().value!);
  }

  #admit(vesselId: string, c: AlertClaims): 'forwarded' | 'suppressed' {
    const key = `${vesselId}\u0000${c.kind}`;
    let w = this.#windows.get(key);
    if (!w) {
      w = { start: this.authority.clock(), sent: 0, suppressed: 0, latest: undefined, timer: undefined };
      this.#windows.set(key, w);
      const window = w;
      w.timer = setTimeout(() => {
        this.#windows.delete(key);
        this.#summarise(key, window);
      }, this.#o.windowMs);
      w.timer.unref();
    }
    if (w.sent >= this.#o.perWindow) {
      w.suppressed++;
      w.latest = c;
      this.stats.suppressed++;
      return 'suppressed';
    }
    w.sent++;
    this.stats.forwarded++;
    this.authority.alerts.raise(
      'vessel_alert',
      SEVERITY[c.kind],
      `vessel ${vesselId}: ${c.message} (${c.kind}, ${c.code})`,
      { vesselId, kind: c.kind, code: c.code, jti: c.jti, iat: c.iat },
    );
    return 'forwarded';
  }

  #summarise(key: string, w: Window): void {
    if (w.suppressed === 0 || !w.latest) return;
    const vesselId = key.split('\u0000')[0]!;
    const c = w.latest;
    this.authority.alerts.raise(
      'vessel_alert',
      SEVERITY[c.kind],
      `vessel ${vesselId}: ${w.suppressed} more ${c.kind} alerts in ${Math.round(this.#o.windowMs / 1000)} s (latest: ${c.message})`,
      { vesselId, kind: c.kind, code: c.code, suppressed: w.suppressed, latestJti: c.jti },
    );
  }

  #reject(topic: string, why: string): 'rejected' {
    this.stats.rejected++;
    if (this.#rejected) {
      this.#rejected.count++;
      return 'rejected';
    }
    this.authority.alerts.raise(
      'vessel_alert_rejected',
      'warning',
      `a message on ${topic} did not verify and was not forwarded: ${why}`,
      { topic, reason: why },
    );
    const timer = setTimeout(() => this.#reportRejected(), this.#o.windowMs);
    timer.unref();
    this.#rejected = { count: 0, timer };
    return 'rejected';
  }

  #reportRejected(): void {
    const r = this.#rejected;
    this.#rejected = undefined;
    if (!r || r.count === 0) return;
    this.authority.alerts.raise(
      'vessel_alert_rejected',
      'warning',
      `${r.count} more message(s) on vessel alert topics did not verify in ${Math.round(this.#o.windowMs / 1000)} s and were not forwarded`,
      { rejected: r.count },
    );
  }
}
