/**
 * The session against aedes, a real broker that speaks MQTT 3.1.1 only (refusing 5 with return code 1) and can
 * refuse subscriptions (Mosquitto 2 grants every SUBSCRIBE and filters deliveries instead).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttSession, type MqttSessionOptions, type StateChange } from '../../src/mqtt';
import type { TestEntity, TestPki } from '../../src/testing/pki';
import { createBrokerPki, credentialsOf, startAedes, until, type TestAedes } from './brokers';

let pki: TestPki;
let brokerEntity: TestEntity;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ({ pki, broker: brokerEntity } = await createBrokerPki());
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function session(broker: TestAedes, o: Partial<MqttSessionOptions> = {}) {
  const s = new MqttSession({
    url: broker.url,
    clientId: `aedes-${closers.length}`,
    clean: false,
    sessionExpirySeconds: 600,
    credentials: await credentialsOf(pki, await pki.issue('client', ['vessel'])),
    subscriptions: { 'test/in': { qos: 1 } },
    backoff: { initialDelayMs: 50, maxDelayMs: 200, jitter: 0.5, random: () => 0 },
    ...o,
  });
  closers.push(() => s.close());
  const changes: StateChange[] = [];
  s.on('state', (c) => changes.push(c));
  return { s, changes };
}

describe('MqttSession against an MQTT 3.1.1-only broker', () => {
  it('falls back to 3.1.1 at once when MQTT 5 is refused, keeps it, and works', async () => {
    const broker = await startAedes(pki, brokerEntity);
    closers.push(() => broker.close());
    const { s, changes } = await session(broker);
    const fallbacks: Error[] = [];
    s.on('fallback', (e) => fallbacks.push(e));
    const received: string[] = [];
    s.start();
    await until(() => s.ready, 'ready with 3.1.1');
    expect(s.protocolVersion).toBe(4);
    expect(fallbacks.map((e) => (e as Error & { code?: unknown }).code)).toEqual([1]);
    expect(changes.map((c) => `${c.from}>${c.to}${c.to === 'connecting' ? `(${c.reason})` : ''}`)).toEqual([
      'idle>connecting(start)',
      'connecting>connecting(fallback)',
      'connecting>subscribing',
      'subscribing>ready',
    ]);
    // A plain 3.1.1 subscriber sees what the fallen-back session publishes.
    const { s: inbox } = await session(broker, {
      protocolVersion: 4,
      clean: true,
      onMessage: (p) => void received.push(p.payload.toString()),
    });
    inbox.start();
    await until(() => inbox.ready, 'inbox ready');
    // MQTT 5 properties are dropped under 3.1.1 rather than refused.
    await s.publish('test/in', 'from the fallen-back session', {
      properties: { correlationData: Buffer.from('x') },
    });
    await until(() => received.includes('from the fallen-back session'), 'delivery');
    // A new client (credentials swap) connects with 3.1.1 straight away.
    await s.replaceCredentials(await credentialsOf(pki, await pki.issue('client', ['vessel'])));
    await until(() => s.ready, 'ready after the swap');
    expect(fallbacks).toHaveLength(1);
    expect(changes.slice(-3).map((c) => c.to)).toEqual(['connecting', 'subscribing', 'ready']);
  });

  it('retries a refused subscription with backoff and becomes ready once it is granted', async () => {
    let refusals = 0;
    const broker = await startAedes(pki, brokerEntity, {
      authorizeSubscribe: (_client, sub, done) => {
        // A null subscription is a refusal in the SUBACK (0x80); the connection stays up.
        if (refusals < 2) {
          refusals++;
          done(null, null);
        } else done(null, sub);
      },
    });
    closers.push(() => broker.close());
    const { s, changes } = await session(broker, { protocolVersion: 4 });
    s.start();
    await until(() => s.ready, 'subscribed after the refusals');
    expect(refusals).toBe(2);
    const retries = changes.filter((c) => c.from === 'subscribing' && c.to === 'subscribing');
    // random() = 0 with jitter 0.5: half of 50, then half of 100.
    expect(retries.map((c) => [c.reason, c.attempt, c.delayMs])).toEqual([
      ['subscription refused', 1, 25],
      ['subscription refused', 2, 50],
    ]);
    expect(changes.at(-1)).toMatchObject({ from: 'subscribing', to: 'ready' });
    expect(changes.some((c) => c.to === 'backoff')).toBe(false);
  });
});
