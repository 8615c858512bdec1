/**
 * The SQLite implementation of the CA store (better-sqlite3, WAL, synchronous=FULL so a committed certificate
 * survives a crash). The audit table refuses UPDATE and DELETE by trigger; its rows are hash-chained.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Role } from '@helmlink/protocol';
import type {
  AlertRecord,
  AuditEntry,
  AuditInput,
  CaStore,
  CertQuery,
  CertRecord,
  CertStatus,
  TokenRecord,
} from './types';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS certificates (
  serial TEXT PRIMARY KEY,
  entity_id TEXT NOT NULL,
  roles TEXT NOT NULL,
  subject TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('valid','hold','revoked')),
  revoked_at INTEGER,
  reason INTEGER,
  description TEXT,
  fingerprint TEXT NOT NULL UNIQUE,
  der BLOB NOT NULL,
  issued_at INTEGER NOT NULL,
  renewed_from TEXT
);
CREATE INDEX IF NOT EXISTS certificates_entity ON certificates(entity_id);
CREATE INDEX IF NOT EXISTS certificates_status ON certificates(status);
CREATE TABLE IF NOT EXISTS tokens (
  hash TEXT PRIMARY KEY,
  entity_id TEXT NOT NULL,
  roles TEXT NOT NULL,
  imo TEXT, mmsi TEXT, flag TEXT, name TEXT,
  validity_days INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  used_at INTEGER,
  used_serial TEXT
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  message TEXT NOT NULL,
  details TEXT NOT NULL
);
`;

/** The hash of the chain start. */
export const AUDIT_GENESIS = '0'.repeat(64);

/** Canonical JSON (sorted keys) so that the audit hash does not depend on property order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/** The hash of an audit entry: SHA-256 over the previous hash and the canonical entry. */
export function auditHash(
  prevHash: string,
  e: { seq: number; ts: number; actor: string; action: string; details: Record<string, unknown> },
): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ seq: e.seq, ts: e.ts, actor: e.actor, action: e.action, details: e.details }))
    .digest('hex');
}

interface CertRow {
  serial: string;
  entity_id: string;
  roles: string;
  subject: string;
  not_before: number;
  not_after: number;
  status: CertStatus;
  revoked_at: number | null;
  reason: number | null;
  description: string | null;
  fingerprint: string;
  der: Buffer;
  issued_at: number;
  renewed_from: string | null;
}

const toCert = (r: CertRow): CertRecord => ({
  serial: r.serial,
  entityId: r.entity_id,
  roles: JSON.parse(r.roles) as Role[],
  subject: r.subject,
  notBefore: r.not_before,
  notAfter: r.not_after,
  status: r.status,
  revokedAt: r.revoked_at,
  reason: r.reason,
  description: r.description,
  fingerprint: r.fingerprint,
  der: new Uint8Array(r.der),
  issuedAt: r.issued_at,
  renewedFrom: r.renewed_from,
});

interface TokenRow {
  hash: string;
  entity_id: string;
  roles: string;
  imo: string | null;
  mmsi: string | null;
  flag: string | null;
  name: string | null;
  validity_days: number;
  expires_at: number;
  created_at: number;
  created_by: string;
  used_at: number | null;
  used_serial: string | null;
}

interface AuditRow {
  seq: number;
  ts: number;
  actor: string;
  action: string;
  details: string;
  prev_hash: string;
  hash: string;
}

