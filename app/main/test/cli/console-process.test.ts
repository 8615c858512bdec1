/**
 * `helmlink console --web` at sea, spawned as its own process as users start it: a real PKI and Mosquitto with a
 * scripted vessel, the console's identity imported into its data folder beforehand, its broker link through the
 * link emulator. Driven through its web bridge as the page drives it (console link → handoff → WebSocket RPC), it
 * unlocks, connects and shows the vessel's verified state; then its link is cut each way — a socket reset
 * (`ss -K`), the broker stopped then started (the vessel shows stale meanwhile), the broker restarted, the link
 * blackholed (noticed by the keepalive the pilot set) — and after
 * each the process is still up, its connection comes back by itself, and a command sent through the page is applied
 * with a verified ack and followed by the vessel's new verified state. SIGTERM stops it cleanly, with no error logged.
 */
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  WS_PATH,
  type CommandView,
  type ConnectionStatus,
  type VesselView,
  type WireServerMessage,
} from '@helmlink/app-preload';
import { topics } from '@helmlink/protocol';
import { LinkEmulator, until } from '@helmlink/protocol/testkit';
import { assertRendererBuilt } from '../../src/static/renderer-dir';
import { addresses, PASS, startScriptedFleet, VESSEL, type ScriptedFleet } from '../helpers/scripted-fleet';

const CLI = new URL('../../../../cli/bin/helmlink.mjs', import.meta.url).pathname;

/** The console's web bridge, driven as the page drives it: the link's handoff, then RPC frames over one socket. */
interface BridgePage {
  invoke<T>(channel: string, payload?: unknown): Promise<T>;
  close(): void;
}

function redirectOf(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(String(res.headers.location));
    });
    req.on('error', reject);
    req.end();
  });
}

async function openPage(link: string): Promise<BridgePage> {
  const location = await redirectOf(link);
  const handoff = /#handoff=([A-Za-z0-9_-]{43})$/u.exec(location)?.[1];
  if (!handoff) throw new Error(`unexpected redirect ${location}`);
  const origin = new URL(link).origin;
  const ws = new WebSocket(`${origin.replace('http', 'ws')}${WS_PATH}`, { origin });
  const messages: WireServerMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as WireServerMessage));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'auth', handoff }));
  await until(() => messages.some((m) => m.type === 'hello'), 'the bridge to accept the handoff', 10_000);
  let nextId = 1;
  return {
    async invoke<T>(channel: string, payload: unknown = {}): Promise<T> {
      const id = nextId++;
      ws.send(JSON.stringify({ type: 'invoke', id, channel, payload }));
      let answer: Extract<WireServerMessage, { type: 'result' }> | undefined;
      await until(
        () => {
          answer = messages.find(
            (m): m is Extract<WireServerMessage, { type: 'result' }> => m.type === 'result' && m.id === id,
          );
          return answer !== undefined;
        },
        `the answer to ${channel}`,
        20_000,
      );
      if (!answer!.result.ok) throw new Error(`${channel}: ${answer!.result.error.code}`);
      return answer!.result.value as T;
    },
    close: () => ws.close(),
  };
}

let fleet: ScriptedFleet;
let link: LinkEmulator;
beforeAll(async () => {
  assertRendererBuilt();
  fleet = await startScriptedFleet();
  link = await LinkEmulator.start({ target: { host: '127.0.0.1', port: fleet.broker.port } });
  // The console reaches the broker through the emulated link; the in-process services hand the folder over.
  // A short keepalive (the pilot's setting) so that a blackholed link is noticed within the test (1.5 × 2 s).
  fleet.services.settings.update({
    brokerUrl: `mqtts://127.0.0.1:${link.port}`,
    autoConnect: true,
    keepaliveSeconds: 2,
  });
  await fleet.services.close();
  // Its states name the command they follow (as the listener's do), so a command's own state can be told apart.
  fleet.vessel.reportLastJti = true;
}, 60_000);
afterAll(async () => {
  await link?.close();
  await fleet?.close();
});

