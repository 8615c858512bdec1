/**
 * The console's identity and PKI admin services against the real CA server (ca-server/, HTTPS, SQLite):
 * the admin imports the identity `helmlink ca init` wrote, creates a one-time token; a pilot console enrolls with
 * it through the wizard; the admin lists, holds, releases and revokes; the pilot renews over mutual TLS and is
 * refused once revoked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initAuthority, startCaServer, type CaServer } from '@helmlink/ca-server';
import { isHelmlinkError, systemClock } from '@helmlink/protocol';
import { channels } from '@helmlink/app-preload';
import { codeOf, tempDir, testServices } from '../helpers/console';
import { eventually } from '../helpers/net';

const CA_PASS = 'ca passphrase for tests';
let server: CaServer;
let admin: Awaited<ReturnType<typeof testServices>>;
let pilot: Awaited<ReturnType<typeof testServices>>;

beforeAll(async () => {
  const dir = tempDir('helmlink-console-ca-');
  const init = await initAuthority({ dir: join(dir, 'ca'), passphrase: CA_PASS, org: 'Console Test Fleet' });
  server = await startCaServer({
    dir: join(dir, 'ca'),
    passphrase: CA_PASS,
    port: 0,
    host: '127.0.0.1',
    crlTimer: false,
  });
  admin = await testServices(join(dir, 'admin'), new Date(), { clock: systemClock, alertPollMs: 0 });
  await admin.identity.import({
    format: 'pem',
    keyPem: readFileSync(init.adminKeyPath!, 'utf8'),
    chainPem: readFileSync(init.adminCertPath!, 'utf8'),
    filePassphrase: CA_PASS,
    custody: 'passphrase',
    passphrase: 'admin console',
    caUrl: server.url,
    rootFingerprint: server.rootFingerprint,
  });
  pilot = await testServices(join(dir, 'pilot'), new Date(), { clock: systemClock, alertPollMs: 0 });
}, 60_000);

afterAll(async () => {
  await admin?.close();
  await pilot?.close();
  await server?.close();
});

describe('console against the real CA server', () => {
  it('imports the admin identity written by ca init (root fetched by its pinned fingerprint)', () => {
    expect(admin.identity.status()).toMatchObject({
      state: 'ready',
      isAdmin: true,
      rootFingerprint: server.rootFingerprint,
      caUrl: server.url,
    });
  });

  it('enrolls a pilot with a token the admin created, then administers its certificate', async () => {
    const token = await admin.pki.createToken({ entityId: 'pilot-real', role: 'pilot', ttlMinutes: 10 });
    expect(token).toMatchObject({ entityId: 'pilot-real', role: 'pilot' });
    const status = await pilot.identity.enroll({
      caUrl: server.url,
      rootFingerprint: server.rootFingerprint,
      token: token.token,
      entityId: 'pilot-real',
      custody: 'passphrase',
      passphrase: 'pilot console',
    });
    expect(status).toMatchObject({ state: 'ready', entityId: 'pilot-real', roles: ['pilot'] });
    expect(await codeOf(pilot.pki.certs({}))).toBe('ERR_CONSOLE_NOT_ADMIN');

    const pilots = await admin.pki.certs({ role: 'pilot' });
    const rec = pilots.find((c) => c.entityId === 'pilot-real')!;
    expect(rec).toMatchObject({ role: 'pilot', status: 'valid', serial: status.certificate!.serial });

    expect(
      (await admin.pki.revoke({ serial: rec.serial, reasonCode: 6, description: 'laptop missing' })).status,
    ).toBe('on_hold');
    expect((await admin.pki.certs({ status: 'on_hold' })).map((c) => c.serial)).toContain(rec.serial);
    const crl = await admin.pki.crl();
    expect(crl.entries.find((e) => e.serial === rec.serial)).toMatchObject({ reasonCode: 6 });
    expect((await admin.pki.release(rec.serial)).status).toBe('valid');

    // Renewal over mutual TLS with a new key while valid.
    const renewed = await pilot.identity.renew();
    expect(renewed.certificate!.serial).not.toBe(rec.serial);

    const current = (await admin.pki.certs({ role: 'pilot' })).find(
      (c) => c.serial === renewed.certificate!.serial,
    )!;
    expect((await admin.pki.revoke({ serial: current.serial, reasonCode: 1 })).status).toBe('revoked');
    expect(await codeOf(pilot.identity.renew())).toMatch(/^ERR_CLIENT_CERT_(INVALID|REQUIRED)$/u);
    expect(pilot.identity.status().renewal.state).toBe('failed');

    const alerts = await admin.pki.alerts({});
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => typeof a.message === 'string' && !Number.isNaN(Date.parse(a.at)))).toBe(true);
  });

  it('lists every role of a certificate (a pilot who is also an admin), and sends a ship name the CA certifies', async () => {
    const { token } = server.authority.createEnrollmentToken(
      { entityId: 'pilot-both', roles: ['pilot', 'admin'] },
      { id: 'test' },
    );
    const both = await testServices(tempDir(), new Date(), { clock: systemClock, alertPollMs: 0 });
    await both.identity.enroll({
      caUrl: server.url,
      rootFingerprint: server.rootFingerprint,
      token,
      entityId: 'pilot-both',
      custody: 'passphrase',
      passphrase: 'both',
    });
    await both.close();
    const rec = (await admin.pki.certs({})).find((c) => c.entityId === 'pilot-both')!;
    expect(rec).toMatchObject({ role: 'pilot', roles: ['pilot', 'admin'] });
    expect((await admin.pki.certs({ role: 'admin' })).map((c) => c.entityId)).toContain('pilot-both');
    const vessel = await admin.pki.createToken({
      entityId: 'IMO9074729',
      role: 'vessel',
      name: 'MV Nordic Tern',
      imo: '9074729',
    });
    expect(vessel).toMatchObject({ entityId: 'IMO9074729', role: 'vessel' });
  });

  it('pushes new CA alerts to admins (polling), after learning the existing ones', async () => {
    const pushed: string[] = [];
    const stop = admin.pki.startAlertPolling((a) => pushed.push(a.kind), 50);
    try {
      await eventually(() => admin.pki.alerts({}).then(() => true), 'first poll');
      await new Promise((r) => setTimeout(r, 150));
      expect(pushed).toEqual([]);
      const token = await admin.pki.createToken({ entityId: 'pilot-alert', role: 'pilot' });
      const other = await testServices(tempDir(), new Date(), { clock: systemClock, alertPollMs: 0 });
      await other.identity.enroll({
        caUrl: server.url,
        rootFingerprint: server.rootFingerprint,
        token: token.token,
        entityId: 'pilot-alert',
        custody: 'passphrase',
        passphrase: 'x',
      });
      const serial = other.identity.status().certificate!.serial;
      await admin.pki.revoke({ serial, reasonCode: 4 });
      await eventually(() => pushed.length > 0, 'a pushed alert');
      await other.close();
    } finally {
      stop();
    }
  });

  it('lets the console submit exactly the entity ids the CA accepts (one rule, contract and CA)', async () => {
    const ids = [
      'pilot-ok',
      'Pilot.7_b',
      'x'.repeat(64),
      'x'.repeat(65),
      'pilot 7',
      '-lead',
      'pilöt',
      'p:7',
      'a@b',
      'p+1',
      'a#b',
      'a/b',
    ];
    const verdicts: [string, boolean, boolean][] = [];
    for (const entityId of ids) {
      const contract = channels['pki.createToken'].request.safeParse({ entityId, role: 'pilot' }).success;
      const enrollForm = channels['identity.enroll'].request.safeParse({
        caUrl: server.url,
        rootFingerprint: server.rootFingerprint,
        token: 'hlt_placeholder_token',
        entityId,
        custody: 'passphrase',
        passphrase: 'x',
      }).success;
      expect(enrollForm, entityId).toBe(contract);
      let ca = true;
      try {
        await admin.pki.createToken({ entityId, role: 'pilot' });
      } catch (err) {
        ca = false;
        expect(
          isHelmlinkError(err) && ['ERR_ID_INVALID', 'ERR_INPUT_INVALID'].includes(err.code),
          String(err),
        ).toBe(true);
      }
      verdicts.push([entityId, contract, ca]);
    }
    for (const [entityId, contract, ca] of verdicts) expect(contract, `${entityId}: contract vs CA`).toBe(ca);
    expect(verdicts.filter(([, , ca]) => ca).map(([id]) => id)).toEqual([
      'pilot-ok',
      'Pilot.7_b',
      'x'.repeat(64),
    ]);
  });

  it('passes the CA refusal of a reused token through to the wizard', async () => {
    const token = await admin.pki.createToken({ entityId: 'pilot-twice', role: 'pilot' });
    const dir = tempDir();
    const first = await testServices(join(dir, 'a'), new Date(), { clock: systemClock, alertPollMs: 0 });
    await first.identity.enroll({
      caUrl: server.url,
      rootFingerprint: server.rootFingerprint,
      token: token.token,
      entityId: 'pilot-twice',
      custody: 'passphrase',
      passphrase: 'x',
    });
    const second = await testServices(join(dir, 'b'), new Date(), { clock: systemClock, alertPollMs: 0 });
    const code = await codeOf(
      second.identity.enroll({
        caUrl: server.url,
        rootFingerprint: server.rootFingerprint,
        token: token.token,
        entityId: 'pilot-twice',
        custody: 'passphrase',
        passphrase: 'x',
      }),
    );
    expect(code).toBe('ERR_ENROLL_TOKEN_USED');
    await first.close();
    await second.close();
  });
});
