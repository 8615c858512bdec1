/**
 * `helmlink ca audit verify` against tampering done with SQL on a real store, as someone with write access to the
 * database would: deleting the last entries, rewriting an entry and recomputing every later hash, un-revoking a
 * certificate in the table, and rolling the local checkpoint file back.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { frozenClock } from '@helmlink/protocol';
import { loadAuthority } from '../../src/authority/authority';
import { readCheckpointFile } from '../../src/authority/checkpoint';
import { caAuditVerifyCommand, caExportCommand } from '../../src/cli';
import { auditHash, canonicalJson } from '../../src/store/sqlite';
import { createTestCa, makeCsr, PASSPHRASE, runCommand, TEST_START } from '../helpers';

const work = mkdtempSync(join(tmpdir(), 'helmlink-audit-'));
let pristine: string;
let revokedSerial: string;
let externalCrl: string;
let webhookCopy: string;
let olderCheckpoint: string;

const run = (argv: string[]) => runCommand(caAuditVerifyCommand, argv, { cwd: work });

/** A copy of the CA to tamper with. */
function copyCa(name: string): string {
  const dir = join(work, name);
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  const clock = frozenClock(TEST_START);
  pristine = (await createTestCa(clock)).dir;
  const authority = await loadAuthority({ dir: pristine, passphrase: PASSPHRASE, clock });
  const serials: string[] = [];
  for (const id of ['mv-a', 'mv-b', 'pilot-c']) {
    const { token } = authority.createEnrollmentToken({
      entityId: id,
      roles: [id.startsWith('mv') ? 'vessel' : 'pilot'],
    });
    serials.push((await authority.enroll({ csr: (await makeCsr(id)).pem, token })).serial);
  }
  await authority.checkpoint();
  olderCheckpoint = join(work, 'older-checkpoint.json');
  copyFileSync(authority.paths.auditCheckpoint, olderCheckpoint);
  revokedSerial = serials[1]!;
  clock.advance(1000);
  await authority.revoke({ serial: revokedSerial, reason: 1 }, { id: 'admin' });
  // Copies kept outside the CA directory: the CRL as the broker or a vessel has it, the alert as the webhook got it.
  externalCrl = join(work, 'crl-from-broker.pem');
  copyFileSync(authority.paths.crl, externalCrl);
  const alert = authority.listAlerts().find((a) => a.kind === 'audit_checkpoint')!;
  webhookCopy = join(work, 'webhook-alert.json');
  writeFileSync(webhookCopy, JSON.stringify(alert));
  await authority.close();
});

