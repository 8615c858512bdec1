/**
 * The CA's HTTP contract: the routes and the JSON bodies they take and answer with, defined once. The server's
 * route handlers (`ca-server/src/http/routes/*`) type their requests and replies with these, and {@link CaClient}
 * sends and reads them, so a change to a shape fails to compile on both sides.
 *
 * Dependencies point inward: this module is types and constants only and imports nothing but protocol types, so
 * `ca-server` may import `@helmlink/ca-client/wire` without loading the HTTPS client, and the client never sees a
 * server type.
 */
import type { Role } from '@helmlink/protocol';

/** Every route of the CA (`:serial` is a path parameter). */
export const CA_ROUTES = {
  health: '/health',
  chain: '/ca/v1/chain',
  crl: '/ca/v1/crl',
  certificate: '/ca/v1/certs/:serial',
  enroll: '/ca/v1/enroll',
  renew: '/ca/v1/renew',
  tokens: '/ca/v1/tokens',
  certificates: '/ca/v1/certs',
  revoke: '/ca/v1/revoke',
  release: '/ca/v1/release',
  alerts: '/ca/v1/alerts',
} as const;

/** Media types the CA negotiates with `Accept`. */
export const CA_MEDIA_TYPES = {
  json: 'application/json',
  pem: 'application/x-pem-file',
  crl: 'application/pkix-crl',
} as const;

/** Status of an issued certificate: `hold` is RFC 5280 certificateHold (reversible). */
export type CertStatus = 'valid' | 'hold' | 'revoked';

/** Every {@link CertStatus}, for schemas and parsers. */
export const CERT_STATUSES: readonly CertStatus[] = ['valid', 'hold', 'revoked'];

/** Every refusal: `{ error: { code, message, details? } }` with a stable `ERR_` code (429 adds `retry-after`). */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** GET /health */
export interface HealthResponse {
  status: 'ok';
  crlNumber: number;
  crlNextUpdate: string;
}

/** GET /ca/v1/chain with `Accept: application/json` (without it: the chain as PEM text). */
export interface ChainResponse {
  /** Issuing CA and root, PEM. */
  chain: string;
  /** Root certificate PEM (the trust anchor; pin its fingerprint). */
  root: string;
  /** SHA-256 of the root, lowercase hex. */
  rootFingerprint: string;
}

/** POST /ca/v1/enroll */
export interface EnrollRequest {
  /** PKCS#10 PEM. */
  csr: string;
  /** One-time enrollment token. */
  token: string;
}

/** POST /ca/v1/renew (mutual TLS with the current certificate): with a CSR the key is replaced. */
export interface RenewRequest {
  csr?: string;
}

/** The 201 answer of enroll and renew. */
export interface IssuedWire {
  serial: string;
  /** Leaf certificate PEM. */
  certificate: string;
  /** Leaf + issuing CA PEM. */
  chain: string;
  /** Root PEM. */
  root: string;
  notAfter: string;
}

/** POST /ca/v1/tokens (admin): a one-time enrollment token for one entity. */
export interface TokenRequest {
  entityId: string;
  roles: Role[];
  /** The ship's name (vessels), certified next to IMO, MMSI and flag (the vocabulary's ship-name rule). */
  name?: string;
  imo?: string;
  mmsi?: string;
  flag?: string;
  /** Token lifetime in seconds (default 24 h). */
  ttlSeconds?: number;
  /** Lifetime of the certificate it enrolls, in days. Default by role (vessel/broker 365, pilot/admin 90). */
  validityDays?: number;
}

/** The 201 answer of POST /ca/v1/tokens: the token is shown once (only its hash is stored). */
export interface TokenResponse {
  token: string;
  expiresAt: string;
  entityId: string;
  roles: Role[];
}

/** An issued certificate as the admin API and exports show it (no DER; times ISO 8601). */
export interface CertificateWire {
  serial: string;
  entityId: string;
  roles: Role[];
  subject: string;
  notBefore: string;
  notAfter: string;
  status: CertStatus;
  revokedAt: string | null;
  /** RFC 5280 reason code. */
  reason: number | null;
  description: string | null;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
  issuedAt: string;
  renewedFrom: string | null;
}

/** GET /ca/v1/certs/:serial with `Accept: application/json` (without it: the certificate as PEM text). */
export interface CertificateResponse extends CertificateWire {
  /** The certificate PEM. */
  certificate: string;
}

/** GET /ca/v1/certs (admin) query string. */
export interface CertListQuery {
  role?: Role;
  status?: CertStatus;
  /** Only certificates expiring within this many seconds. */
  expiring_within?: number;
  limit?: number;
}

/** GET /ca/v1/certs (admin) */
export interface CertListResponse {
  certificates: CertificateWire[];
}

/**
 * POST /ca/v1/revoke (admin): reason is an RFC 5280 code (6 = certificateHold). Revoking the CA's own service
 * certificate or a broker's certificate needs `force` and a replacement plan: `"issue"` (the CA issues and loads a
 * new service identity first) or the serial of another valid broker certificate. The last admin cannot be revoked.
 */
export interface RevokeRequest {
  serial: string;
  reason: number;
  description?: string;
  force?: boolean;
  replacement?: string;
}

/** POST /ca/v1/release (admin): takes a certificate off hold. */
export interface ReleaseRequest {
  serial: string;
}

/** The answer of revoke and release: the certificate now, and the number of the CRL that says so. */
export interface StatusChangeResponse {
  certificate: CertificateWire;
  crlNumber: number;
  /** Serials revoked along with it: the certificates renewed from it (a revocation follows the renewals). */
  alsoRevoked?: string[];
}

/** GET /ca/v1/alerts (admin) query string. */
export interface AlertsQuery {
  /** Only alerts with a larger id. */
  since?: number;
  limit?: number;
}

export type AlertSeverity = 'info' | 'warning' | 'critical';

/** One security alert of the CA. */
export interface AlertWire {
  id: number;
  at: string;
  kind: string;
  severity: AlertSeverity;
  message: string;
  details: Record<string, unknown>;
}

/** GET /ca/v1/alerts (admin) */
export interface AlertsResponse {
  alerts: AlertWire[];
}
