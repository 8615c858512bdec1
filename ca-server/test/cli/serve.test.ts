/**
 * `helmlink ca serve` as a process, with a real Mosquitto: it stays up through broker outages and restarts, cuts
 * exactly the revoked client within a second, and after `kill -9` a restarted CA takes its orphaned broker over and
 * enforces revocations there (the orphan used to hold the port while the restarted CA served without it).
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '@helmlink/protocol/testkit';
import { CaClient } from '@helmlink/ca-client';
import { waitForPort } from '@helmlink/protocol/node';
import { loadAuthority } from '../../src/authority/authority';
import { processState, readPidFile } from '../../src/broker/broker-conf';
import { startDaemon } from '../../src/broker/daemon';
import { connectClient, issueIdentity, prepareMaterial, type Identity } from '../broker/fixture';
import { spawnServe, type ServeProcess } from '../fixtures/serve-process';
import { PASSPHRASE } from '../helpers';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A CA with broker material and the given identities, closed again (the CLI opens it). */
async function setup(ids: [string, 'vessel' | 'pilot'][]) {
  const { dir, authority, material, port } = await prepareMaterial();
  const issued: Record<string, Identity> = {};
  for (const [id, role] of ids) issued[id] = await issueIdentity(authority, id, [role]);
  const caPem = authority.chainPem();
  const rootFingerprint = await authority.rootFingerprint();
  const adminDir = authority.paths.adminDir;
  await authority.close();
  const admin = (url: string) => {
    const client = new CaClient({
      url,
      rootFingerprint,
      clientCert: readFileSync(`${adminDir}/admin.crt.pem`, 'utf8'),
      clientKey: readFileSync(`${adminDir}/admin.key.pem`, 'utf8'),
      passphrase: PASSPHRASE,
    });
    cleanups.push(() => client.close());
    return client;
  };
  const mqttUrl = `mqtts://127.0.0.1:${port}`;
  const connect = async (id: string, clientId = id) => {
    const c = await connectClient(mqttUrl, caPem, issued[id]!, clientId);
    cleanups.push(() => void c.client.end(true));
    return c;
  };
  const refused = (id: string) => connectClient(mqttUrl, caPem, issued[id]!, `${id}-again`);
  return { dir, material, port, issued, admin, connect, refused };
}

const serve = async (args: string[]): Promise<ServeProcess> => {
  const p = await spawnServe(args, PASSPHRASE);
  cleanups.push(() => p.stop());
  return p;
};

