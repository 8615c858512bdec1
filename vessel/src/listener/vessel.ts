/**
 * The vessel listener: wires identity, trust, persisted state, the MQTT session, hand-offs, the simulator,
 * CRL refresh and certificate renewal together. `startVessel` is the programmatic API (the CLI, the demo and the
 * end-to-end tests call it).
 */
import { EventEmitter } from 'node:events';
import type { IPublishPacket } from 'mqtt';
import pino, { type Logger } from 'pino';
import {
  HelmlinkError,
  certificateFingerprint,
  certificatesToPem,
  createTrust,
  crlNumberOf,
  renewalDueAt,
  systemClock,
  signState,
  topics,
  validatePath,
  type Signer,
  type Trust,
  type ErrorCode,
  type Clock,
} from '@helmlink/protocol';
import { nodeSignatureVerifier, writeFileAtomic } from '@helmlink/protocol/node';
import type { VesselConfig } from '../config';
import { readPassphrase } from '../config/load';
import { identityPaths, loadCachedCrls, loadIdentity, saveCrls, type VesselIdentity } from '../identity/files';
import { fetchCrls } from '../identity/ca-client';
import { createNodeSigner } from '../identity/node-sign';
import { renewIdentity } from '../identity/renew';
import { CrlCache } from '../trust/crls';
import { StateStore, type Streams } from '../state';
import { RedisHandoff } from '../handoff/redis';
import { startSimulator } from '../simulate';
import { processCommand, type CommandOutcome, type ProcessorContext } from './process';
import { VesselSession } from './session';
import { backoffDelay } from './backoff';
import { AlertLimiter } from './alert-limiter';

/** Alerts raised per kind per minute; further ones are counted and summarised (every command is still logged). */
export const ALERTS_PER_MINUTE = 20;

export interface StartVesselOptions {
  /** Publish synthetic samples for ON streams. */
  simulate?: boolean;
  /** Redis URL (overrides config.redis.url). */
  redisUrl?: string;
  logger?: Logger;
  /** The key passphrase (default: read as the config says). */
  passphrase?: string;
  /** Clock, epoch ms (tests freeze or shift it). */
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Random source for jitter. */
  random?: () => number;
}

/** An alert raised by the listener (also logged at warn/error with `alert: true`). */
export interface VesselAlert {
  kind: 'unattributable-command' | 'renewal-failing' | 'crl-stale' | 'crl-rejected' | 'state-store' | 'redis';
  code: ErrorCode;
  message: string;
  at: number;
}

/** One handled command, as emitted on `command`. */
export interface CommandEvent extends Omit<CommandOutcome, 'verified'> {
  latencyMs: number;
}

export interface VesselStatus {
  vesselId: string;
  connected: boolean;
  protocolVersion: 4 | 5;
  certificate: { serial: string; notBefore: string; notAfter: string; fingerprint: string };
  crl: { number: number | undefined; thisUpdate: string | undefined; nextUpdate: string | undefined; ageSeconds: number | undefined; stale: boolean };
  state: { on: string[]; off: string[]; seq: number; lastJti: string | null };
  renewal: { dueAt: string; consecutiveFailures: number };
}

export interface VesselHandle {
  readonly config: VesselConfig;
  /** Current stream state. */
  readonly state: Streams & { seq: number; lastJti: string | null };
  readonly connected: boolean;
  /** command, alert, connect, disconnect, state, renewed, crl */
  readonly events: EventEmitter;
  readonly identity: VesselIdentity;
  status(): Promise<VesselStatus>;
  /** Renews the certificate now and swaps it live. */
  renewNow(): Promise<void>;
  /** Fetches the CRL over HTTPS now; returns true when a newer one was accepted. */
  refreshCrl(): Promise<boolean>;
  /** Finishes the command in hand, persists, disconnects. */
  close(): Promise<void>;
}

const DEFAULT_LOG_NAME = 'helmlink-vessel';
/** Longest delay between a state change and its retained state token. */
const STATE_COALESCE_MS = 20;

/**
 * Starts the listener. Resolves once the identity, trust and state are loaded and the first connection attempt is
 * under way (not necessarily connected: at sea the broker may be unreachable; it keeps retrying).
 * @throws HelmlinkError ERR_NOT_ENROLLED, ERR_KEY_DECRYPT, ERR_PASSPHRASE_REQUIRED, ERR_STATE_STORE.
 */
