/** The test PKI and HTTPS test CA the identity tests enroll, renew and import against. */
import { certificateFingerprint, isHelmlinkError } from '@helmlink/protocol';
import { createTestPki, type TestEntity, type TestPki } from '@helmlink/protocol/testing';
import { startTestCa, type TestCa } from './test-ca';

export interface IdentityCa {
  pki: TestPki;
  caEntity: TestEntity;
  ca: TestCa;
  /** SHA-256 fingerprint of the test root, lower-case hex. */
  rootFp: string;
}

/** A fresh test PKI at `now` and its CA on 127.0.0.1 (close `ca` when done). */
export async function startIdentityCa(now: Date): Promise<IdentityCa> {
  const pki = await createTestPki({ now });
  const caEntity = await pki.issue('helmlink-ca', ['ca'], { ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
  const ca = await startTestCa(pki, caEntity, () => now);
  const rootFp = await certificateFingerprint(pki.root.certificate);
  return { pki, caEntity, ca, rootFp };
}

/** The code a promise rejects with (a HelmlinkError); anything else fails the test. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isHelmlinkError(err)) return err.code;
    throw err;
  }
  throw new Error('expected a rejection');
}
