import { describe, expect, it } from 'vitest';
import { peekClaims, peekHeader } from '../../src/envelope/peek';

const b64 = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');

describe('unverified peeks', () => {
  it('reads the header and the claims of a compact JWS without checking anything', () => {
    const token = `${b64({ alg: 'ES256', typ: 'helmlink-ack+jwt', x5c: ['AAAA'] })}.${b64({ in_reply_to: 'j-1', exp: 1_800_000_000 })}.c2ln`;
    expect(peekHeader(token)).toEqual({ alg: 'ES256', typ: 'helmlink-ack+jwt', x5c: ['AAAA'] });
    expect(peekClaims(token)).toEqual({ in_reply_to: 'j-1', exp: 1_800_000_000 });
  });

  it('returns undefined for anything that does not decode', () => {
    const header = b64({ alg: 'ES256' });
    for (const bad of [
      '',
      'abc',
      `${header}.${b64('not json')}.sig`,
      `${header}.${b64([1, 2])}.sig`,
      `${header}.x.y.z.w`,
      '...',
    ]) {
      expect(peekClaims(bad), bad).toBeUndefined();
    }
    for (const bad of ['', 'abc', `${b64('not json')}.e30.sig`]) expect(peekHeader(bad), bad).toBeUndefined();
  });
});
