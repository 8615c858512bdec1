import '../../src/reflect';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { CrlStore } from '../../src/pki/crl-store';
import { createTestPki, generateTestKeyPair, type TestPki } from '../../src/testing/pki';
import { codeOf, customCrl, DAY } from './helpers';

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
});
