import { describe, expect, it } from 'vitest';
import { RENEWAL_AT_FRACTION, renewalDueAt } from '../../src/vocabulary/renewal';

const DAY = 86_400_000;
const start = Date.parse('2026-01-01T00:00:00Z');

describe('renewal rule', () => {
  it('is due at 2/3 of the lifetime, to the millisecond', () => {
    expect(RENEWAL_AT_FRACTION).toBeCloseTo(2 / 3);
    expect(renewalDueAt({ notBefore: start, notAfter: start + 90 * DAY })).toBe(start + 60 * DAY);
    // Lifetimes that 3 does not divide round down, like the integer form nb + floor(lifetime * 2 / 3).
    for (const lifetime of [3, 4, 5, 365 * DAY + 1, 365 * DAY + 2, 397 * DAY + 7]) {
      expect(renewalDueAt({ notBefore: start, notAfter: start + lifetime })).toBe(
        start + Math.floor((lifetime * 2) / 3),
      );
    }
  });

  it('takes Date validity (an X.509 certificate fits) and adds the jitter share', () => {
    const validity = { notBefore: new Date(start), notAfter: new Date(start + 90 * DAY) };
    const at = (r: number) =>
      renewalDueAt(validity, { atFraction: 2 / 3, jitterFraction: 0.05, random: () => r });
    expect(at(0)).toBe(start + 60 * DAY);
    expect(at(1) - at(0)).toBe(Math.round(90 * DAY * 0.05));
    expect(renewalDueAt(validity, { atFraction: 0.5 })).toBe(start + 45 * DAY);
  });
});
