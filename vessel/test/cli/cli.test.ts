/**
 * The CLIs as a ship would run them: `helmlink vessel run` in its own process, SIGTERM while a command is in hand
 * (it finishes, acks, persists and exits 0), pino JSON log lines, and the usage/verdict exit codes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  vesselEnrollCommand,
  vesselRunCommand,
  vesselStateRepairCommand,
  vesselStatusCommand,
} from '../../src/cli';
import { StateStore } from '../../src/state';
import { IEC_61162_450_CATALOG, peekClaims } from '@helmlink/protocol';
import { createFleet, PASSPHRASE, TestPilot, until, VESSEL_ID, type Fleet } from '../helpers/fleet';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await createFleet();
});
afterAll(async () => {
  await fleet?.close();
});

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    io: { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: '/' },
    out: () => out,
    err: () => err,
  };
}

function writeConfig(dir: string, extra: Record<string, unknown> = {}): string {
  const path = join(dir, 'vessel.json');
  writeFileSync(
    path,
    JSON.stringify({
      vesselId: VESSEL_ID,
      dataDir: './data',
      ca: { url: 'https://127.0.0.1:1', rootFingerprint: fleet.rootFingerprint, timeoutMs: 300 },
      broker: { url: fleet.broker.url, clientId: `cli-${dir.slice(-6)}` },
      key: { passphrase: { env: 'HELMLINK_CLI_TEST_PASS' } },
      renewal: { enabled: false },
      state: { fsync: true },
      ...extra,
    }),
  );
  return path;
}

describe('vessel CLIs', () => {
  it('the shipped example config, with only the site fields set, runs and applies commands (hook and Redis optional)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-cli-example-'));
    await fleet.writeDataDir(join(dir, 'data'));
    const example = JSON.parse(
      readFileSync(new URL('../../../resources/vessel.example.json', import.meta.url), 'utf8'),
    ) as Record<string, Record<string, unknown>>;
    expect(example.hook).toBeUndefined();
    expect(example.redis).toBeUndefined();
    const path = join(dir, 'vessel.json');
    writeFileSync(
      path,
      JSON.stringify({
        ...example,
        vesselId: VESSEL_ID,
        dataDir: './data',
        ca: { ...example.ca, url: 'https://127.0.0.1:1', rootFingerprint: fleet.rootFingerprint },
        broker: { ...example.broker, url: fleet.broker.url, clientId: `example-${dir.slice(-6)}` },
      }),
    );
    const cli = new URL('../../../cli/bin/helmlink.mjs', import.meta.url).pathname;
    const child = spawn(process.execPath, [cli, 'vessel', 'run', '--config', path], {
      env: { ...process.env, HELMLINK_VESSEL_PASSPHRASE: PASSPHRASE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) =>
      lines.push(JSON.parse(l) as Record<string, unknown>),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until(() => lines.some((l) => l.msg === 'connected to broker'), 'connected');
      const pilot = await TestPilot.connect(fleet, fleet.pilot, 'pilot-example');
      const token = await pilot.sign(['239.192.0.4:60004']);
      await pilot.send(token);
      await until(() => pilot.rawAcks.length > 0, 'an ack');
      const [ack] = await pilot.acksFor(token);
      expect(ack).toMatchObject({ status: 'applied', state: { on: ['239.192.0.4:60004'] } });
      await pilot.close();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('documents every command with --help and maps bad configs to exit 2, a missing enrollment to exit 1', async () => {
    for (const cmd of [
      vesselEnrollCommand,
      vesselRunCommand,
      vesselStatusCommand,
      vesselStateRepairCommand,
    ]) {
      const h = io();
      expect(await cmd.main(['--help'], h.io)).toBe(0);
      expect(h.out()).toContain('--config FILE');
    }
    const dir = mkdtempSync(join(tmpdir(), 'vessel-cli-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ vesselId: 'MV', broker: { url: 'mqtt://x' } }));
    const bad = io();
    expect(await vesselRunCommand.main(['--config', join(dir, 'bad.json')], bad.io)).toBe(2);
    expect(bad.err()).toContain('broker.url');
    const secretUrl = io();
    expect(
      await vesselRunCommand.main(
        ['--config', join(dir, 'bad.json'), '--redis', 'redis://:s3cret-pw@127.0.0.1:6379'],
        secretUrl.io,
      ),
    ).toBe(2);
    expect(secretUrl.err()).toContain('--redis must not carry a user or password');
    expect(secretUrl.err()).not.toContain('s3cret-pw');
    const noToken = io();
    expect(await vesselEnrollCommand.main(['--config', join(dir, 'bad.json')], noToken.io)).toBe(2);
    const notEnrolled = io();
    const path = writeConfig(dir);
    expect(
      await vesselStatusCommand.main(['--config', path], {
        ...notEnrolled.io,
        env: { HELMLINK_CLI_TEST_PASS: PASSPHRASE },
      }),
    ).toBe(1);
    expect(notEnrolled.err()).toContain('ERR_NOT_ENROLLED');
  });

  it('`vessel run` logs one JSON line per command and on SIGTERM finishes the command in hand, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-cli-run-'));
    await fleet.writeDataDir(join(dir, 'data'));
    const marker = join(dir, 'hook-started');
    const path = writeConfig(dir, {
      hook: { command: '/bin/sh', args: ['-c', `cat >/dev/null; touch ${marker}; sleep 0.5`] },
    });
    const cli = new URL('../../../cli/bin/helmlink.mjs', import.meta.url).pathname;
    const child = spawn(process.execPath, [cli, 'vessel', 'run', '--config', path], {
      env: { ...process.env, HELMLINK_CLI_TEST_PASS: PASSPHRASE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) =>
      lines.push(JSON.parse(l) as Record<string, unknown>),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(() => lines.some((l) => l.msg === 'connected to broker'), 'connected');
    const status = io();
    const runtime = join(dir, 'data', 'runtime.json');
    await until(
      () => existsSync(runtime) && readFileSync(runtime, 'utf8').includes('"connected":true'),
      'runtime file',
    );
    expect(
      await vesselStatusCommand.main(['--config', path], {
        ...status.io,
        env: { HELMLINK_CLI_TEST_PASS: PASSPHRASE },
      }),
    ).toBe(0);
    expect(status.out()).toMatch(
      new RegExp(`listener +running \\(pid ${child.pid}\\), connected since`, 'u'),
    );
    expect(status.out()).toContain(`vessel       ${VESSEL_ID} (vessel)`);
    const pilot = await TestPilot.connect(fleet, fleet.pilot, 'pilot-cli');
    const token = await pilot.sign(['239.192.0.4:60004']);
    await pilot.send(token);
    await until(() => existsSync(marker), 'hook running');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const [ack] = await pilot.acksFor(token);
    expect(ack?.status).toBe('applied');
    const line = lines.find((l) => l.verdict === 'applied')!;
    expect(line).toMatchObject({ jti: ack!.in_reply_to, signer: 'pilot-anna', verdict: 'applied' });
    expect(typeof line.latencyMs).toBe('number');
    expect(lines.at(-1)?.msg).toBe('vessel listener stopped');
    const state = StateStore.open(join(dir, 'data', 'state.jsonl'), IEC_61162_450_CATALOG);
    expect(state).toMatchObject({ seq: 1, lastJti: ack!.in_reply_to });
    state.close();
    await pilot.close();
  });

  it('`vessel run` refuses a state file damaged inside its journal (exit 1); `vessel state-repair` is the way out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-cli-damaged-'));
    await fleet.writeDataDir(join(dir, 'data'));
    const path = writeConfig(dir);
    const statePath = join(dir, 'data', 'state.jsonl');
    const store = StateStore.open(statePath, IEC_61162_450_CATALOG, { compactEvery: 100 });
    const all = IEC_61162_450_CATALOG.streams.map((s) => s.address);
    for (let i = 1; i <= 3; i++)
      store.commit(
        {
          cmdSha256: `sha-${i}`,
          iss: 'pilot-anna',
          jti: `jti-${i}`,
          ack: `ack-${i}`,
          expiresAt: Date.now() / 1000 + 600,
        },
        { on: all.slice(i), off: all.slice(0, i) },
      );
    store.close();
    const lines = readFileSync(statePath, 'utf8').split('\n');
    lines[2] = lines[2]!.slice(0, 20);
    writeFileSync(statePath, lines.join('\n'));
    const env = { ...process.env, HELMLINK_CLI_TEST_PASS: PASSPHRASE };
    const cli = new URL('../../../cli/bin/helmlink.mjs', import.meta.url).pathname;
    const run = spawn(process.execPath, [cli, 'vessel', 'run', '--config', path], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    run.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await new Promise((resolve) => run.on('exit', (code) => resolve(code)))).toBe(1);
    expect(stderr).toContain('ERR_STATE_JOURNAL_DAMAGED');
    expect(stderr).toContain(`the state file ${statePath} is damaged at line 3`);
    expect(stderr).not.toMatch(/\n\s+at /u);

    const early = io();
    expect(await vesselStateRepairCommand.main(['--config', path], early.io)).toBe(1);
    expect(early.err()).toMatch(/ERR_STATE_JOURNAL_DAMAGED: not before \d{4}-/u);
    const runtime = join(dir, 'data', 'runtime.json');
    writeFileSync(runtime, JSON.stringify({ pid: process.pid, connected: true }));
    const ago = new Date(Date.now() - 10 * 60_000);
    utimesSync(statePath, ago, ago);
    const running = io();
    expect(await vesselStateRepairCommand.main(['--config', path], running.io)).toBe(1);
    expect(running.err()).toContain(`the vessel listener is running (pid ${process.pid}`);
    writeFileSync(runtime, JSON.stringify({ pid: null, connected: false }));
    const repaired = io();
    expect(await vesselStateRepairCommand.main(['--config', path], repaired.io)).toBe(0);
    expect(repaired.out()).toContain('1 damaged line(s) dropped');
    expect(repaired.out()).toContain('line 3: not JSON');
    expect(repaired.out()).toContain('continues from state sequence 4');
    const reopened = StateStore.open(statePath, IEC_61162_450_CATALOG);
    expect([reopened.seq, reopened.seen('pilot-anna', 'jti-3')]).toEqual([4, true]);
    reopened.close();
  });

  it('`vessel run` keeps running and retrying while the broker is unreachable, until SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-cli-nobroker-'));
    await fleet.writeDataDir(join(dir, 'data'));
    const path = writeConfig(dir);
    const config = JSON.parse(readFileSync(path, 'utf8')) as { broker: Record<string, unknown> };
    // Port 1 on loopback: connection refused at once, every time.
    config.broker = {
      ...config.broker,
      url: 'mqtts://127.0.0.1:1',
      reconnect: { initialDelayMs: 50, maxDelayMs: 200, jitter: 0 },
    };
    writeFileSync(path, JSON.stringify(config));
    const cli = new URL('../../../cli/bin/helmlink.mjs', import.meta.url).pathname;
    const child = spawn(process.execPath, [cli, 'vessel', 'run', '--config', path], {
      env: { ...process.env, HELMLINK_CLI_TEST_PASS: PASSPHRASE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) =>
      lines.push(JSON.parse(l) as Record<string, unknown>),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Before the fix the listener exited 0 right after the first refusal (its reconnect timer holds no process).
    await until(
      () => lines.filter((l) => l.msg === 'broker connection error').length >= 3 || child.exitCode !== null,
      'three refused connections',
    );
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('survives kill -9 mid-stream: after the restart every command is applied exactly once and redeliveries get the same ack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-cli-kill-'));
    await fleet.writeDataDir(join(dir, 'data'));
    const path = writeConfig(dir);
    const cli = new URL('../../../cli/bin/helmlink.mjs', import.meta.url).pathname;
    const start = () => {
      const child = spawn(process.execPath, [cli, 'vessel', 'run', '--config', path], {
        env: { ...process.env, HELMLINK_CLI_TEST_PASS: PASSPHRASE },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines: Record<string, unknown>[] = [];
      createInterface({ input: child.stdout! }).on('line', (l) =>
        lines.push(JSON.parse(l) as Record<string, unknown>),
      );
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      return { child, lines, exited };
    };
    const first = start();
    await until(() => first.lines.some((l) => l.msg === 'connected to broker'), 'connected');
    const pilot = await TestPilot.connect(fleet, fleet.pilot, 'pilot-kill');
    const all = IEC_61162_450_CATALOG.streams.map((s) => s.address);
    const tokens: string[] = [];
    for (let i = 0; i < 40; i++)
      tokens.push(await pilot.sign([all[i % all.length]!], { lifetimeSeconds: 120 }));
    for (const t of tokens) void pilot.send(t);
    await until(() => first.lines.filter((l) => l.verdict === 'applied').length >= 5, 'some applied');
    first.child.kill('SIGKILL');
    await first.exited;
    const second = start();
    await until(() => second.lines.some((l) => l.msg === 'connected to broker'), 'reconnected');
    const acked = async () => {
      let n = 0;
      for (const t of tokens) if ((await pilot.acksFor(t)).length > 0) n++;
      return n;
    };
    const deadline = Date.now() + 30_000;
    while ((await acked()) < 40) {
      if (Date.now() > deadline) throw new Error('not every command was acked');
      await new Promise((r) => setTimeout(r, 100));
    }
    second.child.kill('SIGTERM');
    await second.exited;
    const state = StateStore.open(join(dir, 'data', 'state.jsonl'), IEC_61162_450_CATALOG);
    expect(state.seq).toBe(40);
    state.close();
    // Any command answered twice got byte-identical acks (the stored one), never a second application.
    const byReply = new Map<string, Set<string>>();
    for (const raw of pilot.rawAcks) {
      const { in_reply_to } = peekClaims(raw) as { in_reply_to: string };
      byReply.set(in_reply_to, (byReply.get(in_reply_to) ?? new Set()).add(raw));
    }
    expect(byReply.size).toBe(40);
    expect([...byReply.values()].every((set) => set.size === 1)).toBe(true);
    await pilot.close();
  });
});
