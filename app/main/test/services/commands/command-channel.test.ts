/**
 * The console's MQTT side against a real Mosquitto (mutual TLS, ACL from the protocol policy) with a scripted
 * vessel that signs real state and ack tokens: verified fleet state, command round trips (applied / rejected /
 * forged ack ignored then timed out), live data rates, TLS details and the broker certificate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
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
  isHelmlinkError,
  signAck,
  signState,
  topics,
  validatePath,
  verifyCommand,
  type Signer,
} from '@helmlink/protocol';
import { createTestPki, type TestEntity, type TestPki } from '@helmlink/protocol/testing';
import type { CommandView } from '@helmlink/app-preload';
import { systemClock } from '../../../src/services/core/clock';
import { startMosquitto, type Broker } from '../../helpers/mosquitto';
import { startTestCa, type TestCa } from '../../helpers/test-ca';
import { X509Certificate } from 'node:crypto';
import { eventually } from '../../helpers/net';
import { tempDir, testServices } from '../../helpers/console';
import { opensslEncryptedPem } from '../../helpers/openssl';

const VESSEL = 'MV-TEST';
const PASS = 'console pass';
const catalog = IEC_61162_450_CATALOG;
const addresses = catalog.streams.map((s) => s.address);
const TGTD = catalog.streams.find((s) => s.id === 'TGTD')!.address;

let pki: TestPki;
let broker: Broker;
let vessel: TestEntity;
let otherVessel: TestEntity;
let caEntity: TestEntity;
let vesselClient: MqttClient;
let vesselSigner: Signer;
let mode: 'apply' | 'reject' | 'forge' | 'hold' = 'apply';
/** In 'hold' mode the vessel keeps the command until the test calls this. */
let held: (() => void) | undefined;
let seq = 0;
let current = { on: [] as string[], off: [...addresses] };
let services: Awaited<ReturnType<typeof testServices>>;
let testCa: TestCa;

async function clientFor(entity: TestEntity): Promise<MqttClient> {
  return mqtt.connectAsync(broker.url, {
    protocolVersion: 5,
    key: encodePem('PRIVATE KEY', await exportPkcs8(entity.keys.privateKey)),
    cert: certificatesToPem(entity.chain),
    ca: [certificateToPem(pki.root.certificate)],
    rejectUnauthorized: true,
    reconnectPeriod: 200,
  });
}

async function publishState(): Promise<void> {
  const { token } = await signState(vesselSigner, {
    clock: () => Date.now(),
    catalog,
    on: current.on,
    off: current.off,
    lastJti: null,
    seq: ++seq,
  });
  await vesselClient.publishAsync(topics.state(VESSEL), token, { qos: 1, retain: true });
}

beforeAll(async () => {
  pki = await createTestPki();
  vessel = await pki.issue(VESSEL, ['vessel']);
  otherVessel = await pki.issue('MV-OTHER', ['vessel']);
  caEntity = await pki.issue('helmlink-ca', ['ca']);
  const brokerEntity = await pki.issue('broker', ['broker'], {
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
  });
  const pilot = await pki.issue('pilot-anna', ['pilot']);
  const dir = tempDir();
  broker = await startMosquitto(join(dir, 'broker'), pki, brokerEntity, [
    { entityId: VESSEL, roles: ['vessel'] },
    { entityId: 'pilot-anna', roles: ['pilot'] },
    { entityId: 'helmlink-ca', roles: ['ca'] },
  ]);

  // The CA identity publishes the retained CRL, as the CA server does.
  const caClient = await clientFor(caEntity);
  await caClient.publishAsync(topics.crl(), crlToPem(await pki.issuingCrl([], { crlNumber: 5 })), {
    qos: 1,
    retain: true,
  });
  await caClient.endAsync();

  // The scripted vessel: verifies each command for real and answers with a signed ack and a new state.
  vesselSigner = createSigner({ privateKey: vessel.keys.privateKey, chain: vessel.chain });
  const pilotForgery = createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain });
  const trust = createTrust({
    trustAnchors: [pki.root.certificate],
    revocation: { mode: 'off' },
    validatePath,
  });
  const replay = new MemoryReplayStore();
  vesselClient = await clientFor(vessel);
  await vesselClient.subscribeAsync(topics.cmd(VESSEL), { qos: 1 });
  vesselClient.on('message', (_topic, payload) => {
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
      if (mode === 'forge') {
        const { token: ack } = await signAck(pilotForgery, { ...base, status: 'applied', state: cmd.state! });
        await vesselClient.publishAsync(topics.ack(VESSEL), ack, { qos: 1 });
        return;
      }
      if (mode === 'reject') {
        const { token: ack } = await signAck(vesselSigner, {
          ...base,
          status: 'rejected',
          reason: 'ERR_STREAM_UNKNOWN',
          state: current,
        });
        await vesselClient.publishAsync(topics.ack(VESSEL), ack, { qos: 1 });
        return;
      }
      if (mode === 'hold') await new Promise<void>((resolve) => (held = resolve));
      current = cmd.state!;
      await publishState();
      const { token: ack } = await signAck(vesselSigner, { ...base, status: 'applied', state: current });
      await vesselClient.publishAsync(topics.ack(VESSEL), ack, { qos: 1 });
    })();
  });
  await publishState();

  const data = tempDir();
  services = await testServices(data, new Date(), {
    clock: systemClock,
    ratesIntervalMs: 100,
    alertPollMs: 0,
  });
  testCa = await startTestCa(
    pki,
    await pki.issue('helmlink-ca-http', ['ca'], { ipAddresses: ['127.0.0.1'] }),
    () => new Date(),
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
});

