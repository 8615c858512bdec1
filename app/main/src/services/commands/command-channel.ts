/**
 * The console's MQTT session (mqtt.js 5 over mutual TLS): connects with the console certificate, verifies the
 * broker against the pinned root only, subscribes to every vessel's `state`, `ack` and `data` topics and to the
 * retained CRL, and sends commands.
 *
 * Commands are built here from a validated intent ({vesselId, on, off}): the intent must partition the verified
 * catalog of that vessel exactly, the command is signed with the console key and published at QoS 1. Each command
 * moves pending → applied (verified ack; round-trip time) / rejected (verified ack; reason code) / timed_out.
 * An ack that does not verify never settles a command: it is audited and ignored.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import mqtt, { type MqttClient } from 'mqtt';
import * as x509 from '@peculiar/x509';
import {
  HelmlinkError,
  JWS_ALGORITHMS,
  certificateToPem,
  checkStreamsSet,
  createSigner,
  describeError,
  parseCrls,
  parseTopic,
  peekClaims,
  signCommand,
  topics,
  verifyAck,
  type JwsAlgorithm,
  type Clock,
} from '@helmlink/protocol';
import type { CommandIntent, CommandView, ConnectionStatus } from '@helmlink/app-preload';
import type { ConsoleEvents } from '../core/events';
import { toApiError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { AuditLog } from '../audit/audit-log';
import type { IdentityService } from '../identity/identity-service';
import type { SettingsService } from '../settings/settings-service';
import type { FleetState } from '../fleet/fleet-state';
import type { RateMeter } from '../fleet/rates';
import { TrustMaterial } from '../fleet/trust-material';
import { consoleCaClient } from '../ca/console-ca';

export interface CommandChannelOptions {
  identity: IdentityService;
  settings: SettingsService;
  fleet: FleetState;
  rates: RateMeter;
  audit: AuditLog;
  events: ConsoleEvents;
  clock: Clock;
  logger: Logger;
  algorithms?: readonly JwsAlgorithm[];
  clockToleranceSeconds?: number;
  /** How often live rates are pushed while connected (ms). Default 1000. */
  ratesIntervalMs?: number;
}

interface Pending {
  view: CommandView;
  token: string;
  sentAtPerf: number;
  timer: NodeJS.Timeout | undefined;
}

const RECENT_COMMANDS = 500;

/** The MQTT command channel. */
export class CommandChannel {
  readonly #o: CommandChannelOptions;
  #client: MqttClient | null = null;
  #trust: TrustMaterial | null = null;
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
  readonly #commands = new Map<string, Pending>();
  #ratesTimer: NodeJS.Timeout | undefined;
  #crlTimer: NodeJS.Timeout | undefined;
  #brokerChain: x509.X509Certificate[] = [];

  constructor(options: CommandChannelOptions) {
    this.#o = options;
  }

  /** The connection status with TLS details and the broker's certificate. */
  connection(): ConnectionStatus {
    return this.#status;
  }

  /** The trust material of the current session (null before the first connect). */
  trust(): TrustMaterial | null {
    return this.#trust;
  }

