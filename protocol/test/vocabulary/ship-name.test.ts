/** The ship-name rule: the names people call vessels by, nothing that could be markup or a control character. */
import { describe, expect, it } from 'vitest';
import { SHIP_NAME_MAX_LENGTH, isValidShipName } from '../../src/vocabulary/ship-name';

describe('ship names', () => {
  it('accepts real ship names in any script', () => {
    for (const name of [
      'MV Nordic Tern',
      'MS Ærøskøbing',
      "St. Mary's Pride",
      'Tor & Olav (II)',
      'Costa Fortuna 2',
      'Ro-Ro/Pax Κρήτη',
      '天鹅号',
      'N'.repeat(SHIP_NAME_MAX_LENGTH),
    ])
      expect(isValidShipName(name), name).toBe(true);
  });

  it('refuses empty, too long, padded or double-spaced names, markup and control characters', () => {
    for (const name of [
      '',
      ' MV Tern',
      'MV Tern ',
      'MV  Tern',
      '-Tern',
      'N'.repeat(SHIP_NAME_MAX_LENGTH + 1),
      '<b>Tern</b>',
      'Tern\u0000',
      'Tern\nline',
      'Tern\u202e',
      'Tern\u200b',
      'Tern"',
      'Tern;drop',
    ])
      expect(isValidShipName(name), JSON.stringify(name)).toBe(false);
  });
});
