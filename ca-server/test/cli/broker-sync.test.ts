import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCrls, systemClock, topics } from '@helmlink/protocol';
import { freePort, waitForPort, type CliIO } from '@helmlink/protocol/node';
import { loadAuthority } from '../../src/authority/authority';
import { readPidFile } from '../../src/broker/broker-conf';
import { startDaemon } from '../../src/broker/daemon';
import { caBrokerCommand, caBrokerSyncCommand } from '../../src/cli';
import { startCaServer } from '../../src/http/server';
import { createTestCa, PASSPHRASE } from '../helpers';
import { brokerParent, connectClient, issueIdentity } from '../broker/fixture';

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

const pidFiles: string[] = [];

afterAll(async () => {
  for (const pidFile of pidFiles) {
    const pid = readPidFile(pidFile);
    if (pid === undefined) continue;
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
  }
});

/** `ca broker` material for a daemon on a free port, and the daemon started from it. */
async function daemon(dir: string): Promise<{ out: string; port: number; pid: number }> {
  const out = join(brokerParent(), 'broker');
  const port = await freePort();
  const made = io();
  expect(
    await caBrokerCommand.main(
      ['--dir', dir, '--out', out, '--host', 'localhost', '--port', String(port), '--listen', '127.0.0.1'],
      made,
    ),
  ).toBe(0);
  pidFiles.push(join(out, 'mosquitto.pid'));
  await startDaemon(out);
  await waitForPort(port);
  return { out, port, pid: readPidFile(join(out, 'mosquitto.pid'))! };
}

describe('helmlink ca broker / ca broker sync with a mosquitto daemon', () => {
  it('writes the material, and sync reloads the daemon (no restart) and cuts the open session of a revoked client', async () => {
    const { dir } = await createTestCa(systemClock);
    const authority = await loadAuthority({ dir, passphrase: PASSPHRASE });
    const vessel = await issueIdentity(authority, 'mv-daemon', ['vessel']);
    const other = await issueIdentity(authority, 'mv-bystander', ['vessel']);
    const { out, port, pid } = await daemon(dir);
    const dynsec = () =>
      (
        JSON.parse(readFileSync(join(out, 'dynamic-security.json'), 'utf8')) as {
          clients: { username: string }[];
        }
      ).clients.map((c) => c.username);
    expect(dynsec()).toContain('mv-daemon');

    const url = `mqtts://127.0.0.1:${port}`;
    const client = await connectClient(url, authority.chainPem(), vessel, 'mv-daemon');
    const bystander = await connectClient(url, authority.chainPem(), other, 'mv-bystander');
    // Identities enrolled before the daemon started are in its state from the file.
    await client.client.publishAsync(topics.ack('mv-daemon'), 'x', { qos: 1 });
    const closed = client.nextClose();
    await authority.revoke({ serial: vessel.serial, reason: 1 }, { id: 'test' });
    const caCrl = readFileSync(authority.paths.crl, 'utf8');
    await authority.close();

    const synced = io();
    expect(await caBrokerSyncCommand.main(['--dir', dir, '--out', out], synced)).toBe(0);
    expect(synced.out()).toContain('reloaded (SIGHUP)');
    expect(synced.out()).toContain('sessions cut: mv-daemon');
    await closed;
    await expect(connectClient(url, authority.chainPem(), vessel, 'mv-daemon-2')).rejects.toThrow();
    expect(dynsec()).not.toContain('mv-daemon');
    // The same daemon, the CA's own CRL, the bystander untouched.
    expect(readPidFile(join(out, 'mosquitto.pid'))).toBe(pid);
    expect(readFileSync(join(out, 'crl.pem'), 'utf8')).toBe(caCrl);
    expect(bystander.closes).toBe(0);
    bystander.client.end(true);
  });

  it('next to a running ca serve, sync takes the server CRL (its lifetime and number) instead of issuing one', async () => {
    const { dir } = await createTestCa(systemClock);
    const { out } = await daemon(dir);
    const server = await startCaServer({
      dir,
      passphrase: PASSPHRASE,
      port: 0,
      crlValiditySeconds: 7200,
      crlTimer: false,
    });
    try {
      const crl = await server.authority.currentCrl();
      expect(crl.nextUpdate.getTime() - Date.now()).toBeLessThan(7200 * 1000 + 1000);
      const synced = io();
      expect(await caBrokerSyncCommand.main(['--dir', dir, '--out', out], synced)).toBe(0);
      expect(synced.out()).toContain(`CRL ${crl.number} written`);
      const written = parseCrls(readFileSync(join(out, 'crl.pem'), 'utf8'))[0]!;
      expect(written.nextUpdate?.getTime()).toBe(Math.floor(crl.nextUpdate.getTime() / 1000) * 1000);
      expect(readFileSync(join(out, 'crl.pem'), 'utf8')).toBe(crl.pem);
      expect((await server.authority.currentCrl()).number).toBe(crl.number);
    } finally {
      await server.close();
    }
    expect(existsSync(join(out, 'mosquitto.pid'))).toBe(true);
  });
});
