import { describe, expect, it } from 'vitest';
import { crlInfo, crlToPem } from '@helmlink/protocol';
import { createTestPki } from '@helmlink/protocol/testing';
import { CrlCache } from '../../src/trust/crls';

describe('CRL cache', () => {
  it('accepts only verified, newer CRLs from its own CAs, bumping the generation', async () => {
    const pki = await createTestPki();
    const cache = new CrlCache([pki.root.certificate, pki.issuing.certificate]);
    expect(await cache.offer(crlToPem(await pki.issuingCrl([], { crlNumber: 5 })))).toMatchObject({
      accepted: true,
      crlNumber: 5,
    });
    expect(cache.generation).toBe(1);
    expect(await cache.offer(await pki.issuingCrl([], { crlNumber: 5 }))).toMatchObject({
      accepted: false,
      code: 'ERR_CRL_NOT_NEWER',
    });
    expect(await cache.offer(await pki.issuingCrl([], { crlNumber: 4 }))).toMatchObject({
      accepted: false,
      code: 'ERR_CRL_NOT_NEWER',
    });
    const other = await createTestPki();
    expect(await cache.offer(await other.issuingCrl([], { crlNumber: 9 }))).toMatchObject({
      accepted: false,
      code: 'ERR_CRL_INVALID',
    });
    // Same issuer name, other key: the signature check refuses it.
    const lookalike = await createTestPki({
      issuingName: { cn: 'Helmlink Test Issuing CA', o: pki.organization },
      organization: pki.organization,
    });
    expect(await cache.offer(await lookalike.issuingCrl([], { crlNumber: 9 }))).toMatchObject({
      accepted: false,
      code: 'ERR_CRL_INVALID',
    });
    expect(await cache.offer('not a crl')).toMatchObject({ accepted: false, code: 'ERR_CRL_MALFORMED' });
    expect(await cache.offer(await pki.rootCrl([], { crlNumber: 1 }))).toMatchObject({ accepted: true });
    expect(cache.crls()).toHaveLength(2);
    expect(await cache.offer(await pki.issuingCrl([], { crlNumber: 6 }))).toMatchObject({
      accepted: true,
      crlNumber: 6,
    });
    expect(cache.generation).toBe(3);
  });

  it('holds the one-pass parser views (no asn1js object graph): revoked serials are looked up by value', async () => {
    const pki = await createTestPki();
    const vessel = await pki.issue('MV', ['vessel']);
    const revoked = await pki.issue('pilot-gone', ['pilot']);
    const cache = new CrlCache([pki.root.certificate, pki.issuing.certificate]);
    const crl = await pki.issuingCrl(
      [{ serial: revoked.certificate.serialNumber, revokedAt: pki.now, reason: 1 }],
      {
        crlNumber: 3,
      },
    );
    expect(await cache.offer(new Uint8Array(crl.rawData))).toMatchObject({ accepted: true, crlNumber: 3 });
    const held = cache.forIssuerOf(vessel.certificate)!;
    expect(held.raw).toEqual(new Uint8Array(crl.rawData));
    expect(held.entries.get(revoked.certificate.serialNumber.toLowerCase())).toMatchObject({ reasonCode: 1 });
    expect(held.entries.get(vessel.certificate.serialNumber.toLowerCase())).toBeUndefined();
    expect(cache.crls()).toEqual([held]);
  });

  it('reports a stale or missing CRL for the vessel certificate', async () => {
    const pki = await createTestPki();
    const vessel = await pki.issue('MV', ['vessel']);
    const cache = new CrlCache([pki.root.certificate, pki.issuing.certificate]);
    expect(() => cache.assertFresh(vessel.certificate, pki.now.getTime(), 0)).toThrow(
      expect.objectContaining({ code: 'ERR_CRL_MISSING' }),
    );
    const crl = await pki.issuingCrl([], { crlNumber: 1, nextUpdate: new Date(pki.now.getTime() + 1000) });
    await cache.offer(crl);
    // Held as the one-pass parser's view of the same DER (crlInfo caches it per object).
    expect(cache.assertFresh(vessel.certificate, pki.now.getTime() + 1000 + 59_000, 60)).toBe(crlInfo(crl));
    expect(() => cache.assertFresh(vessel.certificate, pki.now.getTime() + 1000 + 61_000, 60)).toThrow(
      expect.objectContaining({ code: 'ERR_CRL_STALE' }),
    );
  });
});
