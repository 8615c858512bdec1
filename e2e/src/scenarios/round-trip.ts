/**
 * The command round trip without a browser: a pilot enrolled at the topology's CA signs a streams.set command,
 * publishes it through the broker, and verifies the vessel's signed ack. Works with both brokers (MQTT 3.1.1).
 */
import type { MqttClient } from 'mqtt';
import {
  buildStreamsSet,
  certificatesToPem,
  createSigner,
  createTrust,
  importPrivateKey,
  parseCertificates,
  encodePem,
  signCommand,
  topics,
  validatePath,
  verifyAck,
  verifyState,
  SignerCertificates,
  type AckClaims,
  type Role,
  type Signer,
  type StreamCatalog,
  type Trust,
} from '@helmlink/protocol';
import { createKeyAndCsr } from '@helmlink/vessel';
import type { Topology } from '@helmlink/cli/demo';
import { connectMqtt, type MqttIdentity } from '../mqtt';
import { until } from '../wait';

/** A pilot in a scenario: its MQTT session, signer and the acks it received. */
export interface ScenarioPilot extends PilotIdentity {
  client: MqttClient;
  /** Raw ack tokens by vessel id. */
  acks: Map<string, string[]>;
  /** Vessel certificates learnt from verified states (acks name them by x5t#S256), as a console does. */
  certificates: SignerCertificates;
  close(): Promise<void>;
}

/** A pilot identity issued by the topology's CA (not connected yet). */
export interface PilotIdentity {
  entityId: string;
  serial: string;
  identity: MqttIdentity;
  signer: Signer;
  trust: Trust;
}

/** Enrolls `entityId` at the topology's CA: key + CSR + one-time token; the broker's ACL is brought up to date. */
export async function issuePilot(
  topology: Topology,
  entityId: string,
  roles: Role[] = ['pilot'],
): Promise<PilotIdentity> {
  const { pkcs8, csrPem } = await createKeyAndCsr('ecdsa-p256', entityId);
  const { token } = topology.createToken({ entityId, roles, ttlSeconds: 600 });
  const issued = await topology.ca.authority.enroll({ csr: csrPem, token });
  await topology.syncBroker();
  const chain = parseCertificates(issued.chainPem);
  return {
    entityId,
    serial: issued.serial,
    identity: {
      keyPem: encodePem('PRIVATE KEY', pkcs8),
      chainPem: certificatesToPem(chain),
      rootPem: issued.rootPem,
    },
    signer: createSigner({ privateKey: await importPrivateKey(pkcs8), chain }),
    trust: createTrust({
      trustAnchors: parseCertificates(issued.rootPem),
      // The issuing CA from the pilot's own chain: tokens carry only their signer's certificate.
      intermediates: chain.slice(1),
      revocation: { mode: 'off' },
      validatePath,
    }),
  };
}

/** Connects a pilot to the broker at `url` over MQTT 3.1.1 and collects every vessel's acks. */
export async function connectPilot(url: string, pilot: PilotIdentity): Promise<ScenarioPilot> {
  const client = await connectMqtt(url, pilot.identity, `${pilot.entityId}-scenario`);
  const acks = new Map<string, string[]>();
  const certificates = new SignerCertificates();
  client.on('message', (topic, payload) => {
    const vesselId = topic.split('/')[3]!;
    if (topic === topics.ack(vesselId))
      acks.set(vesselId, [...(acks.get(vesselId) ?? []), payload.toString()]);
    if (topic === topics.state(vesselId) && payload.length > 0)
      verifyState(payload.toString(), {
        trust: pilot.trust,
        clock: Date.now,
        vesselId,
        certificates,
        algorithms: ['ES256', 'ES384', 'EdDSA'],
      }).catch(() => {
        // an unverifiable state teaches nothing
      });
  });
  await client.subscribeAsync([topics.filters.allStates, topics.filters.allAcks], { qos: 1 });
  return {
    ...pilot,
    client,
    acks,
    certificates,
    async close() {
      await client.endAsync(true);
    },
  };
}

/** Enrolls `entityId` at the topology's CA and connects it to the topology's broker. */
export async function enrollPilot(
  topology: Topology,
  entityId: string,
  roles: Role[] = ['pilot'],
): Promise<ScenarioPilot> {
  return connectPilot(topology.urls.mqtt, await issuePilot(topology, entityId, roles));
}

/** Signs a command switching on exactly `on` (addresses) for `vesselId`. */
export async function signStreams(
  pilot: ScenarioPilot,
  vesselId: string,
  catalog: StreamCatalog,
  on: readonly string[],
): Promise<string> {
  const { token } = await signCommand(pilot.signer, {
    clock: Date.now,
    audience: vesselId,
    cmd: buildStreamsSet(catalog, on),
  });
  return token;
}

/**
 * Verified acks answering `commandToken` (signed by the vessel, addressed to the pilot, hash-bound to the command),
 * among the acks `seenBy` received.
 */
export async function verifiedAcks(
  pilot: ScenarioPilot,
  vesselId: string,
  commandToken: string,
  seenBy: ScenarioPilot = pilot,
): Promise<AckClaims[]> {
  const out: AckClaims[] = [];
  for (const raw of seenBy.acks.get(vesselId) ?? []) {
    try {
      const v = await verifyAck(raw, {
        trust: pilot.trust,
        certificates: pilot.certificates,
        clock: Date.now,
        vesselId,
        audience: pilot.entityId,
        commandToken,
        algorithms: ['ES256', 'ES384', 'EdDSA'],
      });
      out.push(v.claims);
    } catch {
      // an ack for another command or another pilot
    }
  }
  return out;
}

/**
 * Publishes `commandToken` (signed by `pilot`) through the session of `via` (default: the pilot's own) and waits for
 * its verified ack. Relaying through another pilot's session is how a captured command of a revoked pilot would
 * reach a vessel after the broker refused the pilot itself.
 */
export async function roundTrip(
  pilot: ScenarioPilot,
  vesselId: string,
  commandToken: string,
  via: ScenarioPilot = pilot,
): Promise<{ ack: AckClaims; rttMs: number }> {
  const t0 = performance.now();
  await via.client.publishAsync(topics.cmd(vesselId), commandToken, { qos: 1 });
  let ack: AckClaims | undefined;
  await until(async () => {
    ack = (await verifiedAcks(pilot, vesselId, commandToken, via))[0];
    return ack !== undefined;
  }, `the verified ack of ${vesselId}`);
  return { ack: ack!, rttMs: performance.now() - t0 };
}
