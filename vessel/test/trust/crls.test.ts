import { describe, expect, it } from 'vitest';
import { crlToPem } from '@helmlink/protocol';
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

  it('reports a stale or missing CRL for the vessel certificate', async () => {
    const pki = await createTestPki();
    const vessel = await pki.issue('MV', ['vessel']);
    const cache = new CrlCache([pki.root.certificate, pki.issuing.certificate]);
    expect(() => cache.assertFresh(vessel.certificate, pki.now.getTime(), 0)).toThrow(
      expect.objectContaining({ code: 'ERR_CRL_MISSING' }),
    );
    const crl = await pki.issuingCrl([], { crlNumber: 1, nextUpdate: new Date(pki.now.getTime() + 1000) });
    await cache.offer(crl);
    expect(cache.assertFresh(vessel.certificate, pki.now.getTime() + 1000 + 59_000, 60)).toBe(crl);
    expect(() => cache.assertFresh(vessel.certificate, pki.now.getTime() + 1000 + 61_000, 60)).toThrow(
      expect.objectContaining({ code: 'ERR_CRL_STALE' }),
    );
  });
});
