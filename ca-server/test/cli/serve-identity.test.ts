/**
 * `helmlink ca serve` as a spawned process never keeps serving with a revoked service certificate: one revoked
 * before it starts is replaced by a fresh identity; one revoked behind its back while no fresh identity can be
 * written makes it stop with a clear message and exit 1.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:tls';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseCertificates, systemClock } from '@helmlink/protocol';
import { CaClient } from '@helmlink/ca-client';
import { spawnServe, type ServeProcess } from '../fixtures/serve-process';
import { createTestCa, makeCsr, PASSPHRASE } from '../helpers';

const serve = (dir: string): Promise<ServeProcess> => spawnServe(['--dir', dir], PASSPHRASE);

const servedSerial = (url: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const sock = connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      resolve(sock.getPeerCertificate().serialNumber.toLowerCase().replace(/^0+/u, ''));
      sock.end();
    });
    sock.on('error', reject);
  });

const fileSerial = (dir: string): string =>
  parseCertificates(readFileSync(`${dir}/server.crt.pem`, 'utf8'))[0]!.serialNumber.toLowerCase();

function revokeInStore(dir: string, serial: string): void {
  const db = new Database(`${dir}/ca.db`);
  db.prepare("UPDATE certificates SET status = 'revoked', revoked_at = ?, reason = 1 WHERE serial = ?").run(
    Date.now(),
    serial,
  );
  db.close();
}

describe('helmlink ca serve and its service identity', () => {
  it('starts with a fresh identity when its certificate was revoked', async () => {
    const { dir } = await createTestCa(systemClock);
    const revoked = fileSerial(dir);
    revokeInStore(dir, revoked);
    const p = await serve(dir);
    const url = p.url;
    expect(fileSerial(dir)).not.toBe(revoked);
    expect(await servedSerial(url)).toBe(fileSerial(dir).replace(/^0+/u, ''));
    expect(await p.stop()).toBe(0);
  });

  it('stops with a clear message (exit 1) when no fresh identity can be loaded', async () => {
    const { dir, init } = await createTestCa(systemClock);
    const p = await serve(dir);
    const url = p.url;
    const serving = fileSerial(dir);
    rmSync(`${dir}/server.crt.pem`);
    mkdirSync(`${dir}/server.crt.pem`);
    revokeInStore(dir, serving);
    // Any CRL issuance makes it look at its own certificate: here an admin revoking something.
    const admin = new CaClient({
      url,
      rootFingerprint: init.rootFingerprint!,
      clientCert: readFileSync(init.adminCertPath!, 'utf8'),
      clientKey: readFileSync(init.adminKeyPath!, 'utf8'),
      passphrase: PASSPHRASE,
    });
    const { token } = await admin.createToken({ entityId: 'mv-trigger', roles: ['vessel'] });
    const anon = new CaClient({ url, rootFingerprint: init.rootFingerprint! });
    const issued = await anon.enroll({ csr: (await makeCsr('mv-trigger')).pem, token });
    anon.close();
    await admin.revoke({ serial: issued.serial, reason: 5 });
    admin.close();
    const code = await Promise.race([
      p.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000)),
    ]);
    if (code === 'timeout') p.child.kill('SIGKILL');
    expect(code).toBe(1);
    expect(p.stderr()).toContain('helmlink ca serve: the CA service certificate');
    expect(p.stderr()).toContain('stopping');
  });
});
