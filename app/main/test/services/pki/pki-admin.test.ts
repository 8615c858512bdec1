/** PKI administration over mutual TLS with the admin certificate (against the test CA of the helpers). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createTestPki, type TestPki } from '@helmlink/protocol/testing';
import { certificateFingerprint, frozenClock } from '@helmlink/protocol';
import { startTestCa, type TestCa } from '../../helpers/test-ca';
import { codeOf, tempDir, testServices } from '../../helpers/console';

const NOW = new Date('2026-11-22T02:00:00Z');
let pki: TestPki;
let ca: TestCa;
let admin: Awaited<ReturnType<typeof testServices>>;
let pilot: Awaited<ReturnType<typeof testServices>>;

beforeAll(async () => {
  pki = await createTestPki({ now: NOW });
  ca = await startTestCa(
    pki,
    await pki.issue('helmlink-ca', ['ca'], { ipAddresses: ['127.0.0.1'] }),
    frozenClock(NOW),
  );
  const rootFingerprint = await certificateFingerprint(pki.root.certificate);
  ca.tokens.set('admin-token', { entityId: 'admin-olaf', role: 'admin' });
  ca.tokens.set('pilot-token', { entityId: 'pilot-anna', role: 'pilot' });
  const dir = tempDir();
  admin = await testServices(join(dir, 'admin'), NOW);
  await admin.identity.enroll({
    caUrl: ca.url,
    rootFingerprint,
    token: 'admin-token',
    entityId: 'admin-olaf',
    custody: 'passphrase',
    passphrase: 'pw',
  });
  pilot = await testServices(join(dir, 'pilot'), NOW);
  await pilot.identity.enroll({
    caUrl: ca.url,
    rootFingerprint,
    token: 'pilot-token',
    entityId: 'pilot-anna',
    custody: 'passphrase',
    passphrase: 'pw',
  });
});
afterAll(async () => {
  await admin?.close();
  await pilot?.close();
  await ca?.close();
});

describe('PKI admin', () => {
  it('is refused to a pilot identity', async () => {
    expect(pilot.identity.status().isAdmin).toBe(false);
    expect(await codeOf(pilot.pki.certs({}))).toBe('ERR_CONSOLE_NOT_ADMIN');
  });

  it('lists certificates with filters', async () => {
    const all = await admin.pki.certs({});
    expect(all.map((c) => c.entityId).sort()).toEqual(['admin-olaf', 'pilot-anna']);
    const pilots = await admin.pki.certs({ role: 'pilot' });
    expect(pilots).toMatchObject([{ entityId: 'pilot-anna', role: 'pilot', status: 'valid' }]);
  });

  it('puts a certificate on hold, shows it in the CRL, releases it, and revokes with a reason', async () => {
    const [anna] = await admin.pki.certs({ role: 'pilot' });
    expect(
      (await admin.pki.revoke({ serial: anna!.serial, reasonCode: 6, description: 'laptop missing' })).status,
    ).toBe('on_hold');
    const crl = await admin.pki.crl();
    expect(crl.entries).toMatchObject([{ serial: anna!.serial, reasonCode: 6 }]);
    expect(Number(crl.crlNumber)).toBeGreaterThan(0);
    expect(crl.issuer).toBe(pki.issuing.certificate.subject);
    expect((await admin.pki.release(anna!.serial)).status).toBe('valid');
    expect(await codeOf(admin.pki.release(anna!.serial))).toBe('ERR_CERT_NOT_ON_HOLD');
    const revoked = await admin.pki.revoke({ serial: anna!.serial, reasonCode: 1 });
    expect(revoked).toMatchObject({ status: 'revoked', reasonCode: 1 });
    const kinds = admin.audit.search({ kinds: ['pki.revoke', 'pki.release'] }).entries.map((e) => e.kind);
    expect(kinds.sort()).toEqual(['pki.release', 'pki.revoke', 'pki.revoke']);
  });

  it('creates a one-time enrollment token that is returned, not stored', async () => {
    const t = await admin.pki.createToken({ entityId: 'MV-NEW', role: 'vessel', ttlMinutes: 30 });
    expect(t).toMatchObject({ entityId: 'MV-NEW', role: 'vessel' });
    expect(t.token.length).toBeGreaterThan(10);
    expect(ca.tokens.get(t.token)).toEqual({ entityId: 'MV-NEW', role: 'vessel' });
    expect(JSON.stringify(admin.audit.search({}).entries)).not.toContain(t.token);
  });

  it('reads the CA alerts', async () => {
    expect(await admin.pki.alerts({})).toMatchObject([
      { kind: 'token-reuse', severity: 'warning', details: { entityId: 'x' } },
    ]);
  });
});
