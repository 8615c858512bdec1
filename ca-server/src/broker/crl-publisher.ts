/**
 * Publishes every new CRL (DER) retained at QoS 1 on `helmlink/v1/pki/crl`, so vessels at sea receive it over MQTT.
 * Connects as the CA service identity (role `ca`, the only one the ACL lets write that topic) through the one MQTT
 * session of Helmlink (`@helmlink/protocol/mqtt`): reconnects with backoff, and publishes the current CRL each time
 * it is connected.
 */
import { CRL_TOPIC } from '@helmlink/protocol';
import { MqttSession, type BackoffPolicy } from '@helmlink/protocol/mqtt';
import type { Authority } from '../authority/authority';
import type { IssuedCrl } from '../authority/crl';

/** Reconnect delays: 1 s doubling to 30 s, half of each random. */
const PUBLISHER_BACKOFF: BackoffPolicy = { initialDelayMs: 1000, maxDelayMs: 30_000, jitter: 0.5 };

export interface CrlPublisherOptions {
  /** mqtts://host:port */
  url: string;
  /** PEM key (may be encrypted, with passphrase) and certificate chain of the CA service identity. */
  key?: string;
  cert?: string;
  passphrase?: string;
  /** Server name checked on the broker certificate, when it differs from the URL host. */
  servername?: string;
}

export class CrlPublisher {
  private session: MqttSession | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly authority: Authority,
    private readonly options: CrlPublisherOptions,
  ) {}

  /** Connects and publishes the current CRL, then every new one. @throws TypeError without key and certificate. */
  start(): void {
    const { key, cert, passphrase, servername, url } = this.options;
    if (!key || !cert) throw new TypeError('the CRL publisher needs the CA service key and certificate');
    const session = new MqttSession({
      url,
      clientId: `${this.authority.config.serviceId}-crl`,
      protocolVersion: 4,
      clean: true,
      credentials: {
        key,
        cert,
        ca: this.authority.chainPem(),
        ...(passphrase !== undefined ? { passphrase } : {}),
      },
      ...(servername ? { servername } : {}),
      backoff: PUBLISHER_BACKOFF,
    });
    this.session = session;
    session.on('ready', () => {
      void this.authority.currentCrl().then((crl) => this.publish(crl));
    });
    session.start();
    this.unsubscribe = this.authority.onCrl((crl) => this.publish(crl));
  }

  /** Publishes one CRL (retained, QoS 1); raises an alert when the broker refuses. */
  async publish(crl: IssuedCrl): Promise<void> {
    const session = this.session;
    if (!session?.ready) return;
    try {
      await session.publish(CRL_TOPIC, Buffer.from(crl.der), { qos: 1, retain: true });
    } catch (err) {
      this.authority.alerts.raise(
        'crl_publish_failed',
        'warning',
        `CRL ${crl.number} could not be published over MQTT`,
        { error: String(err) },
      );
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.session?.close();
  }
}
