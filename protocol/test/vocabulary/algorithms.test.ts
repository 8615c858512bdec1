import { describe, expect, it } from 'vitest';
import { JWS_ALGORITHMS, isJwsAlgorithm } from '../../src/vocabulary/algorithms';

describe('JWS algorithms', () => {
  it('lists the asymmetric algorithms the envelope signs and verifies, never none or HMAC', () => {
    expect(JWS_ALGORITHMS).toEqual(['ES256', 'ES384', 'EdDSA', 'PS256']);
    for (const alg of JWS_ALGORITHMS) expect(isJwsAlgorithm(alg)).toBe(true);
    for (const alg of ['none', 'HS256', 'RS256', 'es256', '', 42, undefined])
      expect(isJwsAlgorithm(alg)).toBe(false);
  });
});
