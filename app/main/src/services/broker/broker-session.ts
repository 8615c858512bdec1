/**
 * The console's broker session: one `MqttSession` (`@helmlink/protocol/mqtt`) with the console certificate, a
 * random client id per connection (several consoles may run with one identity), a clean session, subscriptions to
 * every vessel's `state`, `ack` and `data` topics and to the retained CRL, and reconnects with the one backoff
 * policy. Its state is shown as the `ConnectionStatus` of the UI, with the TLS details and the broker's
 * certificate as presented in the handshake.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { HelmlinkError, isHelmlinkError, topics, type Clock } from '@helmlink/protocol';
import {
  MqttSession,
  type BackoffPolicy,
  type PeerCheck,
  type ReadyInfo,
  type SessionPublishOptions,
  type StateChange,
  type TlsCredentials,
} from '@helmlink/protocol/mqtt';
import type { ApiErrorInfo, ConnectionStatus, PeerCertificateView } from '@helmlink/app-preload';
import type { ConsoleEvents } from '../core/events';
import { toApiError } from '../core/errors';
import type { Logger } from '../core/logger';

/** Reconnect delays: 1 s doubling to 30 s, half of each random. */
export const CONSOLE_BACKOFF: BackoffPolicy = { initialDelayMs: 1000, maxDelayMs: 30_000, jitter: 0.5 };
/** A broker that accepts TCP but never completes the session must not keep `connect` waiting. */
const CONNECT_GUARD_MS = 20_000;

const SUBSCRIPTIONS = {
  [topics.filters.allStates]: { qos: 1 },
  [topics.filters.allAcks]: { qos: 1 },
  [topics.filters.allData]: { qos: 0 },
  [topics.filters.allAlerts]: { qos: 1 },
  [topics.filters.allLinks]: { qos: 1 },
  [topics.crl()]: { qos: 1 },
} as const;

export interface BrokerSessionOptions {
  events: ConsoleEvents;
  clock: Clock;
  logger: Logger;
  /** Every message. Handled concurrently: the PUBACK does not wait for it (nothing is persisted here). */
  onMessage: (topic: string, payload: Buffer, retained: boolean) => Promise<void>;
  /** Checks the broker's certificate in every handshake (against the current CRL): see `recheckPeer`. */
  checkPeer?: PeerCheck;
  /** The broker was refused for its certificate (ERR_BROKER_REVOKED), once per refusal streak. */
  onBrokerRefused?: (error: HelmlinkError) => void;
  /** Runs on every connection before SUBSCRIBE (the CRL first, so retained states can be checked against it). */
  beforeSubscribe: () => Promise<void>;
  /** Describes the broker's chain as presented (null without trust material). */
  describeBroker: (chain: readonly x509.X509Certificate[]) => Promise<PeerCertificateView | null>;
  /** Called each time the session is connected and subscribed. */
  onConnected?: () => void;
  /** Called after each failed connection attempt (first or reconnect) with its error. */
  onAttemptFailed?: (err: Error) => void;
  /** The broker configured in settings, shown as the status's broker while disconnected. */
  configuredBrokerUrl?: () => string | null;
  backoff?: BackoffPolicy;
}

/** The TLS alert a broker sends when it finds our certificate on its CRL. */
export function isRevokedCertificateError(err: Error | undefined): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  return /CERTIFICATE_REVOKED/u.test(code) || /certificate revoked/iu.test(err?.message ?? '');
}

/** The coded error of a failed connection attempt (our revoked certificate has its own code). */
export function attemptError(err: Error): HelmlinkError {
  return isRevokedCertificateError(err)
    ? new HelmlinkError('ERR_IDENTITY_REVOKED', `the broker refused the certificate: ${err.message}`)
    : new HelmlinkError('ERR_BROKER_CONNECT', err.message);
}

export interface BrokerConnectParams {
  brokerUrl: string;
  /** The console's entity id (part of the client id). */
  entityId: string;
  credentials: TlsCredentials;
  /** MQTT keepalive (settings). */
  keepaliveSeconds: number;
}

