/**
 * The fleet as the console knows it: one entry per vessel, built only from signed, retained `state` tokens that
 * verify (signature, x5c chain to the pinned root, CRL, role vessel, iss = the vessel in the topic, exact
 * partition of the carried catalog, not expired). A state that does not verify is flagged on the vessel and never
 * replaces the verified one. A `seq` lower than the highest ever verified for the vessel (kept across restarts in
 * {@link StateSequences}) is refused with ERR_STATE_ROLLBACK whatever the view shows, so garbage followed by an old
 * genuine token cannot roll the state back. A verified state whose `exp` passes without a newer one becomes stale
 * (unverified, ERR_CMD_EXPIRED; the vessel shows `stale`, ERR_VESSEL_SILENT): the vessel re-signs its state before
 * it expires while it is up. Whether the vessel's link is down is the vessel's own signed word (its link status,
 * the Last Will the broker publishes when it loses the vessel: vessel-reports.ts), kept here with its alerts.
 *
 * Each vessel's view also carries what the console knows besides its state (vessel-view.ts, vessel-status.ts): the
 * certified name, IMO, MMSI and flag, how the console hears from it, this console's commands to it (from
 * `commands.status`), the console's own link (from `fleet.connection` and `identity.changed`) and the derived
 * status. Changes are pushed batched (fleet-publisher.ts).
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
import type {
  CommandView,
  ConnectionStatus,
  IdentityStatus,
  PeerCertificateView,
  VesselIdentityView,
  VesselAlertView,
  VesselLabel,
  VesselLinkReport,
  VesselView,
} from '@helmlink/app-preload';
import type { ConsoleEvents } from '../core/events';
import { toApiError } from '../core/errors';
import type { AuditLog } from '../audit/audit-log';
import type { TrustMaterial } from './trust-material';
import { FleetPublisher } from './fleet-publisher';
import type { RateSubject } from './rates';
import { StateSequences } from './state-sequences';
import { NO_IDENTITY, vesselIdentityOf, vesselLabel } from './vessel-identity';
import { buildVesselView, emptyEntry, type VesselEntry } from './vessel-view';
import { reasonOf, type ConsoleLink } from './vessel-status';

export { catalogView } from './vessel-view';

export interface FleetStateOptions {
  clock: Clock;
  events: ConsoleEvents;
  audit?: AuditLog;
  algorithms?: readonly JwsAlgorithm[];
  clockToleranceSeconds?: number;
  /** The highest verified state sequence per vessel (default: in memory only). */
  sequences?: StateSequences;
  /** How often held states are checked for expiry (a quiet vessel turns `stale`), ms. Default 1000. */
  sweepMs?: number;
  /** Batching of pushed changes, ms (default FLEET_CHANGES_INTERVAL_MS). */
  changesIntervalMs?: number;
}

function x5cOf(token: string): string[] {
  const x5c = peekHeader(token)?.x5c;
  return Array.isArray(x5c) ? x5c.filter((s): s is string => typeof s === 'string').slice(0, 4) : [];
}

const certificatesOf = (x5c: readonly string[]): x509.X509Certificate[] =>
  x5c.map((b) => new x509.X509Certificate(base64ToBytes(b) as Uint8Array<ArrayBuffer>));

function rollbackMessage(seq: number, highest: number): string {
  return `state sequence ${seq} is older than ${highest}, already verified: an old state token was replayed`;
}

/** Vessel alerts kept (newest first). */
export const RECENT_ALERTS = 100;

/**
 * Verified vessel state per vessel id, with each vessel's reported link and derived status, and the recent
 * vessel alerts.
 */
