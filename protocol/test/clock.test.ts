import { describe, expect, it } from 'vitest';
import { frozenClock, systemClock } from '../src/clock';

describe('clock', () => {
  it('is epoch milliseconds; the system clock follows Date.now', () => {
    const before = Date.now();
    const t = systemClock();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('a frozen clock stands still until set or advanced', () => {
    const clock = frozenClock(new Date('2026-11-22T00:00:00Z'));
    expect(clock()).toBe(Date.parse('2026-11-22T00:00:00Z'));
    expect(clock()).toBe(clock());
    clock.advance(1500);
    expect(clock()).toBe(Date.parse('2026-11-22T00:00:01.500Z'));
    clock.set(42);
    expect(clock()).toBe(42);
    clock.set(new Date(0));
    expect(clock()).toBe(0);
  });
});
