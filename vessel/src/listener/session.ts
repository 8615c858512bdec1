/**
 * The vessel's MQTT session (`MqttSession` from `@helmlink/protocol/mqtt`): mutual TLS with its own certificate,
 * a persistent session (clean = false, fixed client id, 7 days' expiry) so commands sent while it is away wait at
 * the broker, QoS 1 subscriptions to its own `cmd` topic and to the retained CRL topic, MQTT 5 falling back to
 * 3.1.1, reconnects with the configured backoff. The PUBACK of a command waits for its handler: the state and the
 * ack are persisted first, so a crash before that makes the broker redeliver, answered from the stored ack.
 */
import { certificatesToPem, topics } from '@helmlink/protocol';
import { MqttSession, type MessageHandler, type TlsCredentials } from '@helmlink/protocol/mqtt';
import type { VesselConfig } from '../config';
import type { VesselIdentity } from '../identity/files';

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
    backoff: { ...config.broker.reconnect, random },
    onMessage,
  });
}
