/**
 * A fleet for the console's MQTT tests: a real Mosquitto (mutual TLS, ACL from the protocol policy), the retained
 * CRL published by the CA identity, a scripted vessel that verifies each command for real and answers with signed
 * acks and states (mode: apply, reject, forge an ack with a pilot key, or hold the command until released), a small
 * HTTPS CA, and console services with an imported, passphrase-protected pilot identity.
 */
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import {
  IEC_61162_450_CATALOG,
  MemoryReplayStore,
  certificateToPem,
  certificatesToPem,
  createSigner,
  createTrust,
  crlToPem,
  encodePem,
  exportPkcs8,
  signAck,
  signState,
  topics,
  validatePath,
  verifyCommand,
  systemClock,
  type ErrorCode,
  type Signer,
} from '@helmlink/protocol';
import { createTestPki, type TestEntity, type TestPki } from '@helmlink/protocol/testing';
import type { CommandView } from '@helmlink/app-preload';
import { startMosquitto, type Broker } from './mosquitto';
import { startTestCa, type TestCa } from './test-ca';
import { eventually } from './net';
import { tempDir, testServices } from './console';
import { opensslEncryptedPem } from './openssl';

export const VESSEL = 'MV-TEST';
/** What the CA certified about the scripted vessel (its certificate's profile). */
export const VESSEL_IDENTITY = { name: 'MV Test Tern', imo: '9074729', mmsi: '257123450', flag: 'NO' };
export const PASS = 'console pass';
export const catalog = IEC_61162_450_CATALOG;
export const addresses = catalog.streams.map((s) => s.address);
export const TGTD = catalog.streams.find((s) => s.id === 'TGTD')!.address;

/** `ack-only`: applies and acks (naming a certificate the console may not know yet) but publishes no state. */
export type VesselMode = 'apply' | 'reject' | 'forge' | 'hold' | 'ack-only';

/** The scripted vessel's controls. */
export interface ScriptedVessel {
  /** How the vessel answers the next commands. */
  mode: VesselMode;
  /** In 'hold' mode: releases the command the vessel holds. */
  held: (() => void) | undefined;
  /** Name the last applied command in the state's last_jti, as the listener does (default: null, as before). */
  reportLastJti: boolean;
  /** In 'reject' mode: the code and the words of the rejection. */
  rejection: { reason: ErrorCode; reasonText?: string };
  /** Publishes a fresh signed state of the vessel (retained), optionally expiring (state tokens' exp). */
  publishState(options?: { expiresInSeconds?: number; clock?: () => number }): Promise<void>;
  /** Signs from now on with a newly issued certificate of the same vessel (no state is published). */
  renew(): Promise<void>;
}

export interface ScriptedFleet {
  pki: TestPki;
  broker: Broker;
  /** The HTTPS CA the console fetches its CRL from (its `issued` records decide the CRL). */
  ca: TestCa;
  /**
   * The scripted vessel's own identity (to sign old or stale states of it in tests), the console's pilot, the
   * CRL publisher's and the broker's identities.
   */
  vesselEntity: TestEntity;
  pilot: TestEntity;
  caEntity: TestEntity;
  brokerEntity: TestEntity;
  otherVessel: TestEntity;
  vesselClient: MqttClient;
  vessel: ScriptedVessel;
  services: Awaited<ReturnType<typeof testServices>>;
  /** The console's data folder (its identity and settings), for a console started as its own process. */
  dataDir: string;
  /** Waits until the command has left `pending`. */
  settled(commandId: string): Promise<CommandView>;
  close(): Promise<void>;
}

async function clientFor(broker: Broker, pki: TestPki, entity: TestEntity): Promise<MqttClient> {
  return mqtt.connectAsync(broker.url, {
    protocolVersion: 5,
    key: encodePem('PRIVATE KEY', await exportPkcs8(entity.keys.privateKey)),
    cert: certificatesToPem(entity.chain),
    ca: [certificateToPem(pki.root.certificate)],
    rejectUnauthorized: true,
    reconnectPeriod: 200,
  });
}

