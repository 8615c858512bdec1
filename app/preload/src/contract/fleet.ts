/** The fleet: vessels' verified state, live data rates and the broker connection. */
import { z } from 'zod';
import { channel } from './channel';
import type { PeerCertificateView } from './certificates';
import type { CommandReason, CommandState } from './commands';
import { emptySchema, entityIdSchema, type IsoTime } from './primitives';
import type { ApiErrorInfo } from './result';

export interface CatalogStreamView {
  id: string;
  name: string;
  kind: string;
  /** group:port */
  address: string;
  /** Nominal bitrate in bits per second. */
  bitrateBps: number;
  /** Switching it off needs a confirmation (CRITICAL_STREAM_NAMES). */
  critical: boolean;
}

export interface StreamStateView extends CatalogStreamView {
  on: boolean;
}

/**
 * A vessel's link to the broker as it reports it (signed, `helmlink-link+jwt`): `up` once its session is ready, `down` when the broker
 * lost its connection (its Last Will). `since`: when this console learnt it (null for a `down` that was already
 * retained when this console subscribed: the loss happened before, at an unknown time).
 */
export interface VesselLinkReport {
  state: 'up' | 'down';
  since: IsoTime | null;
  /** When the vessel signed the report (for `down`: the start of the session that was lost). */
  reportedAt: IsoTime;
}

/** An alert a vessel raised (signed by it), or one this console raised about its own link (vesselId null). */
export interface VesselAlertView {
  vesselId: string | null;
  /** A vessel alert kind (VESSEL_ALERT_KINDS) or `broker-revoked` for the console's own. */
  kind: string;
  code: string;
  message: string;
  /** When it was raised (the token's iat). */
  at: IsoTime;
  receivedAt: IsoTime;
}

/**
 * Name, IMO number, MMSI and flag state of a vessel as the CA certified them: read from the vessel's verified
 * certificate (the profile's SAN URIs), so they need no trust beyond the chain. Null fields: not certified.
 */
export interface VesselIdentityView {
  /** The ship's name, e.g. "MV Nordic Tern". */
  name: string | null;
  /** IMO ship identification number, 7 digits. */
  imo: string | null;
  /** Maritime Mobile Service Identity, 9 digits. */
  mmsi: string | null;
  /** Flag state, ISO 3166-1 alpha-2. */
  flag: string | null;
}

/**
 * How the console hears from a vessel:
 * - `connected`: its state verified and is current, and the console's own link is up;
 * - `link_down`: the vessel's signed link status says `down` (its Last Will, published by the broker when it lost
 *   the vessel; see {@link VesselLinkReport}), since `since` (null: from before this console subscribed);
 * - `unverified`: its last state did not verify (revoked, forged, ...): `reason` says why;
 * - `stale`: nothing shown is live, as of `since`: the console's own link is gone (broker unreachable,
 *   disconnected, the pilot's certificate revoked), or the vessel's signed state expired without a newer one
 *   (ERR_VESSEL_SILENT); `reason` says which.
 */
export const VESSEL_LINK_STATES = ['connected', 'link_down', 'unverified', 'stale'] as const;
export type VesselLinkState = (typeof VESSEL_LINK_STATES)[number];

export interface VesselLinkView {
  state: VesselLinkState;
  /** Since when this link state holds (for `link_down` and `stale`: the last time it was live); null if unknown. */
  since: IsoTime | null;
  /** Why it is not `connected`, coded and worded; null when connected. */
  reason: ApiErrorInfo | null;
}

/**
 * The one visual grammar: each vessel is in exactly one status, derived in this order (first match wins):
 * `stale` (the console's link is gone), `unverified` (its state did not verify), `link_down` (it reported its link
 * down), `stale` (its signed state expired),
 * `pending` (a command of this console awaits its verified ack), then the outcome of this console's last command
 * (`applied`, `rejected`, `expired`) until the vessel's verified state moves on without it, else `verified`.
 * A command the broker refused counts as `rejected` (with its reason); one without an answer yet is `pending`.
 */
export const VESSEL_STATUSES = [
  'verified',
  'unverified',
  'stale',
  'link_down',
  'pending',
  'applied',
  'rejected',
  'expired',
] as const;
export type VesselStatus = (typeof VESSEL_STATUSES)[number];

/** This console's latest command to a vessel, as its status shows it. */
export interface VesselCommandSummary {
  commandId: string;
  state: CommandState;
  sentAt: IsoTime;
  settledAt: IsoTime | null;
  rttMs: number | null;
  reason: CommandReason | null;
}