  /** Recent commands, newest first. */
  list(vesselId?: string, limit = 100): CommandView[] {
    return [...this.#commands.values()]
      .map((p) => p.view)
      .filter((v) => !vesselId || v.vesselId === vesselId)
      .reverse()
      .slice(0, limit);
  }

  /**
   * Connects to the broker in settings with the console identity. Resolves with the status once connected (or
   * rejects with ERR_BROKER_CONNECT / ERR_IDENTITY_*).
   */
  async connect(): Promise<ConnectionStatus> {
    if (this.#client) await this.disconnect();
    const brokerUrl = this.#o.settings.get().brokerUrl;
    if (!brokerUrl) throw new HelmlinkError('ERR_SETTINGS_MISSING', 'the broker URL is not set');
    const signer = await this.#o.identity.signer();
    const tls = signer.tls();
    this.#trust = new TrustMaterial({ root: signer.root, issuers: signer.chain.slice(1) });
    this.#o.fleet.setTrust(this.#trust);
    this.#setStatus({ state: 'connecting', brokerUrl, since: this.#now(), lastError: null });
    const client = mqtt.connect(brokerUrl, {
      protocolVersion: 5,
      clientId: `helmlink-console-${signer.entityId}-${Math.random().toString(36).slice(2, 10)}`,
      key: tls.key,
      cert: tls.cert,
      ca: [certificateToPem(signer.root)],
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      clean: true,
      connectTimeout: 10_000,
      reconnectPeriod: 2_000,
      keepalive: 30,
    } as mqtt.IClientOptions);
    this.#client = client;
    client.on('message', (topic, payload) => {
      void this.#onMessage(topic, payload).catch((err: unknown) =>
        this.#o.logger.warn({ topic, code: toApiError(err).code }, 'message handling failed'),
      );
    });
    client.on('reconnect', () => this.#setStatus({ state: 'reconnecting' }));
    client.on('offline', () => this.#setStatus({ state: 'reconnecting' }));
    client.on('error', (err) =>
      this.#setStatus({
        state: 'error',
        lastError: toApiError(new HelmlinkError('ERR_BROKER_CONNECT', err.message)),
      }),
    );
    let initial = true;
    client.on('connect', () => {
      // Reconnects re-run the post-connect steps (TLS details, CRL, subscriptions); the first one is awaited below.
      if (initial) return;
      void this.#onConnected(client).catch((err: unknown) =>
        this.#o.logger.warn({ code: toApiError(err).code }, 'post-connect failed'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      const ok = () => {
        cleanup();
        resolve();
      };
      const fail = (err: Error) => {
        // An MQTT 3.1.1-only broker (e.g. the demo's embedded aedes broker) refuses v5 with return code 1
        // (unacceptable protocol version): retry once with 3.1.1; commands, acks and state need no v5 feature.
        if ((err as { code?: unknown }).code === 1 && client.options.protocolVersion === 5) {
          client.options.protocolVersion = 4;
          client.once('error', fail);
          setImmediate(() => client.reconnect());
          return;
        }
        cleanup();
        void this.disconnect();
        reject(new HelmlinkError('ERR_BROKER_CONNECT', `${brokerUrl}: ${err.message}`, { cause: err }));
      };
      // A broker that accepts TCP but never completes the session would otherwise keep the caller waiting.
      const guard = setTimeout(() => fail(new Error('no MQTT session within 20 s')), 20_000);
      guard.unref();
      const cleanup = () => {
        clearTimeout(guard);
        client.off('connect', ok);
        client.off('error', fail);
      };
      client.once('connect', ok);
      client.once('error', fail);
    });
    initial = false;
    await this.#onConnected(client);
    return this.#status;
  }

  /** Disconnects and stops the rate reports; pending commands time out on their own timers. */
  async disconnect(): Promise<ConnectionStatus> {
    const client = this.#client;
    this.#client = null;
    if (this.#ratesTimer) clearInterval(this.#ratesTimer);
    this.#ratesTimer = undefined;
    if (this.#crlTimer) clearInterval(this.#crlTimer);
    this.#crlTimer = undefined;
    if (client) await client.endAsync(true).catch(() => undefined);
    this.#o.rates.clear();
    this.#setStatus({
      state: 'disconnected',
      since: this.#now(),
      tlsVersion: null,
      cipher: null,
      mqttVersion: null,
    });
    return this.#status;
  }

