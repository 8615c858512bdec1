import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAuthority, type Authority } from '../../src/authority/authority';
import { buildApp } from '../../src/http/app';
import {
  createTestCa,
  TEST_START,
  headerFor,
  leafDer,
  makeCsr,
  PASSPHRASE,
  headerClientCertificate,
} from '../helpers';
import { frozenClock } from '@helmlink/protocol';

const clock = frozenClock(TEST_START);
let authority: Authority;
let app: FastifyInstance;
let adminDer: Uint8Array;

beforeAll(async () => {
  const ca = await createTestCa(clock);
  authority = await loadAuthority({
    dir: ca.dir,
    passphrase: PASSPHRASE,
    clock,
    rateLimits: {
      enroll: {
        perAddress: { limit: 1000, windowMs: 60_000 },
        perIdentity: { limit: 1000, windowMs: 60_000 },
      },
      renew: { perAddress: { limit: 1000, windowMs: 60_000 }, perIdentity: { limit: 2, windowMs: 60_000 } },
      revoke: { perAddress: { limit: 3, windowMs: 60_000 }, perIdentity: { limit: 1000, windowMs: 60_000 } },
    },
  });
  app = buildApp(authority, { clientCertificate: headerClientCertificate });
  adminDer = leafDer(ca.init.adminCertPath!);
});

afterAll(async () => {
  await app.close();
  await authority.close();
});

async function enrolled(entityId: string, validityDays?: number) {
  const { token } = authority.createEnrollmentToken({
    entityId,
    roles: ['vessel'],
    ...(validityDays ? { validityDays } : {}),
  });
  const issued = await authority.enroll({ csr: (await makeCsr(entityId)).pem, token });
  return { serial: issued.serial, der: leafDer(issued.certificatePem) };
}

const code = (res: { json: () => unknown }) =>
  (res.json() as { error: { code: string; details?: { reason?: string } } }).error;

describe('mTLS refusals', () => {
  it('refuses renewal on hold and after expiry, with the reason', async () => {
    const held = await enrolled('mv-held');
    await authority.revoke({ serial: held.serial, reason: 6 }, { id: 'test' });
    expect(
      code(await app.inject({ method: 'POST', url: '/ca/v1/renew', headers: headerFor(held.der) })),
    ).toMatchObject({
      code: 'ERR_CLIENT_CERT_INVALID',
      details: { reason: 'ERR_CHAIN_REVOKED' },
    });
    const short = await enrolled('mv-short', 1);
    clock.advance(2 * 86_400_000);
    const expired = await app.inject({ method: 'POST', url: '/ca/v1/renew', headers: headerFor(short.der) });
    expect(expired.statusCode).toBe(401);
    expect(code(expired)).toMatchObject({
      code: 'ERR_CLIENT_CERT_INVALID',
      details: { reason: 'ERR_CHAIN_EXPIRED' },
    });
    expect(
      code(
        await app.inject({
          method: 'POST',
          url: '/ca/v1/renew',
          headers: headerFor(new Uint8Array([1, 2, 3])),
        }),
      ),
    ).toMatchObject({
      code: 'ERR_CLIENT_CERT_INVALID',
      details: { reason: 'ERR_CERT_MALFORMED' },
    });
  });

  it('rate-limits renewals per identity and revocations per address (429 + Retry-After)', async () => {
    const v = await enrolled('mv-renewer');
    const statuses: number[] = [];
    // Each renewal supersedes its predecessor: the client renews with its newest certificate, as it must.
    let current = v.der;
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({ method: 'POST', url: '/ca/v1/renew', headers: headerFor(current) });
      statuses.push(res.statusCode);
      if (res.statusCode === 201) current = leafDer(res.json().certificate as string);
    }
    expect(statuses).toEqual([201, 201, 429]);
    const revokes: number[] = [];
    let retry: unknown;
    for (let i = 0; i < 4; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/ca/v1/revoke',
        headers: headerFor(adminDer),
        payload: { serial: 'abcd', reason: 0 },
      });
      revokes.push(res.statusCode);
      retry = res.headers['retry-after'] ?? retry;
    }
    expect(revokes).toEqual([404, 404, 404, 429]);
    expect(Number(retry)).toBeGreaterThan(0);
    expect(
      authority.store
        .listAudit()
        .filter((e) => e.action === 'rate_limit.trip')
        .map((e) => e.details.group),
    ).toEqual(['renew', 'revoke']);
  });

  it('refuses unknown properties on admin bodies and bad query values', async () => {
    const extra = await app.inject({
      method: 'POST',
      url: '/ca/v1/tokens',
      headers: headerFor(adminDer),
      payload: { entityId: 'x', roles: ['vessel'], admin: true },
    });
    expect(code(extra).code).toBe('ERR_INPUT_INVALID');
    expect(
      code(await app.inject({ method: 'GET', url: '/ca/v1/alerts?since=-1', headers: headerFor(adminDer) }))
        .code,
    ).toBe('ERR_INPUT_INVALID');
    expect(
      code(await app.inject({ method: 'GET', url: '/ca/v1/certs?foo=1', headers: headerFor(adminDer) })).code,
    ).toBe('ERR_INPUT_INVALID');
  });
});
