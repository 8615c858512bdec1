import { describe, expect, it } from 'vitest';
import { AlertLimiter } from '../../src/listener/alert-limiter';

describe('AlertLimiter', () => {
  it('raises up to the budget per window, then counts and reports what it suppressed', () => {
    let now = 1_000_000;
    const limiter = new AlertLimiter({ maxPerWindow: 3, windowMs: 60_000, clock: () => now });
    const first = Array.from({ length: 5 }, () => limiter.admit('unattributable-command'));
    expect(first.map((d) => d.raise)).toEqual([true, true, true, false, false]);
    expect(first[4]).toEqual({ raise: false, suppressed: 2 });
    // Other kinds have their own budget.
    expect(limiter.admit('crl-rejected')).toEqual({ raise: true, suppressed: 0 });
    now += 59_999;
    expect(limiter.admit('unattributable-command').raise).toBe(false);
    now += 1;
    // A new window: the first alert carries the count of those suppressed before it.
    expect(limiter.admit('unattributable-command')).toEqual({ raise: true, suppressed: 3 });
    expect(limiter.admit('unattributable-command')).toEqual({ raise: true, suppressed: 0 });
  });

  it('refuses a nonsensical budget', () => {
    expect(() => new AlertLimiter({ maxPerWindow: 0, windowMs: 1000, clock: Date.now })).toThrow(TypeError);
    expect(() => new AlertLimiter({ maxPerWindow: 1, windowMs: 0, clock: Date.now })).toThrow(TypeError);
  });
});