afterAll(async () => {
  await services?.close();
  await testCa?.close();
  await vesselClient?.endAsync();
  await broker?.stop();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isHelmlinkError(err)) return err.code;
    throw err;
  }
  throw new Error('expected a rejection');
}

function settled(commandId: string): Promise<CommandView> {
  return eventually(() => {
    const v = services.commands.list().find((c) => c.commandId === commandId);
    return v && v.state !== 'pending' ? v : undefined;
  }, `command ${commandId} to settle`);
}

describe('command channel over mutual TLS', () => {
  it('refuses to send before it is connected', async () => {
    expect(await codeOf(services.commands.send({ vesselId: VESSEL, on: [], off: addresses }))).toBe(
      'ERR_NOT_CONNECTED',
    );
  });

  it('connects with TLS details, verifies the broker certificate and the vessel state', async () => {
    const status = await services.commands.connect();
    expect(status.state).toBe('connected');
    expect(status.tlsVersion).toMatch(/^TLSv1\.[23]$/u);
    expect(status.cipher).toBeTruthy();
    const vesselView = await eventually(
      () => (services.fleet.vessel(VESSEL)?.verified ? services.fleet.vessel(VESSEL) : undefined),
      'verified vessel state',
    );
    expect(vesselView.streams).toHaveLength(addresses.length);
    expect(vesselView.streams.every((s) => !s.on)).toBe(true);
    expect(vesselView.streams.find((s) => s.id === 'TGTD')).toMatchObject({
      critical: true,
      bitrateBps: 256_000,
    });
    expect(vesselView.signer).toMatchObject({ verified: true, revocation: 'good' });
    expect(vesselView.signer!.chain[0]!.entityId).toBe(VESSEL);
    const brokerView = await eventually(
      () =>
        services.commands.connection().broker?.verified ? services.commands.connection().broker : undefined,
      'broker certificate verified',
    );
    expect(brokerView.chain[0]!.roles).toEqual(['broker']);
    expect(brokerView.revocation).toBe('good');
  });

  it('signs the intent, publishes it and settles it as applied on the verified ack; state follows', async () => {
    mode = 'apply';
    const intent = { vesselId: VESSEL, on: [TGTD], off: addresses.filter((a) => a !== TGTD) };
    services.identity.lock();
    expect(await codeOf(services.commands.send(intent))).toBe('ERR_IDENTITY_LOCKED');
    await services.identity.unlock(PASS);
    const sent = await services.commands.send(intent);
    expect(sent.state).toBe('pending');
    const done = await settled(sent.commandId);
    expect(done).toMatchObject({ state: 'applied', ackVerified: true, reason: null, on: [TGTD] });
    expect(done.rttMs).toBeGreaterThan(0);
    await eventually(
      () => services.fleet.vessel(VESSEL)?.streams.find((s) => s.address === TGTD)?.on,
      'state shows TGTD on',
    );
    expect(services.fleet.vessel(VESSEL)!.activeBitrateBps).toBe(256_000);
    const audit = services.audit.search({ commandId: sent.commandId });
    expect(audit.entries.map((e) => e.kind).sort()).toEqual(['ack.verified', 'command.sent']);
    expect(audit.entries.find((e) => e.kind === 'command.sent')!.token!.split('.')).toHaveLength(3);
  });

  it('shows a rejection with its reason code and words', async () => {
    mode = 'reject';
    const sent = await services.commands.send({ vesselId: VESSEL, on: [], off: addresses });
    const done = await settled(sent.commandId);
    expect(done).toMatchObject({
      state: 'rejected',
      ackVerified: true,
      reason: { code: 'ERR_STREAM_UNKNOWN', message: 'A stream is not in the vessel catalog' },
    });
  });

  it('settles and audits an ack that arrives while the pilot key is locked (the actor is kept with the command)', async () => {
    mode = 'hold';
    held = undefined;
    const sent = await services.commands.send({ vesselId: VESSEL, on: [TGTD], off: addresses.filter((a) => a !== TGTD) });
    const release = await eventually(() => held, 'the vessel holding the command');
    services.identity.lock();
    try {
      release();
      const done = await settled(sent.commandId);
      expect(done).toMatchObject({ state: 'applied', ackVerified: true, reason: null });
      const audit = services.audit.search({ commandId: sent.commandId });
      expect(audit.entries.map((e) => e.kind).sort()).toEqual(['ack.verified', 'command.sent']);
      expect(audit.entries.find((e) => e.kind === 'ack.verified')!.actor).toBe(VESSEL);
    } finally {
      await services.identity.unlock(PASS);
    }
  });

  it('ignores an ack that does not verify (signed by a pilot) and times the command out', async () => {
    mode = 'forge';
    const sent = await services.commands.send({ vesselId: VESSEL, on: [], off: addresses });
    const done = await settled(sent.commandId);
    expect(done).toMatchObject({
      state: 'timed_out',
      ackVerified: false,
      reason: { code: 'ERR_COMMAND_TIMEOUT' },
    });
    const kinds = services.audit.search({ commandId: sent.commandId }).entries.map((e) => e.kind);
    expect(kinds).toContain('ack.unverified');
    expect(kinds).toContain('command.timeout');
    expect(
      services.audit.search({ commandId: sent.commandId, kinds: ['ack.unverified'] }).entries[0]!.code,
    ).toBe('ERR_ROLE_FORBIDDEN');
  });

  it('checks the intent against the verified catalog before signing', async () => {
    expect(await codeOf(services.commands.send({ vesselId: VESSEL, on: [TGTD], off: [] }))).toBe(
      'ERR_STREAM_MISSING',
    );
    expect(await codeOf(services.commands.send({ vesselId: 'MV-NONE', on: [], off: addresses }))).toBe(
      'ERR_VESSEL_UNKNOWN',
    );
  });

  it('reports live data rates per stream', async () => {
    const timer = setInterval(
      () => void vesselClient.publishAsync(topics.data(VESSEL, 'TGTD'), '$AITTM,1', { qos: 0 }),
      20,
    );
    try {
      const rate = await eventually(
        () =>
          services.rates
            .snapshot(Date.now())
            .rates.find((r) => r.vesselId === VESSEL && r.streamId === 'TGTD' && r.messagesPerSecond > 0),
        'a TGTD data rate',
      );
      expect(rate.lastMessageAt).not.toBeNull();
    } finally {
      clearInterval(timer);
    }
  });

  it('flags a state that does not verify and stops commanding that vessel', async () => {
    const forged = createSigner({ privateKey: otherVessel.keys.privateKey, chain: otherVessel.chain });
    const { token } = await signState(forged, {
      clock: () => Date.now(),
      catalog,
      on: addresses,
      off: [],
      lastJti: null,
      seq: 1000,
    });
    await vesselClient.publishAsync(topics.state(VESSEL), token, { qos: 1, retain: true });
    const v = await eventually(
      () => (services.fleet.vessel(VESSEL)?.unverified ? services.fleet.vessel(VESSEL) : undefined),
      'flagged state',
    );
    expect(v.verified).toBe(false);
    expect(v.unverified!.code).toBe('ERR_ISS_MISMATCH');
    expect(v.streams.every((s) => !s.on || s.address === TGTD)).toBe(true);
    expect(await codeOf(services.commands.send({ vesselId: VESSEL, on: [], off: addresses }))).toBe(
      'ERR_VESSEL_UNKNOWN',
    );
    expect(services.audit.search({ kinds: ['state.unverified'] }).total).toBeGreaterThan(0);
  });

  it('reconnects with the renewed certificate, and commands carry the new one', async () => {
    mode = 'apply';
    const before = services.identity.status().certificate!.serial;
    const states: string[] = [];
    const unsubscribe = services.events.subscribe(
      (e, p) => e === 'fleet.connection' && states.push((p as { state: string }).state),
    );
    await services.identity.renew();
    await eventually(
      () => states.includes('connecting') && services.commands.connection().state === 'connected',
      'reconnect with the renewed certificate',
    );
    unsubscribe();
    const after = services.identity.status().certificate!.serial;
    expect(after).not.toBe(before);
    // The vessel's state was flagged by the previous test; publish a fresh verified one.
    await publishState();
    await eventually(() => services.fleet.vessel(VESSEL)?.verified, 'verified state again');
    const sent = await services.commands.send({ vesselId: VESSEL, on: [], off: addresses });
    expect((await settled(sent.commandId)).state).toBe('applied');
    const token = services.audit.search({ commandId: sent.commandId, kinds: ['command.sent'] }).entries[0]!
      .token!;
    const x5c = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { x5c: string[] };
    expect(new X509Certificate(Buffer.from(x5c.x5c[0]!, 'base64')).serialNumber.toLowerCase()).toBe(after);
  });

  it('reconnects by itself with backoff after the broker restarts, and commands flow again', async () => {
    mode = 'apply';
    const states: string[] = [];
    const unsubscribe = services.events.subscribe(
      (e, p) => e === 'fleet.connection' && states.push((p as { state: string }).state),
    );
    await broker.restart();
    await eventually(() => states.includes('connected'), 'connected again', 20_000);
    unsubscribe();
    expect(states).toContain('reconnecting');
    expect(states.indexOf('reconnecting')).toBeLessThan(states.indexOf('connected'));
    await eventually(() => vesselClient.connected, 'the scripted vessel back');
    const sent = await services.commands.send({ vesselId: VESSEL, on: [TGTD], off: addresses.filter((a) => a !== TGTD) });
    expect((await settled(sent.commandId)).state).toBe('applied');
  });

  it('disconnects', async () => {
    expect((await services.commands.disconnect()).state).toBe('disconnected');
  });
});
