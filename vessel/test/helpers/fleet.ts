/** A test fleet: PKI (code-generated), a vessel data dir, pilots, a CA publisher identity and a broker identity. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import {
  certificateFingerprint,
  certificatesToPem,
  createTrust,
  encodePem,
  exportPkcs8,
  topics,
  validatePath,
  verifyAck,
  verifyState,
  signCommand,
  signState,
  SignerCertificates,
  buildStreamsSet,
  IEC_61162_450_CATALOG,
  type Signer,
  type AckClaims,
  type Command,
  type Trust,
} from '@helmlink/protocol';
import { nodeSignatureVerifier } from '@helmlink/protocol/node';
import { createTestPki, type TestEntity, type TestPki } from '@helmlink/protocol/testing';
import { createNodeSigner, parseVesselConfig, saveCrls, saveIdentity, type VesselConfig } from '../../src';
import { startMosquitto, type Broker } from './mosquitto';

export const PASSPHRASE = 'correct horse battery staple';
export const VESSEL_ID = 'MV-TEST';

export interface Fleet {
  dir: string;
  pki: TestPki;
  vessel: TestEntity;
  pilot: TestEntity;
  pilotSigner: Signer;
  admin: TestEntity;
  ca: TestEntity;
  brokerEntity: TestEntity;
  broker: Broker;
  /** Trust for verifying the vessel's acks and states. */
  trust: Trust;
  /**
   * The vessel certificate as a console knows it from a verified state: the vessel's acks name it by x5t#S256.
   * Pass to verifyAck as `certificates`.
   */
  certificates: SignerCertificates;
  /** SHA-256 of the root certificate (what vessel configs pin). */
  rootFingerprint: string;
  config(overrides?: Record<string, unknown>, dataDir?: string): VesselConfig;
  /** Writes key, chain, root and the given CRLs into a data dir. */
  writeDataDir(dataDir: string, crls?: Parameters<typeof saveCrls>[1]): Promise<void>;
  close(): Promise<void>;
}

