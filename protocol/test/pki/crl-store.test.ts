import '../../src/reflect';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HelmlinkError } from '../../src/errors';
import { CrlStore } from '../../src/pki/crl-store';
import { createTestPki, generateTestKeyPair, type TestPki } from '../../src/testing/pki';
import { codeOf, customCert, customCrl, DAY, rejection } from './helpers';

const NOW = new Date('2026-06-01T12:00:00Z');
let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki({ now: NOW });
});

describe('CrlStore', () => {
  it('accepts a verified CRL with a higher number and bumps the generation', async () => {
    const store = new CrlStore();
    expect(store.generation).toBe(0);
    const first = await pki.issuingCrl([], { crlNumber: 10 });
    await store.accept(first, pki.issuing.certificate);
    expect(store.generation).toBe(1);
    expect(store.crls()).toEqual([first]);
    expect(store.current(pki.issuing.certificate)).toBe(first);
    const second = await pki.issuingCrl([], { crlNumber: 11 });
    await store.accept(second, pki.issuing.certificate);
    expect(store.generation).toBe(2);
    expect(store.crls()).toEqual([second]);
    // One CRL per issuer: the root's is held next to it.
    await store.accept(await pki.rootCrl([], { crlNumber: 1 }), pki.root.certificate);
    expect(store.crls()).toHaveLength(2);
  });

  it('ERR_CRL_NOT_NEWER for the same or a lower CRL number', async () => {
    const store = new CrlStore();
    await store.accept(await pki.issuingCrl([], { crlNumber: 5 }), pki.issuing.certificate);
    expect(
      await codeOf(store.accept(await pki.issuingCrl([], { crlNumber: 5 }), pki.issuing.certificate)),
    ).toBe('ERR_CRL_NOT_NEWER');
    expect(
      await codeOf(store.accept(await pki.issuingCrl([], { crlNumber: 4 }), pki.issuing.certificate)),
    ).toBe('ERR_CRL_NOT_NEWER');
    expect(store.generation).toBe(1);
  });

  it('ERR_CRL_INVALID for a wrong signing key, another issuer name, a CRL without number, or a future one', async () => {
    const store = new CrlStore();
    const wrong = await generateTestKeyPair();
    const forged = await pki.issuingCrl([], {
      crlNumber: 20,
      issuer: { certificate: pki.issuing.certificate, privateKey: wrong.privateKey },
    });
    expect(await codeOf(store.accept(forged, pki.issuing.certificate))).toBe('ERR_CRL_INVALID');
    expect(
      await codeOf(store.accept(await pki.rootCrl([], { crlNumber: 21 }), pki.issuing.certificate)),
    ).toBe('ERR_CRL_INVALID');
    const unnumbered = await customCrl({
      issuer: pki.issuing,
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + DAY),
    });
    expect(await codeOf(store.accept(unnumbered, pki.issuing.certificate))).toBe('ERR_CRL_INVALID');
    const future = await pki.issuingCrl([], { crlNumber: 22, thisUpdate: new Date(NOW.getTime() + 60_000) });
    expect(await codeOf(store.accept(future, pki.issuing.certificate, { time: NOW }))).toBe(
      'ERR_CRL_INVALID',
    );
    const critical = await customCrl({
      issuer: pki.issuing,
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + DAY),
      extensions: [new x509.Extension('1.3.6.1.4.1.99999.2', true, new Uint8Array([0x05, 0x00]))],
    });
    expect(await codeOf(store.accept(critical, pki.issuing.certificate))).toBe('ERR_CRL_CRITICAL_EXTENSION');
    expect(store.generation).toBe(0);
  });

  it('a CRL without nextUpdate (it would never become stale) is refused, with or without a time: ERR_CRL_INVALID', async () => {
    const store = new CrlStore();
    const endless = await customCrl({
      issuer: pki.issuing,
      thisUpdate: NOW,
      extensions: [new x509.Extension('2.5.29.20', false, new Uint8Array([0x02, 0x01, 0x07]))],
    });
    expect(endless.nextUpdate).toBeUndefined();
    for (const options of [{}, { time: NOW }]) {
      const r = await rejection(store.accept(endless, pki.issuing.certificate, options));
      expect(r.code).toBe('ERR_CRL_INVALID');
      expect(r.message).toBe(`the CRL of ${pki.issuing.certificate.subject} has no nextUpdate`);
    }
    expect(store.generation).toBe(0);
  });
});

