/**
 * Revocation follows renewals, a renewal supersedes its predecessor, one valid certificate per entity, one key and
 * one IMO/MMSI per entity: each replayed through the routes as a thief of a key would try it.
 */
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { parseCrls } from '@helmlink/protocol';
import { headerFor, leafDer, makeCsr } from '../helpers';
import { admin, app, authority, enroll, errorCode, setupRouteApp, token } from '../http/routes/fixture';

setupRouteApp();

const renew = (der: Uint8Array, csr?: string) =>
  app.inject({
    method: 'POST',
    url: '/ca/v1/renew',
    headers: headerFor(der),
    ...(csr ? { payload: { csr } } : {}),
  });

const revoke = (serial: string, reason: number) =>
  app.inject({ method: 'POST', url: '/ca/v1/revoke', headers: admin(), payload: { serial, reason } });

/** Reason codes of the current CRL by serial. */
async function crlReasons(): Promise<Map<string, number | undefined>> {
  const crl = parseCrls((await authority.currentCrl()).pem)[0]!;
  return new Map(crl.entries.map((e) => [e.serialNumber.toLowerCase(), e.reason as number | undefined]));
}

describe('a renewal supersedes its predecessor', () => {
  it('revokes the old certificate (superseded, on the CRL) so it cannot renew again', async () => {
    const a = await enroll('mv-lineage-1', ['vessel']);
    const b = await renew(leafDer(a.certificate));
    expect(b.statusCode).toBe(201);
    expect(authority.store.getCertificate(a.serial)).toMatchObject({ status: 'revoked', reason: 4 });
    expect((await crlReasons()).get(a.serial)).toBe(x509.X509CrlReason.superseded);
    const again = await renew(leafDer(a.certificate));
    expect(again.statusCode).toBe(401);
    expect(again.json().error).toMatchObject({
      code: 'ERR_CLIENT_CERT_INVALID',
      details: { reason: 'ERR_CHAIN_REVOKED' },
    });
    expect(
      authority.listCertificates({}).filter((c) => c.entityId === 'mv-lineage-1' && c.status === 'valid'),
    ).toHaveLength(1);
  });
});

describe('revoking keyCompromise revokes every certificate descended from it', () => {
  it('a stolen key cannot keep renewing: the thief’s renewals die with the stolen certificate', async () => {
    const a = await enroll('mv-stolen', ['vessel']);
    const stolen = leafDer(a.certificate);
    // The thief renews with the stolen certificate onto a key of their own, then again from there.
    const thiefKey = await makeCsr('mv-stolen');
    const b = await renew(stolen, thiefKey.pem);
    expect(b.statusCode).toBe(201);
    const c = await renew(leafDer(b.json().certificate));
    expect(c.statusCode).toBe(201);
    // The owner notices (their certificate was superseded) and the admin declares the key compromised.
    const res = await revoke(a.serial, 1);
    expect(res.statusCode).toBe(200);
    expect(res.json().certificate).toMatchObject({ serial: a.serial, status: 'revoked', reason: 1 });
    expect([...res.json().alsoRevoked].sort()).toEqual([b.json().serial, c.json().serial].sort());
    for (const s of [a.serial, b.json().serial, c.json().serial])
      expect(authority.store.getCertificate(s)).toMatchObject({ status: 'revoked', reason: 1 });
    const reasons = await crlReasons();
    for (const s of [a.serial, b.json().serial, c.json().serial]) expect(reasons.get(s)).toBe(1);
    // No certificate of the lineage renews any more, and neither key is ever certified again.
    for (const der of [stolen, leafDer(b.json().certificate), leafDer(c.json().certificate)])
      expect((await renew(der)).statusCode).toBe(401);
    const t = await token({ entityId: 'mv-stolen', roles: ['vessel'] });
    const reuse = await makeCsr('mv-stolen', { keys: thiefKey.keys });
    const enrolled = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: reuse.pem, token: t },
    });
    expect(enrolled.statusCode).toBe(409);
    expect(errorCode(enrolled)).toBe('ERR_KEY_COMPROMISED');
    const ownerKey = await makeCsr('mv-stolen', { keys: a.keys });
    expect(
      errorCode(
        await app.inject({ method: 'POST', url: '/ca/v1/enroll', payload: { csr: ownerKey.pem, token: t } }),
      ),
    ).toBe('ERR_KEY_COMPROMISED');
    // A fresh key enrolls with a fresh token.
    const fresh = await makeCsr('mv-stolen');
    const t2 = await token({ entityId: 'mv-stolen', roles: ['vessel'] });
    expect(
      (await app.inject({ method: 'POST', url: '/ca/v1/enroll', payload: { csr: fresh.pem, token: t2 } }))
        .statusCode,
    ).toBe(201);
  });

  it('a revocation in the middle of a lineage takes the later renewals, not the earlier ones', async () => {
    const a = await enroll('mv-mid', ['vessel']);
    const b = await renew(leafDer(a.certificate));
    const c = await renew(leafDer(b.json().certificate));
    const res = await revoke(b.json().serial, 1);
    expect(res.json().alsoRevoked).toEqual([c.json().serial]);
    expect(authority.store.getCertificate(a.serial)).toMatchObject({ status: 'revoked', reason: 4 });
    expect(authority.store.getCertificate(c.json().serial)).toMatchObject({ status: 'revoked', reason: 1 });
    // keyCompromise once declared stays: the same reason again is refused.
    expect(errorCode(await revoke(b.json().serial, 1))).toBe('ERR_CERT_ALREADY_REVOKED');
    expect(errorCode(await revoke(a.serial, 5))).toBe('ERR_CERT_ALREADY_REVOKED');
  });
});

