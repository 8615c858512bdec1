/**
 * The fleet as the console knows it: one entry per vessel, built only from signed, retained `state` tokens that
 * verify (signature, x5c chain to the pinned root, CRL, role vessel, iss = the vessel in the topic, exact
 * partition of the carried catalog). A state that does not verify is flagged on the vessel and never replaces the
 * verified one; an older `seq` than the one held is ignored (a replayed retained message cannot roll state back).
 *
 * Each vessel's view also carries what the console knows besides its state (vessel-status.ts): the certified name,
 * IMO, MMSI and flag, how the console hears from it, this console's commands to it (from `commands.status`), the
 * console's own link (from `fleet.connection` and `identity.changed`) and the derived status. Changes are pushed
 * batched (fleet-publisher.ts).
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
  type CommandView,
  type ConnectionStatus,
  type IdentityStatus,
  type PeerCertificateView,
  type VesselIdentityView,
  type VesselLabel,
  type VesselView,
} from '@helmlink/app-preload';
import type { ConsoleEvents } from '../core/events';
import { toApiError } from '../core/errors';
import type { AuditLog } from '../audit/audit-log';
import type { TrustMaterial } from './trust-material';
import { FleetPublisher } from './fleet-publisher';
import type { RateSubject } from './rates';
import { NO_IDENTITY, vesselIdentityOf, vesselLabel } from './vessel-identity';
import { deriveLink, deriveStatus, reasonOf, type ConsoleLink, type StatusInputs } from './vessel-status';

export interface FleetStateOptions {
  clock: Clock;
  events: ConsoleEvents;
  audit?: AuditLog;
  algorithms?: readonly JwsAlgorithm[];
  clockToleranceSeconds?: number;
  /** How often expiring states are checked (a vessel whose state expired is `link_down`), ms. Default 1000. */
  sweepMs?: number;
  /** Batching of pushed changes, ms (default FLEET_CHANGES_INTERVAL_MS). */
  changesIntervalMs?: number;
}

interface VesselEntry {
  vesselId: string;
  /** The last verified state. */
  claims: StateClaims | null;
  identity: VesselIdentityView;
  signer: PeerCertificateView | null;
  /** False once a state that does not verify arrived after the last verified one. */
  verified: boolean;
  unverified: VesselView['unverified'];
  stateIssuedAt: string | null;
  stateReceivedAt: string | null;
  lastVerifiedAt: string | null;
  /** A genuine state arrived already expired: the vessel has gone quiet. */
  expiredStateAt: string | null;
  /** Since when each stream is on in the verified state, epoch ms. */
  onSince: Map<string, number>;
  latest: CommandView | null;
  /** The verified state's last_jti when `latest` was first seen. */
  baseJti: string | null;
  lastRttMs: number | null;
  /** The cached view (null: rebuild). */
  view: VesselView | null;
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

function x5cOf(token: string): string[] {
  const x5c = peekHeader(token)?.x5c;
  return Array.isArray(x5c) ? x5c.filter((s): s is string => typeof s === 'string').slice(0, 4) : [];
}

const certificatesOf = (x5c: readonly string[]): x509.X509Certificate[] =>
  x5c.map((b) => new x509.X509Certificate(base64ToBytes(b) as Uint8Array<ArrayBuffer>));

/** Verified vessel state per vessel id, with the derived status of each vessel. */
export class FleetState {
  readonly #o: FleetStateOptions;
  readonly #vessels = new Map<string, VesselEntry>();
  readonly #lastTokens = new Map<string, Buffer>();
  readonly #publisher: FleetPublisher;
  readonly #sweep: NodeJS.Timeout;
  readonly #unsubscribe: () => void;
  #trust: TrustMaterial | null = null;
  #link: ConsoleLink = { up: false, since: null, reason: null };
  #connection: ConnectionStatus | null = null;
  #identityRevoked = false;

  constructor(options: FleetStateOptions) {
    this.#o = options;
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
    this.#sweep = setInterval(() => this.#sweepExpiry(), options.sweepMs ?? 1000);
    this.#sweep.unref();
  }

  /** Sets the trust used for verification (after the identity is known). */
  setTrust(trust: TrustMaterial | null): void {
    this.#trust = trust;
  }

