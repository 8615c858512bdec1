/**
 * Attribution (attribution.ts): the vessel answers a rejection only when the verifier marked it attributable and
 * named both the signer and the jti. Anything else (a forged or malformed token, an error that is not a coded
 * verification error, a detail of the wrong type) is never answered, so the vessel is no oracle and signs nothing
 * for an unauthenticated sender.
 */
import { describe, expect, it } from 'vitest';
import { attributionOf, isAttributable } from '../../src/envelope/attribution';
import { HelmlinkError } from '../../src/errors';

const coded = (details?: Record<string, unknown>) =>
  new HelmlinkError('ERR_CMD_EXPIRED', 'expired', details === undefined ? {} : { details });
const JTI = '0b0e7c4e-3f5a-4a53-9c55-2e8f1e0f6a01';

describe('attribution of a rejection', () => {
  it('answers an attributable rejection with its code, signer and jti', () => {
    const err = coded({ attributable: true, signer: 'pilot-1', jti: JTI });
    expect(isAttributable(err)).toBe(true);
    expect(attributionOf(err)).toEqual({ code: 'ERR_CMD_EXPIRED', signer: 'pilot-1', jti: JTI });
  });

  it('never answers an error that is not marked attributable (exactly true)', () => {
    for (const err of [
      coded(),
      coded({ attributable: false, signer: 'pilot-1', jti: JTI }),
      coded({ attributable: 'true', signer: 'pilot-1', jti: JTI }),
      coded({ attributable: 1, signer: 'pilot-1', jti: JTI }),
    ]) {
      expect(isAttributable(err)).toBe(false);
      expect(attributionOf(err)).toBeUndefined();
    }
  });

  it('never answers something that is not a coded error, even if it looks like one', () => {
    const lookalike = Object.assign(new Error('x'), {
      code: 'ERR_CMD_EXPIRED',
      details: { attributable: true, signer: 'pilot-1', jti: JTI },
    });
    for (const err of [lookalike, undefined, null, 'ERR_CMD_EXPIRED', { details: { attributable: true } }]) {
      expect(isAttributable(err)).toBe(false);
      expect(attributionOf(err)).toBeUndefined();
    }
  });

  it('never answers without a signer and a jti, both strings', () => {
    for (const details of [
      { attributable: true, jti: JTI },
      { attributable: true, signer: 'pilot-1' },
      { attributable: true, signer: 7, jti: JTI },
      { attributable: true, signer: 'pilot-1', jti: 7 },
      { attributable: true, signer: null, jti: null },
    ]) {
      const err = coded(details);
      expect(isAttributable(err)).toBe(true);
      expect(attributionOf(err)).toBeUndefined();
    }
  });
});