  /** Stops everything (service shutdown). */
  async close(): Promise<void> {
    await this.disconnect();
    for (const p of this.#commands.values()) if (p.timer) clearTimeout(p.timer);
  }

  /**
   * Builds, signs and publishes a `streams.set` command from an intent. Throws ERR_NOT_CONNECTED,
   * ERR_VESSEL_UNKNOWN (no verified state), ERR_STREAM_* (intent does not partition the catalog),
   * ERR_IDENTITY_LOCKED.
   */
  async send(intent: CommandIntent): Promise<CommandView> {
    const client = this.#client;
    if (!client || this.#status.state !== 'connected') throw new HelmlinkError('ERR_NOT_CONNECTED');
    const state = this.#o.fleet.verifiedState(intent.vesselId);
    if (!state)
      throw new HelmlinkError('ERR_VESSEL_UNKNOWN', `no verified state is known for ${intent.vesselId}`);
    const partition = checkStreamsSet({ on: intent.on, off: intent.off }, state.catalog);
    const s = await this.#o.identity.signer();
    const settings = this.#o.settings.get();
    const signer = createSigner({ privateKey: s.privateKey, chain: s.chain, alg: s.alg });
    const { token, claims } = await signCommand(signer, {
      audience: intent.vesselId,
      cmd: { v: 1, type: 'streams.set', on: partition.on, off: partition.off },
      clock: this.#o.clock,
      lifetimeSeconds: settings.commandLifetimeSeconds,
    });
    const view: CommandView = {
      commandId: claims.jti,
      vesselId: intent.vesselId,
      on: partition.on,
      off: partition.off,
      state: 'pending',
      sentAt: this.#now(),
      settledAt: null,
      rttMs: null,
      reason: null,
      ackVerified: false,
    };
    const pending: Pending = { view, token, sentAtPerf: performance.now(), timer: undefined };
    this.#remember(pending);
    this.#o.audit.append({
      kind: 'command.sent',
      vesselId: intent.vesselId,
      commandId: claims.jti,
      actor: s.entityId,
      verdict: 'sent',
      token,
    });
    try {
      await client.publishAsync(topics.cmd(intent.vesselId), token, { qos: 1 });
    } catch (err) {
      const message = (err as Error).message;
      const refused = /not authori[sz]ed|135/iu.test(message);
      this.#settle(pending, 'failed', {
        code: refused ? 'ERR_FORBIDDEN' : 'ERR_BROKER_CONNECT',
        message: refused ? 'The broker refused the command (not authorised)' : message,
      });
      return pending.view;
    }
    pending.timer = setTimeout(() => {
      if (pending.view.state !== 'pending') return;
      this.#settle(pending, 'timed_out', {
        code: 'ERR_COMMAND_TIMEOUT',
        message: describeError('ERR_COMMAND_TIMEOUT'),
      });
      this.#o.audit.append({
        kind: 'command.timeout',
        vesselId: view.vesselId,
        commandId: view.commandId,
        verdict: 'timed_out',
        code: 'ERR_COMMAND_TIMEOUT',
      });
    }, settings.commandTimeoutSeconds * 1000);
    pending.timer.unref();
    this.#o.events.emit('commands.status', pending.view);
    return pending.view;
  }

  // ---------------------------------------------------------------------------------------------------------

  #now(): string {
    return new Date(this.#o.clock()).toISOString();
  }

  #setStatus(patch: Partial<ConnectionStatus>): void {
    this.#status = { ...this.#status, ...patch };
    this.#o.events.emit('fleet.connection', this.#status);
  }

  #remember(p: Pending): void {
    this.#commands.set(p.view.commandId, p);
    while (this.#commands.size > RECENT_COMMANDS) {
      const oldest = this.#commands.keys().next().value as string;
      const o = this.#commands.get(oldest);
      if (o?.timer) clearTimeout(o.timer);
      this.#commands.delete(oldest);
    }
  }

  #settle(
    p: Pending,
    state: CommandView['state'],
    reason: CommandView['reason'],
    extra: Partial<CommandView> = {},
  ): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = undefined;
    p.view = { ...p.view, state, reason, settledAt: this.#now(), ...extra };
    this.#o.events.emit('commands.status', p.view);
  }

  async #onConnected(client: MqttClient): Promise<void> {
    if (client !== this.#client) return;
    const socket = (client as unknown as { stream?: TLSSocket }).stream;
    const tlsVersion = socket?.getProtocol?.() ?? null;
    const cipher = socket?.getCipher?.()?.name ?? null;
    let broker = null;
    if (socket?.getPeerCertificate && this.#trust) {
      const chain: x509.X509Certificate[] = [];
      let c = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (c?.raw && !seen.has(c.fingerprint256)) {
        seen.add(c.fingerprint256);
        chain.push(new x509.X509Certificate(new Uint8Array(c.raw)));
        c = c.issuerCertificate;
      }
      this.#brokerChain = chain.filter((x) => x.subject !== x.issuer || chain.length === 1);
      broker = await this.#trust.describePeer(this.#brokerChain, 'serverAuth', new Date(this.#o.clock()));
    }
    this.#setStatus({
      state: 'connected',
      since: this.#now(),
      tlsVersion,
      cipher,
      mqttVersion: client.options.protocolVersion === 4 ? 4 : 5,
      broker,
      lastError: null,
    });
    // The CRL first, so retained states that arrive on subscribe can be checked for revocation.
    await this.refreshCrl();
    await client.subscribeAsync({
      [topics.filters.allStates]: { qos: 1 },
      [topics.filters.allAcks]: { qos: 1 },
      [topics.filters.allData]: { qos: 0 },
      [topics.crl()]: { qos: 1 },
    });
    if (!this.#crlTimer) {
      this.#crlTimer = setInterval(() => void this.refreshCrl(), 10 * 60_000);
      this.#crlTimer.unref();
    }
    if (!this.#ratesTimer) {
      this.#ratesTimer = setInterval(() => {
        this.#o.events.emit('fleet.rates', this.#o.rates.snapshot(this.#o.clock()));
      }, this.#o.ratesIntervalMs ?? 1000);
      this.#ratesTimer.unref();
    }
  }

  async #onMessage(topic: string, payload: Buffer): Promise<void> {
    const parsed = parseTopic(topic);
    if (!parsed) return;
    switch (parsed.kind) {
      case 'data':
        this.#o.rates.count(parsed.vesselId!, parsed.streamId!, this.#o.clock());
        return;
      case 'state':
        await this.#o.fleet.onStateMessage(parsed.vesselId!, payload);
        return;
      case 'ack':
        await this.#onAck(parsed.vesselId!, payload);
        return;
      case 'crl':
        await this.#onCrl(payload);
        return;
      default:
        return;
    }
  }

  async #onCrl(payload: Buffer): Promise<void> {
    if (!this.#trust || payload.length === 0) return;
    const text = payload.toString('latin1');
    const crls = text.includes('-----BEGIN') ? parseCrls(text) : parseCrls(new Uint8Array(payload));
    let newer = false;
    for (const crl of crls) newer = (await this.#trust.acceptCrl(crl, new Date(this.#o.clock()))) || newer;
    if (newer) {
      // Revocation status of the broker and of every vessel may have changed.
      if (this.#brokerChain.length > 0)
        this.#setStatus({
          broker: await this.#trust.describePeer(this.#brokerChain, 'serverAuth', new Date(this.#o.clock())),
        });
      await this.#o.fleet.reverifyAll();
    }
  }

  /** Fetches the current CRL from the CA over HTTPS (the retained MQTT copy is optional). */
  async refreshCrl(): Promise<void> {
    const caUrl = this.#o.identity.status().caUrl;
    if (!caUrl || !this.#trust) return;
    try {
      const res = await consoleCaClient({ url: caUrl, root: this.#trust.root, timeoutMs: 5_000 }).raw(
        'GET',
        '/ca/v1/crl',
      );
      if (res.status === 200) await this.#onCrl(res.body);
    } catch (err) {
      this.#o.logger.warn({ code: toApiError(err).code }, 'CRL refresh from the CA failed');
    }
  }

  /** Verifies an ack against the command it claims to answer; only a verified ack settles the command. */
  async #onAck(vesselId: string, payload: Buffer): Promise<void> {
    const token = payload.toString('utf8');
    const inReplyTo = peekClaims(token)?.in_reply_to;
    // Acks to other consoles' commands are not ours to judge.
    const pending = typeof inReplyTo === 'string' ? this.#commands.get(inReplyTo) : undefined;
    if (!pending || pending.view.vesselId !== vesselId || !this.#trust) return;
    if (pending.view.ackVerified) return;
    const pilot = (await this.#o.identity.signer()).entityId;
    try {
      const verified = await verifyAck(token, {
        trust: this.#trust.trust,
        clock: this.#o.clock,
        vesselId,
        audience: pilot,
        commandToken: pending.token,
        algorithms: this.#o.algorithms ?? JWS_ALGORITHMS,
        ...(this.#o.clockToleranceSeconds !== undefined
          ? { clockToleranceSeconds: this.#o.clockToleranceSeconds }
          : {}),
      });
      const rttMs = Math.round((performance.now() - pending.sentAtPerf) * 1000) / 1000;
      const c = verified.claims;
      if (c.status === 'applied') {
        this.#settle(pending, 'applied', null, { rttMs, ackVerified: true });
      } else {
        const code = c.reason ?? 'ERR_INTERNAL';
        this.#settle(
          pending,
          'rejected',
          { code, message: describeError(code) },
          { rttMs, ackVerified: true },
        );
      }
      this.#o.audit.append({
        kind: 'ack.verified',
        vesselId,
        commandId: pending.view.commandId,
        actor: verified.signer.entityId,
        verdict: c.status,
        code: c.reason ?? null,
        message: c.reason ? describeError(c.reason) : null,
        token,
        rttMs,
      });
    } catch (err) {
      const e = toApiError(err);
      this.#o.audit.append({
        kind: 'ack.unverified',
        vesselId,
        commandId: pending.view.commandId,
        verdict: 'invalid',
        code: e.code,
        message: e.detail ?? e.message,
        token,
      });
    }
  }
}