const toAudit = (r: AuditRow): AuditEntry => ({
  seq: r.seq,
  ts: r.ts,
  actor: r.actor,
  action: r.action,
  details: JSON.parse(r.details) as Record<string, unknown>,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** Opens (and creates) the SQLite store at `file`. */
export class SqliteStore implements CaStore {
  readonly db: Database.Database;
  private readonly stmts;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    // Stores created before tokens carried the ship's name get the column (NULL for their tokens).
    const columns = this.db.prepare('PRAGMA table_info(tokens)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'name')) this.db.exec('ALTER TABLE tokens ADD COLUMN name TEXT');
    const db = this.db;
    this.stmts = {
      insertCert: db.prepare(
        `INSERT INTO certificates (serial, entity_id, roles, subject, not_before, not_after, status, revoked_at, reason, description, fingerprint, der, issued_at, renewed_from)
         VALUES (@serial, @entityId, @roles, @subject, @notBefore, @notAfter, @status, @revokedAt, @reason, @description, @fingerprint, @der, @issuedAt, @renewedFrom)`,
      ),
      getCert: db.prepare('SELECT * FROM certificates WHERE serial = ?'),
      revoked: db.prepare(
        "SELECT serial, revoked_at, reason FROM certificates WHERE status IN ('revoked','hold') AND not_after > ? ORDER BY serial",
      ),
      active: db.prepare(
        "SELECT entity_id, roles FROM certificates WHERE status = 'valid' AND not_after > ? AND not_before <= ?",
      ),
      setStatus: db.prepare(
        'UPDATE certificates SET status = ?, revoked_at = ?, reason = ?, description = ? WHERE serial = ?',
      ),
      insertToken: db.prepare(
        `INSERT INTO tokens (hash, entity_id, roles, imo, mmsi, flag, name, validity_days, expires_at, created_at, created_by, used_at, used_serial)
         VALUES (@hash, @entityId, @roles, @imo, @mmsi, @flag, @name, @validityDays, @expiresAt, @createdAt, @createdBy, NULL, NULL)`,
      ),
      getToken: db.prepare('SELECT * FROM tokens WHERE hash = ?'),
      consumeToken: db.prepare(
        'UPDATE tokens SET used_at = ?, used_serial = ? WHERE hash = ? AND used_at IS NULL',
      ),
      getCounter: db.prepare('SELECT value FROM counters WHERE name = ?'),
      upsertCounter: db.prepare(
        'INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1',
      ),
      lastAudit: db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1'),
      insertAudit: db.prepare(
        'INSERT INTO audit (seq, ts, actor, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      listAudit: db.prepare('SELECT * FROM audit WHERE seq >= ? ORDER BY seq LIMIT ?'),
      insertAlert: db.prepare(
        'INSERT INTO alerts (ts, kind, severity, message, details) VALUES (?, ?, ?, ?, ?)',
      ),
      listAlerts: db.prepare('SELECT * FROM alerts WHERE id > ? ORDER BY id DESC LIMIT ?'),
      countCerts: db.prepare('SELECT COUNT(*) AS n FROM certificates'),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  insertCertificate(c: CertRecord): void {
    this.stmts.insertCert.run({ ...c, roles: JSON.stringify(c.roles), der: Buffer.from(c.der) });
  }

  getCertificate(serial: string): CertRecord | undefined {
    const row = this.stmts.getCert.get(serial) as CertRow | undefined;
    return row ? toCert(row) : undefined;
  }

  listCertificates(q: CertQuery): CertRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.entityId) {
      where.push('entity_id = ?');
      params.push(q.entityId);
    }
    if (q.role) {
      where.push('EXISTS (SELECT 1 FROM json_each(certificates.roles) WHERE value = ?)');
      params.push(q.role);
    }
    if (q.expiringBefore !== undefined) {
      where.push('not_after <= ? AND not_after > ?');
      params.push(q.expiringBefore, q.now ?? 0);
    }
    const sql = `SELECT * FROM certificates ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY issued_at DESC, serial LIMIT ?`;
    params.push(q.limit ?? 1000);
    return (this.db.prepare(sql).all(...params) as CertRow[]).map(toCert);
  }

  listRevoked(now: number): Array<Pick<CertRecord, 'serial' | 'revokedAt' | 'reason'>> {
    return (this.stmts.revoked.all(now) as Array<{ serial: string; revoked_at: number; reason: number }>).map(
      (r) => ({
        serial: r.serial,
        revokedAt: r.revoked_at,
        reason: r.reason,
      }),
    );
  }

  listActiveIdentities(now: number): Array<{ entityId: string; roles: Role[] }> {
    const merged = new Map<string, Set<Role>>();
    for (const r of this.stmts.active.all(now, now) as Array<{ entity_id: string; roles: string }>) {
      const set = merged.get(r.entity_id) ?? new Set<Role>();
      for (const role of JSON.parse(r.roles) as Role[]) set.add(role);
      merged.set(r.entity_id, set);
    }
    return [...merged].map(([entityId, roles]) => ({ entityId, roles: [...roles].sort() }));
  }

  setStatus(
    serial: string,
    status: CertStatus,
    revokedAt: number | null,
    reason: number | null,
    description: string | null,
  ): void {
    this.stmts.setStatus.run(status, revokedAt, reason, description, serial);
  }

  insertToken(t: TokenRecord): void {
    this.stmts.insertToken.run({ ...t, roles: JSON.stringify(t.roles) });
  }

  getToken(hash: string): TokenRecord | undefined {
    const r = this.stmts.getToken.get(hash) as TokenRow | undefined;
    if (!r) return undefined;
    return {
      hash: r.hash,
      entityId: r.entity_id,
      roles: JSON.parse(r.roles) as Role[],
      name: r.name,
      imo: r.imo,
      mmsi: r.mmsi,
      flag: r.flag,
      validityDays: r.validity_days,
      expiresAt: r.expires_at,
      createdAt: r.created_at,
      createdBy: r.created_by,
      usedAt: r.used_at,
      usedSerial: r.used_serial,
    };
  }

  consumeToken(hash: string, usedAt: number, serial: string): boolean {
    return this.stmts.consumeToken.run(usedAt, serial, hash).changes === 1;
  }

  nextCrlNumber(scope: string): number {
    const name = `crl_number:${scope}`;
    this.stmts.upsertCounter.run(name);
    return (this.stmts.getCounter.get(name) as { value: number }).value;
  }

  appendAudit(e: AuditInput): AuditEntry {
    const last = this.stmts.lastAudit.get() as { seq: number; hash: string } | undefined;
    const seq = (last?.seq ?? 0) + 1;
    const prevHash = last?.hash ?? AUDIT_GENESIS;
    const hash = auditHash(prevHash, { ...e, seq });
    this.stmts.insertAudit.run(seq, e.ts, e.actor, e.action, canonicalJson(e.details), prevHash, hash);
    return { ...e, seq, prevHash, hash };
  }

  listAudit(fromSeq = 1, limit = 1_000_000): AuditEntry[] {
    return (this.stmts.listAudit.all(fromSeq, limit) as AuditRow[]).map(toAudit);
  }

  insertAlert(a: Omit<AlertRecord, 'id'>): AlertRecord {
    const id = Number(
      this.stmts.insertAlert.run(a.ts, a.kind, a.severity, a.message, JSON.stringify(a.details))
        .lastInsertRowid,
    );
    return { ...a, id };
  }

  listAlerts(sinceId = 0, limit = 200): AlertRecord[] {
    return (
      this.stmts.listAlerts.all(sinceId, limit) as Array<Omit<AlertRecord, 'details'> & { details: string }>
    ).map((r) => ({
      ...r,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }

  countCertificates(): number {
    return (this.stmts.countCerts.get() as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Verifies the audit hash chain. Returns the number of entries, or the first broken sequence number. */
export function verifyAuditChain(
  entries: readonly AuditEntry[],
): { ok: true; count: number; head: string } | { ok: false; brokenAt: number; reason: string } {
  let prev = AUDIT_GENESIS;
  let expectedSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq)
      return { ok: false, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing` };
    if (e.prevHash !== prev)
      return { ok: false, brokenAt: e.seq, reason: 'previous-hash link does not match' };
    if (auditHash(prev, e) !== e.hash)
      return { ok: false, brokenAt: e.seq, reason: 'entry content does not match its hash' };
    prev = e.hash;
    expectedSeq++;
  }
  return { ok: true, count: entries.length, head: prev };
}
