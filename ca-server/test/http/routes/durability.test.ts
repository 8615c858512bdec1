/**
 * The CA after its database could not be made durable (a failed fdatasync of the write-ahead log): the enrollment
 * of that batch gets no certificate, every later write is refused, GET /health fails so monitoring notices, and the
 * CRL and chain are still served. A restart takes writes again.
 */
import { fdatasync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { frozenClock } from '@helmlink/protocol';
import { loadAuthority, type Authority } from '../../../src/authority/authority';
import { buildApp } from '../../../src/http/app';
import type { FdatasyncFn } from '../../../src/store/wal-sync';
import {
  createTestCa,
  headerClientCertificate,
  headerFor,
  leafDer,
  makeCsr,
  PASSPHRASE,
  TEST_START,
} from '../../helpers';

const clock = frozenClock(TEST_START);
const failing = { now: false };
const flakySync: FdatasyncFn = (fd, cb) =>
  failing.now
    ? cb(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))
    : fdatasync(fd, cb);
const open: Authority[] = [];
afterAll(async () => {
  for (const a of open) await a.close();
});

async function start(dir: string, fdatasyncFn?: FdatasyncFn) {
  const authority = await loadAuthority({
    dir,
    passphrase: PASSPHRASE,
    clock,
    ...(fdatasyncFn ? { fdatasync: fdatasyncFn } : {}),
  });
  open.push(authority);
  return { authority, app: buildApp(authority, { clientCertificate: headerClientCertificate }) };
}

describe('the CA after a failed WAL sync', () => {
  it('answers no certificate, refuses later writes, fails /health, still serves the CRL; a restart recovers', async () => {
    const ca = await createTestCa(clock);
    const admin = headerFor(leafDer(ca.init.adminCertPath!));
    const { authority, app } = await start(ca.dir, flakySync);
    const tokenFor = async (entityId: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/ca/v1/tokens',
        headers: admin,
        payload: { entityId, roles: ['vessel'] },
      });
      return res;
    };
    const enroll = async (entityId: string, token: string) =>
      app.inject({
        method: 'POST',
        url: '/ca/v1/enroll',
        payload: { csr: (await makeCsr(entityId)).pem, token },
      });

    const first = await tokenFor('vessel-a');
    expect(first.statusCode).toBe(201);
    const second = await tokenFor('vessel-b');
    expect(second.statusCode).toBe(201);

    failing.now = true;
    const lost = await enroll('vessel-a', first.json().token as string);
    expect(lost.statusCode).toBe(500);
    expect(lost.json()).toEqual({ error: { code: 'ERR_INTERNAL', message: 'Internal error' } });
    expect(lost.body).not.toContain('CERTIFICATE');
    expect(authority.store.durabilityFailure()?.code).toBe('ERR_CA_STORE');

    // The disk works again, but the CA stays refusing until it is restarted.
    failing.now = false;
    const refused = await enroll('vessel-b', second.json().token as string);
    expect(refused.statusCode).toBe(500);
    expect(refused.body).not.toContain('CERTIFICATE');
    expect((await tokenFor('vessel-c')).statusCode).toBe(500);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(500);
    const crl = await app.inject({ method: 'GET', url: '/ca/v1/crl' });
    expect(crl.statusCode).toBe(200);
    expect(crl.body).toContain('-----BEGIN X509 CRL-----');
    await app.close();
    await authority.close();
    open.splice(open.indexOf(authority), 1);

    const restarted = await start(ca.dir);
    expect((await restarted.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const fresh = await restarted.app.inject({
      method: 'POST',
      url: '/ca/v1/tokens',
      headers: admin,
      payload: { entityId: 'vessel-d', roles: ['vessel'] },
    });
    expect(fresh.statusCode).toBe(201);
    const enrolled = await restarted.app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: (await makeCsr('vessel-d')).pem, token: fresh.json().token as string },
    });
    expect(enrolled.statusCode).toBe(201);
    await restarted.app.close();
  });
});