export interface VesselView {
  vesselId: string;
  /** Name, IMO, MMSI and flag from the verified vessel certificate (all null before a state verified). */
  identity: VesselIdentityView;
  /** The derived status in the one visual grammar (see {@link VESSEL_STATUSES}). */
  status: VesselStatus;
  /** Why the status is what it is (stale, unverified, link down, rejected, expired); null otherwise. */
  statusReason: CommandReason | null;
  /** How the console hears from the vessel. */
  link: VesselLinkView;
  /** When a state of this vessel last verified (for "last verified n s ago"); null before the first. */
  lastVerifiedAt: IsoTime | null;
  /** Round-trip time of this console's last command with a verified ack, milliseconds. */
  lastRttMs: number | null;
  /** How many streams this console's pending commands would switch (0: nothing pending). */
  pendingChanges: number;
  /** This console's latest command to the vessel (pending or settled), null before the first. */
  lastCommand: VesselCommandSummary | null;
  /** How many streams are on in the verified state. */
  streamsOn: number;
  /** Nominal bitrate of the streams on once the pending command applies (= activeBitrateBps without one). */
  requestedBitrateBps: number;
  /** True only when the retained state token verified (signature, chain to our root, role vessel, CRL). */
  verified: boolean;
  /** Set when the last state could not be verified: flagged, never displayed as truth. */
  unverified: { code: string; message: string; receivedAt: IsoTime } | null;
  /** Verified state; null when none verified yet. */
  streams: StreamStateView[];
  /** jti of the last command the vessel applied (from its state). */
  lastAppliedCommandId: string | null;
  stateIssuedAt: IsoTime | null;
  stateReceivedAt: IsoTime | null;
  /** The vessel's signer certificate (from the state token's x5c). */
  signer: PeerCertificateView | null;
  /** Total nominal bitrate of the streams currently on, bits per second. */
  activeBitrateBps: number;
  /** The vessel's link as it last reported it, signed (null: never reported); `link` is derived from it. */
  linkReport: VesselLinkReport | null;
}

/**
 * What a data indicator shows: `flowing` (on, data arrives), `silent` (on in the verified state for a whole window,
 * but no data in it: flagged), `stopped` (off in the verified state: reported at once, its rate 0 whatever is still
 * in the window), `unknown` (no verified state, or the console is not connected).
 */
export const STREAM_FLOWS = ['flowing', 'silent', 'stopped', 'unknown'] as const;
export type StreamFlow = (typeof STREAM_FLOWS)[number];

export interface StreamRate {
  vesselId: string;
  streamId: string;
  /** Messages per second over the last window (0 when stopped). */
  messagesPerSecond: number;
  lastMessageAt: IsoTime | null;
  flow: StreamFlow;
}

export interface RatesSnapshot {
  at: IsoTime;
  windowSeconds: number;
  rates: StreamRate[];
}

/**
 * Batched vessel changes (pushed as `fleet.changed` at most every {@link FLEET_CHANGES_INTERVAL_MS}): only the
 * vessels whose view changed, whole. Apply them to the list from `fleet.vessels`; scales to large fleets.
 */
export interface FleetChanges {
  changed: VesselView[];
  /** Vessels no longer known (retained state cleared, identity removed). */
  removed: string[];
  at: IsoTime;
}

/** Longest delay of a vessel change before it is pushed (`fleet.changed`); the full list is pushed at most once a second. */
export const FLEET_CHANGES_INTERVAL_MS = 100;

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'error';

export interface ConnectionStatus {
  state: ConnectionState;
  /** The broker of the session, or the one configured in settings while disconnected (null: none is set). */
  brokerUrl: string | null;
  since: IsoTime | null;
  /** e.g. "TLSv1.3" */
  tlsVersion: string | null;
  cipher: string | null;
  mqttVersion: 4 | 5 | null;
  /** The broker's certificate as presented in the handshake. */
  broker: PeerCertificateView | null;
  lastError: ApiErrorInfo | null;
}

/** Fleet channels. */
export const fleetChannels = {
  'fleet.vessels': channel<VesselView[]>()('fleet.vessels', emptySchema),
  'fleet.vessel': channel<VesselView | null>()(
    'fleet.vessel',
    z.object({ vesselId: entityIdSchema }).strict(),
  ),
  'fleet.rates': channel<RatesSnapshot>()('fleet.rates', emptySchema),
  'fleet.connection': channel<ConnectionStatus>()('fleet.connection', emptySchema),
  'fleet.connect': channel<ConnectionStatus>()('fleet.connect', emptySchema),
  'fleet.disconnect': channel<ConnectionStatus>()('fleet.disconnect', emptySchema),
  'fleet.alerts': channel<VesselAlertView[]>()('fleet.alerts', emptySchema),
} as const;
