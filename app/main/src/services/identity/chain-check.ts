/**
 * Checks that a certificate chain the console received for itself (from enrollment, renewal or an import) leads
 * to the pinned root: every signature, every validity period, CA flags on the issuers. This is the console's own
 * sanity check of material it is about to use, not the protocol's full RFC 5280 validator used on peers.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { HelmlinkError } from '@helmlink/protocol';

/**
 * Orders `certs` from `leaf` up to `root` (root appended if missing), verifying each link at `now`.
 * Returns leaf + intermediates (without the root). Throws ERR_CHAIN_UNTRUSTED / ERR_CHAIN_EXPIRED /
 * ERR_CHAIN_NOT_YET_VALID / ERR_CHAIN_SIGNATURE / ERR_CHAIN_BASIC_CONSTRAINTS.
 */
export async function checkOwnChain(
  leaf: x509.X509Certificate,
  certs: readonly x509.X509Certificate[],
  root: x509.X509Certificate,
  now: Date,
): Promise<x509.X509Certificate[]> {
  const pool = certs.filter((c) => !c.equal(leaf) && !c.equal(root));
  const path: x509.X509Certificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < 8; depth++) {
    if (now < current.notBefore)
      throw new HelmlinkError('ERR_CHAIN_NOT_YET_VALID', `${current.subject} is not valid yet`);
    if (now > current.notAfter)
      throw new HelmlinkError('ERR_CHAIN_EXPIRED', `${current.subject} has expired`);
    const issuer = current.issuer === root.subject ? root : pool.find((c) => c.subject === current.issuer);
    if (!issuer)
      throw new HelmlinkError(
        'ERR_CHAIN_UNTRUSTED',
        `no issuer for ${current.subject} leads to the pinned root`,
      );
    const bc = issuer.getExtension(x509.BasicConstraintsExtension);
    if (!bc?.ca) throw new HelmlinkError('ERR_CHAIN_BASIC_CONSTRAINTS', `${issuer.subject} is not a CA`);
    const ok = await current.verify({ publicKey: issuer.publicKey, signatureOnly: true });
    if (!ok)
      throw new HelmlinkError('ERR_CHAIN_SIGNATURE', `the signature on ${current.subject} does not verify`);
    if (issuer === root) {
      if (now > root.notAfter || now < root.notBefore)
        throw new HelmlinkError('ERR_CHAIN_EXPIRED', 'the root is outside its validity');
      return path;
    }
    path.push(issuer);
    current = issuer;
  }
  throw new HelmlinkError('ERR_CHAIN_UNTRUSTED', 'the chain is too long');
}
