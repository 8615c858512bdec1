import { describe, expect, it } from 'vitest';
import { ENROLLABLE_ROLES, ROLES, isRole } from '../../src/vocabulary/roles';

describe('roles', () => {
  it('knows the profile roles; ca is never enrollable', () => {
    expect(ROLES).toEqual(['pilot', 'admin', 'vessel', 'broker', 'ca']);
    expect(ENROLLABLE_ROLES).toEqual(['pilot', 'admin', 'vessel', 'broker']);
    expect(isRole('vessel')).toBe(true);
    for (const r of ['Pilot', 'root', '', null]) expect(isRole(r)).toBe(false);
  });
});
