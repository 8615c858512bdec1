import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CA_CLIENT_ERRORS,
  CA_SERVER_ERRORS,
  CLI_ERRORS,
  CONSOLE_ERRORS,
  ERROR_CODES,
  PROTOCOL_ERRORS,
  VESSEL_ERRORS,
  describeError,
  isErrorCode,
  type ErrorCode,
} from '../../src/vocabulary/errors';
import { HelmlinkError } from '../../src/errors';

const GROUPS = {
  PROTOCOL_ERRORS,
  CA_SERVER_ERRORS,
  CA_CLIENT_ERRORS,
  VESSEL_ERRORS,
  CONSOLE_ERRORS,
  CLI_ERRORS,
};

describe('error codes', () => {
  it('each code has one owner: the groups are disjoint and together make ERROR_CODES', () => {
    const seen = new Map<string, string>();
    for (const [group, codes] of Object.entries(GROUPS)) {
      for (const code of Object.keys(codes)) {
        expect(seen.get(code), `${code} is in ${seen.get(code)} and ${group}`).toBeUndefined();
        seen.set(code, group);
      }
    }
    expect(Object.keys(ERROR_CODES).sort()).toEqual([...seen.keys()].sort());
  });

  it('every code is ERR_ + upper case and has a description', () => {
    for (const [code, text] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^ERR_[A-Z0-9_]{1,60}$/u);
      expect(text.length).toBeGreaterThan(5);
    }
  });

  it('registers the vessel hand-off code', () => {
    expect(isErrorCode('ERR_HANDOFF_REDIS')).toBe(true);
    expect(describeError('ERR_HANDOFF_REDIS')).toMatch(/Redis/u);
  });

  it('describes registered codes and passes anything else through', () => {
    expect(describeError('ERR_REPLAY')).toBe('The token identifier (jti) was already seen');
    expect(describeError('ERR_NOT_A_CODE')).toBe('ERR_NOT_A_CODE');
    expect(describeError('toString')).toBe('toString');
    for (const v of ['ERR_NOT_A_CODE', 'toString', '__proto__', 42, undefined])
      expect(isErrorCode(v)).toBe(false);
  });

  it('is a closed union: a misspelt code does not compile', () => {
    expectTypeOf<'ERR_REPLAY'>().toExtend<ErrorCode>();
    expectTypeOf<'ERR_REPLAYED'>().not.toExtend<ErrorCode>();
    expectTypeOf<string>().not.toExtend<ErrorCode>();
    // @ts-expect-error an unregistered code is a compile error
    const err = new HelmlinkError('ERR_TYPO');
    expect(err.message).toBe('ERR_TYPO');
  });
});
