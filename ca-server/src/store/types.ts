/** The CA store contract: certificates, enrollment tokens, the CRL number, a hash-chained audit log and alerts. */
import type { HelmlinkError, Role } from '@helmlink/protocol';
import type { CertStatus } from '@helmlink/ca-client/wire';

/** The status of a certificate is the one the admin API shows. */
export type { CertStatus };

export interface CertRecord {
  /** Lowercase hex serial, unique, never reused. */
  serial: string;
  entityId: string;
  roles: Role[];
  subject: string;
  notBefore: number;
  notAfter: number;
  status: CertStatus;
  revokedAt: number | null;
  reason: number | null;
  description: string | null;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
  der: Uint8Array;
  issuedAt: number;
  /** Serial of the certificate this one renewed, if any. */
  renewedFrom: string | null;
  /** SHA-256 of the certified SubjectPublicKeyInfo, hex (one key, one entity). */
  spkiSha256?: string | null;
  /** The maritime identifiers the certificate carries (one IMO or MMSI, one entity). */
  imo?: string | null;
  mmsi?: string | null;
}

/** A certificate taken out of service by a newer one of the same entity (RFC 5280 reason superseded). */
export interface Superseded {
  serial: string;
  entityId: string;
  previousStatus: CertStatus;
}

export interface TokenRecord {
  /** SHA-256 of the token, hex: the token itself is never stored. */
  hash: string;
  entityId: string;
  roles: Role[];
  /** The ship's name the certificate will carry. */
  name: string | null;
  imo: string | null;
  mmsi: string | null;
  flag: string | null;
  validityDays: number;
  expiresAt: number;
  createdAt: number;
  createdBy: string;
  usedAt: number | null;
  usedSerial: string | null;
}

export interface AuditEntry {
  seq: number;
  ts: number;
  actor: string;
  action: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AlertRecord {
  id: number;
  ts: number;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  details: Record<string, unknown>;
}

export interface CertQuery {
  role?: Role;
  status?: CertStatus;
  /** Only certificates whose notAfter is before this time (ms) and after `now`. */
  expiringBefore?: number;
  now?: number;
  entityId?: string;
  limit?: number;
}

export interface AuditInput {
  ts: number;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

/** Storage for the authority. Every mutating call is one durable transaction, committed when it returns. */
export interface CaStore {
  /** Runs `fn` in one transaction (better-sqlite3: synchronous). */
  transaction<T>(fn: () => T): T;
  /**
   * Runs `fn` in one transaction whose COMMIT does not wait for the disk on the event loop: `durable` resolves once
   * the write-ahead log holding it has been synced (fdatasync in the thread pool), which is when SQLite's own
   * `synchronous = FULL` commit would have returned. Nothing may be reported as done before `durable` resolves.
   * Without WAL (it cannot be enabled on every file system) it is a plain durable transaction.
   */
  transactionDurableLater<T>(fn: () => T): { value: T; durable: Promise<void> };
  /**
   * The failure that stopped the store making writes durable (ERR_CA_STORE), if any: from then on every write is
   * refused until the CA is restarted, and GET /health fails.
   */
  durabilityFailure(): HelmlinkError | undefined;
  /**
   * Inserts a certificate. Every other current (valid or held) certificate of the same entity is superseded in the
   * same transaction (status revoked, reason superseded, audited): one valid certificate per entity.
   */
  insertCertificate(record: CertRecord): Superseded[];
  getCertificate(serial: string): CertRecord | undefined;
  listCertificates(query: CertQuery): CertRecord[];
  /** Certificates on the CRL: status revoked or hold, not yet expired at `now`. */
  listRevoked(now: number): Array<Pick<CertRecord, 'serial' | 'revokedAt' | 'reason'>>;
  /** Distinct (entityId, roles) of currently valid, unexpired certificates: the broker ACL input. */
  listActiveIdentities(now: number): Array<{ entityId: string; roles: Role[] }>;
  /** Certificates renewed from `serial`, transitively (children before grandchildren). */
  listDescendants(serial: string): CertRecord[];
  /** Certificates (any status) that certify the key with this SPKI hash. */
  listBySpki(spkiSha256: string): Array<Pick<CertRecord, 'serial' | 'entityId' | 'status' | 'reason'>>;
  /** Current (valid or held), unexpired certificates that carry this IMO or MMSI. */
  listCurrentByIdentifier(
    field: 'imo' | 'mmsi',
    value: string,
    now: number,
  ): Array<Pick<CertRecord, 'serial' | 'entityId'>>;
  /** Increases with every change of a certificate's status (what the CRL is built from). */
  statusVersion(): number;
  /** The status version the last CRL of `scope` was built from, and marking a new one. */
  crlVersion(scope: string): number;
  setCrlVersion(scope: string, version: number): void;
  setStatus(
    serial: string,
    status: CertStatus,
    revokedAt: number | null,
    reason: number | null,
    description: string | null,
  ): void;
  insertToken(record: TokenRecord): void;
  getToken(hash: string): TokenRecord | undefined;
  /** Marks the token used when still unused; false when another request consumed it first. */
  consumeToken(hash: string, usedAt: number, serial: string): boolean;
  /** Increments and returns the CRL number (for `scope` = issuing | root). */
  nextCrlNumber(scope: string): number;
  appendAudit(entry: AuditInput): AuditEntry;
  /** The newest audit entry's sequence number and hash (the chain's head), if any. */
  lastAudit(): { seq: number; hash: string } | undefined;
  listAudit(fromSeq?: number, limit?: number): AuditEntry[];
  insertAlert(alert: Omit<AlertRecord, 'id'>): AlertRecord;
  listAlerts(sinceId?: number, limit?: number): AlertRecord[];
  countCertificates(): number;
  close(): void;
}
