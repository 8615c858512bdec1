/** Certificate signing requests for the vessel's key: subject CN = vessel id, nothing else (the CA adds the profile). */
import * as x509 from '@peculiar/x509';
import { buildName, encodePem, signingAlgorithmFor, type KeySpec, generateKeyPair, exportPkcs8 } from '@helmlink/protocol';

/** A fresh key pair and its CSR. */
export interface KeyAndCsr {
  pkcs8: Uint8Array;
  csrPem: string;
}

/** Generates a key of `spec` and a CSR for `vesselId` signed with it. */
export async function createKeyAndCsr(spec: KeySpec, vesselId: string): Promise<KeyAndCsr> {
  const keys = await generateKeyPair(spec, { extractable: true });
  const name = buildName({ cn: vesselId });
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: signingAlgorithmFor(keys.privateKey),
  });
  return { pkcs8: await exportPkcs8(keys.privateKey), csrPem: encodePem('CERTIFICATE REQUEST', new Uint8Array(csr.rawData)) };
}
