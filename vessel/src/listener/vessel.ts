/**
 * The vessel listener's composition root: loads identity, trust and persisted state, then wires the units together:
 * the MQTT session (`session.ts`), the command handler (`command-handler.ts`), the state publisher
 * (`state-publisher.ts`), the CRL keeper (`trust/crl-keeper.ts`), certificate renewal (`identity/renewal.ts`),
 * the Redis hand-off and the simulator. `startVessel` is the programmatic API (the CLI, the demo and the
 * end-to-end tests call it).
 */
import { EventEmitter } from 'node:events';
import type { IPublishPacket } from 'mqtt';
import pino, { type Logger } from 'pino';
import {
  HelmlinkError,
  certificateFingerprint,
  renewalDueAt,
  signState,
  systemClock,
  topics,
  type Clock,
  type Signer,
} from '@helmlink/protocol';
import type { VesselConfig } from '../config';
import { readPassphrase } from '../config/load';
import { identityPaths, loadCachedCrls, loadIdentity, type VesselIdentity } from '../identity/files';
import { createNodeSigner } from '../identity/node-sign';
import { RenewalScheduler } from '../identity/renewal';
import { CrlCache } from '../trust/crls';
import { CrlKeeper } from '../trust/crl-keeper';
import { createVesselTrust, type VesselTrust } from '../trust/vessel-trust';
import { StateStore } from '../state';
import type { MqttSession } from '@helmlink/protocol/mqtt';
import { RedisHandoff } from '../handoff/redis';
import { startSimulator } from '../simulate';
import type { ProcessorContext } from './process';
import { createAlerts } from './alerts';
import { createCommandHandler } from './command-handler';
import { runtimeFile, type RuntimeFile } from './runtime-file';
import { acquireListenerLock, type ListenerLock } from './lock';
import { VesselReports } from './reports';
import { createVesselSession, observeSession, tlsCredentialsOf } from './session';
import { StatePublisher } from './state-publisher';
import type { RaiseAlert, StartVesselOptions, VesselAlert, VesselHandle, VesselStatus } from './types';

const DEFAULT_LOG_NAME = 'helmlink-vessel';

/**
 * Starts the listener. Resolves once the identity, trust and state are loaded and the first connection attempt is
 * under way (not necessarily connected: at sea the broker may be unreachable; it keeps retrying).
 * @throws HelmlinkError ERR_NOT_ENROLLED, ERR_KEY_DECRYPT, ERR_PASSPHRASE_REQUIRED, ERR_VESSEL_LOCKED,
 *   ERR_STATE_STORE.
 */
export async function startVessel(
  config: VesselConfig,
  options: StartVesselOptions = {},
): Promise<VesselHandle> {
  const passphrase = options.passphrase ?? (await readPassphrase(config, options.env));
  const identity = await checkPinned(
    config,
    options.identity ?? (await loadIdentity(config.dataDir, passphrase)),
  );
  // One listener per data folder (ERR_VESSEL_LOCKED); held until close, released by the kernel on any exit.
  const lock = await acquireListenerLock(config.dataDir, 'vessel run');
  try {
    return await startLocked(config, options, { passphrase, identity, lock });
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function startLocked(
  config: VesselConfig,
  options: StartVesselOptions,
  held: { passphrase: string; identity: VesselIdentity; lock: ListenerLock },
): Promise<VesselHandle> {
  const { passphrase, identity, lock } = held;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const log = options.logger ?? pino({ name: DEFAULT_LOG_NAME, level: config.log.level }, logDestination());
  const events = new EventEmitter();
  const alert = createAlerts(log, events, clock);
  const crls = new CrlCache([identity.root, ...identity.chain.slice(1)]);
  await crls.offerAll(await loadCachedCrls(config.dataDir));
  const live: Live = {
    identity,
    signer: createNodeSigner(identity.signingKey, identity.chain),
    trusts: createVesselTrust(identity, crls, config.crl),
  };
  const paths = identityPaths(config.dataDir);
  const store = StateStore.open(paths.state, config.catalog, { fsync: config.state.fsync, now: clock });
  const redis = await openHandoff(config, options, store, clock, alert);
  const runtime = runtimeFile(paths.runtime, config.broker.url, clock);
  const crlKeeper = new CrlKeeper({ config, crls, identity: () => live.identity, clock, log, events, alert });
  const snapshot = () => ({ ...store.streams, seq: store.seq, lastJti: store.lastJti });

  let closing = false;
  const statePublisher = createStatePublisher({
    config,
    live,
    store,
    clock,
    log,
    random,
    events,
    session: () => session,
    closing: () => closing,
  });
  const ctx = processorContext(config, live, store, clock, redis, alert);
  const handleCommand = createCommandHandler({
    ctx,
    log,
    alert,
    events,
    publish: (t, p, o) => session.publish(t, p, o),
    onChanged: () => statePublisher.soon(),
  });
  const session = createVesselSession(config, identity, crls, random, (packet: IPublishPacket) =>
    packet.topic === topics.crl() ? crlKeeper.onMessage(packet.payload) : handleCommand(packet),
  );
  const reports = wireSession(session, { config, live, clock, log, events, runtime, alert, statePublisher });
  const renewal = renewalScheduler({
    config,
    passphrase,
    live,
    crls,
    session,
    reports,
    clock,
    random,
    log,
    alert,
    events,
  });
  const stopSimulator = options.simulate ? simulate(config, store, session, clock) : undefined;

  runtime.running(false);
  session.setWill(await reports.will());
  session.start();
  crlKeeper.start();
  renewal.start();
  logStarted(log, config, identity, store);

  return {
    config,
    get state() {
      return snapshot();
    },
    get connected() {
      return session.ready;
    },
    get identity() {
      return live.identity;
    },
    events,
    status: async () => ({
      vesselId: config.vesselId,
      connected: session.ready,
      protocolVersion: session.protocolVersion,
      certificate: await certificateStatus(live.identity),
      crl: crlKeeper.status(),
      state: snapshot(),
      renewal: renewal.status(),
    }),
    renewNow: () => renewal.renewNow(),
    refreshCrl: () => crlKeeper.refresh(),
    async close() {
      if (closing) return;
      closing = true;
      stopSimulator?.();
      crlKeeper.stop();
      const renewed = renewal.stop();
      // The session stops taking messages at once; the one in hand finishes, then the last state goes out.
      await session.close(async () => {
        await renewed;
        await statePublisher.flush();
      });
      await runtime.stopped();
      store.close();
      await redis?.close();
      await lock.release();
      log.info('vessel listener stopped');
      if (!options.logger) log.flush();
    },
  };
}

/**
 * stdout, written asynchronously and in batches: one write per line woke the reader (journald, a pipe) once per
 * command, a process switch on the hot path (profiled in bench:vessel). Lines wait until 4 KiB are buffered or
 * 100 ms passed; on close and on process exit the buffer is flushed (pino flushes it synchronously at exit).
 */
function logDestination(): ReturnType<typeof pino.destination> {
  return pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 });
}

