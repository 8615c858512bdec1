/**
 * The demo topology's life cycle with real Mosquitto: a second start on the same data folder reuses the PKI and
 * every identity, and stop() leaves no Mosquitto process behind and the CA store consistent.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain, SqliteStore } from '@helmlink/ca-server';
import { startTopology, type ProgressEvent } from '@helmlink/cli/demo';

const dir = mkdtempSync(join(tmpdir(), 'helmlink-e2e-lifecycle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mosquittoFor = (dataDir: string): string[] => {
  try {
    return execFileSync('pgrep', ['-af', `mosquitto -c ${join(dataDir, 'broker')}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
};

describe('demo topology life cycle', { timeout: 90_000 }, () => {
  it('reuses the PKI and identities on a second start, and stops without orphans', async () => {
    const first = await startTopology({ dataDir: dir, broker: 'mosquitto', console: false });
    const ids = first.identities;
    expect(mosquittoFor(dir)).toHaveLength(1);
    await first.stop();
    expect(mosquittoFor(dir)).toEqual([]);

    const events: ProgressEvent[] = [];
    const second = await startTopology({ dataDir: dir, broker: 'mosquitto', console: false, onProgress: (e) => events.push(e) });
    try {
      expect(events.find((e) => e.step === 'pki')?.message).toMatch(/^reusing the PKI/u);
      expect(second.identities.rootFingerprint).toBe(ids.rootFingerprint);
      expect(second.identities.vessels.map((v) => v.serial)).toEqual(ids.vessels.map((v) => v.serial));
    } finally {
      await second.stop();
    }
    expect(mosquittoFor(dir)).toEqual([]);
    const store = new SqliteStore(join(dir, 'ca', 'ca.db'));
    try {
      expect(verifyAuditChain(store.listAudit(1, 1_000_000))).toMatchObject({ ok: true });
    } finally {
      store.close();
    }
  });
});
