/**
 * The CA store's schema and its migrations. A store written by an older version gains the lineage columns (the key,
 * IMO and MMSI each certificate carries, read back from its DER) and, where one entity held several valid
 * certificates, all but the newest are superseded (audited) before the one-valid-per-entity index is created.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import * as x509 from '@peculiar/x509';
import { readIdentity, REVOCATION_REASONS } from '@helmlink/protocol';

export const SCHEMA = `
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
  renewed_from TEXT,
  spki_sha256 TEXT,
  imo TEXT,
  mmsi TEXT
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

/** Columns added after the first release, with their type. */
const ADDED_COLUMNS = { spki_sha256: 'TEXT', imo: 'TEXT', mmsi: 'TEXT' } as const;

/** The indexes that need the added columns (created after the migration). */
const LINEAGE_INDEXES = `
CREATE INDEX IF NOT EXISTS certificates_spki ON certificates(spki_sha256);
CREATE INDEX IF NOT EXISTS certificates_imo ON certificates(imo);
CREATE INDEX IF NOT EXISTS certificates_mmsi ON certificates(mmsi);
CREATE INDEX IF NOT EXISTS certificates_renewed_from ON certificates(renewed_from);
CREATE UNIQUE INDEX IF NOT EXISTS certificates_one_current ON certificates(entity_id) WHERE status IN ('valid','hold');
`;

/** What the lineage needs to know about a certificate, from its DER (undefined parts when it does not parse). */
export function lineageOf(der: Uint8Array): {
  spkiSha256: string | null;
  imo: string | null;
  mmsi: string | null;
} {
  try {
    const cert = new x509.X509Certificate(der.slice().buffer as ArrayBuffer);
    const identity = readIdentity(cert);
    return {
      spkiSha256: createHash('sha256').update(new Uint8Array(cert.publicKey.rawData)).digest('hex'),
      imo: identity.imo ?? null,
      mmsi: identity.mmsi ?? null,
    };
  } catch {
    return { spkiSha256: null, imo: null, mmsi: null };
  }
}

/** Something the migration did that the audit log must say (appended by the store, which owns the chain). */
export interface MigrationEvent {
  action: string;
  details: Record<string, unknown>;
}

/** Brings an existing database to the current schema; returns what it changed for the audit log. */
export function migrate(db: Database.Database, now: number): MigrationEvent[] {
  const columns = new Set(
    (db.prepare('PRAGMA table_info(certificates)').all() as Array<{ name: string }>).map((c) => c.name),
  );
  const events: MigrationEvent[] = [];
  for (const [name, type] of Object.entries(ADDED_COLUMNS))
    if (!columns.has(name)) db.exec(`ALTER TABLE certificates ADD COLUMN ${name} ${type}`);
  // Stores created before tokens carried the ship's name get the column (NULL for their tokens).
  const tokenColumns = db.prepare('PRAGMA table_info(tokens)').all() as Array<{ name: string }>;
  if (!tokenColumns.some((c) => c.name === 'name')) db.exec('ALTER TABLE tokens ADD COLUMN name TEXT');
  const missing = db
    .prepare('SELECT serial, der FROM certificates WHERE spki_sha256 IS NULL')
    .all() as Array<{ serial: string; der: Buffer }>;
  const fill = db.prepare('UPDATE certificates SET spki_sha256 = ?, imo = ?, mmsi = ? WHERE serial = ?');
  for (const row of missing) {
    const l = lineageOf(new Uint8Array(row.der));
    fill.run(l.spkiSha256, l.imo, l.mmsi, row.serial);
  }
  // Older stores let one entity hold several current certificates: the newest stays, the others are superseded.
  const duplicates = db
    .prepare(
      `SELECT serial, entity_id, status, revoked_at FROM certificates c WHERE status IN ('valid','hold') AND EXISTS (
         SELECT 1 FROM certificates n WHERE n.entity_id = c.entity_id AND n.status IN ('valid','hold')
           AND (n.issued_at > c.issued_at OR (n.issued_at = c.issued_at AND n.serial > c.serial)))`,
    )
    .all() as Array<{ serial: string; entity_id: string; status: string; revoked_at: number | null }>;
  const supersede = db.prepare(
    "UPDATE certificates SET status = 'revoked', revoked_at = ?, reason = ? WHERE serial = ?",
  );
  for (const d of duplicates) {
    const revokedAt = d.status === 'hold' && d.revoked_at !== null ? d.revoked_at : now;
    supersede.run(revokedAt, REVOCATION_REASONS.superseded, d.serial);
    events.push({
      action: 'certificate.supersede',
      details: {
        serial: d.serial,
        entityId: d.entity_id,
        reason: REVOCATION_REASONS.superseded,
        revokedAt,
        by: 'migration',
      },
    });
  }
  db.exec(LINEAGE_INDEXES);
  return events;
}