export async function startVessel(config: VesselConfig, options: StartVesselOptions = {}): Promise<VesselHandle> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  // Asynchronous log destination: one line per command must not cost a blocking write on the hot path; flushed on close.
  const log = options.logger ?? pino({ name: DEFAULT_LOG_NAME, level: config.log.level }, pino.destination({ dest: 1, sync: false }));
  const events = new EventEmitter();
  const passphrase = options.passphrase ?? (await readPassphrase(config, options.env));
  let identity = await loadIdentity(config.dataDir, passphrase);
  // The root on disk must be the one the config pins (a swapped file or a config for another fleet stops here).
  const rootFingerprint = await certificateFingerprint(identity.root);
  if (rootFingerprint !== config.ca.rootFingerprint) {
    throw new HelmlinkError('ERR_CHAIN_UNTRUSTED', `root.pem (SHA-256 ${rootFingerprint}) is not the root pinned by ca.rootFingerprint`);
  }
  let signer: Signer = createNodeSigner(identity.signingKey, identity.chain);
  const paths = identityPaths(config.dataDir);

  // A flood of forged tokens must not become a flood of alerts: each kind gets a budget per minute.
  const alertLimiter = new AlertLimiter({ maxPerWindow: ALERTS_PER_MINUTE, windowMs: 60_000, clock });
  const alert = (a: Omit<VesselAlert, 'at'>) => {
    const decision = alertLimiter.admit(a.kind);
    if (!decision.raise) return;
    const message =
      decision.suppressed > 0 ? `${a.message} (${decision.suppressed} similar alerts suppressed)` : a.message;
    const full: VesselAlert = { ...a, message, at: clock() };
    log.warn({ alert: true, kind: a.kind, code: a.code }, message);
    events.emit('alert', full);
  };

  // --- trust: pinned root, the issuing CA from our own chain, cached CRLs ------------------------------------------
  const crls = new CrlCache([identity.root, ...identity.chain.slice(1)]);
  await crls.offerAll(await loadCachedCrls(config.dataDir));
  const grace = config.crl.failClosed ? config.crl.graceSeconds : 100 * 365 * 86_400;
  const makeTrust = (mode: 'leaf' | 'off'): Trust =>
    createTrust({
      trustAnchors: [identity.root],
      intermediates: identity.chain.slice(1),
      crls,
      revocation: { mode, staleGraceSeconds: grace },
      validatePath,
      // Synchronous node:crypto verification: the same check as WebCrypto, less CPU on the hot path.
      signatureVerifier: nodeSignatureVerifier,
    });
  let trust = makeTrust('leaf');
  let trustIgnoringRevocation = makeTrust('off');

  // --- state ---------------------------------------------------------------------------------------------------
  const store = StateStore.open(paths.state, config.catalog, { fsync: config.state.fsync, now: clock });

  // --- hand-off ------------------------------------------------------------------------------------------------
  const redisUrl = options.redisUrl ?? config.redis?.url;
  let redis: RedisHandoff | undefined;
  if (redisUrl) {
    redis = new RedisHandoff({
      url: redisUrl,
      vesselId: config.vesselId,
      keyPrefix: config.redis?.keyPrefix ?? 'helmlink:',
      streamMaxLen: config.redis?.streamMaxLen ?? 10_000,
    });
    try {
      await redis.connect();
      await redis.writeState({ ...store.streams, seq: store.seq, lastJti: store.lastJti, updatedAt: clock() });
    } catch (err) {
      alert({ kind: 'redis', code: 'ERR_HANDOFF_REDIS', message: `Redis hand-off unavailable: ${(err as Error).message}` });
    }
  }

  const ctx: ProcessorContext = {
    vesselId: config.vesselId,
    catalog: config.catalog,
    store,
    get trust() {
      return trust;
    },
    get trustIgnoringRevocation() {
      return trustIgnoringRevocation;
    },
    signer: () => signer,
    algorithms: config.algorithms,
    clockToleranceSeconds: config.clockToleranceSeconds,
    clock,
    ...(config.hook ? { hook: config.hook } : {}),
    afterApply: async (a) => {
      if (!redis) return;
      try {
        await redis.applied({ jti: a.jti, signer: a.signer, on: a.streams.on, off: a.streams.off, seq: a.seq, appliedAt: a.at });
      } catch (err) {
        alert({ kind: 'redis', code: 'ERR_HANDOFF_REDIS', message: `Redis hand-off failed: ${(err as Error).message}` });
      }
    },
  };

  // --- runtime file for `vessel status` -------------------------------------------------------------------------
  const writeRuntimeFile = (body: object) => {
    try {
      writeFileAtomic(paths.runtime, JSON.stringify(body), { mode: 0o644 });
    } catch {
      // Best effort: only `vessel status` reads it.
    }
  };
  const writeRuntime = (connected: boolean, extra: Record<string, unknown> = {}) => {
    writeRuntimeFile({ pid: process.pid, connected, since: new Date(clock()).toISOString(), broker: config.broker.url, ...extra });
  };

  // --- MQTT ----------------------------------------------------------------------------------------------------
  let inHand: Promise<unknown> = Promise.resolve();
  let closing = false;

  const publishState = async () => {
    const { token } = await signState(signer, {
      clock,
      catalog: config.catalog,
      on: store.streams.on,
      off: store.streams.off,
      lastJti: store.lastJti,
      seq: store.seq,
    });
    await session.publish(topics.state(config.vesselId), token, { qos: 1, retain: true });
    events.emit('state', { ...store.streams, seq: store.seq, lastJti: store.lastJti });
  };
  // Coalesced: the state token follows every change within STATE_COALESCE_MS, and a burst of commands yields one
  // token for the latest state (consoles keep the highest seq; each ack already carries the resulting state).
  let stateTimer: NodeJS.Timeout | undefined;
  let stateFailures = 0;
  const publishStateSoon = (delayMs = STATE_COALESCE_MS) => {
    if (stateTimer) return;
    stateTimer = setTimeout(() => {
      stateTimer = undefined;
      publishState().then(
        () => {
          stateFailures = 0;
        },
        (err: Error) => {
          // A refused publish (e.g. the broker's ACL not reloaded yet for a newly enrolled vessel) is retried with
          // backoff while connected; a disconnect publishes again on reconnect anyway.
          stateFailures++;
          log.warn({ err: err.message, failures: stateFailures }, 'state publish failed; retrying');
          if (!closing && session.connected) publishStateSoon(Math.min(30_000, 500 * 2 ** Math.min(stateFailures - 1, 6)));
        },
      );
    }, delayMs);
  };

  const handleCommand = async (packet: IPublishPacket) => {
    const started = performance.now();
    const token = Buffer.isBuffer(packet.payload) ? packet.payload.toString('utf8') : String(packet.payload);
    let outcome: CommandOutcome;
    try {
      outcome = await processCommand(ctx, token);
    } catch (err) {
      alert({ kind: 'state-store', code: err instanceof HelmlinkError ? err.code : 'ERR_STATE_STORE', message: `command not handled: ${(err as Error).message}` });
      throw err;
    }
    if (outcome.ack) {
      session.publish(topics.ack(config.vesselId), outcome.ack, { qos: 1 }).catch((err: Error) => log.warn({ err: err.message }, 'ack publish failed'));
      const props = packet.properties;
      if (props?.responseTopic) {
        session
          .publish(props.responseTopic, outcome.ack, { qos: 1, ...(props.correlationData ? { properties: { correlationData: props.correlationData } } : {}) })
          .catch((err: Error) => log.warn({ err: err.message, responseTopic: props.responseTopic }, 'response topic publish refused'));
      }
    }
    const latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
    const line = { jti: outcome.jti, signer: outcome.signer, verdict: outcome.verdict, reason: outcome.reason, latencyMs };
    if (outcome.verdict === 'dropped') {
      log.warn({ ...line, detail: outcome.detail }, 'command dropped (unattributable)');
      alert({ kind: 'unattributable-command', code: outcome.reason ?? 'ERR_INPUT_INVALID', message: `unattributable command dropped: ${outcome.detail}` });
    } else if (outcome.verdict === 'rejected') {
      log.info({ ...line, detail: outcome.detail }, 'command rejected');
    } else {
      log.info(line, outcome.verdict === 'duplicate' ? 'command redelivered: stored ack sent again' : 'command applied');
    }
    const { verified: _v, ...event } = outcome;
    events.emit('command', { ...event, latencyMs } satisfies CommandEvent);
    if (outcome.changed) publishStateSoon();
  };

  const handleCrlMessage = async (packet: IPublishPacket) => {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(String(packet.payload));
    if (payload.length === 0) return; // the retained CRL was cleared: keep the cached one
    const text = payload.toString('utf8');
    const result = await crls.offer(text.includes('-----BEGIN') ? text : new Uint8Array(payload));
    if (result.accepted) {
      await saveCrls(config.dataDir, crls.crls());
      log.info({ crlNumber: result.crlNumber, issuer: result.issuer, source: 'mqtt' }, 'CRL updated');
      events.emit('crl', { crlNumber: result.crlNumber, source: 'mqtt' });
    } else if (result.code !== 'ERR_CRL_NOT_NEWER') {
      alert({ kind: 'crl-rejected', code: result.code, message: `CRL from ${topics.crl()} refused: ${result.reason}` });
    }
  };

  const session: VesselSession = new VesselSession({
    url: config.broker.url,
    clientId: config.broker.clientId ?? config.vesselId,
    vesselId: config.vesselId,
    protocolVersion: config.broker.protocolVersion,
    keepaliveSeconds: config.broker.keepaliveSeconds,
    ...(config.broker.servername ? { servername: config.broker.servername } : {}),
    reconnect: { ...config.broker.reconnect, random },
    tls: () => ({ key: identity.tlsKeyPem, cert: certificatesToPem(identity.chain), ca: certificatesToPem([identity.root]) }),
    onMessage: (packet) => {
      if (closing) return new Promise<void>(() => undefined); // never acknowledged: redelivered after restart
      const work = packet.topic === topics.crl() ? handleCrlMessage(packet) : handleCommand(packet);
      inHand = work.catch(() => undefined);
      return work;
    },
    onConnect: (info) => {
      log.info({ protocolVersion: info.protocolVersion, sessionPresent: info.sessionPresent }, 'connected to broker');
      writeRuntime(true, { protocolVersion: info.protocolVersion });
      events.emit('connect', info);
      publishStateSoon();
    },
    onDisconnect: (reason) => {
      log.warn({ reason }, 'disconnected from broker; reconnecting with backoff');
      writeRuntime(false);
      events.emit('disconnect', reason);
    },
    onError: (err) => log.warn({ err: err.message }, 'broker connection error'),
  });

  // --- CRL refresh over HTTPS ------------------------------------------------------------------------------------
  const refreshCrl = async (): Promise<boolean> => {
    const fetched = await fetchCrls({ url: config.ca.url, rootFingerprint: config.ca.rootFingerprint, timeoutMs: config.ca.timeoutMs, root: identity.root });
    let accepted = false;
    for (const crl of fetched) {
      const r = await crls.offer(crl);
      if (r.accepted) {
        accepted = true;
        log.info({ crlNumber: r.crlNumber, issuer: r.issuer, source: 'https' }, 'CRL updated');
        events.emit('crl', { crlNumber: r.crlNumber, source: 'https' });
      }
    }
    if (accepted) await saveCrls(config.dataDir, crls.crls());
    return accepted;
  };
  let crlTimer: NodeJS.Timeout | undefined;
  const crlLoop = () => {
    refreshCrl()
      .catch((err: Error) => log.info({ err: err.message }, 'CRL refresh over HTTPS failed (offline?); using the cached CRL'))
      .finally(() => {
        checkCrlFreshness();
        if (!closing) {
          crlTimer = setTimeout(crlLoop, config.crl.refreshSeconds * 1000);
          crlTimer.unref?.();
        }
      });
  };
  let staleAlerted = false;
  const checkCrlFreshness = () => {
    try {
      crls.assertFresh(identity.certificate, clock(), config.crl.graceSeconds);
      staleAlerted = false;
    } catch (err) {
      if (!staleAlerted) {
        staleAlerted = true;
        const code = (err as HelmlinkError).code ?? 'ERR_CRL_STALE';
        alert({
          kind: 'crl-stale',
          code,
          message: config.crl.failClosed ? `${(err as Error).message}: commands are rejected until a newer CRL arrives` : `${(err as Error).message} (failClosed is off)`,
        });
      }
    }
  };

  // --- renewal ---------------------------------------------------------------------------------------------------
  let renewTimer: NodeJS.Timeout | undefined;
  let renewFailures = 0;
  let renewDueAt = renewalDueAt(identity.certificate, { ...config.renewal, random });
  const swapIdentity = async (next: VesselIdentity) => {
    // Wait for the command in hand so its ack is signed with one identity, then swap and reconnect the session.
    await inHand;
    identity = next;
    signer = createNodeSigner(identity.signingKey, identity.chain);
    crls.setIssuers([identity.root, ...identity.chain.slice(1)]);
    trust = makeTrust('leaf');
    trustIgnoringRevocation = makeTrust('off');
    // A fresh certificate that already looks due means this clock runs far ahead of the CA's: never renew in a loop.
    const due = renewalDueAt(identity.certificate, { ...config.renewal, random });
    const floor = clock() + config.renewal.retrySeconds * 1000;
    if (due < floor) log.warn({ notBefore: identity.certificate.notBefore.toISOString() }, 'the renewed certificate is already due: is the vessel clock ahead?');
    renewDueAt = Math.max(due, floor);
    await session.reconnectWithNewCredentials();
    log.info({ serial: identity.certificate.serialNumber, notAfter: identity.certificate.notAfter.toISOString() }, 'certificate renewed and swapped');
    events.emit('renewed', { serial: identity.certificate.serialNumber, notAfter: identity.certificate.notAfter });
  };
  let renewing: Promise<void> | undefined;
  const renewNow = (): Promise<void> => {
    renewing ??= renewOnce().finally(() => {
      renewing = undefined;
    });
    return renewing;
  };
  const renewOnce = async () => {
    try {
      const next = await renewIdentity(config, identity, passphrase);
      renewFailures = 0;
      await swapIdentity(next);
    } catch (err) {
      renewFailures++;
      log.warn({ err: (err as Error).message, failures: renewFailures }, 'certificate renewal failed');
      if (renewFailures >= config.renewal.alertAfterFailures) {
        alert({ kind: 'renewal-failing', code: 'ERR_RENEWAL_FAILED', message: `renewal failed ${renewFailures} times in a row: ${(err as Error).message}` });
      }
      throw err;
    }
  };
  const scheduleRenewal = () => {
    if (!config.renewal.enabled || closing) return;
    const delay = renewFailures > 0 ? Math.min(config.renewal.retrySeconds * 1000, backoffDelay(renewFailures - 1, { initialDelayMs: 1000, maxDelayMs: config.renewal.retrySeconds * 1000, jitter: 0.5, random })) : Math.max(0, renewDueAt - clock());
    renewTimer = setTimeout(() => {
      renewNow()
        .catch(() => undefined)
        .finally(scheduleRenewal);
    }, Math.min(delay, 2 ** 31 - 1));
    renewTimer.unref?.();
  };

  // --- simulator -------------------------------------------------------------------------------------------------
  let stopSimulator: (() => void) | undefined;
  if (options.simulate) {
    stopSimulator = startSimulator({
      vesselId: config.vesselId,
      catalog: config.catalog,
      intervalMs: config.simulate.intervalMs,
      on: () => store.streams.on,
      publish: (topic, payload) => {
        if (session.connected) session.publish(topic, payload, { qos: 0 }).catch(() => undefined);
      },
      clock,
    });
  }

  writeRuntime(false);
  session.start();
  crlLoop();
  scheduleRenewal();
  log.info({ vesselId: config.vesselId, serial: identity.certificate.serialNumber, streamsOn: store.streams.on.length, seq: store.seq }, 'vessel listener started');

  return {
    config,
    get state() {
      return { ...store.streams, seq: store.seq, lastJti: store.lastJti };
    },
    get connected() {
      return session.connected;
    },
    get identity() {
      return identity;
    },
    events,
    async status() {
      const crl = crls.forIssuerOf(identity.certificate);
      const now = clock();
      let stale = false;
      try {
        crls.assertFresh(identity.certificate, now, config.crl.graceSeconds);
      } catch {
        stale = true;
      }
      return {
        vesselId: config.vesselId,
        connected: session.connected,
        protocolVersion: session.protocolVersion,
        certificate: {
          serial: identity.certificate.serialNumber,
          notBefore: identity.certificate.notBefore.toISOString(),
          notAfter: identity.certificate.notAfter.toISOString(),
          fingerprint: await certificateFingerprint(identity.certificate),
        },
        crl: {
          number: crl ? crlNumberOfSafe(crl) : undefined,
          thisUpdate: crl?.thisUpdate.toISOString(),
          nextUpdate: crl?.nextUpdate?.toISOString(),
          ageSeconds: crl ? Math.round((now - crl.thisUpdate.getTime()) / 1000) : undefined,
          stale,
        },
        state: { ...store.streams, seq: store.seq, lastJti: store.lastJti },
        renewal: { dueAt: new Date(renewDueAt).toISOString(), consecutiveFailures: renewFailures },
      };
    },
    renewNow,
    refreshCrl,
    async close() {
      if (closing) return;
      closing = true;
      stopSimulator?.();
      if (crlTimer) clearTimeout(crlTimer);
      if (renewTimer) clearTimeout(renewTimer);
      await renewing?.catch(() => undefined);
      await inHand;
      if (stateTimer) {
        clearTimeout(stateTimer);
        stateTimer = undefined;
        await publishState().catch(() => undefined);
      }
      await session.close();
      writeRuntimeFile({ pid: null, connected: false, stoppedAt: new Date(clock()).toISOString() });
      store.close();
      await redis?.close();
      log.info('vessel listener stopped');
      if (!options.logger) log.flush();
    },
  };
}

function crlNumberOfSafe(crl: Parameters<typeof crlNumberOf>[0]): number | undefined {
  try {
    return crlNumberOf(crl);
  } catch {
    return undefined;
  }
}
