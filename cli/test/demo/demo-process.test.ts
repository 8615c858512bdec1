/**
 * `helmlink demo` as users start it, its own process with real Mosquitto and vessel listeners that are processes of
 * their own: it stays up when its broker is killed (restarted by the CA's supervision) and when every MQTT
 * connection is reset (the CA's CRL publisher included), and it stops a revoked vessel for good (one line, one
 * alert) instead of restarting it forever; SIGTERM stops everything.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '@helmlink/protocol/testkit';
import { CaClient } from '@helmlink/ca-client';
import { parseCertificates } from '@helmlink/protocol';
import { DEMO_VESSELS } from '../../src/demo/fleet';

const CLI = new URL('../../bin/helmlink.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'helmlink-demo-process-'));
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const readJson = <T>(path: string): T | undefined => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
};
const runtime = (id: string) =>
  readJson<{ pid: number | null; connected: boolean }>(join(dir, 'vessels', id, 'runtime.json'));
const allConnected = () => DEMO_VESSELS.every((v) => runtime(v.id)?.connected === true);
const brokerPid = () => Number(readFileSync(join(dir, 'broker', 'mosquitto.pid'), 'utf8').trim());

describe('helmlink demo (spawned)', () => {
  it('stays up through a killed broker and reset connections, and stops a revoked vessel once and for all', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'demo', '--data', dir, '--broker', 'mosquitto', '--ca-port', '0', '--mqtt-port', '0'].concat([
        '--console-port',
        '0',
        '--no-open',
        '--simulate-interval',
        '500',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | string | null>((r) => child.on('exit', (c, s) => r(c ?? s)));
    cleanups.push(() => (child.exitCode === null ? child.kill('SIGKILL') : undefined));
    await until(
      () => out.includes('Helmlink demo is running') || child.exitCode !== null,
      'the demo to run',
      180_000,
    );
    expect(child.exitCode, `the demo exited before it ran:\n${out}`).toBeNull();
    const caUrl = /CA server {5}(https:\/\/\S+)/u.exec(out)![1]!;
    const mqttPort = /MQTT broker {3}mqtts:\/\/127\.0\.0\.1:(\d+)/u.exec(out)![1]!;
    // Every vessel listener is a `helmlink vessel run` process of its own.
    for (const v of DEMO_VESSELS) {
      const pid = runtime(v.id)!.pid!;
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual(
        expect.arrayContaining(['vessel', 'run', '--simulate']),
      );
    }
    await until(allConnected, 'the vessels on the broker', 60_000, 200);

    // The broker is killed: the CA's supervision starts it again, the listeners come back by themselves.
    const first = brokerPid();
    process.kill(first, 'SIGKILL');
    await until(
      () => {
        try {
          return brokerPid() !== first && alive(brokerPid());
        } catch {
          return false;
        }
      },
      'a new broker',
      30_000,
      100,
    );
    await until(allConnected, 'the vessels back on the broker', 60_000, 200);

    // Every MQTT connection is reset (vessels, console, the CA's own session).
    execFileSync('ss', ['-K', 'dst', '127.0.0.1', 'dport', '=', `:${mqttPort}`]);
    await sleep(500);
    await until(allConnected, 'the vessels back after the reset', 60_000, 200);
    expect(child.exitCode).toBeNull();

    // A vessel is revoked through the CA's admin API.
    const secrets = readJson<{ caPassphrase: string }>(join(dir, 'secrets.json'))!;
    const admin = new CaClient({
      url: caUrl,
      rootFingerprint: /root SHA-256 ([0-9a-f:]+)/u.exec(out)![1]!,
      clientCert: readFileSync(join(dir, 'ca', 'admin', 'admin.crt.pem'), 'utf8'),
      clientKey: readFileSync(join(dir, 'ca', 'admin', 'admin.key.pem'), 'utf8'),
      passphrase: secrets.caPassphrase,
    });
    cleanups.push(() => admin.close());
    const health = await admin.health();
    expect(health.publishedCrlNumber).toBe(health.crlNumber);
    const victim = DEMO_VESSELS[2]!;
    const serial = parseCertificates(
      readFileSync(join(dir, 'vessels', victim.id, 'cert.pem'), 'utf8'),
    )[0]!.serialNumber.toLowerCase();
    const victimPid = runtime(victim.id)!.pid!;
    await admin.revoke({ serial, reason: 1 });
    await until(() => !alive(victimPid), 'the revoked listener to stop', 60_000);
    // It stays stopped: no restart, one line, one alert; the other vessels go on.
    await sleep(6000);
    expect(runtime(victim.id)?.pid ?? null).toBeNull();
    const stoppedLines = out.split('\n').filter((l) => l.includes(`the listener of ${victim.id} is stopped`));
    expect(stoppedLines).toHaveLength(1);
    expect(stoppedLines[0]).toContain(`its certificate ${serial} is revoked`);
    const alerts = (await admin.alerts()).alerts.filter((a) => a.kind === 'vessel_stopped');
    expect(alerts).toHaveLength(1);
    expect(DEMO_VESSELS.slice(0, 2).every((v) => runtime(v.id)?.connected === true)).toBe(true);
    // The CA's publisher reconnected after the reset: the broker holds the CRL with the revocation.
    await until(
      async () => {
        const h = await admin.health();
        return h.publishedCrlNumber === h.crlNumber && h.crlNumber > health.crlNumber;
      },
      'the CRL published after the reset',
      30_000,
      200,
    );

    const broker = brokerPid();
    const listeners = DEMO_VESSELS.slice(0, 2).map((v) => runtime(v.id)!.pid!);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(alive(broker)).toBe(false);
    expect(listeners.some(alive)).toBe(false);
  }, 300_000);
});
