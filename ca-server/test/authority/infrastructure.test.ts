/** Guarded revocations: the CA's service certificate, a broker's certificate and the last admin. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCertificates } from '@helmlink/protocol';
import { headerFor, leafDer } from '../helpers';
import { admin, app, authority, dir, enroll, errorCode, setupRouteApp } from '../http/routes/fixture';

setupRouteApp();

const revoke = (body: Record<string, unknown>, headers = admin()) =>
  app.inject({ method: 'POST', url: '/ca/v1/revoke', headers, payload: body });

const servedSerial = (): string =>
  parseCertificates(readFileSync(`${dir}/server.crt.pem`, 'utf8'))[0]!.serialNumber.toLowerCase();

describe('infrastructure revocations need force and a replacement plan', () => {
  it('a broker certificate: refused without force, without a usable replacement; done with one', async () => {
    const broker = await enroll('broker-main', ['broker']);
    const guarded = await revoke({ serial: broker.serial, reason: 5 });
    expect(guarded.statusCode).toBe(409);
    expect(guarded.json().error).toMatchObject({
      code: 'ERR_REVOCATION_GUARDED',
      details: { kind: 'broker' },
    });
    expect(errorCode(await revoke({ serial: broker.serial, reason: 5, force: true }))).toBe(
      'ERR_REPLACEMENT_INVALID',
    );
    expect(
      errorCode(await revoke({ serial: broker.serial, reason: 5, force: true, replacement: broker.serial })),
    ).toBe('ERR_REPLACEMENT_INVALID');
    const vessel = await enroll('mv-not-a-broker', ['vessel']);
    expect(
      errorCode(await revoke({ serial: broker.serial, reason: 5, force: true, replacement: vessel.serial })),
    ).toBe('ERR_REPLACEMENT_INVALID');
    expect(authority.store.getCertificate(broker.serial)?.status).toBe('valid');
    const next = await enroll('broker-standby', ['broker']);
    const done = await revoke({ serial: broker.serial, reason: 5, force: true, replacement: next.serial });
    expect(done.statusCode).toBe(200);
    expect(done.json().certificate).toMatchObject({ status: 'revoked', reason: 5 });
  });

  it('a superseded broker certificate (the replacement issued first) is declared compromised without force', async () => {
    const old = await enroll('broker-rotated', ['broker']);
    await enroll('broker-rotated', ['broker']);
    const res = await revoke({ serial: old.serial, reason: 1 });
    expect(res.statusCode).toBe(200);
    expect(res.json().certificate).toMatchObject({ status: 'revoked', reason: 1 });
  });

  it("the CA's own service certificate: replaced by a fresh identity first (plan issue), never left serving revoked", async () => {
    const before = servedSerial();
    expect(errorCode(await revoke({ serial: before, reason: 1 }))).toBe('ERR_REVOCATION_GUARDED');
    expect(errorCode(await revoke({ serial: before, reason: 1, force: true, replacement: before }))).toBe(
      'ERR_REPLACEMENT_INVALID',
    );
    const loaded: string[] = [];
    const off = authority.onServiceIdentity((r) => {
      loaded.push(r.serial);
    });
    const res = await revoke({ serial: before, reason: 1, force: true, replacement: 'issue' });
    off();
    expect(res.statusCode).toBe(200);
    expect(res.json().certificate).toMatchObject({ serial: before, status: 'revoked', reason: 1 });
    const after = servedSerial();
    expect(after).not.toBe(before);
    expect(loaded).toEqual([after]);
    expect(authority.store.getCertificate(after)).toMatchObject({ status: 'valid', entityId: 'helmlink-ca' });
    expect(authority.listAlerts().some((a) => a.kind === 'service_identity')).toBe(true);
  });

  it('the last admin cannot be revoked (even with force); with a second admin the first can', async () => {
    const first = authority.listCertificates({ role: 'admin', status: 'valid' });
    expect(first).toHaveLength(1);
    const last = await revoke({ serial: first[0]!.serial, reason: 1, force: true, replacement: 'issue' });
    expect(last.statusCode).toBe(409);
    expect(last.json().error).toMatchObject({ code: 'ERR_LAST_ADMIN', details: { kind: 'last-admin' } });
    const second = await enroll('admin-2', ['admin']);
    const secondHeaders = headerFor(leafDer(second.certificate));
    expect((await revoke({ serial: first[0]!.serial, reason: 3 }, secondHeaders)).statusCode).toBe(200);
    // Now admin-2 is the last one: the admin API keeps an admin.
    expect(errorCode(await revoke({ serial: second.serial, reason: 3 }, secondHeaders))).toBe(
      'ERR_LAST_ADMIN',
    );
    expect(errorCode(await revoke({ serial: second.serial, reason: 6 }, secondHeaders))).toBe(
      'ERR_LAST_ADMIN',
    );
    expect(
      (await app.inject({ method: 'GET', url: '/ca/v1/certs', headers: secondHeaders })).statusCode,
    ).toBe(200);
  });
});
