import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CaClient } from '@helmlink/ca-client';
import { SqliteStore, verifyAuditChain } from '../../src/store/sqlite';
import { caPaths } from '../../src/authority/files';
import { loadAuthority } from '../../src/authority/authority';
import { createTestCa, makeCsr, PASSPHRASE } from '../helpers';
import { spawnCaProcess } from '../fixtures/spawn-ca-process';
import { systemClock } from '@helmlink/protocol';

describe('crash safety', () => {
  it('kill -9 during a burst of enrollments leaves a consistent store with every returned certificate', async () => {
    const { dir } = await createTestCa(systemClock);
    const TOKENS = 160;
    const started = await spawnCaProcess({
      dir,
      passphrase: PASSPHRASE,
      tokens: TOKENS,
      entityPrefix: 'mv-crash',
    });
    const { child } = started;
    const csrs = await Promise.all(started.tokens.map((_, i) => makeCsr(`mv-crash-${i}`)));
    const client = new CaClient({ url: started.url, rootFingerprint: started.rootFingerprint });
    await client.root();
    const received = new Map<string, string>();
    let next = 0;
    let killed = false;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < TOKENS) {
          const i = next++;
          try {
            const issued = await client.enroll({ csr: csrs[i]!.pem, token: started.tokens[i]! });
            received.set(issued.serial, issued.certificate);
            if (received.size === 40 && !killed) {
              killed = true;
              child.kill('SIGKILL');
            }
          } catch {
            // Requests in flight when the process dies fail; that is the point.
          }
        }
      }),
    );
    client.close();
    await exited;
    expect(killed).toBe(true);
    expect(received.size).toBeGreaterThanOrEqual(40);

    const db = new Database(caPaths(dir).db, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const dup = db
      .prepare('SELECT serial, COUNT(*) AS n FROM certificates GROUP BY serial HAVING n > 1')
      .all();
    expect(dup).toEqual([]);
    const orphanTokens = db
      .prepare(
        'SELECT hash FROM tokens WHERE used_serial IS NOT NULL AND used_serial NOT IN (SELECT serial FROM certificates)',
      )
      .all();
    expect(orphanTokens).toEqual([]);
    db.close();
    const store = new SqliteStore(caPaths(dir).db);
    for (const [serial, pem] of received) {
      const record = store.getCertificate(serial);
      expect(record, `returned certificate ${serial} must be in the store`).toBeDefined();
      const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/gu, ''), 'base64');
      expect(record!.fingerprint).toBe(createHash('sha256').update(der).digest('hex'));
    }
    expect(verifyAuditChain(store.listAudit()).ok).toBe(true);
    store.close();
    // The CA starts again on the same directory.
    const again = await loadAuthority({ dir, passphrase: PASSPHRASE });
    expect(again.store.countCertificates()).toBeGreaterThanOrEqual(received.size + 2);
    await again.close();
  });
});
