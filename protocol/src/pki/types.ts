/**
 * The contract of X.509 path validation (implemented in validate.ts, chain.ts, crl.ts, cache.ts).
 * Every security choice is a parameter: trust anchors, time, purpose, revocation policy.
 */
import type * as x509 from '@peculiar/x509';
import type { CrlInput } from './crl';
import type { EntityIdentity } from './profile';

/** Extended key usage the end entity must be valid for. `any` skips the EKU check (PKITS-style). */
export type Purpose = 'clientAuth' | 'serverAuth' | 'any';

export interface RevocationPolicy {
  /**
   * `leaf`: the end entity must be checked against a CRL from its issuer (ERR_CRL_MISSING otherwise);
   * intermediates are checked when a CRL from their issuer is given.
   * `chain`: every certificate below the anchor must be checked (crl_check_all).
   * `off`: no revocation checking (only for tools that say so).
   */
  mode: 'off' | 'leaf' | 'chain';
  /** Seconds past a CRL's nextUpdate during which it is still used. Past it: ERR_CRL_STALE. Default 0. */
  staleGraceSeconds?: number;
}

export interface PathValidationOptions {
  /** Trusted roots. Anything else, including a self-signed certificate in x5c, is never an anchor. */
  trustAnchors: readonly x509.X509Certificate[];
  /** Untrusted candidate intermediates (e.g. from x5c or a file). */
  intermediates?: readonly x509.X509Certificate[];
  /**
   * Candidate CRLs; each is used only for certificates issued by its verified issuer. @peculiar/x509 objects,
   * or views from parseCrlDer / parseCrlsIndexed (large CRLs: no asn1js object graph).
   */
  crls?: readonly CrlInput[];
  /** The verification time. Injected: never implied from the system clock. */
  time: Date;
  purpose: Purpose;
  revocation: RevocationPolicy;
}

export interface ValidatedPath {
  /** Leaf first, trust anchor last. */
  chain: x509.X509Certificate[];
  leaf: x509.X509Certificate;
  anchor: x509.X509Certificate;
  /** SHA-256 of the leaf DER, lowercase hex. */
  leafFingerprint: string;
  /** The earliest notAfter along the path, and the earliest CRL nextUpdate (+grace) used: the path's validity horizon. */
  validUntil: Date;
  /** Profile identity of the leaf, or undefined when the leaf carries no Helmlink identity (e.g. PKITS). */
  identity: EntityIdentity | undefined;
}
