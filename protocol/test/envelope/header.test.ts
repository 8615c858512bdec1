/**
 * The checks done before any key is looked at (header.ts), called directly with the exact refusal each gives: a
 * later stage often refuses the same token under the same code (an unparsable x5c, a payload that is not JSON), so
 * only the words and details show that this first, cheap stage did its job. Each case is a token an attacker or a
 * broken peer could send.
 */
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  assertAlgorithms,
  checkHeader,
  checkTokenSize,
  decodeJsonSegment,
  isCanonicalBase64Url,
} from '../../src/envelope/header';
import { MAX_X5C_CERTIFICATES, TYP_ACK, TYP_COMMAND } from '../../src/envelope/types';
import { refusalOf } from './fixtures';

const NOT_COMPACT = {
  code: 'ERR_TOKEN_MALFORMED',
  message: 'the token is not a compact JWS (three canonical base64url parts, nothing around them)',
  details: undefined,
};
const CERT = 'MIIB'; // standard base64 (the DER itself is parsed later)
const THUMBPRINT = 'A'.repeat(43);
const cmdHeader = (over: Record<string, unknown> = {}) => ({
  alg: 'ES256',
  typ: TYP_COMMAND,
  x5c: [CERT],
  ...over,
});

describe('checkTokenSize: size first, then exactly three canonical parts', () => {
  it('a token over the limit is refused by its size alone, naming both numbers; exactly the limit passes', () => {
    expect(refusalOf(() => checkTokenSize('a.b.c'.padEnd(101, 'c'), 100))).toEqual({
      code: 'ERR_TOKEN_TOO_LARGE',
      message: 'the token is 101 bytes; the maximum is 100',
      details: { size: 101, maxBytes: 100 },
    });
    expect(checkTokenSize('AA.AA.'.padEnd(100, 'A'), 100).dot2).toBe(5);
  });

  it('bytes are accepted when they are UTF-8, and refused in words when not; anything else is a caller bug', () => {
    expect(checkTokenSize(new TextEncoder().encode('AA.AA.AA'), 100)).toEqual({
      text: 'AA.AA.AA',
      dot1: 2,
      dot2: 5,
    });
    expect(refusalOf(() => checkTokenSize(new Uint8Array([0x61, 0x2e, 0xff, 0x2e, 0x62]), 100))).toEqual({
      code: 'ERR_TOKEN_MALFORMED',
      message: 'the token is not UTF-8 text',
      details: undefined,
    });
    expect(() => checkTokenSize(42 as never, 100)).toThrow(
      new TypeError('token must be a string or Uint8Array'),
    );
  });

  it('no dot, an empty header or payload, a fourth part: not a compact JWS', () => {
    // 'abc' alone is canonical base64url: only the dot rules refuse it.
    for (const token of ['abc', '.AA.AA', 'AA..AA', 'AA.AA.AA.AA', 'AA.AA'])
      expect(
        refusalOf(() => checkTokenSize(token, 100)),
        token,
      ).toEqual(NOT_COMPACT);
    expect(checkTokenSize('AA.AA.', 100)).toEqual({ text: 'AA.AA.', dot1: 2, dot2: 5 });
  });

  it('a part of length 4n+1 is never canonical (no byte sequence encodes to it)', () => {
    expect(isCanonicalBase64Url('AAAAA')).toBe(false);
    expect(isCanonicalBase64Url('AAAA')).toBe(true);
    expect(refusalOf(() => checkTokenSize('AA.AA.AAAAA', 100))).toEqual(NOT_COMPACT);
  });
});

