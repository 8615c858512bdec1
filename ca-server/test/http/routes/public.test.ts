/** Public routes: health, chain, CRL, certificates by serial, error bodies. */
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '@helmlink/protocol';
import { admin, app, authority, enroll, errorCode, setupRouteApp } from './fixture';

setupRouteApp();

describe('public routes', () => {
  it('GET /health', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok' });
  });

  it('GET /ca/v1/chain as PEM and JSON', async () => {
    const pem = await app.inject({ method: 'GET', url: '/ca/v1/chain' });
    expect(pem.headers['content-type']).toContain('application/x-pem-file');
    expect(pem.body.match(/BEGIN CERTIFICATE/gu)).toHaveLength(2);
    const json = await app.inject({
      method: 'GET',
      url: '/ca/v1/chain',
      headers: { accept: 'application/json' },
    });
    expect(json.json().rootFingerprint).toMatch(/^[0-9a-f]{64}$/u);
  });

  it('GET /ca/v1/crl as PEM (X509 CRL) and DER', async () => {
    const pem = await app.inject({ method: 'GET', url: '/ca/v1/crl' });
    expect(pem.body).toContain('-----BEGIN X509 CRL-----');
    const der = await app.inject({
      method: 'GET',
      url: '/ca/v1/crl',
      headers: { accept: 'application/pkix-crl' },
    });
    expect(der.headers['content-type']).toBe('application/pkix-crl');
    expect(new x509.X509Crl(new Uint8Array(der.rawPayload).slice().buffer).issuer).toContain('Issuing CA');
  });

  it('GET /ca/v1/certs/:serial by serial only', async () => {
    const e = await enroll('mv-lookup', ['vessel']);
    const res = await app.inject({ method: 'GET', url: `/ca/v1/certs/${e.serial}` });
    expect(res.statusCode).toBe(200);
    expect(parseCertificate(res.body).serialNumber.toLowerCase()).toBe(e.serial);
    const json = await app.inject({
      method: 'GET',
      url: `/ca/v1/certs/${e.serial}`,
      headers: { accept: 'application/json' },
    });
    expect(json.json()).toMatchObject({ serial: e.serial, entityId: 'mv-lookup', status: 'valid' });
    expect(errorCode(await app.inject({ method: 'GET', url: '/ca/v1/certs/abcdef' }))).toBe(
      'ERR_CERT_NOT_FOUND',
    );
    const traversal = await app.inject({ method: 'GET', url: '/ca/v1/certs/..%2f..%2fca.json' });
    expect(traversal.statusCode).toBe(400);
    expect(errorCode(traversal)).toBe('ERR_INPUT_INVALID');
  });

  it('never sends internals in a 5xx body', async () => {
    const original = authority.listAlerts.bind(authority);
    authority.listAlerts = () => {
      throw new Error('SQLITE_CORRUPT at /secret/path/ca.db');
    };
    try {
      const res = await app.inject({ method: 'GET', url: '/ca/v1/alerts', headers: admin() });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'ERR_INTERNAL', message: 'Internal error' } });
      expect(res.body).not.toContain('secret');
    } finally {
      authority.listAlerts = original;
    }
  });

  it('answers unknown routes with ERR_NOT_FOUND', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(errorCode(res)).toBe('ERR_NOT_FOUND');
  });

  it("answers URLs that do not decode with the coded error body on every route (never Fastify's own)", async () => {
    const paths = [
      '/ca/v1/certs/%ZZ',
      '/ca/v1/certs/%',
      '/ca/v1/certs/%E0%A4%A',
      `/ca/v1/certs/${'a'.repeat(600)}`,
      '/%ZZ',
      '/health%ZZ',
      '/ca/v1/chain/%ZZ',
      '/ca/v1/crl%ZZ',
      '/ca/v1/enroll%ZZ',
      '/ca/v1/renew/%ZZ',
      '/ca/v1/tokens%ZZ',
      '/ca/v1/revoke%ZZ',
      '/ca/v1/release/%ZZ',
      '/ca/v1/alerts%ZZ',
    ];
    for (const url of paths) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });
        expect(res.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
        const body = res.json() as { error: { code: string; message: string }; statusCode?: unknown };
        expect(body.error.code, `${method} ${url}`).toMatch(/^ERR_(INPUT_INVALID|NOT_FOUND)$/u);
        expect(typeof body.error.message).toBe('string');
        expect(body.statusCode).toBeUndefined();
        expect(res.body).not.toContain('FST_');
        expect(res.headers['cache-control']).toBe('no-store');
      }
    }
    const zz = await app.inject({ method: 'GET', url: '/ca/v1/certs/%ZZ' });
    expect(zz.statusCode).toBe(400);
    expect(zz.json()).toEqual({
      error: { code: 'ERR_INPUT_INVALID', message: 'The request is not well-formed' },
    });
  });
});
