/**
 * The console's command channel: composes the broker session (`broker/broker-session.ts`), topic routing
 * (`broker/topic-router.ts`), the CRL fetcher, the rate timer and the command lifecycle (`command-tracker.ts`,
 * `ack-handler.ts`) behind the API the IPC handlers use.
 *
 * Commands are built here from a validated intent ({vesselId, on, off}): the intent must partition the verified
 * catalog of that vessel exactly, the command is signed with the console key and published at QoS 1. Each command
 * moves pending → applied (verified ack; round-trip time) / rejected (verified ack; reason code and the vessel's
 * words) / timed_out → expired. An ack that does not verify never settles a command: it is audited and ignored.
 *
 * The console's own certificate is checked against every newer CRL and after every failed connection attempt:
 * a revoked one ends the session with ERR_IDENTITY_REVOKED (not a bare "connection failed").
 */
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  HelmlinkError,
  certificateToPem,
  checkStreamsSet,
  createSigner,
  signCommand,
  topics,
  type JwsAlgorithm,
  type Clock,
  type StateClaims,
} from '@helmlink/protocol';
import type {
  CommandIntent,
  CommandView,
  ConnectionStatus,
  RatesSnapshot,
  StreamChange,
} from '@helmlink/app-preload';
import type { ConsoleEvents } from '../core/events';
import type { Logger } from '../core/logger';
import { toApiError } from '../core/errors';
import type { AuditLog } from '../audit/audit-log';
import type { ConsoleSigner, IdentityService } from '../identity/identity-service';
import type { SettingsService } from '../settings/settings-service';
import type { FleetState } from '../fleet/fleet-state';
import type { RateMeter } from '../fleet/rates';
import { TrustMaterial } from '../fleet/trust-material';
import { VesselReportsReceiver } from '../fleet/vessel-reports';
import { brokerRevocationCheck } from '@helmlink/protocol/mqtt';
import { BrokerSession, isRevokedCertificateError } from '../broker/broker-session';
import { CrlFetcher } from '../broker/crl-fetcher';
import { ownRevocation } from '../broker/own-certificate';
import { RateTimer } from '../broker/rate-timer';
import { routeMessage } from '../broker/topic-router';
import { handleAck, retryHeldAcks } from './ack-handler';
import { CommandTracker } from './command-tracker';

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

/** After a failed attempt the own certificate is checked against the CA's CRL at most this often, ms. */
const OWN_CHECK_MIN_GAP_MS = 10_000;

/** The streams a command switches against the verified state, by name. */
export function streamChanges(state: StateClaims, on: readonly string[]): StreamChange[] {
  const was = new Set(state.on);
  const will = new Set(on);
  return state.catalog.streams
    .filter((s) => was.has(s.address) !== will.has(s.address))
    .map((s) => ({ id: s.id, name: s.name, address: s.address, on: will.has(s.address) }));
}

/** The MQTT command channel. */
export class CommandChannel {
  readonly #o: CommandChannelOptions;
  readonly #broker: BrokerSession;
  readonly #crl: CrlFetcher;
  readonly #rateTimer: RateTimer;
  readonly #tracker: CommandTracker;
  readonly #unsubscribe: () => void;
  #trust: TrustMaterial | null = null;
  #connecting: Promise<ConnectionStatus> | null = null;
  #lastOwnCheck = 0;

