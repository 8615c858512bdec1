/** Certificate signing requests (PKCS#10, RFC 2986) of the Helmlink profile: the one builder of the console and the vessel. */
import '../reflect';
import * as x509 from '@peculiar/x509';
import { assertEntityId } from '../vocabulary/entity-id';
import { buildName, signingAlgorithmFor } from './build';
import { encodePem } from './pem';

/**
 * A PEM PKCS#10 request for `entityId`, signed with `keys`: subject CN = the entity id and nothing else, because the
 * CA adds the profile's names and extensions itself (and refuses a request asking for more).
 * @throws HelmlinkError ERR_ID_INVALID when `entityId` breaks the entity-id rule (the CA would refuse it).
 */
export async function createProfileCsr(entityId: string, keys: CryptoKeyPair): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: buildName({ cn: assertEntityId(entityId) }),
    keys,
    signingAlgorithm: signingAlgorithmFor(keys.privateKey),
  });
  return encodePem('CERTIFICATE REQUEST', new Uint8Array(csr.rawData));
}