describe('helmlink ca serve (spawned)', { timeout: 120_000 }, () => {
  it('with --manage-broker: cuts only the revoked client, survives kill -9 by taking its broker over, and enforces revocations there', async () => {
    const s = await setup([
      ['mv-steady', 'vessel'],
      ['pilot-a', 'pilot'],
      ['pilot-b', 'pilot'],
      ['pilot-c', 'pilot'],
    ]);
    const args = ['--dir', s.dir, '--broker-out', s.material.outDir, '--manage-broker'];
    const first = await serve(args);
    await waitForPort(s.port);
    const vessel = await s.connect('mv-steady');
    const a = await s.connect('pilot-a');
    const b = await s.connect('pilot-b');
    const c = await s.connect('pilot-c');

    const firstAdmin = s.admin(first.url);
    await firstAdmin.health(); // pinned and connected: what follows times the revocation alone
    const cutA = a.nextClose();
    const t0 = Date.now();
    await firstAdmin.revoke({ serial: s.issued['pilot-a']!.serial, reason: 1 });
    expect((await cutA) - t0).toBeLessThan(1000);
    await expect(s.refused('pilot-a')).rejects.toThrow();

    // The CA crashes; its broker goes on serving the fleet.
    const brokerPid = readPidFile(s.material.pidfile)!;
    first.child.kill('SIGKILL');
    await first.exited;
    await waitForPort(s.port);
    // A revocation while the CA is down (straight in its store, as `helmlink ca` tools do)...
    const offline = await loadAuthority({ dir: s.dir, passphrase: PASSPHRASE });
    await offline.revoke({ serial: s.issued['pilot-b']!.serial, reason: 1 }, { id: 'test' });
    await offline.close();
    expect(b.client.connected).toBe(true);

    // ...is enforced by the restarted CA on the broker it takes over (same process, its sessions kept).
    const cutB = b.nextClose();
    const second = await serve(args);
    expect(second.stderr()).toContain(`"type":"adopted","pid":${brokerPid}`);
    await cutB;
    await expect(s.refused('pilot-b')).rejects.toThrow();
    expect(readPidFile(s.material.pidfile)).toBe(brokerPid);

    const secondAdmin = s.admin(second.url);
    await secondAdmin.health();
    const cutC = c.nextClose();
    const t1 = Date.now();
    await secondAdmin.revoke({ serial: s.issued['pilot-c']!.serial, reason: 1 });
    expect((await cutC) - t1).toBeLessThan(1000);
    await expect(s.refused('pilot-c')).rejects.toThrow();
    expect(vessel.closes).toBe(0);

    const health = await secondAdmin.health();
    expect(health.publishedCrlNumber).toBe(health.crlNumber);
    expect(health.broker).toMatchObject({
      connected: true,
      reload: 'managed',
      syncedCrlNumber: health.crlNumber,
    });

    expect(await second.stop()).toBe(0);
    expect(processState(brokerPid)).toBe('dead');
  });

  it('next to a broker it does not manage: stays up through a restart and an outage, alerts, catches up, and reloads it through its pid file', async () => {
    const s = await setup([
      ['mv-sea', 'vessel'],
      ['mv-other', 'vessel'],
      ['pilot-x', 'pilot'],
    ]);
    const hooks: { kind: string; text: string }[] = [];
    const hookPaths = new Set<string>();
    const hook: Server = createServer((req, res) => {
      hookPaths.add(req.url ?? '');
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        hooks.push(JSON.parse(body) as { kind: string; text: string });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => hook.close(() => r())));
    const daemonPid = () => readPidFile(s.material.pidfile);
    const stopDaemon = async () => {
      const pid = daemonPid();
      if (pid === undefined) return;
      process.kill(pid, 'SIGTERM');
      await until(() => processState(pid) === 'dead', 'the daemon to stop');
    };
    cleanups.push(stopDaemon);
    await startDaemon(s.material.outDir);
    await waitForPort(s.port);

    const HOOK_SECRET = 'hook-T0-B0-s3cr3t';
    const webhookFile = `${s.dir}/alert-webhook`;
    writeFileSync(
      webhookFile,
      `http://127.0.0.1:${(hook.address() as AddressInfo).port}/services/${HOOK_SECRET}\n`,
      { mode: 0o600 },
    );
    const ca = await serve([
      '--dir',
      s.dir,
      '--broker-out',
      s.material.outDir,
      // The webhook URL (its path is the secret, as in Slack's) from a file: never in the process arguments.
      '--alert-webhook-file',
      webhookFile,
    ]);
    expect(readFileSync(`/proc/${ca.child.pid}/cmdline`, 'utf8')).not.toContain(HOOK_SECRET);
    const admin = s.admin(ca.url);
    await until(
      async () => (await admin.health()).broker?.connected === true,
      'the CA on its broker',
      20_000,
      100,
    );

    // A broker restart, then a 12 s outage with a revocation in the middle of it.
    await stopDaemon();
    await startDaemon(s.material.outDir);
    await until(
      async () => (await admin.health()).broker?.connected === true,
      'the CA back on the restarted broker',
      20_000,
      100,
    );
    await stopDaemon();
    await sleep(3000);
    await admin.revoke({ serial: s.issued['pilot-x']!.serial, reason: 1 });
    const down = await admin.health();
    expect(down.broker?.connected).toBe(false);
    expect(down.publishedCrlNumber).toBeLessThan(down.crlNumber);
    await sleep(9000);
    expect(ca.child.exitCode).toBeNull();
    await startDaemon(s.material.outDir);
    await until(
      async () => {
        const h = await admin.health();
        return h.publishedCrlNumber === h.crlNumber && h.broker?.connected === true;
      },
      'the catch-up',
      40_000,
      100,
    );
    await until(() => hooks.some((h) => h.kind === 'broker_link_restored'), 'the alerts');
    expect([...hookPaths]).toEqual([`/services/${HOOK_SECRET}`]);
    expect(hooks.filter((h) => h.kind === 'broker_link_down').length).toBeGreaterThanOrEqual(1);
    await expect(s.refused('pilot-x')).rejects.toThrow();

    // A revocation with the broker up: its pid file names a daemon the CA may signal.
    const sea = await s.connect('mv-sea');
    const other = await s.connect('mv-other');
    const cut = sea.nextClose();
    const t0 = Date.now();
    await admin.revoke({ serial: s.issued['mv-sea']!.serial, reason: 1 });
    expect((await cut) - t0).toBeLessThan(1000);
    await expect(s.refused('mv-sea')).rejects.toThrow();
    expect(other.closes).toBe(0);
    await until(async () => (await admin.health()).broker?.reload === 'pid-file', 'the sync', 20_000, 100);
    expect(await ca.stop()).toBe(0);
  });
});
