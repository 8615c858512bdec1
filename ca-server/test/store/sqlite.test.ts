import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteStore, verifyAuditChain } from '../../src/store/sqlite';
import type { CertRecord } from '../../src/store/types';

const cert = (serial: string, over: Partial<CertRecord> = {}): CertRecord => ({
  serial,
  entityId: `e-${serial}`,
  roles: ['vessel'],
  subject: `CN=e-${serial}`,
  notBefore: 0,
  notAfter: 10_000,
  status: 'valid',
  revokedAt: null,
  reason: null,
  description: null,
  fingerprint: `fp-${serial}`,
  der: new Uint8Array([1, 2, 3]),
  issuedAt: 1,
  renewedFrom: null,
  ...over,
});

const open = () => new SqliteStore(join(mkdtempSync(join(tmpdir(), 'helmlink-store-')), 'ca.db'));

describe('SqliteStore', () => {
  it('keeps serials unique and lists by role, status and expiry', () => {
    const store = open();
    store.insertCertificate(cert('01'));
    store.insertCertificate(cert('02', { roles: ['pilot', 'admin'], entityId: 'p', notAfter: 500 }));
    store.insertCertificate(cert('03', { status: 'revoked', revokedAt: 5, reason: 1 }));
    expect(() => store.insertCertificate(cert('01', { fingerprint: 'other' }))).toThrow(/UNIQUE/u);
    expect(store.listCertificates({ role: 'admin' }).map((c) => c.serial)).toEqual(['02']);
    expect(store.listCertificates({ status: 'revoked' }).map((c) => c.serial)).toEqual(['03']);
    expect(store.listCertificates({ expiringBefore: 1000, now: 100 }).map((c) => c.serial)).toEqual(['02']);
    expect(store.listRevoked(100)).toEqual([{ serial: '03', revokedAt: 5, reason: 1 }]);
    expect(store.listRevoked(20_000)).toEqual([]); // expired entries leave the CRL
    expect(store.listActiveIdentities(100)).toEqual([
      { entityId: 'e-01', roles: ['vessel'] },
      { entityId: 'p', roles: ['admin', 'pilot'] },
    ]);
    store.close();
  });

  it('consumes a token once and counts CRL numbers per scope', () => {
    const store = open();
    store.insertToken({
      hash: 'h',
      entityId: 'e',
      roles: ['vessel'],
      name: null,
      imo: null,
      mmsi: null,
      flag: null,
      validityDays: 1,
      expiresAt: 10,
      createdAt: 0,
      createdBy: 'cli',
      usedAt: null,
      usedSerial: null,
    });
    expect(store.consumeToken('h', 1, 'aa')).toBe(true);
    expect(store.consumeToken('h', 2, 'bb')).toBe(false);
    expect(store.getToken('h')).toMatchObject({ usedAt: 1, usedSerial: 'aa' });
    expect([
      store.nextCrlNumber('issuing'),
      store.nextCrlNumber('issuing'),
      store.nextCrlNumber('root'),
    ]).toEqual([1, 2, 1]);
    store.close();
  });

  it("keeps the ship's name of a token, and adds the column to a store made before it existed", () => {
    const path = join(mkdtempSync(join(tmpdir(), 'helmlink-store-')), 'ca.db');
    const old = new Database(path);
    old.exec(`CREATE TABLE tokens (hash TEXT PRIMARY KEY, entity_id TEXT NOT NULL, roles TEXT NOT NULL,
      imo TEXT, mmsi TEXT, flag TEXT, validity_days INTEGER NOT NULL, expires_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL, created_by TEXT NOT NULL, used_at INTEGER, used_serial TEXT)`);
    old
      .prepare(
        "INSERT INTO tokens VALUES ('old', 'v', '[\"vessel\"]', NULL, NULL, NULL, 1, 10, 0, 'cli', NULL, NULL)",
      )
      .run();
    old.close();
    const store = new SqliteStore(path);
    expect(store.getToken('old')).toMatchObject({ entityId: 'v', name: null });
    store.insertToken({
      hash: 'new',
      entityId: 'IMO9074729',
      roles: ['vessel'],
      name: 'MV Nordic Tern',
      imo: '9074729',
      mmsi: null,
      flag: null,
      validityDays: 1,
      expiresAt: 10,
      createdAt: 0,
      createdBy: 'cli',
      usedAt: null,
      usedSerial: null,
    });
    expect(store.getToken('new')).toMatchObject({ name: 'MV Nordic Tern', imo: '9074729' });
    store.close();
  });

  it('hash-chains the audit log and detects edits, gaps and reordering', () => {
    const store = open();
    for (let i = 0; i < 5; i++)
      store.appendAudit({ ts: i, actor: 'a', action: 'x', details: { i, nested: { b: 1, a: 2 } } });
    const entries = store.listAudit();
    expect(verifyAuditChain(entries)).toMatchObject({ ok: true, count: 5 });
    expect(
      verifyAuditChain(entries.map((e, i) => (i === 2 ? { ...e, details: { i: 99 } } : e))),
    ).toMatchObject({ ok: false, brokenAt: 3 });
    expect(verifyAuditChain([...entries.slice(0, 2), ...entries.slice(3)])).toMatchObject({
      ok: false,
      brokenAt: 3,
    });
    expect(verifyAuditChain([entries[1]!, entries[0]!])).toMatchObject({ ok: false, brokenAt: 1 });
    expect(() => store.db.prepare('UPDATE audit SET actor = ? WHERE seq = 1').run('b')).toThrow(
      /append-only/u,
    );
    store.close();
  });

  it('migrates an older store: lineage columns added, several valid certificates of one entity superseded but the newest', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'helmlink-store-old-')), 'ca.db');
    const old = new Database(file);
    old.exec(`CREATE TABLE certificates (serial TEXT PRIMARY KEY, entity_id TEXT NOT NULL, roles TEXT NOT NULL,
      subject TEXT NOT NULL, not_before INTEGER NOT NULL, not_after INTEGER NOT NULL, status TEXT NOT NULL,
      revoked_at INTEGER, reason INTEGER, description TEXT, fingerprint TEXT NOT NULL UNIQUE, der BLOB NOT NULL,
      issued_at INTEGER NOT NULL, renewed_from TEXT)`);
    const insert = old.prepare(
      "INSERT INTO certificates VALUES (?, 'e', '[\"vessel\"]', 'CN=e', 0, 9999999999999, 'valid', NULL, NULL, NULL, ?, x'00', ?, NULL)",
    );
    insert.run('01', 'fp1', 1);
    insert.run('02', 'fp2', 2);
    old.close();
    const store = new SqliteStore(file);
    expect(store.getCertificate('01')).toMatchObject({ status: 'revoked', reason: 4 });
    expect(store.getCertificate('02')).toMatchObject({ status: 'valid', spkiSha256: null });
    expect(store.listAudit().map((e) => [e.action, e.details.serial])).toEqual([
      ['certificate.supersede', '01'],
    ]);
    expect(store.statusVersion()).toBeGreaterThan(store.crlVersion('issuing'));
    expect(() => store.insertCertificate(cert('03', { entityId: 'e' }))).not.toThrow();
    expect(store.getCertificate('02')).toMatchObject({ status: 'revoked', reason: 4 });
    store.close();
  });
});

describe('SqliteStore.transactionDurableLater (the group commit)', () => {
  it('commits at once (visible to another connection), syncs the log afterwards, and leaves the connection at synchronous = FULL', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'helmlink-store-')), 'ca.db');
    const store = new SqliteStore(file);
    const { value, durable } = store.transactionDurableLater(() => {
      store.appendAudit({ ts: 1, actor: 'test', action: 'group.commit', details: {} });
      return 'done';
    });
    expect(value).toBe('done');
    const other = new Database(file, { readonly: true });
    expect(other.prepare("SELECT count(*) AS n FROM audit WHERE action = 'group.commit'").get()).toEqual({
      n: 1,
    });
    await durable;
    // Every other write of the store still commits with FULL (2).
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    other.close();
    store.close();
  });

  it('is a plain durable transaction for an in-memory store, and a refused one commits nothing', async () => {
    const store = new SqliteStore(':memory:');
    await store.transactionDurableLater(() =>
      store.appendAudit({ ts: 1, actor: 't', action: 'a', details: {} }),
    ).durable;
    expect(() =>
      store.transactionDurableLater(() => {
        store.appendAudit({ ts: 2, actor: 't', action: 'b', details: {} });
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    store.close();
  });
});
