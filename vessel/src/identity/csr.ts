/** A fresh vessel key and its profile CSR (subject CN = vessel id, nothing else: the CA adds the profile). */
import { createProfileCsr, exportPkcs8, generateKeyPair, type KeySpec } from '@helmlink/protocol';

/** A fresh key pair and its CSR. */
export interface KeyAndCsr {
  pkcs8: Uint8Array;
  csrPem: string;
}

/** Generates a key of `spec` and a CSR for `vesselId` signed with it. */
export async function createKeyAndCsr(spec: KeySpec, vesselId: string): Promise<KeyAndCsr> {
  const keys = await generateKeyPair(spec, { extractable: true });
  return { pkcs8: await exportPkcs8(keys.privateKey), csrPem: await createProfileCsr(vesselId, keys) };
}
