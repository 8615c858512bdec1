/**
 * The trust a vessel verifies commands with: its pinned root, the issuing CA from its own chain, and its cached
 * CRLs. Two flavours share the anchors: full (revocation enforced) and one ignoring revocation, used only to
 * attribute a stale-CRL rejection to an otherwise authentic pilot.
 */
import { createTrust, validatePath, type Trust } from '@helmlink/protocol';
import { nodeSignatureVerifier } from '@helmlink/protocol/node';
import type { VesselConfig } from '../config';
import type { VesselIdentity } from '../identity/files';
import type { CrlCache } from './crls';

export interface VesselTrust {
  trust: Trust;
  trustIgnoringRevocation: Trust;
}

/** Builds both trusts for `identity` (again after a renewal). */
export function createVesselTrust(
  identity: VesselIdentity,
  crls: CrlCache,
  crl: VesselConfig['crl'],
): VesselTrust {
  // With failClosed off, a stale CRL keeps being used (a century of grace).
  const grace = crl.failClosed ? crl.graceSeconds : 100 * 365 * 86_400;
  const make = (mode: 'leaf' | 'off'): Trust =>
    createTrust({
      trustAnchors: [identity.root],
      intermediates: identity.chain.slice(1),
      crls,
      revocation: { mode, staleGraceSeconds: grace },
      validatePath,
      // Synchronous node:crypto verification: the same check as WebCrypto, less CPU on the hot path.
      signatureVerifier: nodeSignatureVerifier,
    });
  return { trust: make('leaf'), trustIgnoringRevocation: make('off') };
}
