/**
 * The SQLite implementation of the CA store (better-sqlite3, WAL, synchronous=FULL so a committed certificate
 * survives a crash). The audit table refuses UPDATE and DELETE by trigger; its rows are hash-chained.
 */
import Database from 'better-sqlite3';
import type { HelmlinkError, Role } from '@helmlink/protocol';
import { REVOCATION_REASONS } from '@helmlink/protocol';
import type {
  AlertRecord,
  AuditEntry,
  AuditInput,
  CaStore,
  CertQuery,
  CertRecord,
  CertStatus,
  Superseded,
  TokenRecord,
} from './types';
import { migrate, SCHEMA } from './schema';
import { WalSync, type FdatasyncFn } from './wal-sync';
import { AUDIT_GENESIS, auditHash, canonicalJson } from './audit-chain';

export { AUDIT_GENESIS, auditHash, canonicalJson, verifyAuditChain } from './audit-chain';

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
  spki_sha256: string | null;
  imo: string | null;
  mmsi: string | null;
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
  spkiSha256: r.spki_sha256,
  imo: r.imo,
  mmsi: r.mmsi,
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

  private readonly alertRetention: number;
  /** Whether the store runs in WAL mode (see transactionDurableLater). */
  private readonly wal: boolean;
  private walSync: WalSync | undefined;
  // One BEGIN IMMEDIATE wrapper (a SAVEPOINT when nested) for every transaction: better-sqlite3 builds four
  // wrapper functions per db.transaction() call, which every enrollment paid several times.
  private readonly immediate: (fn: () => unknown) => unknown;

  private readonly fdatasync: FdatasyncFn | undefined;

  /**
   * `alertRetention`: how many alerts are kept (the oldest are dropped). Default 10,000. `fdatasync`: the call that
   * syncs the write-ahead log (node:fs; a test injects a failing one).
   */
  constructor(file: string, options: { alertRetention?: number | undefined; fdatasync?: FdatasyncFn } = {}) {
    this.alertRetention = options.alertRetention ?? 10_000;
    this.fdatasync = options.fdatasync;
    this.db = new Database(file);
    this.immediate = this.db.transaction((fn: () => unknown) => fn()).immediate;
    this.wal = this.db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    const events = this.db.transaction(() => migrate(this.db, Date.now())).immediate();
    const db = this.db;
    this.stmts = {
      insertCert: db.prepare(
        `INSERT INTO certificates (serial, entity_id, roles, subject, not_before, not_after, status, revoked_at, reason, description, fingerprint, der, issued_at, renewed_from, spki_sha256, imo, mmsi)
         VALUES (@serial, @entityId, @roles, @subject, @notBefore, @notAfter, @status, @revokedAt, @reason, @description, @fingerprint, @der, @issuedAt, @renewedFrom, @spkiSha256, @imo, @mmsi)`,
      ),
      current: db.prepare(
        "SELECT serial, entity_id, status, revoked_at FROM certificates WHERE entity_id = ? AND status IN ('valid','hold')",
      ),
      descendants: db.prepare(
        `WITH RECURSIVE d(serial, depth) AS (
           SELECT serial, 1 FROM certificates WHERE renewed_from = ?
           UNION SELECT c.serial, d.depth + 1 FROM certificates c JOIN d ON c.renewed_from = d.serial WHERE d.depth < 10000)
         SELECT c.* FROM certificates c JOIN d ON c.serial = d.serial ORDER BY d.depth, c.issued_at`,
      ),
      bySpki: db.prepare('SELECT serial, entity_id, status, reason FROM certificates WHERE spki_sha256 = ?'),
      byImo: db.prepare(
        "SELECT serial, entity_id FROM certificates WHERE imo = ? AND status IN ('valid','hold') AND not_after > ?",
      ),
      byMmsi: db.prepare(
        "SELECT serial, entity_id FROM certificates WHERE mmsi = ? AND status IN ('valid','hold') AND not_after > ?",
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
      pruneAlerts: db.prepare('DELETE FROM alerts WHERE id <= ?'),
      countCerts: db.prepare('SELECT COUNT(*) AS n FROM certificates'),
      setCounter: db.prepare(
        'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
      ),
    };
    if (events.length > 0)
      this.transaction(() => {
        for (const e of events) this.appendAudit({ ts: Date.now(), actor: 'ca', ...e });
        this.bumpStatusVersion();
      });
  }

  transaction<T>(fn: () => T): T {
    const failure = this.walSync?.failure;
    if (failure) throw failure;
    return this.immediate(fn) as T;
  }

  durabilityFailure(): HelmlinkError | undefined {
    return this.walSync?.failure;
  }

  transactionDurableLater<T>(fn: () => T): { value: T; durable: Promise<void> } {
    if (!this.wal || this.db.memory) return { value: this.transaction(fn), durable: Promise.resolve() };
    // WAL with synchronous = NORMAL writes the commit's frames to the log without syncing it; syncing the log
    // afterwards is exactly what FULL adds at every commit (sqlite.org/pragma.html#pragma_synchronous), but here
    // it runs off the event loop, so the next batch is prepared meanwhile instead of waiting for the disk.
    this.db.pragma('synchronous = NORMAL');
    let value: T;
    try {
      value = this.transaction(fn);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
    this.walSync ??= new WalSync(`${this.db.name}-wal`, this.fdatasync);
    const durable = this.walSync.sync().catch((err: unknown) => {
      // Frames may be lost (see WalSync): no later write may build on them. query_only refuses every write on this
      // connection, the single statements outside transaction() included; reads go on. A restart recovers the
      // longest intact prefix of the log.
      if (this.walSync?.failure && this.db.open) this.db.pragma('query_only = ON');
      throw err;
    });
    return { value, durable };
  }

  insertCertificate(c: CertRecord): Superseded[] {
    return this.transaction(() => {
      const superseded: Superseded[] = [];
      const rows = this.stmts.current.all(c.entityId) as Array<{
        serial: string;
        entity_id: string;
        status: CertStatus;
        revoked_at: number | null;
      }>;
      for (const row of rows) {
        if (row.serial === c.serial) continue;
        // A held certificate keeps the time of its hold, as a hold made permanent does.
        const revokedAt = row.status === 'hold' && row.revoked_at !== null ? row.revoked_at : c.issuedAt;
        this.setStatus(row.serial, 'revoked', revokedAt, REVOCATION_REASONS.superseded, null);
        this.appendAudit({
          ts: c.issuedAt,
          actor: 'ca',
          action: 'certificate.supersede',
          details: {
            serial: row.serial,
            entityId: row.entity_id,
            reason: REVOCATION_REASONS.superseded,
            revokedAt,
            previousStatus: row.status,
            by: c.serial,
          },
        });
        superseded.push({ serial: row.serial, entityId: row.entity_id, previousStatus: row.status });
      }
      this.stmts.insertCert.run({
        ...c,
        roles: JSON.stringify(c.roles),
        der: Buffer.from(c.der),
        spkiSha256: c.spkiSha256 ?? null,
        imo: c.imo ?? null,
        mmsi: c.mmsi ?? null,
      });
      return superseded;
    });
  }

  listDescendants(serial: string): CertRecord[] {
    return (this.stmts.descendants.all(serial) as CertRow[]).map(toCert);
  }

  listBySpki(spkiSha256: string): Array<Pick<CertRecord, 'serial' | 'entityId' | 'status' | 'reason'>> {
    return (
      this.stmts.bySpki.all(spkiSha256) as Array<{
        serial: string;
        entity_id: string;
        status: CertStatus;
        reason: number | null;
      }>
    ).map((r) => ({ serial: r.serial, entityId: r.entity_id, status: r.status, reason: r.reason }));
  }

  listCurrentByIdentifier(
    field: 'imo' | 'mmsi',
    value: string,
    now: number,
  ): Array<Pick<CertRecord, 'serial' | 'entityId'>> {
    const stmt = field === 'imo' ? this.stmts.byImo : this.stmts.byMmsi;
    return (stmt.all(value, now) as Array<{ serial: string; entity_id: string }>).map((r) => ({
      serial: r.serial,
      entityId: r.entity_id,
    }));
  }

  private counter(name: string): number {
    return (this.stmts.getCounter.get(name) as { value: number } | undefined)?.value ?? 0;
  }

  private bumpStatusVersion(): void {
    this.stmts.upsertCounter.run('status_version');
  }

  statusVersion(): number {
    return this.counter('status_version');
  }

  crlVersion(scope: string): number {
    return this.counter(`crl_version:${scope}`);
  }

  setCrlVersion(scope: string, version: number): void {
    this.stmts.setCounter.run(`crl_version:${scope}`, version);
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
    this.bumpStatusVersion();
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

  lastAudit(): { seq: number; hash: string } | undefined {
    return this.stmts.lastAudit.get() as { seq: number; hash: string } | undefined;
  }

  listAudit(fromSeq = 1, limit = 1_000_000): AuditEntry[] {
    return (this.stmts.listAudit.all(fromSeq, limit) as AuditRow[]).map(toAudit);
  }

  insertAlert(a: Omit<AlertRecord, 'id'>): AlertRecord {
    const id = Number(
      this.stmts.insertAlert.run(a.ts, a.kind, a.severity, a.message, JSON.stringify(a.details))
        .lastInsertRowid,
    );
    // Bounded retention: the alert log cannot be grown without limit by a flood.
    if (id > this.alertRetention) this.stmts.pruneAlerts.run(id - this.alertRetention);
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
    this.walSync?.close();
    if (this.db.open) this.db.close();
  }
}
