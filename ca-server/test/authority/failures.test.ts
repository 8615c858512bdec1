/**
 * The alert flood and lockout of issue 14, replayed: 650 enrollments with unknown tokens from one address used to
 * store hundreds of alerts (each sent to the webhook, kept forever) and then lock a legitimate enrollment from the
 * same address out with 429. Now: one budget of failures per address, alerts and audit entries aggregated per
 * address, kind and window, bounded retention, and requests that authenticate are never refused for others' failures.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frozenClock } from '@helmlink/protocol';
import { loadAuthority, type Authority } from '../../src/authority/authority';
import { DEFAULT_RATE_LIMITS } from '../../src/authority/rate-limit';
import { buildApp } from '../../src/http/app';
import { SqliteStore } from '../../src/store/sqlite';
import {
  createTestCa,
  headerClientCertificate,
  headerFor,
  leafDer,
  makeCsr,
  PASSPHRASE,
  TEST_START,
} from '../helpers';

const clock = frozenClock(TEST_START);
const posted: Array<{ kind: string; details: Record<string, unknown> }> = [];
const hook = createServer((req: IncomingMessage, res: ServerResponse) => {
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => {
    posted.push(JSON.parse(body) as { kind: string; details: Record<string, unknown> });
    res.writeHead(200).end('ok');
  });
});
let authority: Authority;
let app: FastifyInstance;
let adminDer: Uint8Array;

beforeAll(async () => {
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  const ca = await createTestCa(clock);
  // The production defaults: nothing is loosened for the test.
  authority = await loadAuthority({
    dir: ca.dir,
    passphrase: PASSPHRASE,
    clock,
    alertWebhook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, backoffMs: 5 },
  });
  app = buildApp(authority, { clientCertificate: headerClientCertificate });
  adminDer = leafDer(ca.init.adminCertPath!);
});

afterAll(async () => {
  await app.close();
  await authority.close();
  hook.close();
});

const kinds = (k: string) => authority.listAlerts(0, 10_000).filter((a) => a.kind === k);

describe('unauthenticated failures: rate-limited and alerted per address and window, aggregated', () => {
  it('650 unknown tokens from one address: a few alerts with counts, and a legitimate enrollment still passes', async () => {
    const alertsBefore = authority.listAlerts(0, 10_000).length;
    const auditBefore = authority.store.listAudit().length;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 650; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/ca/v1/enroll',
        payload: { csr: 'x', token: `hlt_${randomBytes(16).toString('base64url')}` },
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    }
    const budget = DEFAULT_RATE_LIMITS.failures.perAddress.limit;
    expect(Object.fromEntries(statuses)).toEqual({ 403: budget, 429: 650 - budget });

    // Someone else at the same address enrolls with the token an admin gave them.
    const t = await app.inject({
      method: 'POST',
      url: '/ca/v1/tokens',
      headers: headerFor(adminDer),
      payload: { entityId: 'mv-legit', roles: ['vessel'] },
    });
    const csr = await makeCsr('mv-legit');
    const legit = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: csr.pem, token: t.json().token },
    });
    expect(legit.statusCode).toBe(201);

    // During the window: one stored alert per kind (the first, sent to the webhook at once).
    expect(kinds('token_unknown')).toHaveLength(1);
    expect(kinds('rate_limited')).toHaveLength(1);
    // When the window ends: one summary each, with the count.
    clock.advance(DEFAULT_RATE_LIMITS.failures.perAddress.windowMs);
    authority.failures.closeWindows();
    const unknown = kinds('token_unknown');
    const limited = kinds('rate_limited');
    expect(unknown).toHaveLength(2);
    expect(limited).toHaveLength(2);
    expect(unknown[0]!.details).toMatchObject({ address: '127.0.0.1', count: budget, summary: true });
    expect(limited[0]!.details).toMatchObject({ address: '127.0.0.1', count: 650 - budget, summary: true });
    expect(authority.listAlerts(0, 10_000).length - alertsBefore).toBe(4);
    const audit = authority.store.listAudit().slice(auditBefore);
    expect(audit.filter((e) => e.action === 'enroll.refused')).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'rate_limit.trip')).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'failures.summary').map((e) => e.details.count)).toEqual([
      budget,
      650 - budget,
    ]);
    await authority.alerts.flush();
    const flood = posted.filter((p) => p.kind === 'token_unknown' || p.kind === 'rate_limited');
    expect(flood).toHaveLength(4);

    // A new window: the address has its budget back.
    const again = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: 'x', token: 'hlt_unknown' },
    });
    expect(again.statusCode).toBe(403);
  });

  it('a flood of refused client certificates does not lock out a valid client at the same address', async () => {
    const foreign = await createTestCa(clock);
    const foreignDer = leafDer(foreign.init.adminCertPath!);
    const before = kinds('client_certificate_refused').length;
    const codes = new Set<number>();
    for (let i = 0; i < 120; i++)
      codes.add(
        (await app.inject({ method: 'POST', url: '/ca/v1/renew', headers: headerFor(foreignDer) }))
          .statusCode,
      );
    expect([...codes].sort()).toEqual([401]);
    for (let i = 0; i < 5; i++)
      expect((await app.inject({ method: 'POST', url: '/ca/v1/renew' })).statusCode).toBe(429);
    expect(kinds('client_certificate_refused').length - before).toBe(1);
    // The admin at the same address still works, and so does a vessel renewing.
    expect(
      (await app.inject({ method: 'GET', url: '/ca/v1/certs', headers: headerFor(adminDer) })).statusCode,
    ).toBe(200);
    const vessel = authority.listCertificates({ role: 'vessel', status: 'valid' })[0]!;
    expect(
      (await app.inject({ method: 'POST', url: '/ca/v1/renew', headers: headerFor(vessel.der) })).statusCode,
    ).toBe(201);
  });
});

describe('alert retention', () => {
  it('keeps only the newest alerts', () => {
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'helmlink-alerts-')), 'ca.db'), {
      alertRetention: 10,
    });
    for (let i = 0; i < 30; i++)
      store.insertAlert({ ts: i, kind: 'token_unknown', severity: 'warning', message: `m${i}`, details: {} });
    const kept = store.listAlerts(0, 100);
    expect(kept).toHaveLength(10);
    expect(kept.map((a) => a.message)[0]).toBe('m29');
    expect(kept.at(-1)!.message).toBe('m20');
    store.close();
  });
});
