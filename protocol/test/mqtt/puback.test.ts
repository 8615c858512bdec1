/**
 * PUBACK after persist, against a real Mosquitto: a QoS 1 message is acknowledged only once the handler's promise
 * resolved. A client killed before that (a separate process, SIGKILL) gets the message again in its next session;
 * a handler that fails leaves it unacknowledged and the session reconnects for the redelivery; messages arriving
 * while the session closes are not acknowledged either; an acknowledged message never comes back.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IPublishPacket } from 'mqtt';
import { MqttSession, type HandedOver, type MqttSessionOptions, type TlsCredentials } from '../../src/mqtt';
import type { TestPki } from '../../src/testing/pki';
import { createBrokerPki, credentialsOf, startMosquitto, until, type TestBroker } from './brokers';

const CHILD = fileURLToPath(new URL('./fixtures/session-child.ts', import.meta.url));
const TOPIC = 'test/cmd';

let pki: TestPki;
let broker: TestBroker;
let receiverCredentials: TlsCredentials;
let sender: MqttSession;
const sessions: MqttSession[] = [];

beforeAll(async () => {
  const made = await createBrokerPki();
  pki = made.pki;
  broker = await startMosquitto(join(made.dir, 'mosquitto'), pki, made.broker);
  receiverCredentials = await credentialsOf(pki, await pki.issue('receiver', ['vessel']));
  sender = new MqttSession({
    url: broker.url,
    clientId: 'sender',
    clean: true,
    credentials: await credentialsOf(pki, await pki.issue('sender', ['pilot'])),
    backoff: { initialDelayMs: 50, maxDelayMs: 200, jitter: 0 },
  });
  sender.start();
  await until(() => sender.ready, 'sender ready');
});

afterAll(async () => {
  for (const s of sessions) await s.close();
  await sender?.close();
  await broker?.stop();
});

/** A persistent receiving session; `seen` lists every delivery (payload, dup flag). */
function receiver(
  clientId: string,
  onMessage: (p: IPublishPacket) => Promise<void | HandedOver> | void,
  extra: Partial<MqttSessionOptions> = {},
) {
  const seen: { payload: string; dup: boolean }[] = [];
  const s = new MqttSession({
    url: broker.url,
    clientId,
    clean: false,
    sessionExpirySeconds: 3600,
    credentials: receiverCredentials,
    subscriptions: { [TOPIC]: { qos: 1 } },
    backoff: { initialDelayMs: 50, maxDelayMs: 200, jitter: 0 },
    onMessage: (p) => {
      seen.push({ payload: p.payload.toString(), dup: p.dup });
      return onMessage(p);
    },
    ...extra,
  });
  sessions.push(s);
  s.start();
  return { s, seen };
}