/** The signed retained state, published on every connection and after every change (coalesced). */
function createStatePublisher(d: {
  config: VesselConfig;
  live: Live;
  store: StateStore;
  clock: Clock;
  log: Logger;
  random: () => number;
  events: EventEmitter;
  session: () => MqttSession;
  closing: () => boolean;
}): StatePublisher {
  const { config, live, store, clock, events } = d;
  return new StatePublisher({
    log: d.log,
    random: d.random,
    canRetry: () => !d.closing() && d.session().ready,
    // Re-signed at 2/3 of its lifetime while the vessel runs, so a state that stops being refreshed shows as stale.
    refreshMs: renewalDueAt({ notBefore: 0, notAfter: config.state.lifetimeSeconds * 1000 }),
    publish: async () => {
      // Only a state on disk is published (group commit: the latest commands may still be syncing).
      await store.durable();
      const { token } = await signState(live.signer, {
        clock,
        catalog: config.catalog,
        on: store.streams.on,
        off: store.streams.off,
        lastJti: store.lastJti,
        seq: store.seq,
        expiresInSeconds: config.state.lifetimeSeconds,
      });
      await d.session().publish(topics.state(config.vesselId), token, { qos: 1, retain: true });
      events.emit('state', { ...store.streams, seq: store.seq, lastJti: store.lastJti });
    },
  });
}

/**
 * Watches the session (log, runtime.json, events, a revoked broker alerted), creates the ROC reports (alerts and
 * link status), and re-checks the broker we are talking to whenever a newer CRL arrives.
 */
function wireSession(
  session: MqttSession,
  d: {
    config: VesselConfig;
    live: Live;
    clock: Clock;
    log: Logger;
    events: EventEmitter;
    runtime: RuntimeFile;
    alert: RaiseAlert;
    statePublisher: StatePublisher;
  },
): VesselReports {
  const { config, live, clock, log, events } = d;
  const reports = new VesselReports({
    vesselId: config.vesselId,
    signer: () => live.signer,
    clock,
    session,
    log,
  });
  events.on('alert', (a: VesselAlert) => reports.alert(a));
  events.on('crl', () => session.recheckPeer());
  observeSession(session, {
    log,
    events,
    runtime: d.runtime,
    alert: d.alert,
    onReady: () => {
      d.statePublisher.soon();
      reports.onReady();
    },
  });
  return reports;
}

/** The one start line: who is listening, with which certificate and state. */
function logStarted(log: Logger, config: VesselConfig, identity: VesselIdentity, store: StateStore): void {
  log.info(
    {
      vesselId: config.vesselId,
      serial: identity.certificate.serialNumber,
      streamsOn: store.streams.on.length,
      seq: store.seq,
    },
    'vessel listener started',
  );
}