describe('helmlink console --web at sea (spawned)', () => {
  it('stays up through a socket reset, a broker stopped then started, a broker restart and a blackholed link; reconnects, sees the vessel verified and has its commands applied again', async () => {
    const child = spawn(process.execPath, [CLI, 'console', '--web', '--port', '0', '--data', fleet.dataDir], {
      env: { ...process.env, HELMLINK_LOG_LEVEL: 'info', DBUS_SESSION_BUS_ADDRESS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let consoleLink: string | undefined;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      consoleLink ??= /^Helmlink console: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/u.exec(line)?.[1];
    });
    let page: BridgePage | undefined;
    try {
      await until(() => consoleLink !== undefined || child.exitCode !== null, 'the console link', 30_000);
      expect(consoleLink, stderr).toBeDefined();
      page = await openPage(consoleLink!);
      const bridge = page;
      const connection = () => bridge.invoke<ConnectionStatus>('fleet.connection');
      /** Waits for a connection other than the one that was up `before` (its `since`). */
      const connected = async (what: string, before: string | null = null) => {
        await until(
          async () => {
            const c = await connection();
            return c.state === 'connected' && c.since !== before;
          },
          what,
          20_000,
        );
        expect(child.exitCode).toBeNull();
        return (await connection()).since;
      };
      const vesselView = () => bridge.invoke<VesselView | null>('fleet.vessel', { vesselId: VESSEL });
      /**
       * Switches stream `i` on through the console and waits for its verified ack and the vessel's new verified
       * state naming the command: the console is subscribed again and its commands reach the vessel.
       */
      const appliedAgain = async (i: number, what: string) => {
        await until(() => fleet.vesselClient.connected, 'the scripted vessel back on the broker', 20_000);
        // Resolves on the SUBACK: the vessel listens again before the console's command leaves.
        await fleet.vesselClient.subscribeAsync(topics.cmd(VESSEL), { qos: 1 });
        await until(
          async () => (await vesselView())?.verified === true,
          `${what}: the vessel verified`,
          20_000,
        );
        const on = [addresses[i]!];
        const sent = await bridge.invoke<CommandView>('commands.send', {
          vesselId: VESSEL,
          on,
          off: addresses.filter((a) => a !== on[0]),
        });
        // The scripted vessel publishes its state before its ack, and the two are verified independently: wait for
        // both rather than reading the command's state the moment the vessel's state names it.
        const commandState = async () =>
          (await bridge.invoke<CommandView[]>('commands.list', { vesselId: VESSEL })).find(
            (c) => c.commandId === sent.commandId,
          )?.state;
        await until(
          async () => {
            const v = await vesselView();
            return (
              v?.verified === true &&
              v.lastAppliedCommandId === sent.commandId &&
              (await commandState()) !== 'pending'
            );
          },
          what,
          20_000,
        );
        expect(await commandState()).toBe('applied');
        expect((await vesselView())?.streams.find((s) => s.address === on[0])?.on).toBe(true);
      };

      // The identity is locked in a fresh process: unlocking it (as the page does) auto-connects.
      await page.invoke('identity.unlock', { passphrase: PASS });
      let since = await connected('the first connection');
      await appliedAgain(1, 'the first command');

      // 1. A socket reset on the console's side (ss -K), as a NAT or firewall timeout does.
      execFileSync('ss', ['-K', 'dst', '127.0.0.1', 'dport', '=', `:${link.port}`], { stdio: 'ignore' });
      since = await connected('a reconnection after the reset', since);
      await appliedAgain(2, 'a command after the reset');

      // 2. The broker stopped for a while, then started again.
      await fleet.broker.stop();
      await until(async () => (await connection()).state !== 'connected', 'the outage to be noticed', 10_000);
      await new Promise((r) => setTimeout(r, 3000));
      expect(child.exitCode).toBeNull();
      expect((await connection()).state).not.toBe('connected');
      // Meanwhile the vessel shows as stale (the console's own link is gone), never as a current state.
      const during = await page.invoke<VesselView | null>('fleet.vessel', { vesselId: VESSEL });
      expect(during?.status).toBe('stale');
      await fleet.broker.start();
      since = await connected('a reconnection after the outage', since);
      await appliedAgain(3, 'a command after the outage');

      // 3. The broker restarted.
      await fleet.broker.restart();
      since = await connected('a reconnection after the restart', since);
      await appliedAgain(4, 'a command after the restart');

      // 4. A blackholed link: packets held, no FIN, no RST; only the keepalive can notice it.
      link.blackhole();
      await until(
        async () => (await connection()).state !== 'connected',
        'the keepalive noticing the silent link',
        15_000,
      );
      expect(child.exitCode).toBeNull();
      link.restore();
      await connected('a reconnection after the blackhole', since);
      await appliedAgain(5, 'a command after the blackhole');
      expect(child.exitCode).toBeNull();
    } finally {
      page?.close();
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // Nothing failed on the way: no error (or worse) in its log.
    expect(stderr).not.toMatch(/"level":(50|60)/u);
  }, 90_000);
});