describe('ca audit verify: keyed checkpoints and the certificates table', () => {
  it('passes an intact CA, with the checkpoint from the file, the CRL, the webhook and the export', async () => {
    const ok = await run(['--dir', pristine, '--json']);
    expect(ok.code, ok.err).toBe(0);
    const verdict = JSON.parse(ok.out);
    expect(verdict).toMatchObject({ ok: true, certificates: 5 });
    const cp = readCheckpointFile(join(pristine, 'audit-checkpoint.json'));
    expect(verdict.checkpoint.seq).toBe(cp.seq);
    expect(readCheckpointFile(externalCrl)).toEqual(cp);
    expect(readCheckpointFile(webhookCopy)).toEqual(cp);
    const exportFile = join(work, 'export.json');
    expect(
      (await runCommand(caExportCommand, ['--dir', pristine, '--out', exportFile], { cwd: work })).code,
    ).toBe(0);
    expect(JSON.parse(readFileSync(exportFile, 'utf8')).auditCheckpoint).toEqual(cp);
    for (const source of [externalCrl, webhookCopy, exportFile])
      expect((await run(['--dir', pristine, '--checkpoint', source])).code).toBe(0);
  });

  it('detects the last entries deleted', async () => {
    const dir = copyCa('deleted');
    const db = new Database(join(dir, 'ca.db'));
    db.exec('DROP TRIGGER audit_no_delete');
    const last = (db.prepare('SELECT MAX(seq) AS n FROM audit').get() as { n: number }).n;
    db.prepare('DELETE FROM audit WHERE seq > ?').run(last - 3);
    db.close();
    const res = await run(['--dir', dir]);
    expect(res.code).toBe(1);
    expect(res.err).toContain('ERR_AUDIT_TAMPERED');
    expect(res.err).toContain('entries were deleted');
  });

  it('detects an entry rewritten with every later hash recomputed', async () => {
    const dir = copyCa('rewritten');
    const db = new Database(join(dir, 'ca.db'));
    db.exec('DROP TRIGGER audit_no_update');
    const rows = db.prepare('SELECT * FROM audit ORDER BY seq').all() as Array<{
      seq: number;
      ts: number;
      actor: string;
      action: string;
      details: string;
      prev_hash: string;
    }>;
    // Rewrite who revoked, then re-chain everything after it: the unkeyed chain verifies again.
    const target = rows.find((r) => r.action === 'certificate.revoke')!;
    target.actor = 'nobody';
    let prev = rows[target.seq - 2]!.prev_hash;
    const update = db.prepare('UPDATE audit SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?');
    for (const r of rows.slice(target.seq - 2)) {
      if (r.seq === target.seq - 1) {
        prev = auditHash(r.prev_hash, { ...r, details: JSON.parse(r.details) as Record<string, unknown> });
        continue;
      }
      const hash = auditHash(prev, { ...r, details: JSON.parse(r.details) as Record<string, unknown> });
      update.run(r.actor, prev, hash, r.seq);
      prev = hash;
    }
    db.close();
    void canonicalJson;
    const res = await run(['--dir', dir, '--json']);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.out)).toMatchObject({ ok: false, code: 'ERR_AUDIT_TAMPERED' });
    expect(JSON.parse(res.out).reason).toContain('rewritten');
  });

  it('detects a certificate un-revoked directly in the table', async () => {
    const dir = copyCa('unrevoked');
    const db = new Database(join(dir, 'ca.db'));
    db.prepare(
      "UPDATE certificates SET status = 'valid', revoked_at = NULL, reason = NULL WHERE serial = ?",
    ).run(revokedSerial);
    db.close();
    const res = await run(['--dir', dir]);
    expect(res.code).toBe(1);
    expect(res.err).toContain(
      `certificate ${revokedSerial} is valid in the table but revoked (reason 1) in the audit log`,
    );
  });

  it('a rolled-back local checkpoint file is caught by a copy kept elsewhere (CRL, webhook)', async () => {
    const dir = copyCa('rolled-back');
    const older = readCheckpointFile(olderCheckpoint);
    const db = new Database(join(dir, 'ca.db'));
    db.exec('DROP TRIGGER audit_no_delete');
    db.prepare('DELETE FROM audit WHERE seq > ?').run(older.seq);
    db.prepare(
      "UPDATE certificates SET status = 'valid', revoked_at = NULL, reason = NULL WHERE serial = ?",
    ).run(revokedSerial);
    db.close();
    copyFileSync(olderCheckpoint, join(dir, 'audit-checkpoint.json'));
    for (const external of [externalCrl, webhookCopy]) {
      const res = await run(['--dir', dir, '--checkpoint', external]);
      expect(res.code).toBe(1);
      expect(res.err).toContain('entries were deleted');
    }
    // Without any checkpoint the chain alone is not trusted.
    const none = copyCa('no-checkpoint');
    const { rmSync } = await import('node:fs');
    rmSync(join(none, 'audit-checkpoint.json'));
    expect((await run(['--dir', none])).err).toContain('no signed checkpoint');
  });

  it('refuses a forged checkpoint (not signed by the issuing key)', async () => {
    const dir = copyCa('forged');
    const cp = readCheckpointFile(join(dir, 'audit-checkpoint.json'));
    const forged = join(work, 'forged.json');
    writeFileSync(forged, JSON.stringify({ ...cp, seq: cp.seq - 1 }));
    const res = await run(['--dir', dir, '--checkpoint', forged]);
    expect(res.code).toBe(1);
    expect(res.err).toContain('not signed by this CA');
  });
});
