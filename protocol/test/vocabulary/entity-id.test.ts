import { describe, expect, it } from 'vitest';
import { ENTITY_ID_MAX_LENGTH, assertEntityId, isEntityId } from '../../src/vocabulary/entity-id';

describe('entity-id rule', () => {
  it('accepts 1-64 letters, digits, ".", "_", "-" starting with a letter or digit', () => {
    for (const id of [
      'a',
      'pilot-7',
      'IMO9074729',
      'vessel.aurora_2',
      '0',
      'x'.repeat(ENTITY_ID_MAX_LENGTH),
    ]) {
      expect(isEntityId(id)).toBe(true);
      expect(assertEntityId(id)).toBe(id);
    }
  });

  it('refuses everything else with ERR_ID_INVALID (also what topic levels alone would allow)', () => {
    const refused = [
      '',
      'x'.repeat(65),
      '-lead',
      '.hidden',
      '_x',
      'pilot 7',
      'pilot+1',
      'a#b',
      'a/b',
      'a\u0000b',
      'pilöt',
      'p:7',
      'a@b',
      42,
      null,
    ];
    for (const id of refused) {
      expect(isEntityId(id)).toBe(false);
      expect(() => assertEntityId(id, 'vessel id')).toThrowError(
        expect.objectContaining({
          code: 'ERR_ID_INVALID',
          message: expect.stringMatching(/^invalid vessel id: an entity id is 1-64/u),
        }),
      );
    }
  });
});
