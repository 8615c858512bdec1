import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePem, exportPkcs8, systemClock } from '@helmlink/protocol';
import { freePort, waitForPort, type CliIO } from '@helmlink/protocol/node';
import { loadAuthority } from '../../src/authority/authority';
import { startDaemon } from '../../src/broker/sync';
import { caBrokerCommand, caBrokerSyncCommand } from '../../src/cli';
import { createTestCa, makeCsr, PASSPHRASE } from '../helpers';

const io = (): CliIO & { out: () => string } => {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  return {
    stdout,
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    env: { HELMLINK_CA_PASSPHRASE: PASSPHRASE },
    cwd: tmpdir(),
    out: () => out,
  };
};

let pidFile: string | undefined;

afterAll(async () => {
  if (!pidFile || !existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 200 && alive(); i++) await new Promise((r) => setTimeout(r, 10));
});

describe('helmlink ca broker / ca broker sync with a mosquitto daemon', () => {
  it('writes the material, and sync restarts the daemon so the open session of a revoked client is cut', async () => {
    const { dir } = await createTestCa(systemClock);
    const authority = await loadAuthority({ dir, passphrase: PASSPHRASE });
    const { token } = authority.createEnrollmentToken({ entityId: 'mv-daemon', roles: ['vessel'] });
    const csr = await makeCsr('mv-daemon');
    const issued = await authority.enroll({ csr: csr.pem, token });
    const key = encodePem('PRIVATE KEY', await exportPkcs8(csr.keys.privateKey));

    const parent = mkdtempSync(join(tmpdir(), 'helmlink-daemon-'));
    chmodSync(parent, 0o755);
    const out = join(parent, 'broker');
    const port = await freePort();
    const made = io();
    expect(
      await caBrokerCommand.main(
        ['--dir', dir, '--out', out, '--host', 'localhost', '--port', String(port), '--listen', '127.0.0.1'],
        made,
      ),
    ).toBe(0);
    expect(readFileSync(join(out, 'acl'), 'utf8')).toContain('user mv-daemon');
    pidFile = join(out, 'mosquitto.pid');
    await startDaemon(out);
    await waitForPort(port);

    const connect = () =>
      new Promise<mqtt.MqttClient>((resolve, reject) => {
        const c = mqtt.connect(`mqtts://127.0.0.1:${port}`, {
          key,
          cert: issued.chainPem,
          ca: authority.chainPem(),
          servername: 'localhost',
          reconnectPeriod: 0,
          connectTimeout: 5000,
        });
        c.once('connect', () => resolve(c));
        c.once('error', reject);
        c.once('close', () => reject(new Error('closed')));
      });
    const client = await connect();
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await authority.revoke({ serial: issued.serial, reason: 1 }, { id: 'test' });
    await authority.close();

    const synced = io();
    expect(await caBrokerSyncCommand.main(['--dir', dir, '--out', out], synced)).toBe(0);
    expect(synced.out()).toContain('restarted');
    await closed;
    await expect(connect()).rejects.toThrow();
    expect(readFileSync(join(out, 'acl'), 'utf8')).not.toContain('user mv-daemon');
  });
});
