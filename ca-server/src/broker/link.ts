/**
 * The CA's one MQTT session to its broker, as the CA service identity (role `ca`), through the one MQTT session of
 * Helmlink (`@helmlink/protocol/mqtt`): reconnects with backoff forever. The CRL publisher, the dynamic-security
 * control and the vessel-alert forwarder share it. A lost or refused connection raises one alert per outage (with
 * the error), and its end another; `/health` reads {@link BrokerLink.status}.
 */
import { EventEmitter } from 'node:events';
import type { IPublishPacket } from 'mqtt';
import { filterCovered, systemClock, type Clock } from '@helmlink/protocol';
import { MqttSession, type BackoffPolicy, type StateChange } from '@helmlink/protocol/mqtt';
import type { AlertSink } from '../authority/alerts';
import { DynsecControl } from './dynsec/control';
import { DYNSEC_RESPONSE_TOPIC } from './dynsec/policy';

/** Reconnect delays: 1 s doubling to 30 s, half of each random. */
export const LINK_BACKOFF: BackoffPolicy = { initialDelayMs: 1000, maxDelayMs: 30_000, jitter: 0.5 };

export interface BrokerLinkOptions {
  /** mqtts://host:port */
  url: string;
  clientId: string;
  /** PEM key (may be encrypted, with passphrase) and certificate chain of the CA service identity. */
  key: string;
  cert: string;
  passphrase?: string;
  /** The CA chain the broker's certificate must chain to. */
  ca: string;
  /** Server name checked on the broker certificate, when it differs from the URL host. */
  servername?: string;
  /** Subscribe to the dynamic-security answers (the broker runs our material with the plugin). */
  control?: boolean;
  /** Further subscriptions (topic filter → handler), e.g. the vessels' alerts. */
  subscriptions?: Readonly<Record<string, (packet: IPublishPacket) => void>>;
  alerts?: AlertSink;
  backoff?: BackoffPolicy;
  /** Dynamic-security answer timeout, ms. Default 5000. */
  controlTimeoutMs?: number;
  /** An outage is alerted once it has lasted this long (a broker still starting is no outage), ms. Default 10 000. */
  alertAfterMs?: number;
  clock?: Clock;
}

/** The link as `/health` reports it. */
export interface BrokerLinkStatus {
  url: string;
  connected: boolean;
  /** Since when the link is up or down (ISO). */
  since: string;
  lastError?: string;
}

export interface BrokerLinkEvents {
  /** Connected and subscribed (after every reconnect). */
  ready: [];
  /** The connection was lost or refused. */
  down: [Error | undefined];
}

/** The CA's MQTT session to its broker. */
export class BrokerLink extends EventEmitter<BrokerLinkEvents> {
  readonly session: MqttSession;
  readonly control: DynsecControl | undefined;
  readonly #clock: Clock;
  #connected = false;
  #since: number;
  #lastError: string | undefined;
  #outage: { since: number; attempts: number; alerted: boolean } | undefined;
  #alertTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: BrokerLinkOptions) {
    super();
    this.#clock = o.clock ?? systemClock;
    this.#since = this.#clock();
    const handlers = Object.entries(o.subscriptions ?? {});
    const subscriptions: Record<string, { qos: 0 | 1 }> = {};
    if (o.control) subscriptions[DYNSEC_RESPONSE_TOPIC] = { qos: 1 };
    for (const [filter] of handlers) subscriptions[filter] = { qos: 1 };
    this.session = new MqttSession({
      url: o.url,
      clientId: o.clientId,
      // MQTT 5 (3.1.1 only if the broker refuses it): under 3.1.1 a publish the broker's ACL denies is still
      // acknowledged, so a CRL the broker dropped would count as published.
      protocolVersion: 5,
      clean: true,
      credentials: {
        key: o.key,
        cert: o.cert,
        ca: o.ca,
        ...(o.passphrase !== undefined ? { passphrase: o.passphrase } : {}),
      },
      ...(o.servername ? { servername: o.servername } : {}),
      subscriptions,
      backoff: o.backoff ?? LINK_BACKOFF,
      onMessage: (packet) => {
        if (packet.topic === DYNSEC_RESPONSE_TOPIC) return this.control?.handle(Buffer.from(packet.payload));
        for (const [filter, handler] of handlers) if (filterCovered(filter, packet.topic)) handler(packet);
      },
    });
    this.control = o.control ? new DynsecControl(this.session, o.controlTimeoutMs) : undefined;
    this.session.on('state', (change) => this.#onState(change));
    this.session.on('ready', () => {
      this.#up();
      this.emit('ready');
    });
    // Errors are reported through the state changes (backoff carries them); nothing else to do here.
    this.session.on('warn', () => undefined);
  }

  get ready(): boolean {
    return this.session.ready;
  }

  status(): BrokerLinkStatus {
    return {
      url: this.o.url,
      connected: this.#connected,
      since: new Date(this.#since).toISOString(),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  start(): void {
    this.session.start();
  }

  /** Reconnects as a new service identity (its key and certificate chain; same passphrase and CA chain). */
  async replaceCredentials(key: string, cert: string): Promise<void> {
    await this.session.replaceCredentials({
      key,
      cert,
      ca: this.o.ca,
      ...(this.o.passphrase !== undefined ? { passphrase: this.o.passphrase } : {}),
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.#alertTimer);
    this.control?.close();
    await this.session.close();
  }

  #onState(change: StateChange): void {
    if (change.to !== 'backoff') return;
    const error = change.error;
    this.#lastError = error?.message ?? change.reason;
    const now = this.#clock();
    if (this.#connected || !this.#outage) {
      this.#connected = false;
      this.#since = now;
      this.#outage = { since: now, attempts: 0, alerted: false };
      // The alert is due when the outage has lasted alertAfterMs, not at the next failed attempt: with a backoff
      // of up to 30 s an outage could end before a failed attempt noticed it had lasted long enough.
      clearTimeout(this.#alertTimer);
      this.#alertTimer = setTimeout(() => this.#alertOutage(), this.o.alertAfterMs ?? 10_000);
      this.#alertTimer.unref();
    }
    this.#outage.attempts++;
    this.emit('down', error);
  }

  #alertOutage(): void {
    const outage = this.#outage;
    if (!outage || outage.alerted) return;
    outage.alerted = true;
    this.o.alerts?.raise(
      'broker_link_down',
      'warning',
      `the CA cannot reach its MQTT broker at ${this.o.url} (${this.#lastError ?? 'connection closed'}); retrying`,
      { url: this.o.url, error: this.#lastError },
    );
  }

  #up(): void {
    clearTimeout(this.#alertTimer);
    const outage = this.#outage;
    this.#connected = true;
    this.#since = this.#clock();
    this.#lastError = undefined;
    this.#outage = undefined;
    if (outage?.alerted)
      this.o.alerts?.raise(
        'broker_link_restored',
        'info',
        `the CA reached its MQTT broker at ${this.o.url} again after ${Math.round((this.#since - outage.since) / 1000)} s (${outage.attempts} failed attempts)`,
        { url: this.o.url, attempts: outage.attempts },
      );
  }
}
