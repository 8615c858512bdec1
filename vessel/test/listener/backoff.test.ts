import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/listener/backoff';
import { renewalDueAt } from '@helmlink/protocol';
import { createTestPki } from '@helmlink/protocol/testing';

describe('backoff and renewal timing', () => {
  it('doubles up to the maximum, with the configured share of jitter', () => {
    const o = { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, { ...o, random: () => 1 }))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(2, { ...o, random: () => 0 })).toBe(200);
    expect(backoffDelay(2, { ...o, jitter: 0, random: () => 0 })).toBe(400);
  });

  it('renews at 2/3 of the lifetime plus jitter', async () => {
    const pki = await createTestPki();
    const start = new Date('2026-01-01T00:00:00Z');
    const e = await pki.issue('MV', ['vessel'], { notBefore: start, notAfter: new Date(start.getTime() + 90 * 86_400_000) });
    const at = (r: number) => renewalDueAt(e.certificate, { atFraction: 2 / 3, jitterFraction: 0.05, random: () => r });
    expect(at(0)).toBe(start.getTime() + 60 * 86_400_000);
    expect(at(1) - at(0)).toBe(Math.round(90 * 86_400_000 * 0.05));
  });
});
