/**
 * One MQTT session over mutual TLS (mqtt.js 5), shared by the vessel, the console and the CA's CRL publisher.
 *
 * - Explicit states (`states.ts`): connecting → subscribing → ready, backoff between attempts, closing → closed;
 *   every change is emitted on `state`, so callers and tests observe one state machine instead of flags.
 * - One fallback rule (`fallback.ts`): MQTT 5 first, 3.1.1 at once when the broker refuses 5, kept afterwards.
 * - One backoff policy (`backoff.ts`) for reconnects and refused subscriptions. The session drives reconnects
 *   itself on one long-lived client, so publishes in flight (QoS 1) are resent after a reconnect.
 * - Ready only once the broker granted every subscription: a refusal (e.g. its ACL does not know this client yet)
 *   is retried with backoff.
 * - PUBACK after the handler: each incoming message is handed to `onMessage` in order, one at a time, and a QoS 1
 *   message is acknowledged only when the handler's promise resolves (e.g. once the state is durably persisted).
 *   A handler may hand a message over (`HandedOver`): the next one comes in at once, and the PUBACKs follow the
 *   `settled` promises in arrival order (a vessel's group commit: commands share one fsync).
 *   A handler that rejects leaves the message unacknowledged and the connection is dropped, so the broker
 *   redelivers it in the next session (clean = false); messages arriving while closing are not acknowledged either.
 * - A credentials swap (certificate renewal) ends the current client gracefully and only then connects a new one:
 *   never two clients at once.
 * - A started session holds the process until it is closed: its reconnect timer is a real timer, so a listener
 *   whose broker is away keeps retrying instead of exiting when nothing else is left to do.
 * - The broker's certificate is checked beyond TLS by `checkPeer` (e.g. against the current CRL) in every
 *   handshake, before any MQTT byte is read, and again on `recheckPeer()`; a refusal drops the connection and
 *   backs off with the coded error.
 * - Every connection really subscribes again, even when the broker reports the session present (mqtt.js would
 *   skip topics it believes subscribed: after a broker restart, commands sent across it were lost in a test).
 *   Commands queued for a persistent session do not wait for the SUBACK: they are handled from the CONNACK on,
 *   even before mqtt.js's `connect` event (which waits until it has resent the client's own stored publishes).
 */
