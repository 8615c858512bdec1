/**
 * The MQTT session at sea, against a real Mosquitto behind the link emulator: a blackholed link (no FIN, no RST) is
 * noticed by the keepalive and the session comes back when the link does; a reset link reconnects with backoff; a
 * persistent session finds its session again; the broker's certificate is checked
 * against the current CRL in every handshake and on `recheckPeer` (ERR_BROKER_REVOKED); and a started session holds
 * its process while it waits to reconnect.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  brokerRevocationCheck,
  MqttSession,
  type MqttSessionOptions,
  type StateChange,
} from '../../src/mqtt';
import { LinkEmulator } from '../../src/testkit';
import type { TestEntity, TestPki } from '../../src/testing/pki';
import { createBrokerPki, credentialsOf, startMosquitto, until, type TestBroker } from './brokers';

let pki: TestPki;
let brokerEntity: TestEntity;
let broker: TestBroker;
let client: TestEntity;
let link: LinkEmulator;
const sessions: MqttSession[] = [];

beforeAll(async () => {
  const made = await createBrokerPki();
  pki = made.pki;
  brokerEntity = made.broker;
  client = await pki.issue('client-sea', ['vessel']);
  broker = await startMosquitto(join(made.dir, 'mosquitto'), pki, brokerEntity);
  link = await LinkEmulator.start({ target: { host: '127.0.0.1', port: broker.port } });
});

afterAll(async () => {
  for (const s of sessions) await s.close();
  await link?.close();
  await broker?.stop();
});

async function session(o: Partial<MqttSessionOptions> = {}) {
  const s = new MqttSession({
    url: `mqtts://127.0.0.1:${link.port}`,
    clientId: `sea-${sessions.length}`,
    clean: true,
    credentials: await credentialsOf(pki, client),
    subscriptions: { 'test/sea': { qos: 1 } },
    backoff: { initialDelayMs: 100, maxDelayMs: 300, jitter: 0.5 },
    ...o,
  });
  sessions.push(s);
  const changes: StateChange[] = [];
  s.on('state', (c) => changes.push(c));
  return { s, changes };
}

describe('MqttSession at sea', () => {
  it('notices a blackholed link by its keepalive and is ready again once the link returns', async () => {
    const { s, changes } = await session({ keepaliveSeconds: 1 });
    s.start();
    await until(() => s.ready, 'ready');
    link.blackhole();
    try {
      // No FIN, no RST: only the keepalive (1 s, PINGRESP awaited 1.5 s) can tell.
      await until(() => changes.some((c) => c.from === 'ready' && c.to === 'backoff'), 'keepalive timeout');
      expect(changes.find((c) => c.from === 'ready')?.reason).toMatch(/keepalive/iu);
    } finally {
      link.restore();
    }
    await until(() => s.ready, 'ready after the link returned');
    await s.close();
  });

  it('reconnects after a reset, and a persistent session finds its session and subscriptions again', async () => {
    const { s, changes } = await session({ clean: false, sessionExpirySeconds: 600 });
    const ready: boolean[] = [];
    s.on('ready', (info) => ready.push(info.sessionPresent));
    s.start();
    await until(() => s.ready, 'ready');
    const before = changes.length;
    link.reset();
    await until(() => changes.length > before && s.ready, 'ready after the reset');
    const after = changes.slice(before).map((c) => `${c.from}>${c.to}`);
    expect(after[0]).toBe('ready>backoff');
    // Session present: the broker kept the session (and the session subscribes again all the same).
    expect(ready).toEqual([false, true]);
    expect(after.slice(-2)).toEqual(['connecting>subscribing', 'subscribing>ready']);
    // And messages published to the kept subscription still arrive.
    const got: string[] = [];
    const publisher = (await session({ clientId: 'sea-publisher', subscriptions: {} })).s;
    publisher.start();
    await until(() => publisher.ready, 'publisher ready');
    s.removeAllListeners('ready');
    await s.close();
    const again = new MqttSession({
      url: `mqtts://127.0.0.1:${link.port}`,
      clientId: 'sea-1',
      clean: false,
      sessionExpirySeconds: 600,
      credentials: await credentialsOf(pki, client),
      subscriptions: { 'test/sea': { qos: 1 } },
      backoff: { initialDelayMs: 100, maxDelayMs: 300, jitter: 0.5 },
      onMessage: (p) => void got.push(p.payload.toString()),
    });
    sessions.push(again);
    again.start();
    await until(() => again.ready, 'again ready');
    await publisher.publish('test/sea', 'kept', { qos: 1 });
    await until(() => got.includes('kept'), 'message on the kept subscription');
    await publisher.close();
    await again.close();
  });

  it('hands over the messages queued for its session that follow the CONNACK, while its own publishes are resent', async () => {
    const got: string[] = [];
    const { s } = await session({
      clientId: 'sea-queued',
      clean: false,
      sessionExpirySeconds: 600,
      // Long enough to publish from both sides while it is away.
      backoff: { initialDelayMs: 1000, maxDelayMs: 1000, jitter: 0 },
      onMessage: (p) => void got.push(p.payload.toString()),
    });
    const publisher = new MqttSession({
      url: broker.url,
      clientId: 'sea-queued-publisher',
      clean: true,
      credentials: await credentialsOf(pki, client),
      backoff: { initialDelayMs: 100, maxDelayMs: 300, jitter: 0.5 },
    });
    sessions.push(publisher);
    s.start();
    publisher.start();
    await until(() => s.ready && publisher.ready, 'both ready');
    link.reset();
    await until(() => s.state === 'backoff', 'backoff after the reset');
    // Its own QoS 1 publishes wait in the client: after the reconnect mqtt.js resends them before it reports the
    // connection ('connect'), while the messages the broker queued for the session arrive right behind the CONNACK.
    const own = [1, 2, 3, 4, 5].map((i) => s.publish('test/own', `own-${i}`, { qos: 1 }));
    for (const i of [1, 2, 3]) await publisher.publish('test/sea', `queued-${i}`, { qos: 1 });
    await until(() => got.length >= 3, 'the queued messages handed over after the reconnect');
    await Promise.all(own);
    expect(got).toEqual(['queued-1', 'queued-2', 'queued-3']);
    // All were acknowledged: a new connection of the session gets only what is published from now on.
    await s.close();
    const again = (
      await session({
        clientId: 'sea-queued',
        clean: false,
        sessionExpirySeconds: 600,
        onMessage: (p) => void got.push(p.payload.toString()),
      })
    ).s;
    again.start();
    await until(() => again.ready, 'again ready');
    await publisher.publish('test/sea', 'marker', { qos: 1 });
    await until(() => got.includes('marker'), 'the marker');
    expect(got).toEqual(['queued-1', 'queued-2', 'queued-3', 'marker']);
    await again.close();
    await publisher.close();
  });

  it('refuses a broker whose certificate is on the CRL, in the handshake and on recheckPeer (ERR_BROKER_REVOKED)', async () => {
    let crl: x509.X509Crl = await pki.issuingCrl([], { crlNumber: 1 });
    const checkPeer = brokerRevocationCheck((cert) => (cert.issuer === crl.issuer ? crl : undefined));
    const { s, changes } = await session({ checkPeer });
    s.start();
    await until(() => s.ready, 'ready with a clean CRL');
    expect(s.recheckPeer()).toBeUndefined();
    // A newer CRL lists the broker: the live connection is dropped at once.
    crl = await pki.issuingCrl(
      [{ serial: brokerEntity.certificate.serialNumber, revokedAt: new Date(Date.now() - 1000) }],
      { crlNumber: 2 },
    );
    const refusal = s.recheckPeer();
    expect(refusal).toMatchObject({ code: 'ERR_BROKER_REVOKED' });
    expect(refusal?.message).toContain(brokerEntity.certificate.serialNumber);
    await until(() => changes.filter((c) => c.to === 'backoff').length >= 3, 'refused again and again');
    const backoffs = changes.filter((c) => c.to === 'backoff');
    expect(backoffs[0]).toMatchObject({ from: 'ready', error: { code: 'ERR_BROKER_REVOKED' } });
    // Every handshake since refused the broker before a byte of MQTT: never ready again.
    expect(
      backoffs.slice(1).every((c) => (c.error as { code?: string })?.code === 'ERR_BROKER_REVOKED'),
    ).toBe(true);
    expect(s.ready).toBe(false);
    // A CRL without it (e.g. the entry was a mistake and the CA released it): the next handshake passes.
    crl = await pki.issuingCrl([], { crlNumber: 3 });
    await until(() => s.ready, 'ready once the broker is no longer revoked');
    await s.close();
  });

  it('holds its process while it waits to reconnect: a listener with no broker keeps retrying', async () => {
    const fixture = new URL('./fixtures/session-child.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: { ...process.env, HELMLINK_TEST_TOPIC: 'test/hold' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Port 1: refused at once, every time; nothing but the session's timers is left in the event loop.
    child.stdin!.end(
      JSON.stringify({
        url: 'mqtts://127.0.0.1:1',
        clientId: 'hold',
        credentials: await credentialsOf(pki, client),
      }),
    );
    await until(
      () => lines.filter((l) => l === 'backoff').length >= 5 || child.exitCode !== null,
      'backoffs',
    );
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    await exited;
  });
});
