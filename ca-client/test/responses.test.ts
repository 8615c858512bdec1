/** Reading the CA's answers: refusals as coded errors, with client-side codes or the CA's own. */
import { describe, expect, it } from 'vitest';
import { caError, clientSideError, isSuccess, parseBody } from '../src/responses';
import type { RawResponse } from '../src/transport';

const response = (status: number, body: string, headers: RawResponse['headers'] = {}): RawResponse => ({
  status,
  headers,
  body: Buffer.from(body),
  peerChain: [],
});

describe('CA answers', () => {
  it('parses JSON bodies and reports malformed ones', () => {
    expect(parseBody(response(200, '{"a":1}'))).toEqual({ parsed: { a: 1 } });
    const bad = parseBody(response(200, '{'));
    expect(bad.parsed).toBeUndefined();
    expect(bad.malformed).toBeInstanceOf(SyntaxError);
    expect(isSuccess(response(201, ''))).toBe(true);
    expect(isSuccess(response(302, ''))).toBe(false);
  });

  it("with client-side codes keeps the CA's ERR_ code and message, else ERR_CA_RESPONSE", () => {
    const wire = response(409, '{"error":{"code":"ERR_ENROLL_TOKEN_USED","message":"used"}}');
    expect(clientSideError(wire, undefined)).toMatchObject({
      code: 'ERR_ENROLL_TOKEN_USED',
      message: 'used',
      details: { status: 409 },
    });
    expect(clientSideError(response(400, ''), { code: 'ERR_ID_INVALID', message: 'bad id' })).toMatchObject({
      code: 'ERR_ID_INVALID',
    });
    expect(clientSideError(response(502, '<html>'), undefined)).toMatchObject({
      code: 'ERR_CA_RESPONSE',
      message: 'the CA answered with HTTP 502',
    });
    expect(clientSideError(response(500, ''), { error: { code: 'not a code' } })).toMatchObject({
      code: 'ERR_CA_RESPONSE',
    });
  });

  it("keeps the CA's code with status, details and Retry-After, or ERR_INTERNAL without one", () => {
    const limited = response(429, '', { 'retry-after': '7' });
    const body = { error: { code: 'ERR_RATE_LIMITED', message: 'slow down', details: { retryAfter: 7 } } };
    expect(caError(limited, body)).toMatchObject({
      code: 'ERR_RATE_LIMITED',
      message: 'slow down',
      details: { status: 429, retryAfter: 7 },
    });
    expect(caError(response(503, ''), undefined)).toMatchObject({
      code: 'ERR_INTERNAL',
      message: 'the CA answered 503',
      details: { status: 503 },
    });
  });

  it('never passes on a code this build does not register: it stays in details.wireCode', () => {
    const newer = { error: { code: 'ERR_FROM_A_NEWER_CA', message: 'words of a newer CA' } };
    expect(clientSideError(response(409, ''), newer)).toMatchObject({
      code: 'ERR_CA_RESPONSE',
      message: 'words of a newer CA',
      details: { status: 409, wireCode: 'ERR_FROM_A_NEWER_CA' },
    });
    expect(caError(response(409, ''), newer)).toMatchObject({
      code: 'ERR_INTERNAL',
      message: 'words of a newer CA',
      details: { status: 409, wireCode: 'ERR_FROM_A_NEWER_CA' },
    });
    expect(
      caError(response(409, ''), { error: { code: 'ERR_ENROLL_TOKEN_USED', message: 'used' } }).details,
    ).toEqual({ status: 409 });
  });
});