describe('CrlStore: each refusal in words (a CRL that must not replace the held one)', () => {
  const crlNumber = (n: number) => new x509.Extension('2.5.29.20', false, new Uint8Array([0x02, 0x01, n]));
  const ca = (cn: string, keyUsage?: number | null, keys?: CryptoKeyPair) =>
    customCert({
      cn,
      issuer: pki.root,
      ca: true,
      ...(keyUsage === undefined ? {} : { keyUsage }),
      ...(keys ? { keys } : {}),
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + DAY),
    });

  it('starts empty and knows no issuer', () => {
    const store = new CrlStore();
    expect(store.crls()).toEqual([]);
    expect(store.current(pki.issuing.certificate)).toBeUndefined();
  });

  it('a CRL of another issuer: named', async () => {
    const r = await rejection(
      new CrlStore().accept(await pki.rootCrl([], { crlNumber: 3 }), pki.issuing.certificate),
    );
    expect(r).toMatchObject({
      code: 'ERR_CRL_INVALID',
      message: `the CRL issuer ${pki.root.certificate.subject} is not ${pki.issuing.certificate.subject}`,
    });
  });

  it('an issuer whose key usage lacks cRLSign may not sign CRLs; one without a key usage extension may', async () => {
    const noCrlSign = await ca('No CRL Sign CA', x509.KeyUsageFlags.keyCertSign);
    const crl = await customCrl({
      issuer: noCrlSign,
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + DAY),
      extensions: [crlNumber(1)],
    });
    expect(await rejection(new CrlStore().accept(crl, noCrlSign.certificate))).toMatchObject({
      code: 'ERR_CRL_INVALID',
      message: `${noCrlSign.certificate.subject} may not sign CRLs (no cRLSign)`,
    });
    const noKeyUsage = await ca('No Key Usage CA', null);
    const store = new CrlStore();
    await store.accept(
      await customCrl({
        issuer: noKeyUsage,
        thisUpdate: NOW,
        nextUpdate: new Date(NOW.getTime() + DAY),
        extensions: [crlNumber(1)],
      }),
      noKeyUsage.certificate,
    );
    expect(store.generation).toBe(1);
  });

  it('a signature by another key, or by a key of another type than the issuer holds, does not verify', async () => {
    const forged = await pki.issuingCrl([], {
      crlNumber: 30,
      issuer: { certificate: pki.issuing.certificate, privateKey: (await generateTestKeyPair()).privateKey },
    });
    expect(await rejection(new CrlStore().accept(forged, pki.issuing.certificate))).toMatchObject({
      code: 'ERR_CRL_INVALID',
      message: `the CRL signature does not verify with the key of ${pki.issuing.certificate.subject}`,
    });
    // An RSA issuer certificate, a CRL in its name signed with ECDSA: the key cannot check that algorithm.
    const rsa = await ca('RSA CA', undefined);
    const rsaIssuer = await customCert({
      cn: 'RSA Issuer CA',
      issuer: pki.root,
      ca: true,
      alg: 'PS256',
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + DAY),
    });
    const mismatched = await customCrl({
      issuer: { certificate: rsaIssuer.certificate, privateKey: rsa.privateKey },
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + DAY),
      extensions: [crlNumber(1)],
    });
    expect((await rejection(new CrlStore().accept(mismatched, rsaIssuer.certificate))).code).toBe(
      'ERR_CRL_INVALID',
    );
  });

  /** The refusal of a CRL signed by a CA (under the root) holding `keys`. */
  async function refusedFromCaWith(cn: string, keys: CryptoKeyPair): Promise<HelmlinkError> {
    const issuer = await ca(cn, undefined, keys);
    const crl = await customCrl({
      issuer,
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + DAY),
      extensions: [crlNumber(1)],
    });
    return (await new CrlStore().accept(crl, issuer.certificate).catch((e: unknown) => e)) as HelmlinkError;
  }

  it('a CRL signed with SHA-1 (an algorithm verifiers refuse) is refused in the words of the algorithm check', async () => {
    const keys = (await globalThis.crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-1',
      },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const r = await refusedFromCaWith('SHA-1 CA', keys);
    expect(r.code).toBe('ERR_CRL_INVALID');
    expect(r.message).toMatch(/1\.2\.840\.113549\.1\.1\.5/u);
    expect(r.cause).toMatchObject({ code: expect.stringMatching(/^ERR_/u), message: r.message });
  });

  it('an issuer whose key the verifier does not accept (P-521) cannot vouch for a CRL, whatever it signs', async () => {
    const keys = (await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const r = await refusedFromCaWith('P-521 CA', keys);
    expect(r.code).toBe('ERR_CRL_INVALID');
    expect(r.message).toMatch(/curve/u);
    expect(r.cause).toMatchObject({ code: 'ERR_CHAIN_ALG_UNSUPPORTED', message: r.message });
  });

  it('a delta CRL cannot replace a complete CRL', async () => {
    const delta = await customCrl({
      issuer: pki.issuing,
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + DAY),
      extensions: [crlNumber(9), new x509.Extension('2.5.29.27', true, new Uint8Array([0x02, 0x01, 0x08]))],
    });
    expect(await rejection(new CrlStore().accept(delta, pki.issuing.certificate))).toMatchObject({
      code: 'ERR_CRL_INVALID',
      message: 'a delta CRL cannot replace a complete CRL',
    });
    const unnumbered = await customCrl({
      issuer: pki.issuing,
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + DAY),
    });
    expect(await rejection(new CrlStore().accept(unnumbered, pki.issuing.certificate))).toMatchObject({
      code: 'ERR_CRL_INVALID',
      message: 'the CRL has no CRL number (RFC 5280 5.2.3)',
    });
  });

  it('the stale grace is in seconds: 10 s past nextUpdate is used with 11 s of grace, refused with 9 s or none', async () => {
    const late = await pki.issuingCrl([], {
      crlNumber: 40,
      thisUpdate: new Date(NOW.getTime() - DAY),
      nextUpdate: new Date(NOW.getTime() - 10_000),
    });
    for (const staleGraceSeconds of [undefined, 9])
      expect(
        (
          await rejection(
            new CrlStore().accept(late, pki.issuing.certificate, {
              time: NOW,
              ...(staleGraceSeconds ? { staleGraceSeconds } : {}),
            }),
          )
        ).code,
      ).toBe('ERR_CRL_STALE');
    const store = new CrlStore();
    await store.accept(late, pki.issuing.certificate, { time: NOW, staleGraceSeconds: 11 });
    expect(store.current(pki.issuing.certificate)).toBe(late);
  });

  it('an older CRL (a replayed one) names both numbers', async () => {
    const store = new CrlStore();
    await store.accept(await pki.issuingCrl([], { crlNumber: 12 }), pki.issuing.certificate);
    expect(
      await rejection(store.accept(await pki.issuingCrl([], { crlNumber: 11 }), pki.issuing.certificate)),
    ).toEqual({
      code: 'ERR_CRL_NOT_NEWER',
      message: 'CRL number 11 is not newer than the held 12',
      details: { number: '11', held: '12' },
    });
  });
});
