import { describe, expect, it } from 'vitest';
import {
  isValidFlag,
  isValidImoNumber,
  isValidMmsi,
  MARITIME_RULES,
  maritimeProblem,
  midFlag,
} from '../../src/vocabulary/maritime';

describe('maritime rules', () => {
  it('checks IMO check digits', () => {
    expect(isValidImoNumber('9074729')).toBe(true);
    expect(isValidImoNumber('9074728')).toBe(false);
    expect(isValidImoNumber('907472')).toBe(false);
    expect(isValidImoNumber('90747290')).toBe(false);
  });

  it('refuses the all-zero IMO number although its check digit works out', () => {
    expect(isValidImoNumber('0000000')).toBe(false);
    expect(isValidImoNumber('0000010')).toBe(false);
  });

  it('checks MMSI and flag shapes', () => {
    expect(isValidMmsi('257123450')).toBe(true);
    for (const m of ['25712345', '2571234500', '25712345a']) expect(isValidMmsi(m)).toBe(false);
    expect(isValidFlag('NO')).toBe(true);
    for (const f of ['no', 'NOR', 'N']) expect(isValidFlag(f)).toBe(false);
  });

  it('accepts only assigned ISO 3166-1 alpha-2 flags', () => {
    for (const f of ['XX', 'ZZ', 'AA', 'QM', 'EU', 'UK', 'AC']) expect(isValidFlag(f), f).toBe(false);
    for (const f of ['DK', 'NL', 'PA', 'LR', 'MH', 'GB', 'FO', 'AQ']) expect(isValidFlag(f), f).toBe(true);
  });

  it('accepts only ship station MMSIs whose MID is allocated', () => {
    for (const m of [
      '000000000',
      '002570000',
      '111257000',
      '992570000',
      '970123456',
      '100000000',
      '217000000',
    ])
      expect(isValidMmsi(m), m).toBe(false);
    expect(midFlag('257')).toBe('NO');
    expect(midFlag('219')).toBe('DK');
    expect(midFlag('244')).toBe('NL');
    expect(midFlag('338')).toBe('US');
    expect(midFlag('608')).toBe('SH');
    expect(midFlag('217')).toBeUndefined();
  });

  it('checks the MMSI against the flag and names the broken rule', () => {
    expect(maritimeProblem({ imo: '9074729', mmsi: '257123450', flag: 'NO' })).toBeUndefined();
    expect(maritimeProblem({ mmsi: '219004512', flag: 'DK' })).toBeUndefined();
    expect(maritimeProblem({ mmsi: '257123450', flag: 'DK' })).toEqual({
      field: 'mmsi',
      rule: 'mmsiFlag',
      message: MARITIME_RULES.mmsiFlag,
    });
    expect(maritimeProblem({ flag: 'XX' })?.rule).toBe('flag');
    expect(maritimeProblem({ mmsi: '000000000' })?.rule).toBe('mmsi');
    expect(maritimeProblem({ imo: '0000000' })?.rule).toBe('imo');
    expect(maritimeProblem({})).toBeUndefined();
  });
});
