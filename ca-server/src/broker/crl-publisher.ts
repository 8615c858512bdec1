/**
 * Publishes every new CRL (DER) retained at QoS 1 on `helmlink/v1/pki/crl`, so vessels at sea receive it over MQTT.
 * Connects as the CA service identity (role `ca`, the only one the ACL lets write that topic).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { CRL_TOPIC } from '@helmlink/protocol';
import type { Authority } from '../authority/authority';
import type { IssuedCrl } from '../authority/crl';

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
  private client: MqttClient | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly authority: Authority,
    private readonly options: CrlPublisherOptions,
  ) {}

  /** Connects and publishes the current CRL, then every new one. */
  start(): void {
    this.client = mqtt.connect(this.options.url, {
      clientId: `${this.authority.config.serviceId}-crl`,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      key: this.options.key,
      cert: this.options.cert,
      passphrase: this.options.passphrase,
      ca: this.authority.chainPem(),
      rejectUnauthorized: true,
      ...(this.options.servername ? { servername: this.options.servername } : {}),
    } as mqtt.IClientOptions);
    this.client.on('connect', () => {
      void this.authority.currentCrl().then((crl) => this.publish(crl));
    });
    this.client.on('error', () => undefined);
    this.unsubscribe = this.authority.onCrl((crl) => this.publish(crl));
  }

  /** Publishes one CRL (retained, QoS 1); raises an alert when the broker refuses. */
  async publish(crl: IssuedCrl): Promise<void> {
    const client = this.client;
    if (!client?.connected) return;
    try {
      await client.publishAsync(CRL_TOPIC, Buffer.from(crl.der), { qos: 1, retain: true });
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
    await this.client?.endAsync();
  }
}