describe('one valid certificate per entity; one key and one IMO/MMSI per entity', () => {
  it('a second enrollment of an entity supersedes the first', async () => {
    const first = await enroll('mv-twice', ['vessel']);
    const second = await enroll('mv-twice', ['vessel']);
    expect(authority.store.getCertificate(first.serial)).toMatchObject({ status: 'revoked', reason: 4 });
    expect(authority.store.getCertificate(second.serial)?.status).toBe('valid');
    expect(
      authority.store
        .listAudit()
        .some((e) => e.action === 'certificate.supersede' && e.details.serial === first.serial),
    ).toBe(true);
    // The store refuses a second valid certificate of one entity even when written behind the authority's back.
    const raw = authority.store as unknown as {
      db: { prepare: (sql: string) => { run: (...a: unknown[]) => void } };
    };
    expect(() =>
      raw.db.prepare("UPDATE certificates SET status = 'valid' WHERE serial = ?").run(first.serial),
    ).toThrow(/UNIQUE/u);
  });

  it('refuses one public key for two entities', async () => {
    const a = await enroll('pilot-key-a', ['pilot']);
    const t = await token({ entityId: 'pilot-key-b', roles: ['pilot'] });
    const sameKey = await makeCsr('pilot-key-b', { keys: a.keys });
    const res = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: sameKey.pem, token: t },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'ERR_KEY_IN_USE', details: { holder: 'pilot-key-a' } });
  });

  it('refuses one IMO or MMSI for two entities, at token creation and at enrollment', async () => {
    const early = await token({ entityId: 'mv-imo-b', roles: ['vessel'], imo: '9176187', mmsi: '244650123' });
    await enroll('mv-imo-a', ['vessel'], { imo: '9176187', mmsi: '244650123', flag: 'NL' });
    const late = await app.inject({
      method: 'POST',
      url: '/ca/v1/tokens',
      headers: admin(),
      payload: { entityId: 'mv-imo-c', roles: ['vessel'], imo: '9176187' },
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().error).toMatchObject({ code: 'ERR_IDENTIFIER_IN_USE', details: { field: 'imo' } });
    const mmsi = await app.inject({
      method: 'POST',
      url: '/ca/v1/tokens',
      headers: admin(),
      payload: { entityId: 'mv-imo-c', roles: ['vessel'], mmsi: '244650123' },
    });
    expect(mmsi.json().error).toMatchObject({ code: 'ERR_IDENTIFIER_IN_USE', details: { field: 'mmsi' } });
    const csr = await makeCsr('mv-imo-b');
    const res = await app.inject({
      method: 'POST',
      url: '/ca/v1/enroll',
      payload: { csr: csr.pem, token: early },
    });
    expect(res.statusCode).toBe(409);
    expect(errorCode(res)).toBe('ERR_IDENTIFIER_IN_USE');
  });
});

