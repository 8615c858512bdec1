/**
 * Is the console's own certificate on a verified CRL? The broker refuses a revoked client with nothing but a TLS
 * alert ("connection failed"), so the console asks the CRL it trusts itself: after a failed connection attempt and
 * whenever a newer CRL arrives. Revoked or on hold → the identity is `revoked` and renewal impossible.
 */
import 'reflect-metadata';
import type * as x509 from '@peculiar/x509';
import { crlReason } from '@helmlink/protocol';
import type { IdentityRevocation } from '../identity/identity-service';
import type { TrustMaterial } from '../fleet/trust-material';

/**
 * What the trust material's CRLs say about `chain` (leaf first) at `now`: the revocation (with the CRL entry's
 * time and reason) when the leaf is listed, null when its CRL does not list it, undefined when that cannot be told
 * (no CRL of its issuer yet, or the chain fails for another reason).
 */
export async function ownRevocation(
  trust: TrustMaterial,
  chain: readonly x509.X509Certificate[],
  now: Date,
): Promise<IdentityRevocation | null | undefined> {
  const [leaf, issuer] = chain;
  if (!leaf) return undefined;
  const view = await trust.describePeer(chain, 'clientAuth', now);
  if (view.revocation === 'good') return null;
  if (view.revocation !== 'revoked' && view.revocation !== 'on_hold') return undefined;
  const serial = leaf.serialNumber.toLowerCase();
  const entry = (issuer ? trust.crls.current(issuer) : undefined)?.entries.find(
    (e) => e.serialNumber.toLowerCase() === serial,
  );
  const reason = entry?.reason !== undefined ? crlReason(entry.reason)?.name : undefined;
  return {
    revokedAt: entry?.revocationDate.toISOString() ?? null,
    reason: reason ?? (view.revocation === 'on_hold' ? 'certificateHold' : null),
    detectedAt: now.toISOString(),
  };
}