/** Renewal at the configured fraction of the lifetime, swapping the live identity and the session's credentials. */
function renewalScheduler(deps: {
  config: VesselConfig;
  passphrase: string;
  live: Live;
  crls: CrlCache;
  session: ReturnType<typeof createVesselSession>;
  reports: VesselReports;
  clock: Clock;
  random: () => number;
  log: Logger;
  alert: ReturnType<typeof createAlerts>;
  events: EventEmitter;
}): RenewalScheduler {
  const { config, live, crls, session, log, events } = deps;
  return new RenewalScheduler({
    config,
    passphrase: deps.passphrase,
    identity: () => live.identity,
    clock: deps.clock,
    random: deps.random,
    log,
    alert: deps.alert,
    swap: async (next) => {
      // Wait for the command in hand so its ack is signed with one identity, then swap and reconnect the session.
      await session.whenIdle();
      swapIdentity(live, next, crls, config);
      // The next connection's Last Will is signed by the new identity too.
      session.setWill(await deps.reports.will());
      await session.replaceCredentials(tlsCredentialsOf(next));
      log.info(
        { serial: next.certificate.serialNumber, notAfter: next.certificate.notAfter.toISOString() },
        'certificate renewed and swapped',
      );
      events.emit('renewed', { serial: next.certificate.serialNumber, notAfter: next.certificate.notAfter });
    },
  });
}

/** `--simulate`: samples on the data topic of every stream that is on, while the session is ready. */
function simulate(
  config: VesselConfig,
  store: StateStore,
  session: ReturnType<typeof createVesselSession>,
  clock: Clock,
): () => void {
  return startSimulator({
    vesselId: config.vesselId,
    catalog: config.catalog,
    intervalMs: config.simulate.intervalMs,
    on: () => store.streams.on,
    publish: (topic, payload) => {
      if (session.ready) session.publish(topic, payload, { qos: 0 }).catch(() => undefined);
    },
    clock,
  });
}

/** What changes on a certificate renewal. */
interface Live {
  identity: VesselIdentity;
  signer: Signer;
  trusts: VesselTrust;
}

/** Puts a renewed identity to work for signing and verifying (the session is reconnected separately). */
function swapIdentity(live: Live, next: VesselIdentity, crls: CrlCache, config: VesselConfig): void {
  live.identity = next;
  live.signer = createNodeSigner(next.signingKey, next.chain);
  crls.setIssuers([next.root, ...next.chain.slice(1)]);
  live.trusts = createVesselTrust(next, crls, config.crl);
}

/** The command pipeline's context, following renewals through `live`. */
function processorContext(
  config: VesselConfig,
  live: Live,
  store: StateStore,
  clock: Clock,
  redis: RedisHandoff | undefined,
  alert: RaiseAlert,
): ProcessorContext {
  return {
    vesselId: config.vesselId,
    catalog: config.catalog,
    store,
    get trust() {
      return live.trusts.trust;
    },
    get trustIgnoringRevocation() {
      return live.trusts.trustIgnoringRevocation;
    },
    signer: () => live.signer,
    algorithms: config.algorithms,
    clockToleranceSeconds: config.clockToleranceSeconds,
    clock,
    ...(config.hook ? { hook: config.hook } : {}),
    // Only with Redis: the hand-off waits for the state on disk, which takes the command out of the group commit.
    ...(redis && {
      afterApply: async (a) => {
        try {
          await redis.applied({
            jti: a.jti,
            signer: a.signer,
            on: a.streams.on,
            off: a.streams.off,
            seq: a.seq,
            appliedAt: a.at,
          });
        } catch (err) {
          alert({
            kind: 'redis',
            code: 'ERR_HANDOFF_REDIS',
            message: `Redis hand-off failed: ${(err as Error).message}`,
          });
        }
      },
    }),
  };
}

async function certificateStatus(identity: VesselIdentity): Promise<VesselStatus['certificate']> {
  const cert = identity.certificate;
  return {
    serial: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    fingerprint: await certificateFingerprint(cert),
  };
}

/** Checks that the identity's root (root.pem) is the root the config pins. */
async function checkPinned(config: VesselConfig, identity: VesselIdentity): Promise<VesselIdentity> {
  // A swapped file or a config for another fleet stops here.
  const rootFingerprint = await certificateFingerprint(identity.root);
  if (rootFingerprint !== config.ca.rootFingerprint) {
    throw new HelmlinkError(
      'ERR_CHAIN_UNTRUSTED',
      `root.pem (SHA-256 ${rootFingerprint}) is not the root pinned by ca.rootFingerprint`,
    );
  }
  return identity;
}

/** Connects the Redis hand-off when configured and writes the current state there (an alert when unavailable). */
async function openHandoff(
  config: VesselConfig,
  options: StartVesselOptions,
  store: StateStore,
  clock: Clock,
  alert: RaiseAlert,
): Promise<RedisHandoff | undefined> {
  const url = options.redisUrl ?? config.redis?.url;
  if (!url) return undefined;
  const redis = new RedisHandoff({
    url,
    vesselId: config.vesselId,
    keyPrefix: config.redis?.keyPrefix ?? 'helmlink:',
    streamMaxLen: config.redis?.streamMaxLen ?? 10_000,
  });
  try {
    await redis.connect();
    await redis.writeState({ ...store.streams, seq: store.seq, lastJti: store.lastJti, updatedAt: clock() });
  } catch (err) {
    alert({
      kind: 'redis',
      code: 'ERR_HANDOFF_REDIS',
      message: `Redis hand-off unavailable: ${(err as Error).message}`,
    });
  }
  return redis;
}
