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

  it('judges each stream against the verified state: stopped at once when off, silent when on without data', () => {
    const m = new RateMeter(5);
    const t0 = Date.parse('2026-11-22T00:00:00Z');
    for (let s = 0; s < 5; s++) {
      m.count('MV-1', 'NAVD', t0 + s * 1000);
      m.count('MV-1', 'CAM', t0 + s * 1000);
    }
    const subjects = [
      // Switched off just now: still 1 msg/s in the window, yet stopped, 0.
      { vesselId: 'MV-1', streamId: 'NAVD', on: false, onSince: null },
      { vesselId: 'MV-1', streamId: 'CAM', on: true, onSince: t0 - 60_000 },
      // On for a minute without one message: flagged.
      { vesselId: 'MV-1', streamId: 'TGTD', on: true, onSince: t0 - 60_000 },
      // Switched on a second ago: too early to tell.
      { vesselId: 'MV-1', streamId: 'VDRD', on: true, onSince: t0 + 4_500 },
    ];
    const snap = m.snapshot(t0 + 5_500, subjects);
    const flow = Object.fromEntries(snap.rates.map((r) => [r.streamId, [r.flow, r.messagesPerSecond]]));
    expect(flow).toEqual({
      NAVD: ['stopped', 0],
      CAM: ['flowing', 1],
      TGTD: ['silent', 0],
      VDRD: ['unknown', 0],
    });
    expect(snap.rates.find((r) => r.streamId === 'NAVD')!.lastMessageAt).toBe(
      new Date(t0 + 4000).toISOString(),
    );
    // Not connected: nothing is judged.
    expect(new Set(m.snapshot(t0 + 5_500, subjects, false).rates.map((r) => r.flow))).toEqual(
      new Set(['unknown']),
    );
  });
});