import { EventEmitter } from 'node:events';
import { checkServerIdentity, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { HelmlinkError } from '../errors';
import { backoffDelay } from './backoff';
import { endGracefully } from './end';
import { isVersionRefusal } from './fallback';
import { canTransition, type SessionState, type StateChange } from './states';
import { HANDED_OVER, sendPuback } from './puback';
import { describeTlsPeer, peerChainOf, setNoDelay } from './tls-peer';
import type {
  HandedOver,
  MqttSessionEvents,
  MqttSessionOptions,
  SessionPublishOptions,
  SessionWill,
  TlsCredentials,
} from './types';

const noop = (): void => undefined;

/** One MQTT session; see the module comment. Call `start`, then `close` when done. */
export class MqttSession extends EventEmitter<MqttSessionEvents> {
  readonly #o: MqttSessionOptions;
  #state: SessionState = 'idle';
  #client: MqttClient | undefined;
  #version: 4 | 5;
  #credentials: TlsCredentials;
  /**
   * The broker's chain as the current connection's handshake presented it (recorded by the server identity check,
   * cleared before every connection): `ready` and `recheckPeer` use it instead of asking the TLS layer again, which
   * builds the whole chain as objects (~1 ms each time; a fleet reconnecting pays it per vessel).
   */
  #handshakeChain: Uint8Array<ArrayBuffer>[] | undefined;
  /** The TLS context of `#credentials`, built once (key, chain and anchors parsed once, not in every handshake). */
  #secureContext: SecureContext | undefined;
  #will: SessionWill | undefined;
  /** Connection attempts since the last CONNACK. */
  #attempt = 0;
  /** Of those, attempts the broker's port refused (see `refusedMaxDelayMs`). */
  #refused = 0;
  /** Connections dropped in a row because a handler failed (slows a redelivery loop down). */
  #dropStreak = 0;
  #lastError: Error | undefined;
  #fallbackPending = false;
  /** The connection (stream) a failed handler is dropping: packets already read from it are not handed over. */
  #dropping: MqttClient['stream'] | undefined;
  #timer: NodeJS.Timeout | undefined;
  #inHand: Promise<void> = Promise.resolve();
  /** The PUBACKs waiting for handed-over messages, in arrival order. */
  #acks: Promise<void> = Promise.resolve();
  #acksPending = 0;
  #swapping: Promise<void> = Promise.resolve();
  #closed: Promise<void> | undefined;
  readonly #inflight = new Set<{ client: MqttClient; reject: (err: Error) => void }>();

  constructor(options: MqttSessionOptions) {
    super();
    this.#o = options;
    this.#version = options.protocolVersion ?? 5;
    this.#credentials = options.credentials;
    this.#will = options.will;
  }

  get state(): SessionState {
    return this.#state;
  }

  /** True while ready (connected and subscribed). */
  get ready(): boolean {
    return this.#state === 'ready';
  }

  /** The protocol version in use: the preferred one, or 4 after a refusal of 5. */
  get protocolVersion(): 4 | 5 {
    return this.#version;
  }

  /** Starts connecting; returns at once (watch `state` / `ready`). */
  start(): void {
    if (this.#state !== 'idle') throw new TypeError(`the session was already started (${this.#state})`);
    this.#transition('connecting', { reason: 'start' });
    this.#client = this.#newClient();
  }

  /** Resolves when the message in hand (if any) has been handled. */
  whenIdle(): Promise<void> {
    return this.#inHand;
  }

  /**
   * Publishes; resolves when written (QoS 0) or acknowledged by the broker (QoS 1). While the connection is down
   * a QoS 1 publish waits in the client and is sent after the reconnect.
   * @throws HelmlinkError ERR_NOT_CONNECTED before start, after close, during a credentials swap, or when the
   *   client it waited in was replaced.
   */
  publish(topic: string, payload: string | Buffer, opts: SessionPublishOptions = {}): Promise<void> {
    const client = this.#client;
    if (!client || this.#state === 'closed') return Promise.reject(new HelmlinkError('ERR_NOT_CONNECTED'));
    const properties = opts.properties && this.#version === 5 ? { properties: opts.properties } : {};
    return new Promise<void>((resolve, reject) => {
      const entry = { client, reject };
      this.#inflight.add(entry);
      client.publish(
        topic,
        payload,
        { qos: opts.qos ?? 1, retain: opts.retain ?? false, ...properties },
        (err) => {
          this.#inflight.delete(entry);
          if (err) reject(err);
          else resolve();
        },
      );
    });
  }

  /** Replaces the Last Will; it goes with the next CONNECT (a will is fixed for the life of a connection). */
  setWill(will: SessionWill | undefined): void {
    this.#will = will;
    if (this.#client) this.#applyWill(this.#client.options);
  }

  /**
   * Checks the connected broker's certificate again with `checkPeer` (e.g. after a newer CRL arrived). A refusal
   * drops the connection; the session backs off with the error and the handshake check refuses the broker on
   * every reconnect until the check passes again. Returns the refusal, or undefined.
   */
  recheckPeer(): Error | undefined {
    const client = this.#client;
    const socket = client?.stream as Partial<TLSSocket> | undefined;
    if (!this.#o.checkPeer || !client || typeof socket?.getPeerCertificate !== 'function') return undefined;
    if (this.#state !== 'subscribing' && this.#state !== 'ready') return undefined;
    try {
      this.#o.checkPeer(this.#handshakeChain ?? peerChainOf(socket.getPeerCertificate(true)));
      return undefined;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.#lastError = error;
      this.#warn(error);
      client.stream?.destroy();
      return error;
    }
  }

  /**
   * Replaces the TLS credentials (after a certificate renewal) and reconnects with them: the message in hand is
   * finished and acknowledged, the current client ends gracefully, then a new client connects. A persistent
   * session keeps queued messages at the broker meanwhile. Before `start` it only stores the credentials.
   */
  async replaceCredentials(next: TlsCredentials): Promise<void> {
    this.#credentials = next;
    this.#secureContext = undefined;
    const old = this.#client;
    if (!old || this.#state === 'idle' || this.#state === 'closing' || this.#state === 'closed') return;
    // Detached first: its late events and deliveries no longer touch the session.
    this.#client = undefined;
    this.#transition('connecting', { reason: 'credentials' });
    const swap = (async () => {
      await this.#inHand;
      await endGracefully(old, this.#o.endTimeoutMs ?? 3000);
      this.#discard(old);
      if (this.#state !== 'connecting' || this.#client) return; // closed meanwhile, or another swap won
      this.#attempt = 0;
      this.#refused = 0;
      this.#client = this.#newClient();
    })();
    this.#swapping = swap;
    await swap;
  }

  /**
   * Closes: stops delivering (messages arriving now are not acknowledged), waits for the message in hand, runs
   * `drain` (e.g. a last state publish), then ends the connection after publishes in flight are acknowledged.
   */
  close(drain?: () => Promise<void>): Promise<void> {
    this.#closed ??= (async () => {
      this.#transition('closing');
      await this.#inHand;
      if (drain) await drain().catch((err: unknown) => this.#warn(err));
      await this.#swapping;
      const client = this.#client;
      if (client) {
        await endGracefully(client, this.#o.endTimeoutMs ?? 3000);
        this.#discard(client);
      }
      this.#transition('closed');
    })();
    return this.#closed;
  }

  // ---------------------------------------------------------------------------------------------------------

  #transition(to: SessionState, detail: Omit<StateChange, 'from' | 'to'> = {}): void {
    const from = this.#state;
    if (!canTransition(from, to)) throw new TypeError(`MQTT session: no transition ${from} → ${to}`);
    // Every timer belongs to the state it was set in.
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#state = to;
    this.emit('state', { from, to, ...detail });
  }

  /** A real (not unref'd) timer: a session waiting to reconnect holds the process (see the module comment). */
  #schedule(fn: () => void, delayMs: number): void {
    this.#timer = setTimeout(fn, delayMs);
  }

  #warn(err: unknown): void {
    this.emit('warn', err instanceof Error ? err : new Error(String(err)));
  }

  /**
   * The client's TLS context, made once per credentials: a reconnecting fleet otherwise parses (and, with a
   * passphrase, decrypts) its key and certificates again in every handshake.
   */
  #tlsContext(): SecureContext {
    const c = this.#credentials;
    this.#secureContext ??= createSecureContext({
      key: c.key,
      cert: c.cert,
      ca: c.ca,
      ...(c.passphrase !== undefined ? { passphrase: c.passphrase } : {}),
      minVersion: 'TLSv1.2',
    });
    return this.#secureContext;
  }

  #clientOptions(): IClientOptions {
    const c = this.#credentials;
    const persistentV5 = this.#version === 5 && this.#o.sessionExpirySeconds !== undefined;
    const options = {
      secureContext: this.#tlsContext(),
      clientId: this.#o.clientId,
      clean: this.#o.clean,
      protocolVersion: this.#version,
      keepalive: this.#o.keepaliveSeconds ?? 30,
      connectTimeout: this.#o.connectTimeoutMs ?? 10_000,
      // Reconnects and resubscriptions are driven here (backoff, readiness), not by mqtt.js.
      reconnectPeriod: 0,
      resubscribe: false,
      key: c.key,
      cert: c.cert,
      ca: c.ca,
      ...(c.passphrase !== undefined ? { passphrase: c.passphrase } : {}),
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ...(this.#o.servername ? { servername: this.#o.servername } : {}),
      ...(persistentV5 ? { properties: { sessionExpiryInterval: this.#o.sessionExpirySeconds } } : {}),
      checkServerIdentity: this.#peerCheck(this.#o.checkPeer),
    } as IClientOptions;
    this.#applyWill(options);
    return options;
  }

  #applyWill(options: IClientOptions): void {
    if (this.#will) options.will = { ...this.#will };
    else delete options.will;
  }

  /**
   * The TLS layer's server identity check (host name), then `checkPeer` if any, before the handshake completes;
   * records the presented chain for this connection.
   */
  #peerCheck(check: MqttSessionOptions['checkPeer']): typeof checkServerIdentity {
    return (host, cert) => {
      const mismatch = checkServerIdentity(host, cert);
      if (mismatch) return mismatch;
      const chain = peerChainOf(cert as Parameters<typeof peerChainOf>[0]);
      this.#handshakeChain = chain;
      if (!check) return undefined;
      try {
        check(chain);
        return undefined;
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    };
  }

  #newClient(): MqttClient {
    this.#handshakeChain = undefined;
    const client = mqtt.connect(this.#o.url, this.#clientOptions());
    setNoDelay(client.stream);
    client.handleMessage = (packet, done) => this.#deliver(client, packet as IPublishPacket, done);
    client.on('connect', (connack) => this.#onConnect(client, connack));
    client.on('error', (err) => this.#onError(client, err));
    client.on('close', () => this.#onClose(client));
    return client;
  }

  /** Reconnects the same client, keeping its stores: publishes in flight are resent. */
  #reconnect(client: MqttClient): void {
    if (client !== this.#client) return;
    this.#handshakeChain = undefined;
    client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    setNoDelay(client.stream);
  }

  #onConnect(client: MqttClient, connack: IConnackPacket): void {
    if (client !== this.#client || this.#state !== 'connecting') return;
    setNoDelay(client.stream);
    this.#attempt = 0;
    this.#refused = 0;
    this.#transition('subscribing');
    const prepare = this.#o.beforeSubscribe?.().catch((err: unknown) => this.#warn(err)) ?? Promise.resolve();
    void prepare.then(() => this.#subscribe(client, connack, 0));
  }

  #subscribe(client: MqttClient, connack: IConnackPacket, tries: number): void {
    if (client !== this.#client || this.#state !== 'subscribing') return;
    const subscriptions = this.#o.subscriptions ?? {};
    if (Object.keys(subscriptions).length === 0) return this.#becomeReady(client, connack);
    // `resubscribe: true` makes mqtt.js send every topic, including those it believes the kept session holds.
    const request = { ...subscriptions, resubscribe: true } as unknown as Parameters<
      MqttClient['subscribe']
    >[0];
    client.subscribe(request, (err, granted) => {
      if (client !== this.#client || this.#state !== 'subscribing') return;
      // SUBACK codes >= 0x80 are refusals (3.1.1: 0x80 failure; 5: e.g. 0x87 not authorised).
      if (err || !granted || granted.some((g) => g.qos > 2)) {
        const error =
          err ?? new Error(`subscription refused (granted ${JSON.stringify(granted?.map((g) => g.qos))})`);
        const delayMs = backoffDelay(tries, this.#o.backoff);
        this.#transition('subscribing', {
          reason: 'subscription refused',
          attempt: tries + 1,
          delayMs,
          error,
        });
        this.#warn(error);
        this.#schedule(() => this.#subscribe(client, connack, tries + 1), delayMs);
        return;
      }
      this.#becomeReady(client, connack);
    });
  }

  #becomeReady(client: MqttClient, connack: IConnackPacket): void {
    this.#transition('ready');
    this.emit('ready', {
      protocolVersion: this.#version,
      sessionPresent: connack.sessionPresent,
      tls: describeTlsPeer(client.stream, this.#handshakeChain),
    });
  }

  #onError(client: MqttClient, err: Error & { code?: unknown }): void {
    if (client !== this.#client) return;
    if (this.#version === 5 && this.#state === 'connecting' && isVersionRefusal(err)) {
      this.#version = 4;
      this.#fallbackPending = true;
      client.options.protocolVersion = 4;
      delete client.options.properties;
      this.emit('fallback', err);
      return;
    }
    this.#lastError = err;
    this.#warn(err);
  }

  #onClose(client: MqttClient): void {
    if (client !== this.#client) return;
    if (this.#state !== 'connecting' && this.#state !== 'subscribing' && this.#state !== 'ready') return;
    if (this.#fallbackPending) {
      this.#fallbackPending = false;
      this.#transition('connecting', { reason: 'fallback' });
      this.#schedule(() => this.#reconnect(client), 0);
      return;
    }
    const attempt = ++this.#attempt;
    const error = this.#lastError;
    this.#lastError = undefined;
    const delayMs = this.#reconnectDelay(attempt, error);
    this.#transition('backoff', {
      reason: error?.message ?? 'connection closed',
      attempt,
      delayMs,
      ...(error ? { error } : {}),
    });
    this.#schedule(() => {
      this.#transition('connecting', { reason: 'retry', attempt });
      this.#reconnect(client);
    }, delayMs);
  }

  /** The delay before reconnect `attempt` after `error` (see `refusedMaxDelayMs`). */
  #reconnectDelay(attempt: number, error: (Error & { code?: unknown }) | undefined): number {
    const { backoff, refusedMaxDelayMs } = this.#o;
    if (refusedMaxDelayMs === undefined) return backoffDelay(attempt - 1 + this.#dropStreak, backoff);
    if (error?.code === 'ECONNREFUSED') {
      this.#refused++;
      const cap = Math.min(backoff.maxDelayMs, refusedMaxDelayMs);
      return backoffDelay(attempt - 1, { ...backoff, maxDelayMs: cap });
    }
    return backoffDelay(attempt - 1 - this.#refused + this.#dropStreak, backoff);
  }

  /**
   * Whether a message read from `client` is handed over: it came on the current client's live connection, after
   * its CONNACK, and the session is neither closing nor dropping that connection. Not "after mqtt.js's `connect`
   * event": mqtt.js emits it only once it has resent its own stored publishes (asynchronously), and the messages
   * the broker queued for a persistent session follow the CONNACK at once; refusing them there left them
   * unacknowledged on a live connection, which the broker never redelivers (commands sent during an outage were
   * lost until the next reconnect).
   */
  #accepts(client: MqttClient): boolean {
    if (client !== this.#client || !client.connected || this.#dropping === client.stream) return false;
    return this.#state === 'connecting' || this.#state === 'subscribing' || this.#state === 'ready';
  }

  #deliver(client: MqttClient, packet: IPublishPacket, done: (err?: Error) => void): void {
    const handler = this.#o.onMessage;
    if (!this.#accepts(client)) {
      // Neither handled nor acknowledged (closing, replaced, or the connection is being dropped or gone): the
      // connection ends, and the broker redelivers it in the next one.
      done(new Error('the session is closing or was replaced'));
      return;
    }
    if (!handler) return done();
    const work = Promise.resolve().then(() => handler(packet));
    // In hand until settled and its PUBACK written: close() and a credentials swap wait for that.
    let release: () => void = noop;
    const finished = new Promise<void>((resolve) => (release = resolve));
    this.#inHand = Promise.all([this.#inHand, finished]).then(noop, noop);
    work.then(
      (result) => {
        this.#dropStreak = 0;
        const settled = (result as HandedOver | undefined)?.settled;
        if (!settled && this.#acksPending === 0) {
          done();
          return release();
        }
        // mqtt.js sends no PUBACK for a message whose handler reports an error, and goes on with the next one.
        done(HANDED_OVER);
        void this.#ackLater(client, packet, settled ?? Promise.resolve()).then(release);
      },
      (err: unknown) => {
        this.#failed(client, err, done);
        release();
      },
    );
  }

  /**
   * Queues a PUBACK behind the earlier ones; sent once `settled` resolves, on the connection the message came in
   * (also while that client ends gracefully after a credentials swap). Resolves once it is written or dropped.
   */
  #ackLater(client: MqttClient, packet: IPublishPacket, settled: Promise<void>): Promise<void> {
    const stream = client.stream;
    // Not on another connection (its message is redelivered there), nor on one a failure is dropping.
    const stale = () => client.stream !== stream || this.#dropping === stream;
    this.#acksPending++;
    this.#acks = this.#acks
      .then(() => settled)
      .then(
        () => {
          if (stale()) return;
          if (packet.qos > 0) return sendPuback(client, packet.messageId!);
        },
        (err: unknown) => {
          if (stale()) return;
          this.#failed(client, err, noop, true);
        },
      )
      .finally(() => this.#acksPending--);
    return this.#acks;
  }

  /**
   * A handler (or a handed-over message's `settled`) failed. The broker redelivers an unacknowledged message only
   * on a new connection: drop this one, and hand over nothing more from it (later messages must not overtake the
   * failed one). With `flush`, PUBACKs already written for earlier messages still reach the broker.
   */
  #failed(client: MqttClient, err: unknown, done: (err?: Error) => void, flush = false): void {
    this.#warn(err);
    const current = client === this.#client;
    if (current) {
      this.#dropping = client.stream;
      this.#dropStreak++;
    }
    done(err instanceof Error ? err : new Error(String(err)));
    if (!current) return;
    const stream = client.stream;
    if (!flush || !stream) return void stream?.destroy();
    stream.end();
    setTimeout(() => stream.destroy(), 1000).unref();
  }

  /** Fails the publishes still waiting in a client that is gone. */
  #discard(client: MqttClient): void {
    for (const entry of this.#inflight) {
      if (entry.client !== client) continue;
      this.#inflight.delete(entry);
      entry.reject(
        new HelmlinkError(
          'ERR_NOT_CONNECTED',
          'the connection ended before the broker acknowledged the publish',
        ),
      );
    }
  }
}
