/** Admin routes (mutual TLS, role admin): tokens, listings, revocation, alerts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCrls, crlNumberOf, MARITIME_RULES } from '@helmlink/protocol';
import { headerFor, leafDer } from '../../helpers';
import { admin, app, authority, dir, enroll, errorCode, setupRouteApp } from './fixture';

setupRouteApp();

// What the listings read: a vessel certificate, and alerts from five enrollments with unknown tokens (from five
// addresses: failures from one address are alerted once per window).
beforeAll(async () => {
  await enroll('mv-listed', ['vessel']);
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      remoteAddress: `192.0.2.${i + 1}`,
      payload: { csr: 'x', token: `hlt_unknown_${i}` },
    });
    expect(errorCode(res)).toBe('ERR_ENROLL_TOKEN_UNKNOWN');
  }
});

describe('admin routes (mTLS, role admin)', () => {
  it('refuse non-admin identities and requests without a certificate', async () => {
    const pilot = await enroll('pilot-x', ['pilot']);
    for (const [method, url] of [
      ['POST', '/ca/v1/tokens'],
      ['GET', '/ca/v1/certs'],
      ['POST', '/ca/v1/revoke'],
      ['POST', '/ca/v1/release'],
      ['GET', '/ca/v1/alerts'],
    ] as const) {
      const none = await app.inject({ method, url, payload: method === 'POST' ? {} : undefined });
      expect(errorCode(none)).toBe('ERR_CLIENT_CERT_REQUIRED');
      const res = await app.inject({
        method,
        url,
        headers: headerFor(leafDer(pilot.certificate)),
        payload: method === 'POST' ? {} : undefined,
      });
      expect(res.statusCode).toBe(403);
      expect(errorCode(res)).toBe('ERR_FORBIDDEN');
    }
  });

  it('POST /ca/v1/tokens validates entity ids, roles and maritime attributes', async () => {
    const bad = async (body: Record<string, unknown>) =>
      errorCode(await app.inject({ method: 'POST', url: '/ca/v1/tokens', headers: admin(), payload: body }));
    expect(await bad({ entityId: 'a/b', roles: ['vessel'] })).toBe('ERR_ID_INVALID');
    expect(await bad({ entityId: 'ok', roles: ['ca'] })).toBe('ERR_INPUT_INVALID');
    expect(await bad({ entityId: 'ok', roles: [] })).toBe('ERR_INPUT_INVALID');
    expect(await bad({ entityId: 'ok', roles: ['vessel'], imo: '9074728' })).toBe('ERR_INPUT_INVALID');
    expect(await bad({ entityId: 'ok', roles: ['vessel'], mmsi: '12' })).toBe('ERR_INPUT_INVALID');
    expect(await bad({ entityId: 'ok', roles: ['vessel'], name: '<b>Tern</b>' })).toBe('ERR_INPUT_INVALID');
    expect(await bad({ entityId: 'ok', roles: ['vessel'], name: ' MV Tern' })).toBe('ERR_INPUT_INVALID');
    // Shapes that used to pass: an unassigned flag, the all-zero MMSI and IMO, a MID of another flag state.
    const refusal = async (body: Record<string, unknown>) =>
      (await app.inject({ method: 'POST', url: '/ca/v1/tokens', headers: admin(), payload: body })).json()
        .error as { code: string; message: string; details: { field: string; rule: string } };
    expect(await refusal({ entityId: 'ok', roles: ['vessel'], flag: 'XX' })).toMatchObject({
      code: 'ERR_INPUT_INVALID',
      message: MARITIME_RULES.flag,
      details: { field: 'flag' },
    });
    expect(await refusal({ entityId: 'ok', roles: ['vessel'], mmsi: '000000000' })).toMatchObject({
      code: 'ERR_INPUT_INVALID',
      details: { field: 'mmsi', rule: 'mmsi' },
    });
    expect(await refusal({ entityId: 'ok', roles: ['vessel'], imo: '0000000' })).toMatchObject({
      code: 'ERR_INPUT_INVALID',
      details: { field: 'imo' },
    });
    expect(await refusal({ entityId: 'ok', roles: ['vessel'], mmsi: '257123450', flag: 'DK' })).toMatchObject(
      { code: 'ERR_INPUT_INVALID', message: MARITIME_RULES.mmsiFlag, details: { rule: 'mmsiFlag' } },
    );
    const ok = await app.inject({
      method: 'POST',
      url: '/ca/v1/tokens',
      headers: admin(),
      payload: { entityId: 'ok', roles: ['pilot', 'admin'] },
    });
    expect(ok.json()).toMatchObject({ entityId: 'ok', roles: ['pilot', 'admin'] });
    // Only the hash is stored.
    const raw = readFileSync(join(dir, 'ca.db'));
    expect(raw.includes(Buffer.from(ok.json().token))).toBe(false);
  });

  it('GET /ca/v1/certs filters by role, status and expiry', async () => {
    const res = await app.inject({ method: 'GET', url: '/ca/v1/certs?role=vessel', headers: admin() });
    const certs = res.json().certificates as Array<{ roles: string[]; status: string }>;
    expect(certs.length).toBeGreaterThan(0);
    expect(certs.every((c) => c.roles.includes('vessel'))).toBe(true);
    const revoked = await app.inject({ method: 'GET', url: '/ca/v1/certs?status=revoked', headers: admin() });
    expect(
      (revoked.json().certificates as Array<{ status: string }>).every((c) => c.status === 'revoked'),
    ).toBe(true);
    const soon = await app.inject({
      method: 'GET',
      url: '/ca/v1/certs?expiring_within=86400',
      headers: admin(),
    });
    expect(soon.json().certificates).toEqual([]);
    const year = await app.inject({
      method: 'GET',
      url: '/ca/v1/certs?expiring_within=31622400',
      headers: admin(),
    });
    expect(year.json().certificates.length).toBeGreaterThan(0);
    expect(
      errorCode(await app.inject({ method: 'GET', url: '/ca/v1/certs?status=bogus', headers: admin() })),
    ).toBe('ERR_INPUT_INVALID');
  });
});

describe('admin routes: revocation and alerts', () => {
  it('revoke with RFC 5280 reasons re-issues the CRL; release only from certificateHold', async () => {
    const e = await enroll('mv-hold', ['vessel']);
    const before = crlNumberOf(parseCrls(readFileSync(join(dir, 'crl.pem'), 'utf8'))[0]!)!;
    const hold = await app.inject({
      method: 'POST',
      url: '/ca/v1/revoke',
      headers: admin(),
      payload: { serial: e.serial, reason: 6, description: 'under inspection' },
    });
    expect(hold.statusCode).toBe(200);
    expect(hold.json().certificate.status).toBe('hold');
    expect(hold.json().crlNumber).toBeGreaterThan(before);
    const crl = parseCrls(readFileSync(join(dir, 'crl.pem'), 'utf8'))[0]!;
    expect(crl.findRevoked(e.serial)?.reason).toBe(6);
    expect(
      errorCode(
        await app.inject({
          method: 'POST',
          url: '/ca/v1/revoke',
          headers: admin(),
          payload: { serial: e.serial, reason: 6 },
        }),
      ),
    ).toBe('ERR_CERT_ALREADY_REVOKED');
    const release = await app.inject({
      method: 'POST',
      url: '/ca/v1/release',
      headers: admin(),
      payload: { serial: e.serial },
    });
    expect(release.json().certificate.status).toBe('valid');
    expect(parseCrls(readFileSync(join(dir, 'crl.pem'), 'utf8'))[0]!.findRevoked(e.serial)).toBeNull();
    const notHeld = await app.inject({
      method: 'POST',
      url: '/ca/v1/release',
      headers: admin(),
      payload: { serial: e.serial },
    });
    expect(notHeld.statusCode).toBe(409);
    expect(errorCode(notHeld)).toBe('ERR_CERT_NOT_ON_HOLD');
    const kc = await app.inject({
      method: 'POST',
      url: '/ca/v1/revoke',
      headers: admin(),
      payload: { serial: e.serial, reason: 1 },
    });
    expect(kc.json().certificate.status).toBe('revoked');
    expect(
      errorCode(
        await app.inject({
          method: 'POST',
          url: '/ca/v1/release',
          headers: admin(),
          payload: { serial: e.serial },
        }),
      ),
    ).toBe('ERR_CERT_NOT_ON_HOLD');
    expect(
      errorCode(
        await app.inject({
          method: 'POST',
          url: '/ca/v1/revoke',
          headers: admin(),
          payload: { serial: e.serial, reason: 4 },
        }),
      ),
    ).toBe('ERR_CERT_ALREADY_REVOKED');
    for (const reason of [7, 8, 11, -1]) {
      expect(
        errorCode(
          await app.inject({
            method: 'POST',
            url: '/ca/v1/revoke',
            headers: admin(),
            payload: { serial: e.serial, reason },
          }),
        ),
      ).toBe('ERR_INPUT_INVALID');
    }
    expect(
      errorCode(
        await app.inject({
          method: 'POST',
          url: '/ca/v1/revoke',
          headers: admin(),
          payload: { serial: 'abc123', reason: 0 },
        }),
      ),
    ).toBe('ERR_CERT_NOT_FOUND');
    expect(
      errorCode(
        await app.inject({
          method: 'POST',
          url: '/ca/v1/release',
          headers: admin(),
          payload: { serial: 'abc123' },
        }),
      ),
    ).toBe('ERR_CERT_NOT_FOUND');
    expect(authority.listAlerts().filter((a) => a.kind === 'revocation').length).toBeGreaterThanOrEqual(2);
  });

  it('GET /ca/v1/alerts lists stored alerts', async () => {
    const res = await app.inject({ method: 'GET', url: '/ca/v1/alerts?limit=5', headers: admin() });
    const alerts = res.json().alerts as Array<{ kind: string; at: string }>;
    expect(alerts.length).toBe(5);
    expect(alerts[0]!.at).toMatch(/^2026-/u);
  });
});
