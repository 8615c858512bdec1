/**
 * The MQTT session against a real Mosquitto (mutual TLS, CRL): every state transition, the backoff while the
 * broker is away, publishes waiting through a reconnect, and the credentials swap (renewal) with exactly one client.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttSession, type MqttSessionOptions, type StateChange } from '../../src/mqtt';
import { freePort } from '../../src/node/ports';
import type { TestEntity, TestPki } from '../../src/testing/pki';
import { createBrokerPki, credentialsOf, startMosquitto, until, type TestBroker } from './brokers';

let pki: TestPki;
let brokerEntity: TestEntity;
let broker: TestBroker;
let client: TestEntity;
const sessions: MqttSession[] = [];

beforeAll(async () => {
  const made = await createBrokerPki();
  pki = made.pki;
  brokerEntity = made.broker;
  client = await pki.issue('client-a', ['vessel']);
  broker = await startMosquitto(join(made.dir, 'mosquitto'), pki, brokerEntity);
});

afterAll(async () => {
  for (const s of sessions) await s.close();
  await broker?.stop();
});

/** A session recording its state changes. */
async function session(o: Partial<MqttSessionOptions> = {}, entity = client) {
  const s = new MqttSession({
    url: broker.url,
    clientId: `test-${sessions.length}`,
    clean: true,
    credentials: await credentialsOf(pki, entity),
    subscriptions: { 'test/in': { qos: 1 } },
    backoff: { initialDelayMs: 100, maxDelayMs: 400, jitter: 0.5, random: () => 1 },
    ...o,
  });
  sessions.push(s);
  const changes: StateChange[] = [];
  s.on('state', (c) => changes.push(c));
  const path = () =>
    changes.map((c) => `${c.from}>${c.to}${c.reason && c.to === 'connecting' ? `(${c.reason})` : ''}`);
  return { s, changes, path };
}

