/**
 * The console's command channel: composes the broker session (`broker/broker-session.ts`), topic routing
 * (`broker/topic-router.ts`), the CRL fetcher, the rate timer and the command lifecycle (`command-tracker.ts`,
 * `ack-handler.ts`) behind the API the IPC handlers use.
 *
 * Commands are built here from a validated intent ({vesselId, on, off}): the intent must partition the verified
 * catalog of that vessel exactly, the command is signed with the console key and published at QoS 1. Each command
 * moves pending → applied (verified ack; round-trip time) / rejected (verified ack; reason code) / timed_out.
 * An ack that does not verify never settles a command: it is audited and ignored.
 */
import { performance } from 'node:perf_hooks';
import {
  HelmlinkError,
  certificateToPem,
  checkStreamsSet,
  createSigner,
  signCommand,
  topics,
  type JwsAlgorithm,
  type Clock,
} from '@helmlink/protocol';
import type { CommandIntent, CommandView, ConnectionStatus } from '@helmlink/app-preload';
import type { ConsoleEvents } from '../core/events';
import type { Logger } from '../core/logger';
import type { AuditLog } from '../audit/audit-log';
import type { ConsoleSigner, IdentityService } from '../identity/identity-service';
import type { SettingsService } from '../settings/settings-service';
import type { FleetState } from '../fleet/fleet-state';
import type { RateMeter } from '../fleet/rates';
import { TrustMaterial } from '../fleet/trust-material';
import { VesselReportsReceiver } from '../fleet/vessel-reports';
import { brokerRevocationCheck } from '@helmlink/protocol/mqtt';
import { BrokerSession } from '../broker/broker-session';
import { CrlFetcher } from '../broker/crl-fetcher';
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

/** The MQTT command channel. */
export class CommandChannel {
  readonly #o: CommandChannelOptions;
  readonly #broker: BrokerSession;
  readonly #crl: CrlFetcher;
  readonly #rateTimer: RateTimer;
  readonly #tracker: CommandTracker;
  #trust: TrustMaterial | null = null;

  constructor(options: CommandChannelOptions) {
    this.#o = options;
    const o = options;
    this.#tracker = new CommandTracker(o.events, o.audit, o.clock);
    this.#rateTimer = new RateTimer(o.rates, o.events, o.clock, o.ratesIntervalMs ?? 1000);
    this.#crl = new CrlFetcher({
      caUrl: () => o.identity.status().caUrl,
      trust: () => this.#trust,
      clock: o.clock,
      logger: o.logger,
      onNewer: async () => {
        // Revocation status of the broker and of every vessel may have changed.
        const chain = this.#broker.brokerChain();
        if (chain.length > 0 && this.#trust)
          this.#broker.setBroker(await this.#trust.describePeer(chain, 'serverAuth', new Date(o.clock())));
        // A revoked broker is dropped at once (and refused in every handshake from now on).
        this.#broker.recheckPeer();
        await o.fleet.reverifyAll();
      },
    });
    const ack = {
      tracker: this.#tracker,
      trust: () => this.#trust,
      audit: o.audit,
      clock: o.clock,
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
      onMessage: (topic, payload, retained) =>
        routeMessage(
          topic,
          payload,
          {
            data: (vesselId, streamId) => o.rates.count(vesselId, streamId, o.clock()),
            state: async (vesselId, p) => {
              await o.fleet.onStateMessage(vesselId, p);
              // A verified state teaches the vessel's certificate: acks held for it can be verified now.
              await retryHeldAcks(ack, vesselId);
            },
            ack: (vesselId, p) => handleAck(ack, vesselId, p),
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

  /**
   * Connects to the broker in settings with the console identity. Resolves with the status once connected (or
   * rejects with ERR_BROKER_CONNECT / ERR_IDENTITY_*).
   */
  async connect(): Promise<ConnectionStatus> {
    if (this.#broker.status().state !== 'disconnected') await this.disconnect();
    const brokerUrl = this.#o.settings.get().brokerUrl;
    if (!brokerUrl) throw new HelmlinkError('ERR_SETTINGS_MISSING', 'the broker URL is not set');
    const signer = await this.#o.identity.signer();
    this.#useTrustOf(signer);
    return this.#broker.connect({ brokerUrl, entityId: signer.entityId, credentials: credentialsOf(signer) });
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
    await this.disconnect();
    this.#tracker.close();
  }

  /**
   * Builds, signs and publishes a `streams.set` command from an intent. Throws ERR_NOT_CONNECTED,
   * ERR_VESSEL_UNKNOWN (no verified state), ERR_STREAM_* (intent does not partition the catalog),
   * ERR_IDENTITY_LOCKED.
   */
  async send(intent: CommandIntent): Promise<CommandView> {
    if (!this.#broker.ready) throw new HelmlinkError('ERR_NOT_CONNECTED');
    const state = this.#o.fleet.verifiedState(intent.vesselId);
    if (!state)
      throw new HelmlinkError('ERR_VESSEL_UNKNOWN', `no verified state is known for ${intent.vesselId}`);
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
      on: partition.on,
      off: partition.off,
      state: 'pending',
      sentAt: new Date(this.#o.clock()).toISOString(),
      settledAt: null,
      rttMs: null,
      reason: null,
      ackVerified: false,
    };
    const pending = this.#tracker.track({ view, token, actor: s.entityId, sentAtPerf: performance.now() });
    this.#o.audit.append({
      kind: 'command.sent',
      vesselId: intent.vesselId,
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
    this.#tracker.expireAfter(pending, settings.commandTimeoutSeconds);
    return pending.view;
  }

  /** Fetches the current CRL from the CA over HTTPS (the retained MQTT copy is optional). */
  refreshCrl(): Promise<void> {
    return this.#crl.refresh();
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
