/**
 * Revocation and release through the Authority, each rule against the fault it stands for: a revocation that does
 * not reach the CRL, a reason outside RFC 5280's, a hold that loses its original time when made permanent, a
 * release of a certificate that was never on hold, a serial spelt another way. The CRL is read back as a verifier
 * reads it.
 */
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frozenClock, parseCrlsIndexed } from '@helmlink/protocol';
import { loadAuthority, type Authority } from '../../src/authority/authority';
import { caPaths } from '../../src/authority/files';
import { normalizeSerial } from '../../src/authority/revocation';
import { ROOT_CRL_VALIDITY_SECONDS } from '../../src/authority/crl';
import { createTestCa, makeCsr, PASSPHRASE, TEST_START } from '../helpers';

const clock = frozenClock(TEST_START);
let authority: Authority;
let dir: string;
const admin = { id: 'admin-1', address: '192.0.2.7' };

beforeAll(async () => {
  ({ dir } = await createTestCa(clock));
  authority = await loadAuthority({ dir, passphrase: PASSPHRASE, clock, crlValiditySeconds: 3600 });
});
afterAll(async () => {
  await authority.close();
});

/** The audit entry of `action` on `serial`, and the alerts naming it. */
const auditOf = (action: string, serial: string) =>
  authority.store.listAudit(0, 100_000).filter((a) => a.action === action && a.details.serial === serial);
const alertsOf = (serial: string) =>
  authority.listAlerts(0, 100_000).filter((a) => a.details.serial === serial);

async function enrolled(entityId: string): Promise<string> {
  const { token } = authority.createEnrollmentToken({ entityId, roles: ['vessel'] });
  return (await authority.enroll({ csr: (await makeCsr(entityId)).pem, token })).serial;
}

/** What the current CRL file says about `serial` (undefined: not listed). */
function listed(serial: string): { reasonCode: number; reason: string } | undefined {
  return parseCrlsIndexed(readFileSync(caPaths(dir).crl, 'utf8'))[0]!.entries.get(serial);
}

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (err: { code?: string }) => err.code,
  );

describe('revoke', () => {
  it('revokes with the reason, re-issues the CRL with the next number, audits and alerts', async () => {
    const serial = await enrolled('mv-kc');
    const before = (await authority.currentCrl()).number;
    clock.advance(1000);
    const change = await authority.revoke(
      { serial, reason: 1, description: 'key on a stolen laptop' },
      admin,
    );
    expect(change.crlNumber).toBe(before + 1);
    expect(change.certificate).toMatchObject({
      serial,
      status: 'revoked',
      revokedAt: clock(),
      reason: 1,
      description: 'key on a stolen laptop',
    });
    expect(authority.getCertificate(serial)).toMatchObject({
      status: 'revoked',
      revokedAt: clock(),
      reason: 1,
    });
    expect(listed(serial)).toEqual({ reasonCode: 1, reason: 'keyCompromise' });
    expect(auditOf('certificate.revoke', serial)).toEqual([
      expect.objectContaining({
        ts: clock(),
        actor: 'admin-1',
        action: 'certificate.revoke',
        details: {
          serial,
          entityId: 'mv-kc',
          reason: 1,
          reasonName: 'keyCompromise',
          description: 'key on a stolen laptop',
          address: '192.0.2.7',
          status: 'revoked',
          revokedAt: clock(),
        },
      }),
    ]);
    expect(alertsOf(serial)).toEqual([
      expect.objectContaining({
        kind: 'revocation',
        severity: 'critical',
        message: `certificate ${serial} of mv-kc revoked (keyCompromise) by admin-1`,
        details: {
          serial,
          entityId: 'mv-kc',
          reason: 1,
          description: 'key on a stolen laptop',
          alsoRevoked: [],
        },
      }),
    ]);
  });

  it('a hold is listed as certificateHold; made permanent later it keeps the time of the hold', async () => {
    const serial = await enrolled('mv-hold');
    const heldAt = clock();
    const hold = await authority.revoke({ serial, reason: 6 }, admin);
    expect(hold.certificate).toMatchObject({
      status: 'hold',
      revokedAt: heldAt,
      reason: 6,
      description: null,
    });
    expect(listed(serial)).toEqual({ reasonCode: 6, reason: 'certificateHold' });
    expect(alertsOf(serial).map((a) => a.message)).toEqual([
      `certificate ${serial} of mv-hold put on hold (certificateHold) by admin-1`,
    ]);
    // On hold again: refused; a permanent revocation is allowed and dated from the hold.
    expect(await codeOf(authority.revoke({ serial, reason: 6 }, admin))).toBe('ERR_CERT_ALREADY_REVOKED');
    clock.advance(60_000);
    const permanent = await authority.revoke({ serial, reason: 1 }, admin);
    expect(permanent.certificate).toMatchObject({ status: 'revoked', revokedAt: heldAt, reason: 1 });
    expect(listed(serial)).toEqual({ reasonCode: 1, reason: 'keyCompromise' });
    // Revoked for good: nothing more.
    expect(await codeOf(authority.revoke({ serial, reason: 6 }, admin))).toBe('ERR_CERT_ALREADY_REVOKED');
    expect(await codeOf(authority.revoke({ serial, reason: 4 }, admin))).toBe('ERR_CERT_ALREADY_REVOKED');
  });

  it('only RFC 5280 reasons: 7 (unused), 8 (removeFromCRL), 11, a fraction or a string are refused', async () => {
    const serial = await enrolled('mv-reasons');
    for (const reason of [7, 8, 11, -1, 1.5, '1' as unknown as number])
      expect(await codeOf(authority.revoke({ serial, reason }, admin))).toBe('ERR_REVOCATION_REASON_INVALID');
    expect(authority.getCertificate(serial).status).toBe('valid');
    // 0 (unspecified), 9 and 10 are reasons.
    expect((await authority.revoke({ serial, reason: 10 }, admin)).certificate.reason).toBe(10);
  });

  it('an unknown serial is ERR_CERT_NOT_FOUND; a malformed one is ERR_INPUT_INVALID', async () => {
    expect(await codeOf(authority.revoke({ serial: 'ab12', reason: 1 }, admin))).toBe('ERR_CERT_NOT_FOUND');
    expect(await codeOf(authority.revoke({ serial: 'xyz', reason: 1 }, admin))).toBe('ERR_INPUT_INVALID');
  });
});

