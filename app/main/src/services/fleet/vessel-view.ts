/**
 * One vessel as the console holds it (`VesselEntry`: its last verified state and what the services know besides)
 * and the view the contract carries, built from it with the derived link and status (vessel-status.ts).
 */
import type { StateClaims } from '@helmlink/protocol';
import {
  CRITICAL_STREAM_NAMES,
  type CatalogStreamView,
  type CommandView,
  type PeerCertificateView,
  type VesselIdentityView,
  type VesselLinkReport,
  type VesselView,
} from '@helmlink/app-preload';
import { NO_IDENTITY } from './vessel-identity';
import { deriveLink, deriveStatus, type ConsoleLink, type StatusInputs } from './vessel-status';

export interface VesselEntry {
  vesselId: string;
  /** The last verified state. */
  claims: StateClaims | null;
  identity: VesselIdentityView;
  signer: PeerCertificateView | null;
  /** False once a state that does not verify arrived after the last verified one, or the held one expired. */
  verified: boolean;
  unverified: VesselView['unverified'];
  /** The state expired (held past its exp, or one arrived expired): the vessel has gone quiet. */
  expired: boolean;
  /** The vessel's last verified link status (signed), null before the first. */
  linkReport: VesselLinkReport | null;
  stateIssuedAt: string | null;
  stateReceivedAt: string | null;
  lastVerifiedAt: string | null;
  /** Since when each stream is on in the verified state, epoch ms. */
  onSince: Map<string, number>;
  latest: CommandView | null;
  /** The verified state's last_jti when `latest` was first seen. */
  baseJti: string | null;
  lastRttMs: number | null;
  /** The cached view (null: rebuild). */
  view: VesselView | null;
}

/** A vessel nothing verified is known of yet. */
export function emptyEntry(vesselId: string): VesselEntry {
  return {
    vesselId,
    claims: null,
    identity: NO_IDENTITY,
    signer: null,
    verified: false,
    unverified: null,
    expired: false,
    linkReport: null,
    stateIssuedAt: null,
    stateReceivedAt: null,
    lastVerifiedAt: null,
    onSince: new Map(),
    latest: null,
    baseJti: null,
    lastRttMs: null,
    view: null,
  };
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

/** What the status derivation needs of an entry at `now`. */
export function statusInputs(e: VesselEntry, now: number, consoleLink: ConsoleLink): StatusInputs {
  return {
    now,
    consoleLink,
    // An expired state is a quiet vessel (stale), not a forged one.
    unverified: e.expired ? null : e.unverified,
    hasVerifiedState: e.claims !== null,
    stateExpiresAt: null,
    expiredStateAt: e.expired ? (e.unverified?.receivedAt ?? new Date(now).toISOString()) : null,
    linkReport: e.linkReport,
    lastVerifiedAt: e.lastVerifiedAt,
    latest: e.latest,
    baseJti: e.baseJti,
    currentJti: e.claims?.last_jti ?? null,
  };
}

/** The contract's view of an entry. */
export function buildVesselView(e: VesselEntry, now: number, consoleLink: ConsoleLink): VesselView {
  const inputs = statusInputs(e, now, consoleLink);
  const link = deriveLink(inputs);
  const { status, statusReason } = deriveStatus(inputs, link);
  const c = e.claims;
  const on = new Set(c?.on ?? []);
  const streams = c ? catalogView(c).map((s) => ({ ...s, on: on.has(s.address) })) : [];
  const waiting = e.latest && (e.latest.state === 'pending' || e.latest.state === 'timed_out');
  const desired = waiting ? new Set(e.latest!.on) : on;
  const bitrate = (isOn: (address: string) => boolean) =>
    streams.filter((s) => isOn(s.address)).reduce((n, s) => n + s.bitrateBps, 0);
  return {
    vesselId: e.vesselId,
    identity: e.identity,
    status,
    statusReason,
    link,
    linkReport: e.linkReport,
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
}
