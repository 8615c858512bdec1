/**
 * The demo topology's life cycle with real Mosquitto: a second start on the same data folder reuses the PKI and
 * every identity, stop() leaves no Mosquitto process behind and the CA store consistent, and the topology runs
 * against a broker it does not manage (a Mosquitto started from the CA's broker material).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain, SqliteStore } from '@helmlink/ca-server';
import { DEMO_VESSELS, startTopology, type ProgressEvent } from '@helmlink/cli/demo';
import { startMosquitto } from '@helmlink/cli/broker';
import { connectPilot, issuePilot, roundTrip, signStreams, until } from './src';

const dir = mkdtempSync(join(tmpdir(), 'helmlink-e2e-lifecycle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mosquittoFor = (dataDir: string): string[] => {
  try {
    return execFileSync('pgrep', ['-af', `mosquitto -c ${join(dataDir, 'broker')}`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
};

describe('demo topology life cycle', { timeout: 90_000 }, () => {
  it('reuses the PKI and identities on a second start, stops without orphans, and runs against your own broker', async () => {
    const first = await startTopology({ dataDir: dir, broker: 'mosquitto', console: false });
    const ids = first.identities;
    expect(mosquittoFor(dir)).toHaveLength(1);
    await first.stop();
    expect(mosquittoFor(dir)).toEqual([]);

    const events: ProgressEvent[] = [];
    const second = await startTopology({
      dataDir: dir,
      broker: 'mosquitto',
      console: false,
      onProgress: (e) => events.push(e),
    });
    let pilot;
    try {
      expect(events.find((e) => e.step === 'pki')?.message).toMatch(/^reusing the PKI/u);
      expect(second.identities.rootFingerprint).toBe(ids.rootFingerprint);
      expect(second.identities.vessels.map((v) => v.serial)).toEqual(ids.vessels.map((v) => v.serial));
      pilot = await issuePilot(second, 'pilot-ext');
    } finally {
      await second.stop();
    }
    expect(mosquittoFor(dir)).toEqual([]);

    // "Your own broker": a Mosquitto started from the material the CA wrote, then the topology pointed at it.
    const port = second.ports.mqtt;
    const own = await startMosquitto({ configPath: join(dir, 'broker', 'mosquitto.conf'), port });
    try {
      const third = await startTopology({
        dataDir: dir,
        broker: { url: `mqtts://127.0.0.1:${port}` },
        console: false,
      });
      try {
        expect(third.broker.kind).toBe('external');
        const [v] = DEMO_VESSELS;
        await until(() => third.vessels.get(v!.id)!.connected, 'the vessel connected to the external broker');
        const p = await connectPilot(third.urls.mqtt, pilot);
        const token = await signStreams(
          p,
          v!.id,
          v!.catalog,
          v!.catalog.streams.filter((s) => s.id !== 'CAM-BOW').map((s) => s.address),
        );
        const { ack } = await roundTrip(p, v!.id, token);
        expect(ack.status).toBe('applied');
        await p.close();
      } finally {
        await third.stop();
      }
    } finally {
      await own.stop();
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
