/**
 * The CLIs as a ship would run them: `helmlink vessel run` in its own process, SIGTERM while a command is in hand
 * (it finishes, acks, persists and exits 0), pino JSON log lines, and the usage/verdict exit codes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vesselEnrollCommand, vesselRunCommand, vesselStatusCommand } from '../../src/cli';
import { StateStore } from '../../src/state';
import { IEC_61162_450_CATALOG } from '@helmlink/protocol';
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
  return { io: { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: '/' }, out: () => out, err: () => err };
}

function writeConfig(dir: string, extra: Record<string, unknown> = {}): string {
  const path = join(dir, 'vessel.json');
  writeFileSync(
    path,
    JSON.stringify({
      vesselId: VESSEL_ID,
      dataDir: './data',
      ca: { url: 'https://127.0.0.1:1', rootFingerprint: '00'.repeat(32), timeoutMs: 300 },
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
  it('documents every command with --help and maps bad configs to exit 2, a missing enrollment to exit 1', async () => {
    for (const cmd of [vesselEnrollCommand, vesselRunCommand, vesselStatusCommand]) {
      const h = io();
      expect(await cmd.main(['--help'], h.io)).toBe(0);
      expect(h.out()).toContain('--config FILE');
    }
    const dir = mkdtempSync(join(tmpdir(), 'vessel-cli-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ vesselId: 'MV', broker: { url: 'mqtt://x' } }));
    const bad = io();
    expect(await vesselRunCommand.main(['--config', join(dir, 'bad.json')], bad.io)).toBe(2);
    expect(bad.err()).toContain('broker.url');
    const noToken = io();
    expect(await vesselEnrollCommand.main(['--config', join(dir, 'bad.json')], noToken.io)).toBe(2);
    const notEnrolled = io();
    const path = writeConfig(dir);
    expect(await vesselStatusCommand.main(['--config', path], { ...notEnrolled.io, env: { HELMLINK_CLI_TEST_PASS: PASSPHRASE } })).toBe(1);
    expect(notEnrolled.err()).toContain('ERR_NOT_ENROLLED');
  });

  it('`vessel run` logs one JSON line per command and on SIGTERM finishes the command in hand, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-cli-run-'));
    await fleet.writeDataDir(join(dir, 'data'));
    const marker = join(dir, 'hook-started');
    const path = writeConfig(dir, { hook: { command: '/bin/sh', args: ['-c', `cat >/dev/null; touch ${marker}; sleep 0.5`] } });
    const cli = new URL('../../../cli/bin/helmlink.mjs', import.meta.url).pathname;
    const child = spawn(process.execPath, [cli, 'vessel', 'run', '--config', path], { env: { ...process.env, HELMLINK_CLI_TEST_PASS: PASSPHRASE }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(() => lines.some((l) => l.msg === 'connected to broker'), 'connected');
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
});
