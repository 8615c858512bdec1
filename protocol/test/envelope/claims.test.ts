// The claim checks every token type shares, at their exact boundaries: one second either side of each time rule
// (a token accepted a second too long is a replay window; one refused a second early is an outage), and the shapes
// of the registered claims a hostile signer controls.
import { describe, expect, it } from 'vitest';
import {
  checkTimes,
  numericDateClaim,
  requireClaims,
  stringClaim,
  uuidClaim,
  type TimeRules,
} from '../../src/envelope/claims';
import { refusalOf } from './fixtures';

const NOW = 1_800_000_000;
const rules: TimeRules = { now: NOW, toleranceSeconds: 30, maxLifetimeSeconds: 300 };

const iso = (s: number) => new Date(s * 1000).toISOString();

describe('checkTimes', () => {
  it('exp: accepted until now - tolerance reaches it, expired from then on', () => {
    expect(() => checkTimes({ iat: NOW - 60, exp: NOW - 29 }, rules)).not.toThrow();
    expect(refusalOf(() => checkTimes({ iat: NOW - 60, exp: NOW - 30 }, rules))).toEqual({
      code: 'ERR_CMD_EXPIRED',
      message: `the token expired at ${iso(NOW - 30)}`,
      details: { exp: NOW - 30 },
    });
  });

  it('nbf: accepted up to now + tolerance, not yet valid one second later', () => {
    expect(() => checkTimes({ iat: NOW, nbf: NOW + 30, exp: NOW + 60 }, rules)).not.toThrow();
    expect(refusalOf(() => checkTimes({ iat: NOW, nbf: NOW + 31, exp: NOW + 60 }, rules))).toEqual({
      code: 'ERR_CMD_NOT_YET_VALID',
      message: `the token is not valid before ${iso(NOW + 31)}`,
      details: { nbf: NOW + 31 },
    });
  });

  it('iat: accepted up to now + tolerance, in the future one second later', () => {
    expect(() => checkTimes({ iat: NOW + 30, exp: NOW + 60 }, rules)).not.toThrow();
    expect(refusalOf(() => checkTimes({ iat: NOW + 31, exp: NOW + 60 }, rules))).toEqual({
      code: 'ERR_CMD_IAT_IN_FUTURE',
      message: `the token claims to be issued at ${iso(NOW + 31)}`,
      details: { iat: NOW + 31 },
    });
  });

  it('lifetime: counted from the earlier of iat and nbf, at most the maximum', () => {
    expect(() => checkTimes({ iat: NOW, nbf: NOW, exp: NOW + 300 }, rules)).not.toThrow();
    expect(refusalOf(() => checkTimes({ iat: NOW, nbf: NOW, exp: NOW + 301 }, rules))).toEqual({
      code: 'ERR_CMD_LIFETIME_TOO_LONG',
      message: 'the token lifetime 301 s exceeds 300 s',
      details: { lifetime: 301, max: 300 },
    });
    // A backdated nbf lengthens the window a captured token can be used in: it counts.
    expect(refusalOf(() => checkTimes({ iat: NOW, nbf: NOW - 100, exp: NOW + 250 }, rules)).details).toEqual({
      lifetime: 350,
      max: 300,
    });
    // So does a backdated iat.
    expect(refusalOf(() => checkTimes({ iat: NOW - 100, nbf: NOW, exp: NOW + 250 }, rules)).details).toEqual({
      lifetime: 350,
      max: 300,
    });
    // Without nbf, iat alone.
    expect(refusalOf(() => checkTimes({ iat: NOW - 51, exp: NOW + 250 }, rules)).details).toEqual({
      lifetime: 301,
      max: 300,
    });
  });

  it('no exp (a retained state) and no lifetime bound are allowed', () => {
    expect(() => checkTimes({ iat: NOW - 10_000_000 }, rules)).not.toThrow();
    expect(() =>
      checkTimes({ iat: NOW, exp: NOW + 100_000 }, { ...rules, maxLifetimeSeconds: undefined }),
    ).not.toThrow();
  });
});

describe('claim shapes', () => {
  it('a required claim that is absent is named', () => {
    expect(refusalOf(() => requireClaims({ iss: 'a', aud: null }, ['iss', 'aud', 'exp']))).toEqual({
      code: 'ERR_CLAIM_MISSING',
      message: 'the exp claim is required',
      details: { claim: 'exp' },
    });
  });

  it('string claims are 1 to 256 characters', () => {
    expect(stringClaim({ iss: 'x'.repeat(256) }, 'iss')).toHaveLength(256);
    for (const iss of ['', 'x'.repeat(257), 42, ['pilot-1']])
      expect(refusalOf(() => stringClaim({ iss }, 'iss'))).toEqual({
        code: 'ERR_CLAIM_INVALID',
        message: 'the iss claim must be a non-empty string',
        details: { claim: 'iss' },
      });
  });

  it('NumericDates are finite and not negative (1e999 in JSON is Infinity: never expires)', () => {
    expect(numericDateClaim({ exp: 0 }, 'exp')).toBe(0);
    expect(numericDateClaim({ exp: 1.5 }, 'exp')).toBe(1.5);
    for (const exp of [-1, JSON.parse('1e999') as number, '1800000000', null])
      expect(refusalOf(() => numericDateClaim({ exp }, 'exp'))).toEqual({
        code: 'ERR_CLAIM_INVALID',
        message: 'the exp claim must be a NumericDate',
        details: { claim: 'exp' },
      });
  });

  it('a jti is a UUID (any case), nothing around it', () => {
    const jti = '0B7E3F0E-8A52-4A4C-9D0B-3D7C6F0E2A11';
    expect(uuidClaim({ jti }, 'jti')).toBe(jti);
    for (const bad of [`${jti} `, `x${jti}`, jti.replaceAll('-', ''), 7])
      expect(refusalOf(() => uuidClaim({ jti: bad }, 'jti'))).toEqual({
        code: 'ERR_CLAIM_INVALID',
        message: 'the jti claim must be a UUID',
        details: { claim: 'jti' },
      });
  });
});
