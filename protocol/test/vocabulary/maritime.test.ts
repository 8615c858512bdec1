import { describe, expect, it } from 'vitest';
import { isValidFlag, isValidImoNumber, isValidMmsi } from '../../src/vocabulary/maritime';

describe('maritime rules', () => {
  it('checks IMO check digits', () => {
    expect(isValidImoNumber('9074729')).toBe(true);
    expect(isValidImoNumber('9074728')).toBe(false);
    expect(isValidImoNumber('907472')).toBe(false);
    expect(isValidImoNumber('90747290')).toBe(false);
  });

  it('checks MMSI and flag shapes', () => {
    expect(isValidMmsi('257123450')).toBe(true);
    for (const m of ['25712345', '2571234500', '25712345a']) expect(isValidMmsi(m)).toBe(false);
    expect(isValidFlag('NO')).toBe(true);
    for (const f of ['no', 'NOR', 'N']) expect(isValidFlag(f)).toBe(false);
  });
});
