import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { isValidImoNumber, isValidMmsi, IEC_61162_450_STREAMS } from '@helmlink/protocol';
import type { CliIO } from '@helmlink/protocol/node';
import { demoCommand, defaultDemoDataDir } from '../../src/demo/command';
import { DEMO_PILOT, DEMO_VESSELS } from '../../src/demo/fleet';

const dirs: string[] = [];
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv = {}): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env,
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}

describe('demo fleet', () => {
  it('has three vessels with valid IMO numbers, MMSIs whose MID matches the flag, and IEC groups plus a camera', () => {
    const mid: Record<string, string> = { NO: '257', DK: '219', NL: '244' };
    expect(DEMO_VESSELS).toHaveLength(3);
    for (const v of DEMO_VESSELS) {
      expect(isValidImoNumber(v.imo)).toBe(true);
      expect(v.id).toBe(`IMO${v.imo}`);
      expect(isValidMmsi(v.mmsi)).toBe(true);
      expect(v.mmsi.slice(0, 3)).toBe(mid[v.flag]);
      expect(v.catalog.streams.slice(0, 8).map((s) => s.id)).toEqual(IEC_61162_450_STREAMS.map((s) => s.id));
      expect(v.catalog.streams.some((s) => s.kind === 'camera')).toBe(true);
    }
    expect(new Set(DEMO_VESSELS.map((v) => v.id)).size).toBe(3);
    expect(DEMO_PILOT.roles).toEqual(['pilot', 'admin']);
  });
});

describe('helmlink demo', () => {
  it('prints its usage with --help', async () => {
    const t = io();
    expect(await demoCommand.main(['--help'], t)).toBe(0);
    expect(t.out()).toContain('--reset');
    expect(t.out()).toContain('--broker KIND');
  });

  it('refuses an unknown broker kind (exit 2)', async () => {
    const t = io();
    expect(await demoCommand.main(['--broker', 'hivemq'], t)).toBe(2);
    expect(t.err()).toContain('--broker must be auto, mosquitto or embedded');
  });

  it('checks --mqtt-url (your own broker): mqtts only, not together with --broker', async () => {
    const a = io();
    expect(await demoCommand.main(['--mqtt-url', 'mqtt://broker:1883'], a)).toBe(2);
    expect(a.err()).toContain('--mqtt-url must be mqtts://host:port');
    const b = io();
    expect(await demoCommand.main(['--mqtt-url', 'mqtts://broker:8883', '--broker', 'embedded'], b)).toBe(2);
    expect(b.err()).toContain('excludes --broker');
    const c = io();
    expect(await demoCommand.main(['--mqtt-url', 'mqtts://user:s3cret@broker:8883'], c)).toBe(2);
    expect(c.err()).toContain('no user or password');
    expect(c.err()).not.toContain('s3cret');
  });

  it('names the port in use and the option to change (exit 1), before starting anything', async () => {
    const busy = createServer();
    servers.push(busy);
    const port = await new Promise<number>((resolve) =>
      busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)),
    );
    const dir = mkdtempSync(join(tmpdir(), 'helmlink-demo-cmd-'));
    dirs.push(dir);
    const t = io();
    expect(
      await demoCommand.main(
        ['--data', dir, '--ca-port', String(port), '--mqtt-port', '0', '--console-port', '0', '--no-open'],
        t,
      ),
    ).toBe(1);
    expect(t.err()).toContain(
      `ERR_PORT_IN_USE: port ${port} on 127.0.0.1 for the CA server (--ca-port) is already in use`,
    );
  });

  it('keeps its data under the user data folder by default', () => {
    expect(defaultDemoDataDir({ XDG_DATA_HOME: '/home/u/.data' })).toBe(
      process.platform === 'linux'
        ? '/home/u/.data/helmlink-demo'
        : defaultDemoDataDir({ XDG_DATA_HOME: '/home/u/.data' }),
    );
  });
});