/** Starts everything (the console is not connected yet). */
export async function startScriptedFleet(): Promise<ScriptedFleet> {
  const pki = await createTestPki();
  const vesselEntity = await pki.issue(VESSEL, ['vessel'], VESSEL_IDENTITY);
  const otherVessel = await pki.issue('MV-OTHER', ['vessel']);
  const caEntity = await pki.issue('helmlink-ca', ['ca']);
  const brokerEntity = await pki.issue('broker', ['broker'], {
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
  });
  const pilot = await pki.issue('pilot-anna', ['pilot']);
  const broker = await startMosquitto(join(tempDir(), 'broker'), pki, brokerEntity, [
    { entityId: VESSEL, roles: ['vessel'] },
    { entityId: 'pilot-anna', roles: ['pilot'] },
    { entityId: 'helmlink-ca', roles: ['ca'] },
  ]);

  // The CA identity publishes the retained CRL, as the CA server does.
  const caClient = await clientFor(broker, pki, caEntity);
  await caClient.publishAsync(topics.crl(), crlToPem(await pki.issuingCrl([], { crlNumber: 5 })), {
    qos: 1,
    retain: true,
  });
  await caClient.endAsync();

  const vesselClient = await clientFor(broker, pki, vesselEntity);
  const vessel = await scriptVessel(pki, vesselEntity, pilot, vesselClient);
  await vessel.publishState();

  const data = tempDir();
  const services = await testServices(data, new Date(), {
    clock: systemClock,
    ratesIntervalMs: 100,
    alertPollMs: 0,
  });
  const testCa = await startTestCa(
    pki,
    await pki.issue('helmlink-ca-http', ['ca'], { ipAddresses: ['127.0.0.1'] }),
    systemClock,
  );
  testCa.issued.push({
    serial: pilot.certificate.serialNumber.toLowerCase(),
    entityId: 'pilot-anna',
    role: 'pilot',
    cert: pilot.certificate,
    status: 'valid',
    reason: null,
    revokedAt: null,
  });
  const files = await opensslEncryptedPem(data, pilot, pki, 'file');
  await services.identity.import({
    format: 'pem',
    ...files,
    filePassphrase: 'file',
    custody: 'passphrase',
    passphrase: PASS,
    caUrl: testCa.url,
  });
  services.settings.update({ brokerUrl: broker.url, commandTimeoutSeconds: 2 });
  return {
    pki,
    broker,
    ca: testCa,
    vesselEntity,
    pilot,
    caEntity,
    brokerEntity,
    otherVessel,
    vesselClient,
    vessel,
    services,
    dataDir: data,
    settled: (commandId) =>
      eventually(() => {
        const v = services.commands.list().find((c) => c.commandId === commandId);
        return v && v.state !== 'pending' ? v : undefined;
      }, `command ${commandId} to settle`),
    async close() {
      await services.close();
      await testCa.close();
      await vesselClient.endAsync();
      await broker.stop();
    },
  };
}

/** The scripted vessel: verifies each command for real and answers as its `mode` says. */
export async function scriptVessel(
  pki: TestPki,
  entity: TestEntity,
  pilot: TestEntity,
  client: MqttClient,
): Promise<ScriptedVessel> {
  let vesselSigner: Signer = createSigner({ privateKey: entity.keys.privateKey, chain: entity.chain });
  const pilotForgery = createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain });
  const trust = createTrust({
    trustAnchors: [pki.root.certificate],
    intermediates: [pki.issuing.certificate],
    revocation: { mode: 'off' },
    validatePath,
  });
  const replay = new MemoryReplayStore();
  let seq = 0;
  let current = { on: [] as string[], off: [...addresses] };
  let lastJti: string | null = null;
  // As the real vessel does, its acks name its certificate by x5t#S256 (the forgery carries the pilot's x5c).
  const ack = async (signer: Signer, claims: Parameters<typeof signAck>[1]) =>
    client.publishAsync(
      topics.ack(VESSEL),
      (await signAck(signer, { ...claims, signerReference: signer === vesselSigner ? 'x5t#S256' : 'x5c' }))
        .token,
      { qos: 1 },
    );
  const vessel: ScriptedVessel = {
    mode: 'apply',
    held: undefined,
    reportLastJti: false,
    rejection: { reason: 'ERR_STREAM_UNKNOWN' },
    async publishState(options = {}) {
      const { token } = await signState(vesselSigner, {
        clock: options.clock ?? (() => Date.now()),
        catalog,
        on: current.on,
        off: current.off,
        lastJti: vessel.reportLastJti ? lastJti : null,
        seq: ++seq,
        ...(options.expiresInSeconds !== undefined ? { expiresInSeconds: options.expiresInSeconds } : {}),
      });
      await client.publishAsync(topics.state(VESSEL), token, { qos: 1, retain: true });
    },
    async renew() {
      const renewed = await pki.issue(VESSEL, ['vessel']);
      vesselSigner = createSigner({ privateKey: renewed.keys.privateKey, chain: renewed.chain });
    },
  };
  await client.subscribeAsync(topics.cmd(VESSEL), { qos: 1 });
  client.on('message', (_topic, payload) => {
    void (async () => {
      const token = payload.toString();
      const cmd = await verifyCommand(token, {
        trust,
        clock: () => Date.now(),
        audience: VESSEL,
        replay,
        catalog,
      });
      const base = {
        clock: () => Date.now(),
        audience: cmd.signer.entityId,
        inReplyTo: cmd.claims.jti,
        commandToken: token,
      };
      if (vessel.mode === 'forge')
        return ack(pilotForgery, { ...base, status: 'applied', state: cmd.state! });
      if (vessel.mode === 'reject')
        return ack(vesselSigner, {
          ...base,
          status: 'rejected',
          reason: vessel.rejection.reason,
          ...(vessel.rejection.reasonText !== undefined ? { reasonText: vessel.rejection.reasonText } : {}),
          state: current,
        });
      if (vessel.mode === 'ack-only')
        return ack(vesselSigner, { ...base, status: 'applied', state: cmd.state! });
      if (vessel.mode === 'hold') await new Promise<void>((resolve) => (vessel.held = resolve));
      current = cmd.state!;
      lastJti = cmd.claims.jti;
      await vessel.publishState();
      await ack(vesselSigner, { ...base, status: 'applied', state: current });
    })();
  });
  return vessel;
}

/** Starts a scripted fleet before the file's tests (handing it to `use`) and stops it after them. */
export function useScriptedFleet(use: (fleet: ScriptedFleet) => void): void {
  let fleet: ScriptedFleet | undefined;
  beforeAll(async () => {
    fleet = await startScriptedFleet();
    use(fleet);
  });
  afterAll(async () => {
    await fleet?.close();
  });
}
