/** base64 and base64url encoding of bytes (Node's Buffer fast path), against RFC 4648's test vectors. */
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, bytesToBase64Url } from '../../src/pki/pem';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('base64 of bytes', () => {
  it('encodes the RFC 4648 §10 vectors, padded (base64) and unpadded with the URL alphabet (base64url)', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [text, b64] of vectors) {
      expect(bytesToBase64(ascii(text))).toBe(b64);
      expect(bytesToBase64Url(ascii(text))).toBe(b64.replace(/=+$/u, ''));
    }
    // The two characters that differ between the alphabets: 62 and 63.
    expect(bytesToBase64(new Uint8Array([0xfb, 0xff]))).toBe('+/8=');
    expect(bytesToBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  it('encodes only the bytes of a view, not the whole buffer behind it', () => {
    const whole = ascii('xxfoobarxx');
    expect(bytesToBase64(whole.subarray(2, 8))).toBe('Zm9vYmFy');
    expect(bytesToBase64Url(whole.subarray(2, 5))).toBe('Zm9v');
    expect(base64ToBytes(bytesToBase64(whole.subarray(2, 8)))).toEqual(ascii('foobar'));
  });
});
