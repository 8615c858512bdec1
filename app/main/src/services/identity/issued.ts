/** Accepting a certificate the CA issued to us (enrollment and renewal). */
import 'reflect-metadata';
import type * as x509 from '@peculiar/x509';
import { HelmlinkError } from '@helmlink/protocol';
import { certificatesFromBody } from '../ca/console-ca';
import { profileOf } from './certificate-view';
import { checkOwnChain } from './chain-check';
import { sameSpki, spkiOfPkcs8 } from './key-match';

/**
 * Finds our certificate in a CA response and checks it: our key, our entity id, a chain to the pinned root.
 * Returns the chain, leaf first. ERR_CA_RESPONSE, ERR_CERT_PROFILE or the chain check's code otherwise.
 */
export async function acceptIssued(
  response: unknown,
  pkcs8: Uint8Array,
  entityId: string,
  caChain: readonly x509.X509Certificate[],
  root: x509.X509Certificate,
  now: Date,
): Promise<x509.X509Certificate[]> {
  const issued = certificatesFromBody(Buffer.from(JSON.stringify(response)), 'application/json');
  const spki = spkiOfPkcs8(pkcs8);
  const leaf = issued.find((c) => sameSpki(c, spki));
  if (!leaf) throw new HelmlinkError('ERR_CA_RESPONSE', 'the CA response holds no certificate for our key');
  const { entityId: cn } = profileOf(leaf);
  if (cn !== entityId)
    throw new HelmlinkError(
      'ERR_CERT_PROFILE',
      `the issued certificate names ${cn ?? 'no entity'}, not ${entityId}`,
    );
  return checkOwnChain(leaf, [...issued, ...caChain], root, now);
}
