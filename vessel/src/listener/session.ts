/**
 * The vessel's MQTT session (`MqttSession` from `@helmlink/protocol/mqtt`): mutual TLS with its own certificate,
 * a persistent session (clean = false, fixed client id, 7 days' expiry) so commands sent while it is away wait at
 * the broker, QoS 1 subscriptions to its own `cmd` topic and to the retained CRL topic, MQTT 5 falling back to
 * 3.1.1, reconnects with the configured backoff. The PUBACK of a command waits for its handler: the state and the
 * ack are persisted first, so a crash before that makes the broker redeliver, answered from the stored ack.
 * The broker's certificate is checked against the vessel's current CRLs in every handshake (and again by the
 * composition root whenever a newer CRL arrives): a revoked broker is refused with ERR_BROKER_REVOKED and alerted.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { certificatesToPem, isHelmlinkError, topics } from '@helmlink/protocol';
import {
  brokerRevocationCheck,
  MqttSession,
  type MessageHandler,
  type TlsCredentials,
} from '@helmlink/protocol/mqtt';
import type { VesselConfig } from '../config';
import type { VesselIdentity } from '../identity/files';
import type { CrlCache } from '../trust/crls';
import type { RuntimeFile } from './runtime-file';
import type { RaiseAlert } from './types';

/** How long the broker keeps the vessel's session (and its queued commands) while it is away, seconds. */
export const SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

/** The TLS material of a vessel identity, trusting only the pinned root. */
export function tlsCredentialsOf(identity: VesselIdentity): TlsCredentials {
  return {
    key: identity.tlsKeyPem,
    cert: certificatesToPem(identity.chain),
    ca: certificatesToPem([identity.root]),
  };
}

/** Creates (not starts) the vessel's session. */
export function createVesselSession(
  config: VesselConfig,
  identity: VesselIdentity,
  crls: CrlCache,
  random: () => number,
  onMessage: MessageHandler,
): MqttSession {
  return new MqttSession({
    url: config.broker.url,
    clientId: config.broker.clientId ?? config.vesselId,
    protocolVersion: config.broker.protocolVersion,
    clean: false,
    sessionExpirySeconds: SESSION_EXPIRY_SECONDS,
    keepaliveSeconds: config.broker.keepaliveSeconds,
    ...(config.broker.servername ? { servername: config.broker.servername } : {}),
    credentials: tlsCredentialsOf(identity),
    subscriptions: { [topics.cmd(config.vesselId)]: { qos: 1 }, [topics.crl()]: { qos: 1 } },
    backoff: {
      initialDelayMs: config.broker.reconnect.initialDelayMs,
      maxDelayMs: config.broker.reconnect.maxDelayMs,
      jitter: config.broker.reconnect.jitter,
      random,
    },
    refusedMaxDelayMs: config.broker.reconnect.refusedMaxDelayMs,
    checkPeer: brokerRevocationCheck((cert) => crls.forIssuerOf(cert)),
    onMessage,
  });
}

/** Logs the session's life, keeps runtime.json current, emits `connect` / `disconnect`, alerts a revoked broker. */
export function observeSession(
  session: MqttSession,
  o: { log: Logger; events: EventEmitter; runtime: RuntimeFile; alert: RaiseAlert; onReady: () => void },
): void {
  const { log, events, runtime } = o;
  let refusedBroker = false;
  session.on('ready', (info) => {
    refusedBroker = false;
    log.info(
      { protocolVersion: info.protocolVersion, sessionPresent: info.sessionPresent },
      'connected to broker',
    );
    runtime.running(true, { protocolVersion: info.protocolVersion });
    events.emit('connect', { protocolVersion: info.protocolVersion, sessionPresent: info.sessionPresent });
    o.onReady();
  });
  session.on('state', (change) => {
    // One alert per refusal streak: the handshake refuses the broker again on every retry.
    if (change.to === 'backoff' && isHelmlinkError(change.error, 'ERR_BROKER_REVOKED') && !refusedBroker) {
      refusedBroker = true;
      o.alert({ kind: 'broker-revoked', code: 'ERR_BROKER_REVOKED', message: change.error.message });
    }
    if (change.from !== 'ready' || change.to === 'closing') return;
    const reason = change.to === 'backoff' ? (change.reason ?? 'connection closed') : 'new credentials';
    log.warn({ reason }, 'disconnected from broker; reconnecting with backoff');
    runtime.running(false);
    events.emit('disconnect', reason);
  });
  session.on('fallback', () => log.warn('the broker refused MQTT 5; falling back to MQTT 3.1.1'));
  session.on('warn', (err) => log.warn({ err: err.message }, 'broker connection error'));
}