/** Creates PKI, identities and a Mosquitto broker in a fresh temp dir. */
export async function createFleet(): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), 'helmlink-vessel-'));
  const pki = await createTestPki();
  const vessel = await pki.issue(VESSEL_ID, ['vessel']);
  const pilot = await pki.issue('pilot-anna', ['pilot']);
  const admin = await pki.issue('admin-olaf', ['admin']);
  const ca = await pki.issue('helmlink-ca', ['ca']);
  const brokerEntity = await pki.issue('broker', ['broker'], {
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  const broker = await startMosquitto(join(dir, 'broker'), pki, brokerEntity, [
    { entityId: VESSEL_ID, roles: ['vessel'] },
    { entityId: 'pilot-anna', roles: ['pilot'] },
    { entityId: 'pilot-bert', roles: ['pilot'] },
    { entityId: 'admin-olaf', roles: ['admin'] },
    { entityId: 'helmlink-ca', roles: ['ca'] },
    { entityId: 'bench-pilot', roles: ['pilot'] },
  ]);
  const initialCrl = await pki.issuingCrl([], { crlNumber: 10 });
  const rootFingerprint = await certificateFingerprint(pki.root.certificate);
  const trust = createTrust({
    trustAnchors: [pki.root.certificate],
    // As every verifier is configured: tokens carry only the signer certificate.
    intermediates: [pki.issuing.certificate],
    crls: [initialCrl],
    revocation: { mode: 'off' },
    validatePath,
    signatureVerifier: nodeSignatureVerifier,
  });
  const fleet: Fleet = {
    dir,
    pki,
    vessel,
    pilot,
    pilotSigner: createNodeSigner(pilot.keys.privateKey, pilot.chain),
    admin,
    ca,
    brokerEntity,
    broker,
    trust,
    certificates: await knownSigner(trust, createNodeSigner(vessel.keys.privateKey, vessel.chain), VESSEL_ID),
    rootFingerprint,
    config(overrides = {}, dataDir = join(dir, 'vessel')) {
      return parseVesselConfig({
        vesselId: VESSEL_ID,
        dataDir,
        ca: { url: 'https://127.0.0.1:1', rootFingerprint, timeoutMs: 500 },
        broker: { url: broker.url, reconnect: { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 } },
        key: { passphrase: { env: 'HELMLINK_TEST_PASSPHRASE' } },
        crl: { graceSeconds: 3600, failClosed: true, refreshSeconds: 3600 },
        renewal: { enabled: false },
        state: { fsync: false },
        log: { level: 'silent' },
        ...overrides,
      });
    },
    async writeDataDir(dataDir, crls = [initialCrl]) {
      mkdirSync(dataDir, { recursive: true });
      await saveIdentity(dataDir, {
        pkcs8: await exportPkcs8(vessel.keys.privateKey),
        passphrase: PASSPHRASE,
        chain: vessel.chain,
        root: pki.root.certificate,
      });
      await saveCrls(dataDir, crls);
    },
    async close() {
      await broker.stop();
    },
  };
  return fleet;
}

/**
 * The store a console would hold after verifying a state token of `vesselId` signed by `signer` (a console learns a
 * vessel certificate only this way; the vessel's acks then name it by x5t#S256).
 */
export async function knownSigner(
  trust: Trust,
  signer: Signer,
  vesselId: string,
  certificates = new SignerCertificates(),
): Promise<SignerCertificates> {
  const { token } = await signState(signer, {
    clock: Date.now,
    catalog: IEC_61162_450_CATALOG,
    on: [],
    off: IEC_61162_450_CATALOG.streams.map((s) => s.address),
    lastJti: null,
    seq: 0,
  });
  await verifyState(token, {
    trust,
    clock: Date.now,
    vesselId,
    certificates,
    algorithms: ['ES256', 'ES384', 'EdDSA'],
  });
  return certificates;
}

/** An MQTT client for a test identity (mutual TLS). */
export async function connectAs(
  fleet: Fleet,
  entity: TestEntity,
  clientId: string,
  extra: mqtt.IClientOptions = {},
): Promise<MqttClient> {
  const key = encodePem('PRIVATE KEY', await exportPkcs8(entity.keys.privateKey));
  const client = mqtt.connect(fleet.broker.url, {
    clientId,
    key,
    cert: certificatesToPem(entity.chain),
    ca: certificatesToPem([fleet.pki.root.certificate]),
    protocolVersion: 5,
    reconnectPeriod: 200,
    ...extra,
  });
  const noDelay = () =>
    (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
  noDelay();
  client.on('connect', noDelay);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

/** Collects messages by topic. */
export function collect(client: MqttClient): Map<string, Buffer[]> {
  const seen = new Map<string, Buffer[]>();
  client.on('message', (topic, payload) => {
    const list = seen.get(topic) ?? [];
    list.push(payload);
    seen.set(topic, list);
  });
  return seen;
}

/** Waits until `predicate` is true (polling; no timed assertions). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A pilot console in a test: signs commands, publishes them, and verifies the acks it gets back. */
export class TestPilot {
  readonly acks = new Map<string, { token: string; claims: AckClaims }[]>();
  readonly rawAcks: string[] = [];
  private constructor(
    readonly fleet: Fleet,
    readonly client: MqttClient,
    readonly signer: Signer,
  ) {}

  static async connect(
    fleet: Fleet,
    entity: TestEntity = fleet.pilot,
    clientId = `${entity.entityId}-console`,
    extra: mqtt.IClientOptions = {},
  ): Promise<TestPilot> {
    const client = await connectAs(fleet, entity, clientId, extra);
    const pilot = new TestPilot(fleet, client, createNodeSigner(entity.keys.privateKey, entity.chain));
    await client.subscribeAsync(topics.ack(VESSEL_ID), { qos: 1 });
    client.on('message', (topic, payload) => {
      if (topic === topics.ack(VESSEL_ID)) pilot.rawAcks.push(payload.toString());
    });
    return pilot;
  }

  /** Signs a streams.set command switching on exactly `on` (IEC catalog), or sends `cmd` as given. */
  async sign(
    on: string[] | Command,
    o: { lifetimeSeconds?: number; audience?: string; clock?: () => number } = {},
  ): Promise<string> {
    const cmd = Array.isArray(on) ? buildStreamsSet(IEC_61162_450_CATALOG, on) : on;
    const { token } = await signCommand(this.signer, {
      clock: o.clock ?? Date.now,
      audience: o.audience ?? VESSEL_ID,
      cmd,
      ...(o.lifetimeSeconds ? { lifetimeSeconds: o.lifetimeSeconds } : {}),
    });
    return token;
  }

  /** Publishes a token to the vessel's cmd topic (QoS 1). */
  async send(token: string, properties?: mqtt.IClientPublishOptions['properties']): Promise<void> {
    await this.client.publishAsync(topics.cmd(VESSEL_ID), token, {
      qos: 1,
      ...(properties ? { properties } : {}),
    });
  }

  /** Verified acks answering `commandToken` (any number, including 0). */
  async acksFor(commandToken: string): Promise<AckClaims[]> {
    const out: AckClaims[] = [];
    for (const raw of this.rawAcks) {
      try {
        const v = await verifyAck(raw, {
          trust: this.fleet.trust,
          certificates: this.fleet.certificates,
          clock: Date.now,
          vesselId: VESSEL_ID,
          audience: this.signer.entityId,
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

  /** Sends and waits for the verified ack. */
  async command(token: string): Promise<AckClaims> {
    await this.send(token);
    let ack: AckClaims | undefined;
    const deadline = Date.now() + 10_000;
    while (!ack) {
      ack = (await this.acksFor(token))[0];
      if (!ack) {
        if (Date.now() > deadline) throw new Error('no ack');
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    return ack;
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
