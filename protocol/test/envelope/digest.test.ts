/** The ack's binding to its command (digest.ts): base64url SHA-256 of the exact token text, by known answers. */
import { describe, expect, it } from 'vitest';
import { commandDigest } from '../../src/envelope/digest';

describe('commandDigest', () => {
  it('is base64url SHA-256 without padding (FIPS 180-2 "abc" and the empty string)', async () => {
    expect(await commandDigest('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(await commandDigest('')).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
  });

  it('changes with one character of the token (an ack binds the exact command, not a look-alike)', async () => {
    expect(await commandDigest('a.b.c')).not.toBe(await commandDigest('a.b.d'));
  });
});