describe('decodeJsonSegment', () => {
  const enc = (text: string) => base64url.encode(new TextEncoder().encode(text));

  it('decodes base64url with - and _ and non-ASCII text', () => {
    const value = { k: '>>>???~~~', name: 'Kapitän Å' };
    const segment = enc(JSON.stringify(value));
    expect(segment).toMatch(/-/u);
    expect(segment).toMatch(/_/u);
    expect(decodeJsonSegment(segment, 'payload')).toEqual(value);
  });

  it('refuses what is not base64url, not JSON, or not a JSON object, naming the part', () => {
    const malformed = (message: string) => ({ code: 'ERR_TOKEN_MALFORMED', message, details: undefined });
    expect(refusalOf(() => decodeJsonSegment('ab+c', 'payload'))).toEqual(
      malformed('the token payload is not base64url'),
    );
    expect(refusalOf(() => decodeJsonSegment(enc('{"a":'), 'header'))).toEqual(
      malformed('the token header is not base64url JSON'),
    );
    for (const json of ['null', '[1]', '"text"', '42'])
      expect(
        refusalOf(() => decodeJsonSegment(enc(json), 'payload')),
        json,
      ).toEqual(malformed('the token payload is not a JSON object'));
  });
});

describe('checkHeader: each refusal in words', () => {
  it('typ: the expected one is named, the one received quoted (at most 40 characters) or "none"', () => {
    expect(refusalOf(() => checkHeader(cmdHeader({ typ: 'JWT' }), TYP_COMMAND, ['ES256']))).toEqual({
      code: 'ERR_JOSE_TYP_INVALID',
      message: `expected typ ${TYP_COMMAND}, got JWT`,
      details: { expected: TYP_COMMAND },
    });
    expect(refusalOf(() => checkHeader(cmdHeader({ typ: 7 }), TYP_COMMAND, ['ES256'])).message).toBe(
      `expected typ ${TYP_COMMAND}, got none`,
    );
    expect(
      refusalOf(() => checkHeader(cmdHeader({ typ: 'x'.repeat(50) }), TYP_COMMAND, ['ES256'])).message,
    ).toBe(`expected typ ${TYP_COMMAND}, got ${'x'.repeat(40)}`);
  });

  it('alg: refused with the allow-list in the details, the alg quoted (at most 20 characters) or "none"', () => {
    expect(
      refusalOf(() => checkHeader(cmdHeader({ alg: 'HS256' }), TYP_COMMAND, ['ES256', 'EdDSA'])),
    ).toEqual({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
      message: 'algorithm HS256 is not allowed',
      details: { allowed: ['ES256', 'EdDSA'] },
    });
    expect(refusalOf(() => checkHeader(cmdHeader({ alg: null }), TYP_COMMAND, ['ES256'])).message).toBe(
      'algorithm none is not allowed',
    );
    expect(
      refusalOf(() => checkHeader(cmdHeader({ alg: 'A'.repeat(30) }), TYP_COMMAND, ['ES256'])).message,
    ).toBe(`algorithm ${'A'.repeat(20)} is not allowed`);
  });

  it('crit, key-carrying parameters and unknown parameters are refused, each named', () => {
    expect(refusalOf(() => checkHeader(cmdHeader({ crit: ['b64'] }), TYP_COMMAND, ['ES256']))).toEqual({
      code: 'ERR_JOSE_CRIT_UNSUPPORTED',
      message: 'the token marks header extensions as critical; none are supported',
      details: undefined,
    });
    expect(refusalOf(() => checkHeader(cmdHeader({ jwk: {} }), TYP_COMMAND, ['ES256']))).toEqual({
      code: 'ERR_JOSE_HEADER_FORBIDDEN',
      message: 'header parameter jwk is never trusted: the key comes only from a validated certificate',
      details: { parameter: 'jwk' },
    });
    const long = `zip${'z'.repeat(30)}`;
    expect(refusalOf(() => checkHeader(cmdHeader({ [long]: 1 }), TYP_COMMAND, ['ES256']))).toEqual({
      code: 'ERR_JOSE_HEADER_FORBIDDEN',
      message: `header parameter ${long.slice(0, 20)} is not allowed`,
      details: { parameter: long.slice(0, 20) },
    });
  });

  it('x5t#S256: only on acks, never beside x5c, and only as 43 canonical base64url characters', () => {
    expect(
      refusalOf(() => checkHeader(cmdHeader({ 'x5t#S256': THUMBPRINT }), TYP_COMMAND, ['ES256'])),
    ).toEqual({
      code: 'ERR_JOSE_HEADER_FORBIDDEN',
      message: `header parameter x5t#S256 is not accepted on ${TYP_COMMAND}: its signer certificate travels in x5c`,
      details: { parameter: 'x5t#S256' },
    });
    const ack = (over: Record<string, unknown>) => ({ alg: 'ES256', typ: TYP_ACK, ...over });
    expect(
      refusalOf(() => checkHeader(ack({ x5c: [CERT], 'x5t#S256': THUMBPRINT }), TYP_ACK, ['ES256'])),
    ).toEqual({
      code: 'ERR_JOSE_SIGNER_AMBIGUOUS',
      message: 'the token names its signer twice (x5c and x5t#S256): exactly one is allowed',
      details: undefined,
    });
    for (const bad of ['A'.repeat(42), 'A'.repeat(44), `${'A'.repeat(42)}+`, 42])
      expect(refusalOf(() => checkHeader(ack({ 'x5t#S256': bad }), TYP_ACK, ['ES256']))).toEqual({
        code: 'ERR_JOSE_X5T_INVALID',
        message: 'x5t#S256 must be a base64url SHA-256 (43 characters)',
        details: undefined,
      });
    expect(refusalOf(() => checkHeader(ack({}), TYP_ACK, ['ES256']))).toEqual({
      code: 'ERR_JOSE_SIGNER_MISSING',
      message: 'the token names its signer neither in x5c nor in x5t#S256',
      details: undefined,
    });
    expect(checkHeader(ack({ 'x5t#S256': THUMBPRINT }), TYP_ACK, ['ES256'])).toEqual({
      alg: 'ES256',
      typ: TYP_ACK,
      'x5t#S256': THUMBPRINT,
    });
  });

  it(`x5c: 1 to ${MAX_X5C_CERTIFICATES} entries of standard base64, refused in words before any is parsed`, () => {
    const x5cInvalid = (message: string) => ({ code: 'ERR_JOSE_X5C_INVALID', message, details: undefined });
    const count = `x5c must hold 1 to ${MAX_X5C_CERTIFICATES} certificates`;
    for (const x5c of [[], Array(MAX_X5C_CERTIFICATES + 1).fill(CERT), CERT])
      expect(refusalOf(() => checkHeader(cmdHeader({ x5c }), TYP_COMMAND, ['ES256']))).toEqual(
        x5cInvalid(count),
      );
    expect(
      checkHeader(cmdHeader({ x5c: Array(MAX_X5C_CERTIFICATES).fill(CERT) }), TYP_COMMAND, ['ES256']).x5c,
    ).toHaveLength(MAX_X5C_CERTIFICATES);
    for (const entry of [42, 'MII-B_', ''])
      expect(refusalOf(() => checkHeader(cmdHeader({ x5c: [CERT, entry] }), TYP_COMMAND, ['ES256']))).toEqual(
        x5cInvalid('x5c entries must be standard base64 DER'),
      );
  });
});

describe('assertAlgorithms: the allow-list is a caller choice, checked', () => {
  it('refuses an empty or non-list allow-list and algorithms the envelope does not support', () => {
    for (const list of [[], 'ES256'])
      expect(() => assertAlgorithms(list as never)).toThrow(
        new TypeError('the algorithm allow-list must not be empty'),
      );
    expect(() => assertAlgorithms(['ES256', 'HS256'])).toThrow(
      new TypeError('algorithm HS256 is not supported (allowed: ES256, ES384, EdDSA, PS256)'),
    );
    expect(assertAlgorithms(['EdDSA'])).toEqual(['EdDSA']);
  });
});
