/** Certificates as shown to people (public data only), ours and our peers'. */
import type { Role } from '@helmlink/protocol/vocabulary';
import type { IsoTime } from './primitives';
import type { ApiErrorInfo } from './result';

/** A certificate as shown to people (public data only). */
export interface CertificateView {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: IsoTime;
  notAfter: IsoTime;
  /** SHA-256 over the DER, lower-case hex. */
  fingerprintSha256: string;
  keyAlgorithm: string;
  signatureAlgorithm: string;
  isCa: boolean;
  /** Entity id and roles under the Helmlink profile, when the certificate follows it. */
  entityId: string | null;
  roles: Role[];
  pem: string;
}

export type RevocationStatus = 'good' | 'revoked' | 'on_hold' | 'unknown';

/** A certificate a peer presented (the broker in the TLS handshake, a vessel in its signed state/acks). */
export interface PeerCertificateView {
  /** Leaf first, then intermediates, then the root when known. */
  chain: CertificateView[];
  /** True when the chain validated to our pinned root for the expected purpose. */
  verified: boolean;
  revocation: RevocationStatus;
  /** Why it did not verify (coded), null when verified. */
  error: ApiErrorInfo | null;
  checkedAt: IsoTime;
}
