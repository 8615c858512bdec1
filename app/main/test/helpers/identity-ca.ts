/** The test PKI and HTTPS test CA the identity tests enroll, renew and import against. */
import { afterAll, beforeAll } from 'vitest';
import { certificateFingerprint, frozenClock } from '@helmlink/protocol';
import { createTestPki, type TestEntity, type TestPki } from '@helmlink/protocol/testing';
import { startTestCa, type TestCa } from './test-ca';

export interface IdentityCa {
  pki: TestPki;
  caEntity: TestEntity;
  ca: TestCa;
  /** SHA-256 fingerprint of the test root, lower-case hex. */
  rootFp: string;
}

/**
 * A fresh test PKI at `now` and its CA on 127.0.0.1 for the calling test file: started before its tests, closed
 * after them. The fields are filled in once the tests run.
 */
export function useIdentityCa(now: Date): IdentityCa {
  const fixture = {} as IdentityCa;
  beforeAll(async () => {
    const pki = await createTestPki({ now });
    const caEntity = await pki.issue('helmlink-ca', ['ca'], {
      ipAddresses: ['127.0.0.1'],
      dnsNames: ['localhost'],
    });
    const ca = await startTestCa(pki, caEntity, frozenClock(now));
    Object.assign(fixture, { pki, caEntity, ca, rootFp: await certificateFingerprint(pki.root.certificate) });
  });
  afterAll(async () => {
    await fixture.ca?.close();
  });
  return fixture;
}
