/**
 * The fleet as the console knows it: one entry per vessel, built only from signed, retained `state` tokens that
 * verify (signature, x5c chain to the pinned root, CRL, role vessel, iss = the vessel in the topic, exact
 * partition of the carried catalog, not expired). A state that does not verify is flagged on the vessel and never
 * replaces the verified one. A `seq` lower than the highest ever verified for the vessel (kept across restarts in
 * {@link StateSequences}) is refused with ERR_STATE_ROLLBACK whatever the view shows, so garbage followed by an old
 * genuine token cannot roll the state back. A verified state whose `exp` passes without a newer one becomes stale
 * (unverified, ERR_CMD_EXPIRED): the vessel re-signs its state before it expires while it is up.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  HelmlinkError,
  JWS_ALGORITHMS,
  base64ToBytes,
  peekHeader,
  verifyState,
  type StateClaims,
  type JwsAlgorithm,
  type Clock,
} from '@helmlink/protocol';
import {
  CRITICAL_STREAM_NAMES,
  type CatalogStreamView,
  type VesselAlertView,
  type VesselLinkView,
  type VesselView,
} from '@helmlink/app-preload';
import type { ConsoleEvents } from '../core/events';
import { toApiError } from '../core/errors';
import type { AuditLog } from '../audit/audit-log';
import { StateSequences } from './state-sequences';
import type { TrustMaterial } from './trust-material';

export interface FleetStateOptions {
  clock: Clock;
  events: ConsoleEvents;
  audit?: AuditLog;
  /** The highest verified state sequence per vessel (default: in memory only). */
  sequences?: StateSequences;
  algorithms?: readonly JwsAlgorithm[];
  clockToleranceSeconds?: number;
}

interface VesselEntry {
  view: VesselView;
  claims: StateClaims | null;
  x5c: string[];
}

/** Catalog view of a verified state. */
export function catalogView(claims: StateClaims): CatalogStreamView[] {
  return claims.catalog.streams.map((s) => ({
    id: s.id,
    name: s.name,
    kind: s.kind,
    address: s.address,
    bitrateBps: s.bitrateBps,
    critical:
      s.critical === true ||
      (CRITICAL_STREAM_NAMES as readonly string[]).some(
        (n) => n === s.id.toUpperCase() || n === s.name.toUpperCase(),
      ),
  }));
}

function rollbackMessage(seq: number, highest: number): string {
  return `state sequence ${seq} is older than ${highest}, already verified: an old state token was replayed`;
}

function x5cOf(token: string): string[] {
  const x5c = peekHeader(token)?.x5c;
  return Array.isArray(x5c) ? x5c.filter((s): s is string => typeof s === 'string').slice(0, 4) : [];
}

/** Vessel alerts kept (newest first). */
export const RECENT_ALERTS = 100;

/** Verified vessel state per vessel id, each vessel's reported link, and the recent vessel alerts. */
export class FleetState {
  readonly #o: FleetStateOptions;
  readonly #vessels = new Map<string, VesselEntry>();
  #alerts: VesselAlertView[] = [];
  readonly #lastTokens = new Map<string, Buffer>();
  readonly #sequences: StateSequences;
  #trust: TrustMaterial | null = null;

  constructor(options: FleetStateOptions) {
    this.#o = options;
    this.#sequences = options.sequences ?? StateSequences.inMemory();
  }

  /** Sets the trust used for verification (after the identity is known). */
  setTrust(trust: TrustMaterial | null): void {
    this.#trust = trust;
  }

