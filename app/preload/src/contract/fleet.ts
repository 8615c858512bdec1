/** The fleet: vessels' verified state, live data rates and the broker connection. */
import { z } from 'zod';
import { channel } from './channel';
import type { PeerCertificateView } from './certificates';
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
 * A vessel's link to the broker as it reports it (signed): `up` once its session is ready, `down` when the broker
 * lost its connection (its Last Will). `since`: when this console learnt it (null for a `down` that was already
 * retained when this console subscribed: the loss happened before, at an unknown time).
 */
export interface VesselLinkView {
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

export interface VesselView {
  vesselId: string;
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
  /** The vessel's link as it last reported it (null: never reported). */
  link: VesselLinkView | null;
}

export interface StreamRate {
  vesselId: string;
  streamId: string;
  /** Messages per second over the last window. */
  messagesPerSecond: number;
  lastMessageAt: IsoTime | null;
}

export interface RatesSnapshot {
  at: IsoTime;
  windowSeconds: number;
  rates: StreamRate[];
}

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'error';

export interface ConnectionStatus {
  state: ConnectionState;
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
