/** The pure parts of the MQTT session: the backoff policy, the fallback rule and the state machine's table. */
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  canTransition,
  isVersionRefusal,
  MqttSession,
  type SessionState,
} from '../../src/mqtt';

describe('backoff policy', () => {
  it('doubles up to the maximum, with the configured share of jitter', () => {
    const o = { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, { ...o, random: () => 1 }))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffDelay(2, { ...o, random: () => 0 })).toBe(200);
    expect(backoffDelay(2, { ...o, jitter: 0, random: () => 0 })).toBe(400);
    expect(backoffDelay(3, { ...o, jitter: 1, random: () => 0.25 })).toBe(200);
  });

  it('stays capped for huge attempt numbers and refuses an unusable policy', () => {
    expect(
      backoffDelay(10_000, { initialDelayMs: 500, maxDelayMs: 60_000, jitter: 0, random: () => 0.5 }),
    ).toBe(60_000);
    expect(() => backoffDelay(0, { initialDelayMs: 100, maxDelayMs: 1000, jitter: 2 })).toThrow(TypeError);
    expect(() => backoffDelay(0, { initialDelayMs: -1, maxDelayMs: 1000, jitter: 0 })).toThrow(TypeError);
  });
});

describe('MQTT 5 → 3.1.1 fallback rule', () => {
  const err = (message: string, code?: unknown) =>
    Object.assign(new Error(message), code === undefined ? {} : { code });

  it('falls back on CONNACK 132, on 3.1.1 return code 1, and on the refusal in words', () => {
    expect(isVersionRefusal(err('Connection refused: Unsupported Protocol Version', 132))).toBe(true);
    expect(isVersionRefusal(err('Connection refused: Unacceptable protocol version', 1))).toBe(true);
    expect(isVersionRefusal(err('unsupported protocol version'))).toBe(true);
  });

  it('does not fall back on other refusals or network errors', () => {
    expect(isVersionRefusal(err('Connection refused: Not authorized', 135))).toBe(false);
    expect(isVersionRefusal(err('Connection refused: Not authorized', 5))).toBe(false);
    expect(isVersionRefusal(err('connect ECONNREFUSED 127.0.0.1:1883', 'ECONNREFUSED'))).toBe(false);
    expect(isVersionRefusal(err('Keepalive timeout'))).toBe(false);
  });
});

describe('session state machine', () => {
  it('allows only the documented transitions', () => {
    const all: SessionState[] = [
      'idle',
      'connecting',
      'subscribing',
      'ready',
      'backoff',
      'closing',
      'closed',
    ];
    const allowed = all.flatMap((from) =>
      all.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`),
    );
    expect(allowed).toEqual([
      'idle>connecting',
      'idle>closing',
      'connecting>connecting',
      'connecting>subscribing',
      'connecting>backoff',
      'connecting>closing',
      'subscribing>connecting',
      'subscribing>subscribing',
      'subscribing>ready',
      'subscribing>backoff',
      'subscribing>closing',
      'ready>connecting',
      'ready>backoff',
      'ready>closing',
      'backoff>connecting',
      'backoff>closing',
      'closing>closed',
    ]);
  });

  it('closes an unstarted session without connecting, and cannot be started twice or after close', async () => {
    const session = new MqttSession({
      url: 'mqtts://127.0.0.1:1',
      clientId: 'x',
      clean: true,
      credentials: { key: '', cert: '', ca: '' },
      backoff: { initialDelayMs: 10, maxDelayMs: 10, jitter: 0 },
    });
    const seen: string[] = [];
    session.on('state', (c) => seen.push(`${c.from}>${c.to}`));
    await session.close();
    expect(seen).toEqual(['idle>closing', 'closing>closed']);
    expect(() => session.start()).toThrow(TypeError);
    await expect(session.publish('t', 'x')).rejects.toMatchObject({ code: 'ERR_NOT_CONNECTED' });
  });
});