  /** Every known vessel, sorted by id. */
  vessels(): VesselView[] {
    this.#expireStale();
    return [...this.#vessels.values()]
      .map((e) => e.view)
      .sort((a, b) => a.vesselId.localeCompare(b.vesselId));
  }

  vessel(vesselId: string): VesselView | null {
    this.#expireStale();
    return this.#vessels.get(vesselId)?.view ?? null;
  }

  /** The verified claims (catalog and on/off) of a vessel, or null. */
  verifiedState(vesselId: string): StateClaims | null {
    this.#expireStale();
    const e = this.#vessels.get(vesselId);
    return e?.view.verified ? e.claims : null;
  }

  /** Handles a retained state message. An empty payload removes the vessel (retained state cleared). */
  async onStateMessage(vesselId: string, payload: Buffer): Promise<void> {
    if (payload.length === 0) {
      this.#lastTokens.delete(vesselId);
      if (this.#vessels.delete(vesselId)) this.#emit();
      return;
    }
    const previous = this.#lastTokens.get(vesselId);
    this.#lastTokens.set(vesselId, payload);
    const now = new Date(this.#o.clock());
    const token = payload.toString('utf8');
    const entry = this.#vessels.get(vesselId) ?? this.#empty(vesselId);
    try {
      if (!this.#trust)
        throw new HelmlinkError('ERR_IDENTITY_MISSING', 'no identity: nothing to verify the state against');
      const verified = await verifyState(token, {
        trust: this.#trust.trust,
        // The vessel's certificate is remembered: its acks name it by x5t#S256.
        certificates: this.#trust.signerCertificates,
        clock: this.#o.clock,
        vesselId,
        // Every profile algorithm: the key policy bounds them.
        algorithms: this.#o.algorithms ?? JWS_ALGORITHMS,
        ...(this.#o.clockToleranceSeconds !== undefined
          ? { clockToleranceSeconds: this.#o.clockToleranceSeconds }
          : {}),
      });
      const c = verified.claims;
      const highest = this.#sequences.highest(vesselId);
      if (highest !== undefined && c.seq < highest) {
        // A verified, current view stays as it is (it is newer); any other view is flagged with the refusal.
        if (entry.view.verified) {
          // The token the view rests on stays the one a newer CRL re-verifies.
          if (previous) this.#lastTokens.set(vesselId, previous);
          this.#auditRefused(vesselId, token, 'ERR_STATE_ROLLBACK', rollbackMessage(c.seq, highest));
          return;
        }
        throw new HelmlinkError('ERR_STATE_ROLLBACK', rollbackMessage(c.seq, highest), {
          details: { seq: c.seq, highest },
        });
      }
      this.#sequences.raise(vesselId, c.seq);
      const catalog = catalogView(c);
      const on = new Set(c.on);
      const streams = catalog.map((s) => ({ ...s, on: on.has(s.address) }));
      const x5c = x5cOf(token);
      const signer = await this.#trust.describePeer(
        x5c.map((b) => new x509.X509Certificate(base64ToBytes(b) as Uint8Array<ArrayBuffer>)),
        'clientAuth',
        now,
      );
      entry.claims = c;
      entry.x5c = x5c;
      entry.view = {
        vesselId,
        verified: true,
        unverified: null,
        streams,
        lastAppliedCommandId: c.last_jti,
        stateIssuedAt: new Date(c.iat * 1000).toISOString(),
        stateReceivedAt: now.toISOString(),
        signer,
        activeBitrateBps: streams.filter((s) => s.on).reduce((n, s) => n + s.bitrateBps, 0),
        link: entry.view.link,
      };
      this.#o.audit?.append({
        kind: 'state.verified',
        vesselId,
        verdict: 'verified',
        actor: verified.signer.entityId,
        token,
        commandId: c.last_jti,
      });
    } catch (err) {
      const e = toApiError(err);
      entry.view = {
        ...entry.view,
        verified: false,
        unverified: { code: e.code, message: e.detail ?? e.message, receivedAt: now.toISOString() },
      };
      this.#auditRefused(vesselId, token, e.code, entry.view.unverified!.message);
    }
    this.#vessels.set(vesselId, entry);
    this.#emit();
  }

  /**
   * Marks every verified view whose state token has expired as stale (unverified, ERR_CMD_EXPIRED) and pushes the
   * fleet when one changed. The services call it on a timer; every read calls it too.
   */
  checkExpiry(): void {
    if (this.#expireStale()) this.#emit();
  }

  #expireStale(): boolean {
    const nowMs = this.#o.clock();
    const tolerance = this.#o.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    let changed = false;
    for (const entry of this.#vessels.values()) {
      if (!entry.view.verified || !entry.claims) continue;
      if (nowMs / 1000 - tolerance < entry.claims.exp) continue;
      const expiredAt = new Date(entry.claims.exp * 1000).toISOString();
      entry.view = {
        ...entry.view,
        verified: false,
        unverified: {
          code: 'ERR_CMD_EXPIRED',
          message: `the vessel's signed state expired at ${expiredAt} and was not re-signed: it is stale`,
          receivedAt: new Date(nowMs).toISOString(),
        },
      };
      changed = true;
    }
    return changed;
  }

  #auditRefused(vesselId: string, token: string, code: string, message: string): void {
    this.#o.audit?.append({ kind: 'state.unverified', vesselId, verdict: 'invalid', code, message, token });
  }

  /** Verifies the last received state of every vessel again (after a newer CRL arrived). */
  async reverifyAll(): Promise<void> {
    for (const [vesselId, payload] of [...this.#lastTokens]) await this.onStateMessage(vesselId, payload);
  }

  /** Records a vessel's verified link report (a vessel not seen yet gets an entry without state). */
  setLink(vesselId: string, link: VesselLinkView): void {
    const entry = this.#vessels.get(vesselId) ?? this.#empty(vesselId);
    entry.view = { ...entry.view, link };
    this.#vessels.set(vesselId, entry);
    this.#emit();
  }

  /** The recent alerts, newest first. */
  alerts(): VesselAlertView[] {
    return this.#alerts;
  }

  /** Keeps a verified vessel alert (or the console's own) and pushes the list. */
  addAlert(alert: VesselAlertView): void {
    this.#alerts = [alert, ...this.#alerts].slice(0, RECENT_ALERTS);
    this.#o.events.emit('fleet.alerts', this.#alerts);
  }

  /** Forgets every vessel. */
  clear(): void {
    this.#vessels.clear();
    this.#lastTokens.clear();
    this.#alerts = [];
    this.#emit();
  }

  #empty(vesselId: string): VesselEntry {
    return {
      claims: null,
      x5c: [],
      view: {
        vesselId,
        verified: false,
        unverified: null,
        streams: [],
        lastAppliedCommandId: null,
        stateIssuedAt: null,
        stateReceivedAt: null,
        signer: null,
        activeBitrateBps: 0,
        link: null,
      },
    };
  }

  #emit(): void {
    this.#o.events.emit('fleet.vessels', this.vessels());
  }
}
