/**
 * `helmlink vessel run` at sea, spawned as its own process and behind the link emulator, its link cut in every way
 * the issue lists — a socket reset (`ss -K`), a broker restart, a blackholed link (no FIN, no RST: the MQTT
 * keepalive notices), the broker stopped for 60 s, the CA unreachable all along — and after each it reconnects and
 * goes on applying commands. Commands sent while its link is down are, once it is back, applied exactly once while
 * fresh or answered with a signed ERR_CMD_EXPIRED ack: never applied twice, never lost. One listener per data
 * folder: a second `vessel run` is refused, and a killed one leaves no stale lock.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IEC_61162_450_CATALOG, peekClaims, type AckClaims } from '@helmlink/protocol';
import { LinkEmulator } from '@helmlink/protocol/testkit';
import { createFleet, TestPilot, until, VESSEL_ID, type Fleet } from '../helpers/fleet';
import { PASSPHRASE_ENV, spawnCli, type CliProcess } from '../helpers/cli-process';

let fleet: Fleet;
let link: LinkEmulator;
let caLink: LinkEmulator;
let pilot: TestPilot;
beforeAll(async () => {
  fleet = await createFleet();
  link = await LinkEmulator.start({ target: { host: '127.0.0.1', port: fleet.broker.port } });
  // The CA behind a link that is down all along: every HTTPS request hangs until its timeout.
  caLink = await LinkEmulator.start({ target: { host: '127.0.0.1', port: 1 } });
  caLink.blackhole();
  pilot = await TestPilot.connect(fleet, fleet.pilot, 'pilot-sea');
});
afterAll(async () => {
  await pilot?.close();
  await link?.close();
  await caLink?.close();
  await fleet?.close();
});

function writeConfig(dir: string, clientId: string): string {
  const path = join(dir, 'vessel.json');
  writeFileSync(
    path,
    JSON.stringify({
      vesselId: VESSEL_ID,
      dataDir: './data',
      ca: {
        url: `https://127.0.0.1:${caLink.port}`,
        rootFingerprint: fleet.rootFingerprint,
        timeoutMs: 1000,
      },
      broker: {
        url: `mqtts://127.0.0.1:${link.port}`,
        clientId,
        keepaliveSeconds: 5,
        reconnect: { initialDelayMs: 200, maxDelayMs: 2000, jitter: 0.5 },
      },
      key: { passphrase: { env: PASSPHRASE_ENV } },
      // A command expires at exp (no grace): the outage below outlives the short-lived one.
      clockToleranceSeconds: 1,
      crl: { refreshSeconds: 10 },
      renewal: { enabled: false },
    }),
  );
  return path;
}

/** Sends a command that switches on stream `i` and waits for its verified ack. */
async function applied(i: number): Promise<void> {
  const all = IEC_61162_450_CATALOG.streams;
  const ack = await pilot.command(await pilot.sign([all[i % all.length]!.address], { lifetimeSeconds: 60 }));
  expect(ack.status).toBe('applied');
}

/** The first verified ack of `token`, waiting for it. */
async function ackOf(token: string, timeoutMs = 30_000): Promise<AckClaims> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [ack] = await pilot.acksFor(token);
    if (ack) return ack;
    if (Date.now() > deadline) throw new Error('no verified ack');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How many times the vessel logged `verdict` for command `jti`. */
function verdicts(vessel: CliProcess, jti: string, verdict: string): number {
  return vessel.lines.filter((l) => l.jti === jti && l.verdict === verdict).length;
}