  constructor(options: CommandChannelOptions) {
    this.#o = options;
    const o = options;
    // The status names the configured broker while disconnected: a saved address shows at once.
    this.#unsubscribe = o.events.subscribe((event) => {
      if (event === 'settings.changed') this.#broker.announce();
    });
    this.#tracker = new CommandTracker(o.events, o.audit, o.clock);
    this.#rateTimer = new RateTimer(o.rates, o.events, () => this.rates(), o.ratesIntervalMs ?? 1000);
    this.#crl = new CrlFetcher({
      caUrl: () => o.identity.status().caUrl,
      trust: () => this.#trust,
      clock: o.clock,
      logger: o.logger,
      onNewer: async () => {
        // Revocation status of the console itself, of the broker and of every vessel may have changed.
        if (await this.#checkOwnCertificate()) return;
        const chain = this.#broker.brokerChain();
        if (chain.length > 0 && this.#trust)
          this.#broker.setBroker(await this.#trust.describePeer(chain, 'serverAuth', new Date(o.clock())));
        // A revoked broker is dropped at once (and refused in every handshake from now on).
        this.#broker.recheckPeer();
        await o.fleet.reverifyAll();
      },
    });
    // The one set of ack options: an ack is verified with them when it arrives and again when it was held.
    const acks = {
      tracker: this.#tracker,
      trust: () => this.#trust,
      audit: o.audit,
      clock: o.clock,
      label: (id: string) => o.fleet.label(id),
      ...pick(o),
    };
    const reports = new VesselReportsReceiver({
      fleet: o.fleet,
      trust: () => this.#trust,
      clock: o.clock,
      logger: o.logger,
      ...pick(o),
    });
    this.#broker = new BrokerSession({
      events: o.events,
      clock: o.clock,
      logger: o.logger,
      configuredBrokerUrl: () => o.settings.get().brokerUrl,
      checkPeer: brokerRevocationCheck((cert) => this.#trust?.crlFor(cert)),
      onBrokerRefused: (err) => {
        o.logger.warn({ code: err.code }, 'the broker presented a revoked certificate: refused');
        const at = new Date(o.clock()).toISOString();
        o.fleet.addAlert({
          vesselId: null,
          kind: 'broker-revoked',
          code: err.code,
          message: err.message,
          at,
          receivedAt: at,
        });
      },
      beforeSubscribe: () => this.#crl.refresh(),
      describeBroker: async (chain) =>
        this.#trust ? this.#trust.describePeer(chain, 'serverAuth', new Date(o.clock())) : null,
      onConnected: () => {
        this.#crl.start();
        this.#rateTimer.start();
      },
      onAttemptFailed: (err) => void this.#afterFailedAttempt(err),
      onMessage: (topic, payload, retained) =>
        routeMessage(
          topic,
          payload,
          {
            data: (vesselId, streamId) => o.rates.count(vesselId, streamId, o.clock()),
            state: async (vesselId, p) => {
              await o.fleet.onStateMessage(vesselId, p);
              this.#rateTimer.nudge();
              // A verified state teaches the vessel's certificate: acks held for it can be verified now.
              await retryHeldAcks(acks, vesselId);
            },
            ack: (vesselId, p) => handleAck(acks, vesselId, p),
            alert: (vesselId, p) => reports.onAlert(vesselId, p),
            link: (vesselId, p, r) => reports.onLink(vesselId, p, r),
            crl: (p) => this.#crl.accept(p),
          },
          retained,
        ),
    });
  }

  /** The connection status with TLS details and the broker's certificate. */
  connection(): ConnectionStatus {
    return this.#broker.status();
  }

  /** The trust material of the current session (null before the first connect). */
  trust(): TrustMaterial | null {
    return this.#trust;
  }

  /** Recent commands, newest first. */
  list(vesselId?: string, limit = 100): CommandView[] {
    return this.#tracker.list(vesselId, limit);
  }

  /** The live data rates judged against the verified states (everything `unknown` while not connected). */
  rates(): RatesSnapshot {
    const live = this.#broker.ready && this.#o.fleet.live;
    return this.#o.rates.snapshot(this.#o.clock(), live ? this.#o.fleet.rateSubjects() : [], live);
  }

  /**
   * Connects to the broker in settings with the console identity and resolves with the status once connected.
   * Checked first, so a refused call never drops the current session: ERR_BROKER_NOT_SET without a broker
   * address, ERR_IDENTITY_MISSING / ERR_IDENTITY_LOCKED / ERR_CHAIN_EXPIRED from the identity. Then
   * ERR_IDENTITY_REVOKED when the broker refuses our revoked certificate, ERR_BROKER_CONNECT otherwise. Already
   * connected to that broker: the current status; a connect in progress: its result.
   */
  connect(): Promise<ConnectionStatus> {
    this.#connecting ??= this.#connect().finally(() => (this.#connecting = null));
    return this.#connecting;
  }

  /**
   * Takes a renewed certificate into the live session: the current client ends, one with the new certificate
   * connects (never two at once). Nothing to do while disconnected: the next connect uses it.
   */
  async renewCredentials(): Promise<void> {
    if (this.#broker.status().state === 'disconnected') return;
    const signer = await this.#o.identity.signer();
    this.#useTrustOf(signer);
    await this.#broker.replaceCredentials(credentialsOf(signer));
  }

  /** Disconnects and stops the rate reports; pending commands time out on their own timers. */
  async disconnect(): Promise<ConnectionStatus> {
    this.#rateTimer.stop();
    this.#crl.stop();
    await this.#broker.disconnect();
    return this.#broker.status();
  }

  /** Stops everything (service shutdown). */
  async close(): Promise<void> {
    this.#unsubscribe();
    await this.disconnect();
    this.#tracker.close();
  }

  /**
   * Builds, signs and publishes a `streams.set` command from an intent. Throws ERR_NOT_CONNECTED,
   * ERR_VESSEL_UNKNOWN / ERR_VESSEL_REVOKED / ERR_VESSEL_UNVERIFIED (no verified state to build on),
   * ERR_STREAM_* (intent does not partition the catalog), ERR_IDENTITY_LOCKED.
   */
  async send(intent: CommandIntent): Promise<CommandView> {
    if (!this.#broker.ready) throw new HelmlinkError('ERR_NOT_CONNECTED');
    const state = this.#o.fleet.requireVerifiedState(intent.vesselId);
    const partition = checkStreamsSet({ on: intent.on, off: intent.off }, state.catalog);
    const s = await this.#o.identity.signer();
    const settings = this.#o.settings.get();
    const { token, claims } = await signCommand(
      createSigner({ privateKey: s.privateKey, chain: s.chain, alg: s.alg }),
      {
        audience: intent.vesselId,
        cmd: { v: 1, type: 'streams.set', on: partition.on, off: partition.off },
        clock: this.#o.clock,
        lifetimeSeconds: settings.commandLifetimeSeconds,
      },
    );
    const view: CommandView = {
      commandId: claims.jti,
      vesselId: intent.vesselId,
      vessel: this.#o.fleet.label(intent.vesselId),
      on: partition.on,
      off: partition.off,
      changes: streamChanges(state, partition.on),
      state: 'pending',
      sentAt: new Date(this.#o.clock()).toISOString(),
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      settledAt: null,
      rttMs: null,
      reason: null,
      ackVerified: false,
    };
    const pending = this.#tracker.track({ view, token, actor: s.entityId, sentAtPerf: performance.now() });
    this.#o.audit.append({
      kind: 'command.sent',
      vessel: view.vessel,
      streams: view.changes,
      commandId: claims.jti,
      actor: s.entityId,
      verdict: 'sent',
      token,
    });
    try {
      await this.#broker.publish(topics.cmd(intent.vesselId), token, { qos: 1 });
    } catch (err) {
      const message = (err as Error).message;
      const refused = /not authori[sz]ed|135/iu.test(message);
      this.#tracker.settle(pending, 'failed', {
        code: refused ? 'ERR_FORBIDDEN' : 'ERR_BROKER_CONNECT',
        message: refused ? 'The broker refused the command (not authorised)' : message,
      });
      return pending.view;
    }
    this.#tracker.expireAfter(
      pending,
      settings.commandTimeoutSeconds,
      this.#o.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    );
    return pending.view;
  }

  /** Fetches the current CRL from the CA over HTTPS (the retained MQTT copy is optional). */
  refreshCrl(): Promise<void> {
    return this.#crl.refresh();
  }

  async #connect(): Promise<ConnectionStatus> {
    const { brokerUrl, keepaliveSeconds } = this.#o.settings.get();
    if (!brokerUrl)
      throw new HelmlinkError('ERR_BROKER_NOT_SET', 'no broker address is set: enter it in Settings');
    const signer = await this.#o.identity.signer();
    const current = this.#broker.status();
    if (current.state === 'connected' && current.brokerUrl === brokerUrl) return current;
    if (current.state !== 'disconnected') await this.disconnect();
    this.#useTrustOf(signer);
    // Known revoked: ask the CA's CRL again first (a released hold clears it), never connect on a revoked certificate.
    if (this.#o.identity.status().state === 'revoked' && (await this.#checkOwnCertificate(true)))
      throw new HelmlinkError('ERR_IDENTITY_REVOKED');
    try {
      return await this.#broker.connect({
        brokerUrl,
        entityId: signer.entityId,
        credentials: credentialsOf(signer),
        keepaliveSeconds,
      });
    } catch (err) {
      // Ask the CRL: a broker refusing a revoked client often says no more than "connection closed".
      if (await this.#checkOwnCertificate(true)) throw new HelmlinkError('ERR_IDENTITY_REVOKED');
      throw err;
    }
  }

  /** After a failed reconnect attempt: is it because our certificate was revoked? (at most every 10 s) */
  async #afterFailedAttempt(err: Error): Promise<void> {
    if (this.#connecting) return; // the first connection checks on its own
    const now = Date.now();
    if (!isRevokedCertificateError(err) && now - this.#lastOwnCheck < OWN_CHECK_MIN_GAP_MS) return;
    this.#lastOwnCheck = now;
    await this.#checkOwnCertificate(true).catch((e: unknown) =>
      this.#o.logger.warn({ code: toApiError(e).code }, 'own certificate check failed'),
    );
  }

  /**
   * Checks the console's certificate against the newest CRL (fetched first when `fetch`); records the answer on
   * the identity and, when it is revoked, ends the session with ERR_IDENTITY_REVOKED. Returns true when revoked.
   */
  async #checkOwnCertificate(fetch = false): Promise<boolean> {
    const trust = this.#trust;
    const chain = this.#o.identity.chain();
    if (!trust || !chain) return false;
    if (fetch) await this.#crl.refresh();
    const revocation = await ownRevocation(trust, chain, new Date(this.#o.clock()));
    if (revocation === undefined) return false;
    this.#o.identity.setRevocation(revocation);
    if (!revocation) return false;
    this.#rateTimer.stop();
    this.#crl.stop();
    await this.#broker.fail(toApiError(new HelmlinkError('ERR_IDENTITY_REVOKED')));
    return true;
  }

  #useTrustOf(signer: ConsoleSigner): void {
    this.#trust = new TrustMaterial({ root: signer.root, issuers: signer.chain.slice(1) });
    this.#o.fleet.setTrust(this.#trust);
  }
}

/** The console's TLS material, trusting only its pinned root for the broker. */
function credentialsOf(signer: ConsoleSigner) {
  const tls = signer.tls();
  return { key: tls.key, cert: tls.cert, ca: [certificateToPem(signer.root)] };
}

function pick(o: CommandChannelOptions): {
  algorithms?: readonly JwsAlgorithm[];
  clockToleranceSeconds?: number;
} {
  return {
    ...(o.algorithms ? { algorithms: o.algorithms } : {}),
    ...(o.clockToleranceSeconds !== undefined ? { clockToleranceSeconds: o.clockToleranceSeconds } : {}),
  };
}
