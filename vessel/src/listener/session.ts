/**
 * The MQTT session of a vessel: mutual TLS, persistent session (clean = false, fixed client id), QoS 1 subscription
 * to its own `cmd` topic and to the retained CRL topic. MQTT 5 is tried first and 3.1.1 used when the broker refuses
 * it; nothing depends on v5 (response topics are an extra). Reconnects use exponential backoff with jitter, driven
 * here rather than by mqtt.js's fixed period.
 *
 * Incoming QoS 1 commands are handed to `onMessage` through mqtt.js's `handleMessage` hook, so the PUBACK is sent
 * only after the command's state and ack are persisted: a crash before that makes the broker redeliver, and the
 * redelivery is answered from the stored ack.
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { topics } from '@helmlink/protocol';
import { backoffDelay, type BackoffOptions } from './backoff';

export interface SessionOptions {
  url: string;
  clientId: string;
  vesselId: string;
  protocolVersion: 4 | 5;
  keepaliveSeconds: number;
  servername?: string;
  reconnect: BackoffOptions;
  tls: () => { key: string; cert: string; ca: string };
  /** Called for every message on the cmd and CRL topics; the PUBACK waits for it. */
  onMessage: (packet: IPublishPacket) => Promise<void>;
  onConnect: (info: { protocolVersion: 4 | 5; sessionPresent: boolean }) => void;
  onDisconnect: (reason: string) => void;
  onError: (err: Error) => void;
}

/** An MQTT 5 refusal: CONNACK 132 (unsupported protocol version) or 3.1.1 return code 1. */
function isVersionRefusal(err: Error & { code?: unknown }): boolean {
  return err.code === 132 || err.code === 1 || /unsupported protocol version|unacceptable protocol version/iu.test(err.message);
}

/** Ends a client after its in-flight publishes are acknowledged, or forcibly after 3 s (e.g. the broker is gone). */
function endGracefully(client: MqttClient): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      client.end(true);
      resolve();
    }, 3000);
    client.end(false, {}, () => {
      clearTimeout(t);
      resolve();
    });
  });
}

function noDelay(client: MqttClient): void {
  (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
}

export class VesselSession {
  private client: MqttClient | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private version: 4 | 5;
  private _connected = false;

  constructor(private readonly o: SessionOptions) {
    this.version = o.protocolVersion;
  }

  /** True while a CONNACK-accepted connection is up. */
  get connected(): boolean {
    return this._connected;
  }

  /** The protocol version in use (5, or 4 after a refusal). */
  get protocolVersion(): 4 | 5 {
    return this.version;
  }

  /** Starts connecting (returns at once; see onConnect). */
  start(): void {
    this.connect();
  }

  private options(): IClientOptions {
    const tls = this.o.tls();
    return {
      clientId: this.o.clientId,
      clean: false,
      protocolVersion: this.version,
      keepalive: this.o.keepaliveSeconds,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      key: tls.key,
      cert: tls.cert,
      ca: tls.ca,
      rejectUnauthorized: true,
      ...(this.o.servername ? { servername: this.o.servername } : {}),
      ...(this.version === 5 ? { properties: { sessionExpiryInterval: 7 * 24 * 3600 } } : {}),
    };
  }

  private connect(): void {
    if (this.closing) return;
    const client = mqtt.connect(this.o.url, this.options());
    this.client = client;
    // Nagle + delayed ACK would add ~40 ms to every small publish (tls.connect does not pass noDelay through).
    noDelay(client);
    client.handleMessage = (packet, callback) => {
      this.o.onMessage(packet).then(
        () => callback(),
        // Not acknowledged: the broker redelivers in the next session (e.g. the state could not be persisted).
        (err: Error) => this.o.onError(err),
      );
    };
    client.on('connect', (connack) => {
      noDelay(client);
      this.attempt = 0;
      // Ready only once the broker granted the subscriptions: a command published before that would be lost on a
      // fresh session (a persistent session keeps them across reconnects). A refusal (e.g. the broker's ACL does not
      // know this vessel yet) is retried with backoff.
      let tries = 0;
      const subscribe = () => {
        if (this.client !== client || !client.connected) return;
        client.subscribe({ [topics.cmd(this.o.vesselId)]: { qos: 1 }, [topics.crl()]: { qos: 1 } }, (err, granted) => {
          if (err || !granted || granted.some((g) => g.qos > 2)) {
            this.o.onError(err ?? new Error(`subscription refused (${JSON.stringify(granted?.map((g) => g.qos))}); retrying`));
            const retry = setTimeout(subscribe, backoffDelay(tries++, this.o.reconnect));
            retry.unref?.();
            return;
          }
          this._connected = true;
          this.o.onConnect({ protocolVersion: this.version, sessionPresent: connack.sessionPresent });
        });
      };
      subscribe();
    });

    client.on('error', (err: Error & { code?: unknown }) => {
      if (this.version === 5 && isVersionRefusal(err)) {
        this.version = 4;
        this.o.onError(new Error('the broker refused MQTT 5; falling back to MQTT 3.1.1'));
        this.attempt = 0;
      } else {
        this.o.onError(err);
      }
    });
    client.on('close', () => {
      // A client replaced by a credentials swap must not touch the state of its successor.
      if (this.client !== client) return;
      const was = this._connected;
      this._connected = false;
      if (was) this.o.onDisconnect('connection closed');
      this.scheduleReconnect(client);
    });
  }

  private scheduleReconnect(client: MqttClient): void {
    if (this.closing || this.timer) return;
    const delay = this.attempt === 0 && this.version !== this.o.protocolVersion ? 0 : backoffDelay(this.attempt, this.o.reconnect);
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.client !== client) return; // replaced meanwhile (credentials swap): that path already reconnected
      client.removeAllListeners();
      client.end(true);
      this.connect();
    }, delay);
    this.timer.unref?.();
  }

  /** Publishes (QoS 1 by default). Resolves when written (QoS 0) or acknowledged (QoS 1). */
  publish(topic: string, payload: string | Buffer, opts: { qos?: 0 | 1; retain?: boolean; properties?: { correlationData?: Buffer } } = {}): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false, ...(opts.properties && this.version === 5 ? { properties: opts.properties } : {}) }, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  /**
   * Reconnects with fresh TLS material (after a certificate renewal). The persistent session keeps queued commands
   * at the broker; a command received but not yet acknowledged is redelivered and answered from the stored ack.
   */
  async reconnectWithNewCredentials(): Promise<void> {
    const old = this.client;
    if (!old) return;
    // A reconnect scheduled for the old client would otherwise start a second client beside the new one.
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.client = undefined;
    const was = this._connected;
    this._connected = false;
    if (was) this.o.onDisconnect('connection closed');
    await endGracefully(old);
    old.removeAllListeners();
    this.attempt = 0;
    this.connect();
  }

  /** Stops reconnecting and closes the connection after in-flight publishes complete. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    if (!client) return;
    await endGracefully(client);
    this._connected = false;
  }
}