export class FleetState {
  readonly #o: FleetStateOptions;
  readonly #vessels = new Map<string, VesselEntry>();
  #alerts: VesselAlertView[] = [];
  readonly #lastTokens = new Map<string, Buffer>();
  readonly #sequences: StateSequences;
  readonly #publisher: FleetPublisher;
  readonly #sweep: NodeJS.Timeout;
  readonly #unsubscribe: () => void;
  #trust: TrustMaterial | null = null;
  #link: ConsoleLink = { up: false, since: null, reason: null };
  #connection: ConnectionStatus | null = null;
  #identityRevoked = false;

  constructor(options: FleetStateOptions) {
    this.#o = options;
    this.#sequences = options.sequences ?? StateSequences.inMemory();
    this.#publisher = new FleetPublisher({
      events: options.events,
      clock: options.clock,
      view: (id) => this.vessel(id),
      all: () => this.vessels(),
      ...(options.changesIntervalMs !== undefined ? { changesIntervalMs: options.changesIntervalMs } : {}),
    });
    this.#unsubscribe = options.events.subscribe((event, payload) => {
      if (event === 'fleet.connection') this.#onConnection(payload as ConnectionStatus);
      else if (event === 'identity.changed') this.#onIdentity(payload as IdentityStatus);
      else if (event === 'commands.status') this.#onCommand(payload as CommandView);
    });
    this.#sweep = setInterval(() => this.checkExpiry(), options.sweepMs ?? 1000);
    this.#sweep.unref();
  }

  /** Sets the trust used for verification (after the identity is known). */
  setTrust(trust: TrustMaterial | null): void {
    this.#trust = trust;
  }

  /** Every known vessel, sorted by id. */
  vessels(): VesselView[] {
    this.#expireStale();
    return [...this.#vessels.values()]
      .map((e) => this.#view(e))
      .sort((a, b) => a.vesselId.localeCompare(b.vesselId));
  }

  vessel(vesselId: string): VesselView | null {
    this.#expireStale();
    const e = this.#vessels.get(vesselId);
    return e ? this.#view(e) : null;
  }

  /** The verified claims (catalog and on/off) of a vessel, or null. */
  verifiedState(vesselId: string): StateClaims | null {
    this.#expireStale();
    const e = this.#vessels.get(vesselId);
    return e?.verified ? e.claims : null;
  }

  /**
   * The verified state a command to `vesselId` is built on. ERR_VESSEL_UNKNOWN when nothing was heard from it,
   * ERR_VESSEL_REVOKED when its certificate is revoked, ERR_VESSEL_SILENT when its state expired,
   * ERR_VESSEL_UNVERIFIED when its last state did not verify.
   */
  requireVerifiedState(vesselId: string): StateClaims {
    const claims = this.verifiedState(vesselId);
    if (claims) return claims;
    const e = this.#vessels.get(vesselId);
    if (!e?.unverified)
      throw new HelmlinkError('ERR_VESSEL_UNKNOWN', `no verified state is known for ${vesselId}`);
    const revoked = e.unverified.code === 'ERR_CHAIN_REVOKED' || e.signer?.revocation === 'revoked';
    throw new HelmlinkError(
      revoked ? 'ERR_VESSEL_REVOKED' : e.expired ? 'ERR_VESSEL_SILENT' : 'ERR_VESSEL_UNVERIFIED',
      `${vesselId}: ${e.unverified.message}`,
    );
  }

  /** The vessel named for people (its id alone until a state verified). */
  label(vesselId: string): VesselLabel {
    return vesselLabel(vesselId, this.#vessels.get(vesselId)?.identity ?? NO_IDENTITY);
  }

  /** Every stream of every verified state, for the data indicators. */
  rateSubjects(): RateSubject[] {
    const subjects: RateSubject[] = [];
    for (const e of this.#vessels.values()) {
      for (const s of e.claims?.catalog.streams ?? []) {
        const onSince = e.onSince.get(s.address) ?? null;
        subjects.push({ vesselId: e.vesselId, streamId: s.id, on: onSince !== null, onSince });
      }
    }
    return subjects;
  }

  /** True while the console's own link is up (connected, its certificate not revoked). */
  get live(): boolean {
    return this.#link.up;
  }

  /** Handles a retained state message. An empty payload removes the vessel (retained state cleared). */
  async onStateMessage(vesselId: string, payload: Buffer): Promise<void> {
    if (payload.length === 0) {
      this.#lastTokens.delete(vesselId);
      if (this.#vessels.delete(vesselId)) this.#publisher.changed(vesselId);
      return;
    }
    const previous = this.#lastTokens.get(vesselId);
    this.#lastTokens.set(vesselId, payload);
    const now = new Date(this.#o.clock());
    const token = payload.toString('utf8');
    // One entry per vessel from here on: a link report or alert arriving while this state is verified (await
    // below) lands on the same entry instead of being overwritten by a fresh one.
    let entry = this.#vessels.get(vesselId);
    if (!entry) {
      entry = emptyEntry(vesselId);
      this.#vessels.set(vesselId, entry);
    }
    const x5c = x5cOf(token);
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
        if (entry.verified) {
          // The token the view rests on stays the one a newer CRL re-verifies.
          if (previous) this.#lastTokens.set(vesselId, previous);
          this.#auditRefused(entry, token, 'ERR_STATE_ROLLBACK', rollbackMessage(c.seq, highest));
          return;
        }
        throw new HelmlinkError('ERR_STATE_ROLLBACK', rollbackMessage(c.seq, highest), {
          details: { seq: c.seq, highest },
        });
      }
      this.#sequences.raise(vesselId, c.seq);
      const signer = await this.#trust.describePeer(certificatesOf(x5c), 'clientAuth', now);
      this.#accept(entry, c, vesselIdentityOf(x5c), signer, now);
      this.#o.audit?.append({
        kind: 'state.verified',
        vessel: vesselLabel(vesselId, entry.identity),
        verdict: 'verified',
        actor: verified.signer.entityId,
        token,
        commandId: c.last_jti,
      });
    } catch (err) {
      await this.#refuse(entry, err, x5c, token, now);
    }
    this.#vessels.set(vesselId, entry);
    this.#changed(entry);
  }

  /** Verifies the last received state of every vessel again (after a newer CRL arrived). */
  async reverifyAll(): Promise<void> {
    for (const [vesselId, payload] of [...this.#lastTokens]) await this.onStateMessage(vesselId, payload);
  }

  /**
   * Marks every verified view whose state token has expired as stale (unverified, ERR_CMD_EXPIRED: the vessel is
   * stale) and pushes the change. A timer calls it; every read calls it too.
   */
  checkExpiry(): void {
    this.#expireStale();
  }

  /** Pushes the batched changes and the whole list now (tests; shutdown). */
  flush(): void {
    this.#publisher.flush(true);
  }

  /** Records a vessel's verified link report (a vessel not seen yet gets an entry without state). */
  setLinkReport(vesselId: string, report: VesselLinkReport): void {
    const entry = this.#vessels.get(vesselId) ?? emptyEntry(vesselId);
    entry.linkReport = report;
    this.#vessels.set(vesselId, entry);
    this.#changed(entry);
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
    for (const id of this.#vessels.keys()) this.#publisher.changed(id);
    this.#vessels.clear();
    this.#lastTokens.clear();
    this.#alerts = [];
  }

  /** Stops the expiry sweep, the batching and the event subscription. */
  close(): void {
    clearInterval(this.#sweep);
    this.#unsubscribe();
    this.#publisher.close();
  }

  #accept(
    entry: VesselEntry,
    c: StateClaims,
    identity: VesselIdentityView,
    signer: PeerCertificateView,
    now: Date,
  ): void {
    const on = new Set(c.on);
    for (const address of [...entry.onSince.keys()]) if (!on.has(address)) entry.onSince.delete(address);
    for (const address of on) if (!entry.onSince.has(address)) entry.onSince.set(address, now.getTime());
    entry.claims = c;
    entry.identity = identity;
    entry.signer = signer;
    entry.verified = true;
    entry.unverified = null;
    entry.expired = false;
    entry.stateIssuedAt = new Date(c.iat * 1000).toISOString();
    entry.stateReceivedAt = entry.lastVerifiedAt = now.toISOString();
  }

  /** A state that does not verify: flagged (an expired genuine one marks the vessel quiet), never shown as truth. */
  async #refuse(entry: VesselEntry, err: unknown, x5c: string[], token: string, now: Date): Promise<void> {
    const e = toApiError(err);
    const message = e.detail ?? e.message;
    entry.verified = false;
    entry.expired = e.code === 'ERR_CMD_EXPIRED';
    entry.unverified = { code: e.code, message, receivedAt: now.toISOString() };
    // The presented chain as it stands now (a revoked vessel shows "revoked", not its last good check).
    if (this.#trust && x5c.length > 0 && !entry.expired)
      entry.signer = await this.#trust
        .describePeer(certificatesOf(x5c), 'clientAuth', now)
        .catch(() => entry.signer);
    this.#auditRefused(entry, token, e.code, message);
  }

  #auditRefused(entry: VesselEntry, token: string, code: string, message: string): void {
    this.#o.audit?.append({
      kind: 'state.unverified',
      vessel: vesselLabel(entry.vesselId, entry.identity),
      verdict: 'invalid',
      code,
      message,
      token,
    });
  }

  #expireStale(): void {
    const nowMs = this.#o.clock();
    const tolerance = this.#o.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    for (const entry of this.#vessels.values()) {
      if (!entry.verified || !entry.claims) continue;
      if (nowMs / 1000 - tolerance < entry.claims.exp) continue;
      const expiredAt = new Date(entry.claims.exp * 1000).toISOString();
      entry.verified = false;
      entry.expired = true;
      entry.unverified = {
        code: 'ERR_CMD_EXPIRED',
        message: `the vessel's signed state expired at ${expiredAt} and was not re-signed: it is stale`,
        receivedAt: new Date(nowMs).toISOString(),
      };
      this.#changed(entry);
    }
  }

  #changed(entry: VesselEntry): void {
    entry.view = null;
    this.#publisher.changed(entry.vesselId);
  }

  #view(e: VesselEntry): VesselView {
    e.view ??= buildVesselView(e, this.#o.clock(), this.#link);
    return e.view;
  }

  #setLink(link: ConsoleLink): void {
    const was = this.#link;
    this.#link = link;
    if (was.up === link.up && was.reason?.code === link.reason?.code && was.since === link.since) return;
    for (const e of this.#vessels.values()) this.#changed(e);
  }

  #deriveConsoleLink(): ConsoleLink {
    const c = this.#connection;
    if (this.#identityRevoked)
      return { up: false, since: c?.since ?? null, reason: reasonOf('ERR_IDENTITY_REVOKED') };
    if (c?.state === 'connected') return { up: true, since: null, reason: null };
    return { up: false, since: c?.since ?? null, reason: c?.lastError ?? reasonOf('ERR_NOT_CONNECTED') };
  }

  #onConnection(status: ConnectionStatus): void {
    this.#connection = status;
    this.#setLink(this.#deriveConsoleLink());
  }

  #onIdentity(status: IdentityStatus): void {
    this.#identityRevoked = status.state === 'revoked';
    this.#setLink(this.#deriveConsoleLink());
  }

  #onCommand(view: CommandView): void {
    const e = this.#vessels.get(view.vesselId);
    if (!e) return;
    if (e.latest?.commandId !== view.commandId) {
      if (e.latest && view.sentAt < e.latest.sentAt) return;
      e.baseJti = e.claims?.last_jti ?? null;
    }
    e.latest = view;
    if (view.rttMs !== null) e.lastRttMs = view.rttMs;
    this.#changed(e);
  }
}
