/** The options, events and messages of an MQTT session (`session.ts`). */
import type { IPublishPacket } from 'mqtt';
import type { BackoffPolicy } from './backoff';
import type { StateChange } from './states';
import type { TlsPeerInfo } from './tls-peer';

/** The client's TLS material (PEM). */
export interface TlsCredentials {
  /** Private key; when encrypted, `passphrase` opens it. */
  key: string;
  passphrase?: string;
  /** Certificate chain, leaf first. */
  cert: string;
  /** Trust anchors for the broker's certificate (the pinned root). */
  ca: string | string[];
}

/**
 * Handles one incoming message. The PUBACK of a QoS 1 message waits for the returned promise; a rejection leaves
 * the message unacknowledged (redelivered in the next session). A handler that resolves with {@link HandedOver}
 * lets the next message in at once while this one's PUBACK waits for `settled`.
 */
export type MessageHandler = (packet: IPublishPacket) => Promise<void | HandedOver> | void;

/**
 * A message taken in but not finished (e.g. written, not yet fsynced: group commit). PUBACKs still leave in the
 * order the messages arrived; a rejected `settled` is handled like a rejected handler (no PUBACK for it or any
 * later message, connection dropped, redelivered in the next session).
 */
export interface HandedOver {
  settled: Promise<void>;
}

/**
 * Checks the broker's certificate chain as presented (leaf first, DER), during every TLS handshake and whenever
 * `recheckPeer()` is called (e.g. after a newer CRL). Throws, with a coded error, to refuse the broker.
 */
export type PeerCheck = (chain: readonly Uint8Array<ArrayBuffer>[]) => void;

/** The message the broker publishes for this client when its connection is lost (MQTT Last Will). */
export interface SessionWill {
  topic: string;
  payload: string | Buffer;
  qos: 0 | 1;
  retain: boolean;
}

/** What the session knows once it is ready. */
export interface ReadyInfo {
  protocolVersion: 4 | 5;
  sessionPresent: boolean;
  tls: TlsPeerInfo;
}

export interface MqttSessionOptions {
  /** mqtts://host:port */
  url: string;
  clientId: string;
  /** Preferred version: 5 (default) falls back to 3.1.1 when refused; 4 uses 3.1.1 only. */
  protocolVersion?: 4 | 5;
  /** false: a persistent session (the broker queues QoS 1 messages while the client is away). */
  clean: boolean;
  /** MQTT 5 session expiry for a persistent session, seconds. */
  sessionExpirySeconds?: number;
  /** Default 30. */
  keepaliveSeconds?: number;
  /** CONNECT → CONNACK limit, ms. Default 10 000. */
  connectTimeoutMs?: number;
  /** Server name checked on the broker certificate when it differs from the URL host. */
  servername?: string;
  credentials: TlsCredentials;
  /** Subscribed on every connection before the session is ready. */
  subscriptions?: Readonly<Record<string, { qos: 0 | 1 }>>;
  /** Delays between connection attempts and between refused subscriptions. */
  backoff: BackoffPolicy;
  /**
   * Cap of the reconnect delay while the broker's port refuses connections (ECONNREFUSED: the host answers but no
   * broker listens, i.e. its process is down or restarting). Such attempts cost one TCP exchange, so a fleet can
   * keep trying every few seconds and is back soon after a broker restart instead of sleeping through the backoff
   * built up meanwhile; they also do not raise the exponent for the other failures (a handshake timing out once
   * the broker is back starts again from `initialDelayMs`). Default: no separate cap.
   */
  refusedMaxDelayMs?: number;
  onMessage?: MessageHandler;
  /** Runs after CONNACK, before SUBSCRIBE (e.g. fetch the CRL first, so retained messages can be checked). */
  beforeSubscribe?: () => Promise<void>;
  /** Checks the broker's certificate beyond the TLS chain validation (see {@link PeerCheck}). */
  checkPeer?: PeerCheck;
  /** The Last Will sent with every CONNECT (replace it with `setWill`). */
  will?: SessionWill;
  /** How long a graceful end waits for publishes in flight before cutting the connection, ms. Default 3000. */
  endTimeoutMs?: number;
}

export interface SessionPublishOptions {
  /** Default 1. */
  qos?: 0 | 1;
  retain?: boolean;
  /** MQTT 5 properties (dropped under 3.1.1). */
  properties?: { correlationData?: Buffer };
}

export interface MqttSessionEvents {
  state: [StateChange];
  ready: [ReadyInfo];
  fallback: [Error];
  /** Something went wrong that the session handles itself (connection error, refusal, failed handler). */
  warn: [Error];
}
