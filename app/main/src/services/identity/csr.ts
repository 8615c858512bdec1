/** The console's certificate request (enrollment and renewal). */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { buildName, signingAlgorithmFor } from '@helmlink/protocol';

/** A PKCS#10 request for `entityId` (CN only: the CA adds the profile's names and extensions). */
export async function createCsr(entityId: string, keys: CryptoKeyPair): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: buildName({ cn: entityId }),
    keys,
    signingAlgorithm: signingAlgorithmFor(keys.privateKey),
  });
  return csr.toString('pem');
}