describe('release', () => {
  it('releases a hold: valid again, absent from the next CRL, audited', async () => {
    const serial = await enrolled('mv-release');
    await authority.revoke({ serial, reason: 6 }, admin);
    const { number } = await authority.currentCrl();
    const change = await authority.release({ serial }, admin);
    expect(change.crlNumber).toBe(number + 1);
    expect(change.certificate).toMatchObject({
      status: 'valid',
      revokedAt: null,
      reason: null,
      description: null,
    });
    expect(authority.getCertificate(serial)).toMatchObject({
      status: 'valid',
      revokedAt: null,
      reason: null,
    });
    expect(listed(serial)).toBeUndefined();
    expect(auditOf('certificate.release', serial)).toEqual([
      expect.objectContaining({
        actor: 'admin-1',
        details: { serial, entityId: 'mv-release', address: '192.0.2.7' },
      }),
    ]);
  });

  it('a valid or revoked certificate cannot be "released" (only a hold can)', async () => {
    const serial = await enrolled('mv-not-held');
    expect(await codeOf(authority.release({ serial }, admin))).toBe('ERR_CERT_NOT_ON_HOLD');
    await authority.revoke({ serial, reason: 1 }, admin);
    expect(await codeOf(authority.release({ serial }, admin))).toBe('ERR_CERT_NOT_ON_HOLD');
    expect(listed(serial)).toEqual({ reasonCode: 1, reason: 'keyCompromise' });
    expect(await codeOf(authority.release({ serial: 'ab12' }, admin))).toBe('ERR_CERT_NOT_FOUND');
  });
});

describe('normalizeSerial', () => {
  it('accepts colons and upper case, refuses anything that is not 1-40 hex digits', () => {
    expect(normalizeSerial('0A:1b:FF')).toBe('0a1bff');
    expect(normalizeSerial('f'.repeat(40))).toBe('f'.repeat(40));
    for (const bad of ['', 'f'.repeat(41), '12 34', '0x12', 12, null])
      expect(() => normalizeSerial(bad)).toThrowError(
        expect.objectContaining({ code: 'ERR_INPUT_INVALID', message: 'a serial number is 1-40 hex digits' }),
      );
  });
});

describe('the CRL files', () => {
  it('the issuing CRL: thisUpdate a minute back (clock skew), nextUpdate after the validity, PEM in 64-column lines', async () => {
    const issued = await authority.reissueCrl();
    expect(issued.thisUpdate.getTime()).toBe(clock() - 60_000);
    expect(issued.nextUpdate.getTime()).toBe(clock() + 3600_000);
    const pem = readFileSync(caPaths(dir).crl, 'utf8');
    expect(pem).toBe(issued.pem);
    const lines = pem.trim().split('\n');
    expect(lines[0]).toBe('-----BEGIN X509 CRL-----');
    expect(lines.at(-1)).toBe('-----END X509 CRL-----');
    expect(lines.slice(1, -2).every((l) => l.length === 64)).toBe(true);
    expect(statSync(caPaths(dir).crl).mode & 0o777).toBe(0o644);
    expect(issued.crl.nextUpdate?.getTime()).toBe(issued.nextUpdate.getTime());
    expect(Buffer.from(issued.crl.rawData).equals(Buffer.from(issued.der))).toBe(true);
    expect(issued.entries).toBe(parseCrlsIndexed(issued.der)[0]!.entries.size);
  });

  it("the root's CRL lasts 180 days by default", async () => {
    const root = await authority.reissueRootCrl();
    expect(root).toBeDefined();
    expect(ROOT_CRL_VALIDITY_SECONDS).toBe(180 * 86_400);
    expect(root!.nextUpdate.getTime() - root!.thisUpdate.getTime()).toBe(180 * 86_400_000 + 60_000);
    expect(root!.entries).toBe(0);
    expect(readFileSync(caPaths(dir).rootCrl, 'utf8')).toBe(root!.pem);
  });
});