  /** Every known vessel, sorted by id. */
  vessels(): VesselView[] {
    return [...this.#vessels.values()]
      .map((e) => this.#view(e))
      .sort((a, b) => a.vesselId.localeCompare(b.vesselId));
  }

  vessel(vesselId: string): VesselView | null {
    const e = this.#vessels.get(vesselId);
    return e ? this.#view(e) : null;
  }

  /** The verified claims (catalog and on/off) of a vessel, or null. */
  verifiedState(vesselId: string): StateClaims | null {
    const e = this.#vessels.get(vesselId);
    return e?.verified ? e.claims : null;
  }

  /**
   * The verified state a command to `vesselId` is built on. ERR_VESSEL_UNKNOWN when nothing was heard from it,
   * ERR_VESSEL_REVOKED when its certificate is revoked, ERR_VESSEL_UNVERIFIED when its last state did not verify.
   */
  requireVerifiedState(vesselId: string): StateClaims {
    const e = this.#vessels.get(vesselId);
    if (e?.verified && e.claims) return e.claims;
    if (!e?.unverified)
      throw new HelmlinkError('ERR_VESSEL_UNKNOWN', `no verified state is known for ${vesselId}`);
    const revoked = e.unverified.code === 'ERR_CHAIN_REVOKED' || e.signer?.revocation === 'revoked';
    throw new HelmlinkError(
      revoked ? 'ERR_VESSEL_REVOKED' : 'ERR_VESSEL_UNVERIFIED',
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
    this.#lastTokens.set(vesselId, payload);
    const now = new Date(this.#o.clock());
    const token = payload.toString('utf8');
    const entry = this.#vessels.get(vesselId) ?? this.#empty(vesselId);
    const x5c = x5cOf(token);
    try {
      if (!this.#trust)
        throw new HelmlinkError('ERR_IDENTITY_MISSING', 'no identity: nothing to verify the state against');
      const verified = await verifyState(token, {
        trust: this.#trust.trust,
        clock: this.#o.clock,
        vesselId,
        // Every profile algorithm: the key policy bounds them.
        algorithms: this.#o.algorithms ?? JWS_ALGORITHMS,
        ...(this.#o.clockToleranceSeconds !== undefined
          ? { clockToleranceSeconds: this.#o.clockToleranceSeconds }
          : {}),
      });
      const c = verified.claims;
      if (entry.claims && entry.verified && c.seq < entry.claims.seq) return;
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

  /** Pushes the batched changes now (tests; shutdown). */
  flush(): void {
    this.#publisher.flush();
  }

  /** Forgets every vessel. */
  clear(): void {
    for (const id of this.#vessels.keys()) this.#publisher.changed(id);
    this.#vessels.clear();
    this.#lastTokens.clear();
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
    entry.expiredStateAt = null;
    entry.stateIssuedAt = new Date(c.iat * 1000).toISOString();
    entry.stateReceivedAt = entry.lastVerifiedAt = now.toISOString();
  }

  /** A state that does not verify: flagged (an expired genuine one marks the vessel quiet), never shown as truth. */
  async #refuse(entry: VesselEntry, err: unknown, x5c: string[], token: string, now: Date): Promise<void> {
    const e = toApiError(err);
    const message = e.detail ?? e.message;
    if (e.code === 'ERR_CMD_EXPIRED' && entry.verified) {
      entry.expiredStateAt = now.toISOString();
    } else {
      entry.verified = false;
      entry.unverified = { code: e.code, message, receivedAt: now.toISOString() };
      // The presented chain as it stands now (a revoked vessel shows "revoked", not its last good check).
      if (this.#trust && x5c.length > 0)
        entry.signer = await this.#trust
          .describePeer(certificatesOf(x5c), 'clientAuth', now)
          .catch(() => entry.signer);
    }
    this.#o.audit?.append({
      kind: 'state.unverified',
      vessel: vesselLabel(entry.vesselId, entry.identity),
      verdict: 'invalid',
      code: e.code,
      message,
      token,
    });
  }

  #empty(vesselId: string): VesselEntry {
    return {
      vesselId,
      claims: null,
      identity: NO_IDENTITY,
      signer: null,
      verified: false,
      unverified: null,
      stateIssuedAt: null,
      stateReceivedAt: null,
      lastVerifiedAt: null,
      expiredStateAt: null,
      onSince: new Map(),
      latest: null,
      baseJti: null,
      lastRttMs: null,
      view: null,
    };
  }

  #changed(entry: VesselEntry): void {
    entry.view = null;
    this.#publisher.changed(entry.vesselId);
  }

  #inputs(e: VesselEntry): StatusInputs {
    const tolerance = this.#o.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    return {
      now: this.#o.clock(),
      consoleLink: this.#link,
      unverified: e.unverified,
      hasVerifiedState: e.claims !== null,
      stateExpiresAt: e.claims?.exp !== undefined ? (e.claims.exp + tolerance) * 1000 : null,
      expiredStateAt: e.expiredStateAt,
      lastVerifiedAt: e.lastVerifiedAt,
      latest: e.latest,
      baseJti: e.baseJti,
      currentJti: e.claims?.last_jti ?? null,
    };
  }

  #view(e: VesselEntry): VesselView {
    if (e.view) return e.view;
    const inputs = this.#inputs(e);
    const link = deriveLink(inputs);
    const { status, statusReason } = deriveStatus(inputs, link);
    const c = e.claims;
    const on = new Set(c?.on ?? []);
    const streams = c ? catalogView(c).map((s) => ({ ...s, on: on.has(s.address) })) : [];
    const waiting = e.latest && (e.latest.state === 'pending' || e.latest.state === 'timed_out');
    const desired = waiting ? new Set(e.latest!.on) : on;
    const bitrate = (isOn: (address: string) => boolean) =>
      streams.filter((s) => isOn(s.address)).reduce((n, s) => n + s.bitrateBps, 0);
    e.view = {
      vesselId: e.vesselId,
      identity: e.identity,
      status,
      statusReason,
      link,
      lastVerifiedAt: e.lastVerifiedAt,
      lastRttMs: e.lastRttMs,
      pendingChanges: streams.filter((s) => s.on !== desired.has(s.address)).length,
      lastCommand: e.latest && {
        commandId: e.latest.commandId,
        state: e.latest.state,
        sentAt: e.latest.sentAt,
        settledAt: e.latest.settledAt,
        rttMs: e.latest.rttMs,
        reason: e.latest.reason,
      },
      streamsOn: on.size,
      requestedBitrateBps: bitrate((a) => desired.has(a)),
      verified: e.verified,
      unverified: e.unverified,
      streams,
      lastAppliedCommandId: c?.last_jti ?? null,
      stateIssuedAt: e.stateIssuedAt,
      stateReceivedAt: e.stateReceivedAt,
      signer: e.signer,
      activeBitrateBps: bitrate((a) => on.has(a)),
    };
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

  /** Marks vessels whose held state just expired (their link turns `link_down`) or stopped being expired. */
  #sweepExpiry(): void {
    for (const e of this.#vessels.values()) {
      if (e.claims?.exp === undefined || !e.view) continue;
      if (deriveLink(this.#inputs(e)).state !== e.view.link.state) this.#changed(e);
    }
  }
}