describe('what a revocation records', () => {
  const auditOf = (serial: string) =>
    authority.store
      .listAudit(0, 100_000)
      .filter((e) => e.action === 'certificate.revoke' && e.details.serial === serial);

  it('keyCompromise declared again over a lineage already compromised revokes no renewal twice', async () => {
    const a = await enroll('mv-twice-stolen', ['vessel']);
    const b = (await renew(leafDer(a.certificate))).json();
    const c = (await renew(leafDer(b.certificate))).json();
    const first = await revoke(b.serial, 1);
    expect(first.json().alsoRevoked).toEqual([c.serial]);
    // The renewal's entry names where it comes from; the raised one remembers its earlier reason.
    expect(auditOf(c.serial).map((e) => e.details)).toEqual([
      expect.objectContaining({ reason: 1, description: `renewal of ${b.serial}`, renewalOf: b.serial }),
    ]);
    expect(auditOf(b.serial).map((e) => e.details)).toEqual([
      expect.objectContaining({ reason: 1, description: null, previousReason: 4 }),
    ]);
    expect(auditOf(b.serial)[0]!.details).not.toHaveProperty('renewalOf');
    expect(
      authority
        .listAlerts(0, 100_000)
        .filter((x) => x.details.serial === b.serial)
        .map((x) => x.message),
    ).toEqual([
      expect.stringMatching(
        new RegExp(
          `^certificate ${b.serial} of mv-twice-stolen revoked \\(keyCompromise\\) by \\S+, with 1 renewal\\(s\\) of it$`,
          'u',
        ),
      ),
    ]);
    // Declared for the first certificate too: only that one changes; b and c are keyCompromise already.
    const second = await revoke(a.serial, 1);
    expect(second.statusCode).toBe(200);
    expect(second.json().alsoRevoked).toEqual([]);
    expect(auditOf(b.serial)).toHaveLength(1);
    expect(auditOf(c.serial)).toHaveLength(1);
    expect(
      authority
        .listAlerts(0, 100_000)
        .filter((x) => x.details.serial === a.serial)
        .map((x) => x.message),
    ).toEqual([
      expect.stringMatching(
        new RegExp(`^certificate ${a.serial} of mv-twice-stolen revoked \\(keyCompromise\\) by \\S+$`, 'u'),
      ),
    ]);
  });

  it('a first revocation records no earlier reason and no lineage', async () => {
    const a = await enroll('mv-first-revocation', ['vessel']);
    expect((await revoke(a.serial, 5)).statusCode).toBe(200);
    const [entry] = auditOf(a.serial);
    expect(entry!.details).not.toHaveProperty('previousReason');
    expect(entry!.details).not.toHaveProperty('renewalOf');
  });

  it('a malformed replacement serial is refused before anything changes, guarded certificate or not', async () => {
    const a = await enroll('mv-bad-replacement', ['vessel']);
    const res = await app.inject({
      method: 'POST',
      url: '/ca/v1/revoke',
      headers: admin(),
      payload: { serial: a.serial, reason: 5, replacement: 'not-a-serial' },
    });
    expect(errorCode(res)).toBe('ERR_INPUT_INVALID');
    expect(authority.store.getCertificate(a.serial)?.status).toBe('valid');
  });

  it('a replacement serial spelt in upper case with colons names the same certificate', async () => {
    const broker = await enroll('broker-spelt', ['broker']);
    const standby = await enroll('broker-spelt-standby', ['broker']);
    const spelt = standby.serial.toUpperCase().match(/../gu)!.join(':');
    const res = await app.inject({
      method: 'POST',
      url: '/ca/v1/revoke',
      headers: admin(),
      payload: { serial: broker.serial, reason: 5, force: true, replacement: spelt },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().certificate).toMatchObject({ serial: broker.serial, status: 'revoked', reason: 5 });
  });

  it('a release revokes no renewal', async () => {
    const a = await enroll('mv-held-released', ['vessel']);
    expect((await revoke(a.serial, 6)).json().alsoRevoked).toEqual([]);
    const released = await authority.release({ serial: a.serial }, { id: 'admin-x', address: '192.0.2.1' });
    expect(released.alsoRevoked).toEqual([]);
    expect(released.certificate.status).toBe('valid');
  });

  it("a hold asked for the CA's own certificate, with a fresh identity: the old one stays revoked as superseded", async () => {
    const [served] = authority.store.listCertificates({ entityId: 'helmlink-ca', status: 'valid' });
    const res = await app.inject({
      method: 'POST',
      url: '/ca/v1/revoke',
      headers: admin(),
      payload: { serial: served!.serial, reason: 6, force: true, replacement: 'issue' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().certificate).toMatchObject({ serial: served!.serial, status: 'revoked', reason: 4 });
    expect(res.json().alsoRevoked).toEqual([]);
    expect(authority.store.getCertificate(served!.serial)).toMatchObject({ status: 'revoked', reason: 4 });
    expect((await crlReasons()).get(served!.serial)).toBe(4);
  });
});
