import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import {
  CA_SERVER_ERRORS,
  HelmlinkError,
  PROTOCOL_ERRORS,
  type ErrorCode,
  frozenClock,
} from '@helmlink/protocol';
import { loadAuthority, type Authority } from '../../src/authority/authority';
import { buildApp } from '../../src/http/app';
import { statusOf, toWireError } from '../../src/http/errors';
import { createTestCa, TEST_START, PASSPHRASE } from '../helpers';

describe('HTTP mapping of codes', () => {
  it('gives every CA and protocol code a status', () => {
    for (const code of Object.keys({ ...PROTOCOL_ERRORS, ...CA_SERVER_ERRORS }) as ErrorCode[]) {
      expect(statusOf(code), code).toBeGreaterThanOrEqual(400);
    }
    expect(statusOf('ERR_CSR_SIGNATURE')).toBe(422);
    expect(statusOf('ERR_ENROLL_TOKEN_USED')).toBe(409);
    expect(statusOf('ERR_CERT_MALFORMED')).toBe(400);
  });

  it('answers a code that cannot belong to the CA (console, vessel, client) with a bare 500, not a silent 400', () => {
    for (const code of [
      'ERR_IDENTITY_LOCKED',
      'ERR_HOOK_REJECTED',
      'ERR_CA_PIN_MISMATCH',
      'ERR_TOOL_MISSING',
    ] as const) {
      expect(statusOf(code)).toBeUndefined();
      expect(toWireError(new HelmlinkError(code, 'internal words'))).toEqual({
        status: 500,
        body: { error: { code: 'ERR_INTERNAL', message: 'Internal error' } },
      });
    }
  });

  it("keeps a 5xx coded error's words and details to the log", () => {
    expect(
      toWireError(new HelmlinkError('ERR_AUDIT_TAMPERED', 'row 7 hash mismatch', { details: { row: 7 } })),
    ).toEqual({
      status: 500,
      body: { error: { code: 'ERR_INTERNAL', message: 'Internal error' } },
    });
  });

  it('keeps code, message, details and Retry-After of a 4xx', () => {
    expect(
      toWireError(new HelmlinkError('ERR_RATE_LIMITED', 'slow down', { details: { retryAfter: 7 } })),
    ).toEqual({
      status: 429,
      body: { error: { code: 'ERR_RATE_LIMITED', message: 'slow down', details: { retryAfter: 7 } } },
      retryAfter: 7,
    });
  });
});

describe('the error handler (app.inject)', () => {
  const logLines: Record<string, unknown>[] = [];
  let authority: Authority;
  let app: FastifyInstance;

  beforeAll(async () => {
    const clock = frozenClock(TEST_START);
    const ca = await createTestCa(clock);
    authority = await loadAuthority({ dir: ca.dir, passphrase: PASSPHRASE, clock });
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
          logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    app = buildApp(authority, { logger: { level: 'error', stream } });
    app.get('/test/foreign-code', async () => {
      throw new HelmlinkError('ERR_IDENTITY_LOCKED', 'a console code thrown by mistake');
    });
  });

  afterAll(async () => {
    await app?.close();
    await authority?.close();
  });

  it('answers an unmapped code with 500 ERR_INTERNAL and logs the cause', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/foreign-code' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'ERR_INTERNAL', message: 'Internal error' } });
    expect(res.body).not.toMatch(/ERR_IDENTITY_LOCKED|by mistake/u);
    const logged = logLines.find((l) => l.msg === 'request failed');
    expect(logged).toMatchObject({
      level: 50,
      err: { code: 'ERR_IDENTITY_LOCKED', message: 'a console code thrown by mistake' },
    });
  });
});