describe('PUBACK after persist', () => {
  it('a client killed before its handler persisted gets the message again; one killed after does not', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, HELMLINK_TEST_PERSIST: 'never', HELMLINK_TEST_TOPIC: TOPIC },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.end(
      JSON.stringify({ url: broker.url, clientId: 'killed', credentials: receiverCredentials }),
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await until(() => out.includes('ready'), 'child session ready', 20_000);
    await sender.publish(TOPIC, 'cmd-1');
    await until(() => out.includes('received cmd-1'), 'child received cmd-1');
    child.kill('SIGKILL');
    await exited;

    // The same client id, in a new session: cmd-1 was never acknowledged, so the broker redelivers it first.
    const { s, seen } = receiver('killed', () => undefined);
    await until(() => s.ready && seen.length >= 1, 'redelivery');
    expect(seen[0]).toEqual({ payload: 'cmd-1', dup: true });
    await sender.publish(TOPIC, 'cmd-2');
    await until(() => seen.some((m) => m.payload === 'cmd-2'), 'cmd-2');
    await s.close();

    // Both were acknowledged after their handlers resolved: nothing comes back, only the marker.
    const again = receiver('killed', () => undefined);
    await until(() => again.s.ready, 'ready again');
    await sender.publish(TOPIC, 'marker-1');
    await until(() => again.seen.some((m) => m.payload === 'marker-1'), 'marker');
    expect(again.seen.map((m) => m.payload)).toEqual(['marker-1']);
    await again.s.close();
  });

  it('does not acknowledge a message whose handler failed: the session reconnects and it is redelivered', async () => {
    let failures = 0;
    const warnings: string[] = [];
    const { s, seen } = receiver('failing', () => {
      if (failures++ === 0) throw new Error('disk full');
    });
    s.on('warn', (e) => warnings.push(e.message));
    const states: string[] = [];
    s.on('state', (c) => states.push(c.to));
    await until(() => s.ready, 'ready');
    await sender.publish(TOPIC, 'cmd-3');
    await until(() => seen.length >= 2, 'the redelivery after the failure');
    expect(seen).toEqual([
      { payload: 'cmd-3', dup: false },
      { payload: 'cmd-3', dup: true },
    ]);
    expect(warnings).toContain('disk full');
    expect(states).toContain('backoff');
    await until(() => s.ready, 'ready after the redelivery');
    await s.close();
    const again = receiver('failing', () => undefined);
    await until(() => again.s.ready, 'ready again');
    await sender.publish(TOPIC, 'marker-2');
    await until(() => again.seen.some((m) => m.payload === 'marker-2'), 'marker');
    expect(again.seen.map((m) => m.payload)).toEqual(['marker-2']);
    await again.s.close();
  });

  it('takes the redelivery of a failed message even when it comes before mqtt.js reports the new connection', async () => {
    let failures = 0;
    const own: Promise<void>[] = [];
    const r = receiver('failing-busy', () => {
      if (failures++ > 0) return;
      // Its own publishes are still unacknowledged when the connection drops: after the reconnect mqtt.js resends
      // them before its `connect` event, and the redelivery follows the CONNACK at once.
      for (const i of [1, 2, 3, 4, 5]) own.push(r.s.publish('test/own', `own-${i}`, { qos: 1 }));
      throw new Error('disk full');
    });
    await until(() => r.s.ready, 'ready');
    await sender.publish(TOPIC, 'cmd-6');
    await until(() => r.seen.length >= 2, 'the redelivery on the next connection');
    expect(r.seen).toEqual([
      { payload: 'cmd-6', dup: false },
      { payload: 'cmd-6', dup: true },
    ]);
    await Promise.all(own);
    await r.s.close();
  });

  it('acknowledges the message in hand when closing, but not the ones that arrive meanwhile', async () => {
    let release: () => void = () => undefined;
    const first = receiver('closing', (p) =>
      p.payload.toString() === 'cmd-4' ? new Promise<void>((resolve) => (release = resolve)) : undefined,
    );
    await until(() => first.s.ready, 'ready');
    await sender.publish(TOPIC, 'cmd-4');
    await until(() => first.seen.length === 1, 'cmd-4 in hand');
    // cmd-5 reaches the client while cmd-4 is in hand: it waits behind it.
    await sender.publish(TOPIC, 'cmd-5');
    const closed = first.s.close();
    release();
    await closed;
    expect(first.seen.map((m) => m.payload)).toEqual(['cmd-4']);
    const next = receiver('closing', () => undefined);
    await until(() => next.s.ready && next.seen.length >= 1, 'redelivery of cmd-5');
    expect(next.seen).toEqual([{ payload: 'cmd-5', dup: true }]);
  });

  it('hands the next message over while an earlier one settles; PUBACKs only for what settled', async () => {
    // Group commit: cmd-6 and cmd-7 are both in hand before either settles. cmd-6 settles, cmd-7 fails.
    const settles: { payload: string; resolve: () => void; reject: (e: Error) => void }[] = [];
    const first = receiver('handed', (p) => {
      let resolve: () => void = () => undefined;
      let reject: (e: Error) => void = () => undefined;
      const settled = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      settles.push({ payload: p.payload.toString(), resolve, reject });
      return Promise.resolve({ settled });
    });
    const warnings: string[] = [];
    first.s.on('warn', (e) => warnings.push(e.message));
    await until(() => first.s.ready, 'ready');
    await sender.publish(TOPIC, 'cmd-6');
    await sender.publish(TOPIC, 'cmd-7');
    await until(() => settles.length === 2, 'both handed over before either settled');
    settles[0]!.resolve();
    settles[1]!.reject(new Error('fsync failed'));
    // The failure drops the connection: cmd-7 (never acknowledged) comes back, cmd-6 does not.
    await until(() => first.seen.length >= 3, 'the redelivery of cmd-7');
    expect(first.seen.map((m) => [m.payload, m.dup])).toEqual([
      ['cmd-6', false],
      ['cmd-7', false],
      ['cmd-7', true],
    ]);
    expect(warnings).toContain('fsync failed');
    settles[2]!.resolve();
    await first.s.close();
    const again = receiver('handed', () => undefined);
    await until(() => again.s.ready, 'ready again');
    await sender.publish(TOPIC, 'marker-3');
    await until(() => again.seen.some((m) => m.payload === 'marker-3'), 'marker');
    expect(again.seen.map((m) => m.payload)).toEqual(['marker-3']);
    await again.s.close();
  });

  it('keeps PUBACKs in arrival order: a later message settled first waits for the earlier one', async () => {
    const settles: { resolve: () => void; reject: (e: Error) => void }[] = [];
    const first = receiver('ordered', () => {
      let resolve: () => void = () => undefined;
      let reject: (e: Error) => void = () => undefined;
      const settled = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      settles.push({ resolve, reject });
      return Promise.resolve({ settled });
    });
    first.s.on('warn', () => undefined);
    await until(() => first.s.ready, 'ready');
    await sender.publish(TOPIC, 'cmd-8');
    await sender.publish(TOPIC, 'cmd-9');
    await until(() => settles.length === 2, 'both in hand');
    // cmd-9 settles first: its PUBACK waits behind cmd-8's, so when cmd-8 then fails, both come back.
    settles[1]!.resolve();
    await new Promise((r) => setTimeout(r, 100));
    settles[0]!.reject(new Error('fsync failed'));
    await until(() => first.seen.length >= 4, 'the redelivery of both');
    expect(first.seen.map((m) => [m.payload, m.dup])).toEqual([
      ['cmd-8', false],
      ['cmd-9', false],
      ['cmd-8', true],
      ['cmd-9', true],
    ]);
    for (const s of settles.slice(2)) s.resolve();
    await first.s.close();
  });
});