describe('MqttSession against Mosquitto', () => {
  it('goes connecting → subscribing → ready, backs off with growing delays while the broker is away, and closes', async () => {
    const { s, changes, path } = await session();
    const ready: { protocolVersion: number; protocol: string | null; leaf: Uint8Array | undefined }[] = [];
    s.on('ready', (info) =>
      ready.push({
        protocolVersion: info.protocolVersion,
        protocol: info.tls.protocol,
        leaf: info.tls.peerChain[0],
      }),
    );
    s.start();
    await until(() => s.ready, 'ready');
    expect(path()).toEqual(['idle>connecting(start)', 'connecting>subscribing', 'subscribing>ready']);
    expect(ready[0]).toMatchObject({ protocolVersion: 5, protocol: expect.stringMatching(/^TLSv1\.[23]$/u) });
    expect(Buffer.from(ready[0]!.leaf!).equals(Buffer.from(brokerEntity.certificate.rawData))).toBe(true);

    await broker.stop();
    await until(() => changes.filter((c) => c.to === 'backoff').length >= 4, 'four backoffs');
    const backoffs = changes.filter((c) => c.to === 'backoff');
    // random() = 1 and jitter 0.5: the full capped exponential delay.
    expect(backoffs.slice(0, 4).map((c) => [c.from, c.attempt, c.delayMs])).toEqual([
      ['ready', 1, 100],
      ['connecting', 2, 200],
      ['connecting', 3, 400],
      ['connecting', 4, 400],
    ]);
    expect(
      changes.filter((c) => c.to === 'connecting' && c.reason === 'retry').length,
    ).toBeGreaterThanOrEqual(3);
    expect(backoffs[1]!.error?.message).toMatch(/ECONNREFUSED/u);

    await broker.start();
    await until(() => s.ready, 'ready again');
    expect(path().slice(-2)).toEqual(['connecting>subscribing', 'subscribing>ready']);
    // A CONNACK starts the count again.
    const before = changes.length;
    await broker.stop();
    await until(() => changes.slice(before).some((c) => c.to === 'backoff'), 'backoff');
    expect(changes.slice(before).find((c) => c.to === 'backoff')).toMatchObject({
      from: 'ready',
      attempt: 1,
      delayMs: 100,
    });
    await broker.start();
    await until(() => s.ready, 'ready once more');

    await s.close();
    expect(path().slice(-2)).toEqual(['ready>closing', 'closing>closed']);
    expect(s.state).toBe('closed');
  });

  it('delivers messages, and a QoS 1 publish made while the broker is away once it is back', async () => {
    const { s: sender } = await session({ subscriptions: {} });
    const received: string[] = [];
    const { s: receiver } = await session({
      onMessage: (p) => void received.push(`${p.topic}:${p.payload.toString()}`),
    });
    sender.start();
    receiver.start();
    await until(() => sender.ready && receiver.ready, 'both ready');
    await sender.publish('test/in', 'hello');
    await until(() => received.includes('test/in:hello'), 'hello');

    await broker.stop();
    await until(() => sender.state === 'backoff', 'sender backing off');
    let acked = false;
    // Retained, so the receiver gets it whichever of the two reconnects first.
    const waiting = sender.publish('test/in', 'while away', { retain: true }).then(() => (acked = true));
    await broker.start();
    await waiting;
    expect(acked).toBe(true);
    await until(() => received.includes('test/in:while away'), 'the publish made while away');
    await sender.publish('test/in', '', { retain: true });
    await sender.close();
    await receiver.close();
  });

  it('swaps credentials (renewal) with one client: the old one ends, the new certificate connects, nothing flaps', async () => {
    const received: string[] = [];
    const { s, changes, path } = await session({
      clientId: 'renewing',
      clean: false,
      sessionExpirySeconds: 600,
      onMessage: (p) => void received.push(p.payload.toString()),
    });
    s.start();
    await until(() => s.ready, 'ready');
    const renewed = await pki.issue('client-a', ['vessel']);
    // The old certificate is revoked at the broker: a reconnect with it would be refused.
    await broker.revoke([client.certificate.serialNumber]);
    const at = changes.length;
    await s.replaceCredentials(await credentialsOf(pki, renewed));
    await until(() => s.ready, 'ready with the renewed certificate');
    expect(path().slice(at)).toEqual([
      'ready>connecting(credentials)',
      'connecting>subscribing',
      'subscribing>ready',
    ]);
    // Two clients with one client id would take the session from each other over and over.
    await new Promise((r) => setTimeout(r, 1500));
    expect(changes.length).toBe(at + 3);
    const { s: other } = await session({ subscriptions: {} }, renewed);
    other.start();
    await until(() => other.ready, 'other ready');
    await other.publish('test/in', 'after the swap');
    await until(() => received.includes('after the swap'), 'a message through the new client');
    expect(changes.length).toBe(at + 3);
  });

  it('swaps credentials while backing off: one new client, ready once the broker is back', async () => {
    const renewed = await pki.issue('client-b', ['vessel']);
    const { s, changes } = await session({ clientId: 'renewing-offline' }, renewed);
    s.start();
    await until(() => s.ready, 'ready');
    await broker.stop();
    await until(() => s.state === 'backoff', 'backoff');
    const next = await pki.issue('client-b', ['vessel']);
    await s.replaceCredentials(await credentialsOf(pki, next));
    expect(changes.at(-1)).toMatchObject({ from: 'backoff', to: 'connecting', reason: 'credentials' });
    await broker.start();
    await until(() => s.ready, 'ready after the swap');
    const at = changes.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(changes.length).toBe(at);
    expect(changes.filter((c) => c.to === 'ready')).toHaveLength(2);
  });

  it('retries a refusing port within refusedMaxDelayMs, and its refusals do not raise the backoff of other failures', async () => {
    const port = await freePort();
    const { s, changes } = await session({
      url: `mqtts://127.0.0.1:${port}`,
      clientId: 'refused',
      backoff: { initialDelayMs: 100, maxDelayMs: 10_000, jitter: 0.5, random: () => 1 },
      refusedMaxDelayMs: 150,
    });
    const refused = (c: StateChange) => /ECONNREFUSED/u.test(c.error?.message ?? '');
    s.start();
    await until(() => changes.filter((c) => c.to === 'backoff').length >= 3, 'three refusals');
    // Then something that accepts the connection and drops it: a failure other than a refusal.
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      await until(() => changes.some((c) => c.to === 'backoff' && !refused(c)), 'a dropped connection');
    } finally {
      server.close();
    }
    await s.close();
    const backoffs = changes.filter((c) => c.to === 'backoff');
    // random() = 1 and jitter 0.5: the full delay, capped at 150 ms while refused (10 s otherwise).
    expect(backoffs.slice(0, 3).map((c) => [refused(c), c.delayMs])).toEqual([
      [true, 100],
      [true, 150],
      [true, 150],
    ]);
    // The first other failure starts again from initialDelayMs, whatever number of refusals came before.
    expect(backoffs.find((c) => !refused(c))).toMatchObject({ delayMs: 100 });
  });

  it('handshakes with the swapped credentials, not with the TLS context of the old ones', async () => {
    const { s, changes } = await session(
      { clientId: 'swapping-to-untrusted' },
      await pki.issue('client-c', ['vessel']),
    );
    s.start();
    await until(() => s.ready, 'ready');
    // Credentials of another PKI (key, certificate and anchors): the next handshake must use them, and fail.
    const stranger = (await createBrokerPki()).pki;
    await s.replaceCredentials(await credentialsOf(stranger, await stranger.issue('client-c', ['vessel'])));
    const at = changes.length;
    await until(() => changes.slice(at).some((c) => c.to === 'backoff'), 'the swapped credentials refused');
    expect(changes.slice(at).filter((c) => c.to === 'ready')).toEqual([]);
  });
});
