import { describe, expect, it } from 'vitest';
import { RateMeter } from '../../../src/services/fleet/rates';

describe('live data rates', () => {
  it('reports messages per second over full seconds of the window and lets a stopped stream fall to zero', () => {
    const m = new RateMeter(5);
    const t0 = Date.parse('2026-11-22T00:00:00Z');
    for (let s = 0; s < 5; s++) for (let i = 0; i < 10; i++) m.count('MV-1', 'NAVD', t0 + s * 1000 + i * 50);
    m.count('MV-1', 'NAVD', t0 + 5000);
    const snap = m.snapshot(t0 + 5500);
    expect(snap.rates).toEqual([
      {
        vesselId: 'MV-1',
        streamId: 'NAVD',
        messagesPerSecond: 10,
        lastMessageAt: new Date(t0 + 5000).toISOString(),
        flow: 'flowing',
      },
    ]);
    expect(m.snapshot(t0 + 12_000).rates[0]!.messagesPerSecond).toBe(0);
  });
});