describe('vessel run at sea (spawned, behind the link emulator)', () => {
  it('survives a reset, a broker restart, a blackhole, a 60 s broker outage and an unreachable CA; outage commands are applied once or expire', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-sea-'));
    await fleet.writeDataDir(join(dir, 'data'));
    const config = writeConfig(dir, 'sea-vessel');
    const vessel = spawnCli(['vessel', 'run', '--config', config]);
    try {
      await vessel.waitFor('connected to broker');
      await applied(1);

      // 1. A socket reset on the vessel's side (ss -K), as a NAT or firewall timeout does.
      // (ss may also complain about sockets it cannot kill, e.g. in TIME_WAIT: its stderr is not ours.)
      execFileSync('ss', ['-K', 'dst', '127.0.0.1', 'dport', '=', `:${link.port}`], { stdio: 'ignore' });
      await vessel.waitFor('connected to broker', 2);
      expect(
        vessel.lines.find((l) => l.msg === 'disconnected from broker; reconnecting with backoff')?.reason,
      ).toMatch(/ECONNABORTED/u);
      await applied(2);

      // 2. The broker restarted.
      await fleet.broker.restart();
      await vessel.waitFor('connected to broker', 3);
      await applied(3);

      // 3. A blackholed link: nothing arrives, nothing is refused; the keepalive (5 s) notices.
      link.blackhole();
      const fresh = await pilot.sign(['239.192.0.1:60001'], { lifetimeSeconds: 120 });
      const short = await pilot.sign(['239.192.0.2:60002'], { lifetimeSeconds: 3 });
      await pilot.send(fresh);
      await pilot.send(short);
      await until(
        () =>
          vessel.lines.some(
            (l) =>
              l.msg === 'disconnected from broker; reconnecting with backoff' &&
              /keepalive/iu.test(String(l.reason)),
          ),
        'the keepalive noticing the silent link',
        20_000,
      );
      // Past the short command's expiry (3 s + 1 s tolerance) before the link returns.
      await new Promise((r) => setTimeout(r, 2000));
      link.restore();
      await vessel.waitFor('connected to broker', 4);
      const freshJti = peekClaims(fresh)?.jti as string;
      const shortJti = peekClaims(short)?.jti as string;
      expect(await ackOf(fresh)).toMatchObject({ status: 'applied' });
      expect(await ackOf(short)).toMatchObject({ status: 'rejected', reason: 'ERR_CMD_EXPIRED' });
      expect(verdicts(vessel, freshJti, 'applied')).toBe(1);
      expect(verdicts(vessel, shortJti, 'applied')).toBe(0);
      await applied(4);

      // 4. The broker stopped for 60 s, then started: the vessel retried all along and is back within seconds.
      await fleet.broker.stop();
      await new Promise((r) => setTimeout(r, 60_000));
      expect(vessel.child.exitCode).toBeNull();
      expect(vessel.count('broker connection error')).toBeGreaterThan(10);
      await fleet.broker.start();
      await vessel.waitFor('connected to broker', 5);
      await applied(5);

      // The CA was unreachable all along: CRL refreshes failed (logged) and nothing else changed.
      expect(
        vessel.lines.filter((l) => String(l.msg).startsWith('CRL refresh over HTTPS failed')).length,
      ).toBeGreaterThanOrEqual(2);
      // Nothing was ever applied twice.
      const appliedJtis = vessel.lines.filter((l) => l.verdict === 'applied').map((l) => l.jti);
      expect(new Set(appliedJtis).size).toBe(appliedJtis.length);
      expect(vessel.child.exitCode).toBeNull();
    } finally {
      vessel.child.kill('SIGTERM');
    }
    expect(await vessel.exited).toBe(0);
  }, 180_000);

  it('runs one listener per data folder: a second is refused, a killed one leaves no stale lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-lock-'));
    await fleet.writeDataDir(join(dir, 'data'));
    const config = writeConfig(dir, 'sea-lock');
    const first = spawnCli(['vessel', 'run', '--config', config]);
    await first.waitFor('connected to broker');
    const second = spawnCli(['vessel', 'run', '--config', config]);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain('ERR_VESSEL_LOCKED');
    expect(second.stderr()).toContain(`pid ${first.child.pid}`);
    expect(first.child.exitCode).toBeNull();
    // A crash (kill -9) leaves nothing behind: the next listener starts at once.
    first.child.kill('SIGKILL');
    await first.exited;
    const third = spawnCli(['vessel', 'run', '--config', config]);
    await third.waitFor('connected to broker');
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 60_000);
});
