/**
 * The CA's Fastify app over a CA generated in a temp dir, for the route tests (`app.inject`, client certificates
 * through a test header). Each test file calls {@link setupRouteApp} once; the bindings below are live.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadAuthority, type Authority } from '../../../src/authority/authority';
import { buildApp } from '../../../src/http/app';
import { frozenClock } from '@helmlink/protocol';
import {
  createTestCa,
  headerClientCertificate,
  headerFor,
  leafDer,
  makeCsr,
  PASSPHRASE,
  TEST_START,
} from '../../helpers';

export const clock = frozenClock(TEST_START);
export let dir: string;
export let authority: Authority;
export let app: FastifyInstance;
let adminDer: Uint8Array;

/** Registers the hooks that start the app before the file's tests and close it after them. */
export function setupRouteApp(): void {
  beforeAll(async () => {
    const ca = await createTestCa(clock);
    dir = ca.dir;
    authority = await loadAuthority({
      dir,
      passphrase: PASSPHRASE,
      clock,
      rateLimits: {
        enroll: {
          perAddress: { limit: 1000, windowMs: 60_000 },
          perIdentity: { limit: 6, windowMs: 60_000 },
        },
        renew: {
          perAddress: { limit: 1000, windowMs: 60_000 },
          perIdentity: { limit: 1000, windowMs: 60_000 },
        },
        revoke: {
          perAddress: { limit: 1000, windowMs: 60_000 },
          perIdentity: { limit: 1000, windowMs: 60_000 },
        },
      },
    });
    app = buildApp(authority, { clientCertificate: headerClientCertificate });
    adminDer = leafDer(ca.init.adminCertPath!);
  });

  afterAll(async () => {
    await app.close();
    await authority.close();
  });
}

/** The test header carrying the CA's admin certificate. */
export const admin = () => headerFor(adminDer);

/** A one-time enrollment token from the admin route. */
export async function token(body: Record<string, unknown>): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/ca/v1/tokens', headers: admin(), payload: body });
  expect(res.statusCode).toBe(201);
  return res.json().token as string;
}

/** Enrolls `entityId` with a fresh key through the routes. */
export async function enroll(entityId: string, roles: string[], extra: Record<string, unknown> = {}) {
  const t = await token({ entityId, roles, ...extra });
  const csr = await makeCsr(entityId);
  const res = await app.inject({ method: 'POST', url: '/ca/v1/enroll', payload: { csr: csr.pem, token: t } });
  expect(res.statusCode).toBe(201);
  return { ...(res.json() as { serial: string; certificate: string; chain: string }), keys: csr.keys };
}

/** The `error.code` of a JSON refusal. */
export const errorCode = (res: { json: () => unknown }): string =>
  (res.json() as { error: { code: string } }).error.code;