export class BrokerSession {
  readonly #o: BrokerSessionOptions;
  #session: MqttSession | null = null;
  #brokerChain: x509.X509Certificate[] = [];
  #onConnected: (() => void) | undefined;
  #status: ConnectionStatus = {
    state: 'disconnected',
    brokerUrl: null,
    since: null,
    tlsVersion: null,
    cipher: null,
    mqttVersion: null,
    broker: null,
    lastError: null,
  };

  constructor(options: BrokerSessionOptions) {
    this.#o = options;
  }

  /** The status; while disconnected its broker is the one configured in settings (null: none is set). */
  status(): ConnectionStatus {
    if (this.#status.state !== 'disconnected' || !this.#o.configuredBrokerUrl) return this.#status;
    return { ...this.#status, brokerUrl: this.#o.configuredBrokerUrl() };
  }

  /** Pushes the status again (after the configured broker changed). */
  announce(): void {
    this.#setStatus({});
  }

  /** True while connected and subscribed. */
  get ready(): boolean {
    return this.#status.state === 'connected' && !!this.#session?.ready;
  }

  /** The broker's certificates as presented in the last handshake (leaf first, root left out). */
  brokerChain(): readonly x509.X509Certificate[] {
    return this.#brokerChain;
  }

  /** Checks the connected broker's certificate again (after a newer CRL): a revoked one is dropped at once. */
  recheckPeer(): void {
    this.#session?.recheckPeer();
  }

  /** Updates the broker's certificate view (e.g. after a newer CRL). */
  setBroker(broker: PeerCertificateView | null): void {
    this.#setStatus({ broker });
  }

  /**
   * Connects (replacing a current session). Resolves with the status once connected and subscribed.
   * @throws HelmlinkError ERR_BROKER_CONNECT when the first attempt fails (the session is closed then).
   */
  async connect(p: BrokerConnectParams): Promise<ConnectionStatus> {
    if (this.#session) await this.disconnect();
    this.#setStatus({ state: 'connecting', brokerUrl: p.brokerUrl, since: this.#now(), lastError: null });
    const session = new MqttSession({
      url: p.brokerUrl,
      clientId: `helmlink-console-${p.entityId}-${Math.random().toString(36).slice(2, 10)}`,
      clean: true,
      keepaliveSeconds: p.keepaliveSeconds,
      credentials: p.credentials,
      subscriptions: SUBSCRIPTIONS,
      backoff: this.#o.backoff ?? CONSOLE_BACKOFF,
      beforeSubscribe: this.#o.beforeSubscribe,
      ...(this.#o.checkPeer ? { checkPeer: this.#o.checkPeer } : {}),
      onMessage: (packet) => {
        const topic = packet.topic;
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        void this.#o
          .onMessage(topic, payload, packet.retain)
          .catch((err: unknown) =>
            this.#o.logger.warn({ topic, code: toApiError(err).code }, 'message handling failed'),
          );
      },
    });
    this.#session = session;
    session.on('state', (c) => this.#onState(session, c));
    session.on(
      'ready',
      (info) =>
        void this.#onReady(session, info).catch((err: unknown) =>
          this.#o.logger.warn({ code: toApiError(err).code }, 'post-connect failed'),
        ),
    );
    session.on('warn', (err) => this.#o.logger.debug({ err: err.message }, 'broker session'));
    session.start();
    try {
      await this.#firstConnection(session);
    } catch (err) {
      await this.disconnect();
      // A revoked broker keeps its own code: the console refused it, it did not fail to connect.
      if (isHelmlinkError(err, 'ERR_BROKER_REVOKED')) throw err;
      const coded = attemptError(err as Error);
      throw new HelmlinkError(coded.code, `${p.brokerUrl}: ${(err as Error).message}`, { cause: err });
    }
    return this.status();
  }

  /** Ends the session for good because of `error` (e.g. our certificate was revoked): state `error`, no retries. */
  async fail(error: ApiErrorInfo): Promise<void> {
    const session = this.#session;
    this.#session = null;
    this.#onConnected = undefined;
    await session?.close();
    this.#setStatus({ state: 'error', since: this.#now(), tlsVersion: null, cipher: null, lastError: error });
  }

  /** Swaps the TLS credentials (renewal) on the live session: one client at a time, the old one ended first. */
  async replaceCredentials(credentials: TlsCredentials): Promise<void> {
    await this.#session?.replaceCredentials(credentials);
  }

  /** Closes the session. */
  async disconnect(): Promise<void> {
    const session = this.#session;
    this.#session = null;
    this.#onConnected = undefined;
    await session?.close();
    this.#setStatus({
      state: 'disconnected',
      since: this.#now(),
      tlsVersion: null,
      cipher: null,
      mqttVersion: null,
    });
  }

  /** Publishes through the session. @throws HelmlinkError ERR_NOT_CONNECTED without one. */
  publish(topic: string, payload: string, opts: SessionPublishOptions): Promise<void> {
    if (!this.#session) return Promise.reject(new HelmlinkError('ERR_NOT_CONNECTED'));
    return this.#session.publish(topic, payload, opts);
  }

  // ---------------------------------------------------------------------------------------------------------

  #now(): string {
    return new Date(this.#o.clock()).toISOString();
  }

  /** When the link went down: now if it was up until now, else when it left `connected`. */
  #downSince(): string | null {
    return this.#status.state === 'connected' ? this.#now() : this.#status.since;
  }

  #setStatus(patch: Partial<ConnectionStatus>): void {
    this.#status = { ...this.#status, ...patch };
    this.#o.events.emit('fleet.connection', this.status());
  }

  /** Resolves once connected; rejects on the first failed attempt or after the guard time. */
  #firstConnection(session: MqttSession): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onState = (c: StateChange) => {
        if (c.to === 'backoff') fail(c.error ?? new Error(c.reason ?? 'connection closed'));
        else if (c.to === 'closing') fail(new Error('disconnected'));
      };
      const fail = (err: Error) => {
        cleanup();
        reject(err);
      };
      const guard = setTimeout(
        () => fail(new Error(`no MQTT session within ${CONNECT_GUARD_MS / 1000} s`)),
        CONNECT_GUARD_MS,
      );
      guard.unref();
      const cleanup = () => {
        clearTimeout(guard);
        session.off('state', onState);
        this.#onConnected = undefined;
      };
      session.on('state', onState);
      this.#onConnected = () => {
        cleanup();
        resolve();
      };
    });
  }

  #onState(session: MqttSession, c: StateChange): void {
    if (session !== this.#session) return;
    if (c.to === 'connecting' && c.reason === 'retry') this.#setStatus({ state: 'reconnecting' });
    else if (c.to === 'connecting' && c.reason === 'credentials')
      this.#setStatus({ state: 'connecting', since: this.#now() });
    else if (c.to === 'backoff' && isHelmlinkError(c.error, 'ERR_BROKER_REVOKED')) {
      if (this.#status.lastError?.code !== 'ERR_BROKER_REVOKED') this.#o.onBrokerRefused?.(c.error);
      this.#setStatus({ state: 'error', since: this.#downSince(), lastError: toApiError(c.error) });
    } else if (c.to === 'backoff' && c.error) {
      this.#setStatus({
        state: 'error',
        since: this.#downSince(),
        lastError: toApiError(attemptError(c.error)),
      });
      this.#o.onAttemptFailed?.(c.error);
    } else if (c.to === 'backoff') this.#setStatus({ state: 'reconnecting', since: this.#downSince() });
  }

  async #onReady(session: MqttSession, info: ReadyInfo): Promise<void> {
    const presented = info.tls.peerChain.map((der) => new x509.X509Certificate(der));
    // The root is pinned locally: a self-signed certificate in the presented chain adds nothing.
    const chain = presented.filter((c) => c.subject !== c.issuer || presented.length === 1);
    const broker = await this.#o.describeBroker(chain);
    if (session !== this.#session || !session.ready) return;
    this.#brokerChain = chain;
    this.#setStatus({
      state: 'connected',
      since: this.#now(),
      tlsVersion: info.tls.protocol,
      cipher: info.tls.cipher,
      mqttVersion: info.protocolVersion,
      broker,
      lastError: null,
    });
    this.#o.onConnected?.();
    this.#onConnected?.();
  }
}
