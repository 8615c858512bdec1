import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePem, exportPkcs8, parseCertificate, systemClock } from '@helmlink/protocol';
import { CaClient, pemFingerprint } from '@helmlink/ca-client';
import { startCaServer, type CaServer } from '../../src/http/server';
import { loadAuthority } from '../../src/authority/authority';
import { createTestCa, makeCsr, PASSPHRASE } from '../helpers';
import { CBC_SHA1_ONLY, opensslHandshake } from '../fixtures/tls-handshake';

let server: CaServer;
let dir: string;
let adminCert: string;
let adminKey: string;

beforeAll(async () => {
  const ca = await createTestCa(systemClock);
  dir = ca.dir;
  adminCert = readFileSync(ca.init.adminCertPath!, 'utf8');
  adminKey = readFileSync(ca.init.adminKeyPath!, 'utf8');
  server = await startCaServer({ dir, passphrase: PASSPHRASE, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
});

describe('HTTPS with mutual TLS (real sockets)', () => {
  it('enrolls with a pinned client, renews over mTLS, and administers with the admin identity', async () => {
    const admin = new CaClient({
      url: server.url,
      rootFingerprint: server.rootFingerprint,
      clientCert: adminCert,
      clientKey: adminKey,
      passphrase: PASSPHRASE,
    });
    const { token } = await admin.createToken({ entityId: 'mv-tls', roles: ['vessel'] });

    const anon = new CaClient({ url: server.url, rootFingerprint: server.rootFingerprint });
    const csr = await makeCsr('mv-tls');
    const issued = await anon.enroll({ csr: csr.pem, token });
    expect(parseCertificate(issued.certificate).subject).toContain('CN=mv-tls');
    await expect(anon.renew()).rejects.toMatchObject({ code: 'ERR_CLIENT_CERT_REQUIRED' });
    await expect(anon.listCertificates()).rejects.toMatchObject({ code: 'ERR_CLIENT_CERT_REQUIRED' });
    anon.close();

    const key = encodePem('PRIVATE KEY', await exportPkcs8(csr.keys.privateKey));
    const vessel = new CaClient({
      url: server.url,
      rootFingerprint: server.rootFingerprint,
      clientCert: issued.chain,
      clientKey: key,
    });
    const renewed = await vessel.renew();
    expect(renewed.serial).not.toBe(issued.serial);
    vessel.close();
    // The renewal superseded the first certificate: the vessel goes on with the renewed one (same key).
    const renewedVessel = new CaClient({
      url: server.url,
      rootFingerprint: server.rootFingerprint,
      clientCert: renewed.chain,
      clientKey: key,
    });
    await expect(renewedVessel.listCertificates()).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    renewedVessel.close();

    const list = await admin.listCertificates({ role: 'vessel' });
    expect(list.certificates.map((c) => c.serial)).toContain(renewed.serial);
    const revoked = await admin.revoke({ serial: issued.serial, reason: 1, description: 'key lost' });
    // keyCompromise of the first certificate follows its renewal.
    expect(revoked.alsoRevoked).toEqual([renewed.serial]);
    const revokedClient = new CaClient({
      url: server.url,
      rootFingerprint: server.rootFingerprint,
      clientCert: issued.chain,
      clientKey: key,
    });
    await expect(revokedClient.renew()).rejects.toMatchObject({
      code: 'ERR_CLIENT_CERT_INVALID',
      details: { reason: 'ERR_CHAIN_REVOKED' },
    });
    revokedClient.close();
    expect((await admin.alerts()).alerts.some((a) => a.kind === 'revocation')).toBe(true);
    admin.close();
  });

  it('refuses a CA whose root does not match the pin', async () => {
    const client = new CaClient({ url: server.url, rootFingerprint: 'ab'.repeat(32) });
    await expect(client.enroll({ csr: 'x', token: 'y' })).rejects.toMatchObject({
      code: 'ERR_SERVER_UNTRUSTED',
    });
  });

  it('refuses a server whose chain does not lead to the pinned root (TLS verification with the pinned root only)', async () => {
    const other = await createTestCa(systemClock);
    const otherRoot = readFileSync(join(other.dir, 'root.crt.pem'), 'utf8');
    const client = new CaClient({
      url: server.url,
      rootFingerprint: pemFingerprint(otherRoot),
      rootPem: otherRoot,
    });
    await expect(client.crl()).rejects.toMatchObject({ code: 'ERR_SERVER_UNTRUSTED' });
    client.close();
  });

  it('serves TLS 1.2+ only and the CRL over HTTPS', async () => {
    const client = new CaClient({ url: server.url, rootFingerprint: server.rootFingerprint });
    expect(await client.crl('pem')).toContain('BEGIN X509 CRL');
    client.close();
    const tls = await import('node:tls');
    const connect = (maxVersion: 'TLSv1.1' | 'TLSv1.2') =>
      new Promise<string>((resolve, reject) => {
        const sock = tls.connect(
          {
            host: '127.0.0.1',
            port: server.port,
            rejectUnauthorized: false,
            minVersion: 'TLSv1',
            maxVersion,
            ciphers: 'DEFAULT@SECLEVEL=0',
          },
          () => {
            resolve(sock.getProtocol() ?? '');
            sock.end();
          },
        );
        sock.on('error', reject);
      });
    expect(await connect('TLSv1.2')).toBe('TLSv1.2');
    await expect(connect('TLSv1.1')).rejects.toThrow();
  });
});

describe('TLS cipher policy (real handshakes with openssl s_client)', () => {
  it('refuses a client that offers only TLS 1.2 CBC-SHA1 suites', async () => {
    const cbc = await opensslHandshake(server.port, ['-tls1_2', '-cipher', CBC_SHA1_ONLY]);
    expect(cbc.ok, cbc.output).toBe(false);
    expect(cbc.output).toMatch(/handshake failure|no shared cipher|alert/iu);
  });

  it('negotiates TLS 1.3 by default and TLS 1.2 only with ECDHE + AEAD', async () => {
    const tls13 = await opensslHandshake(server.port, []);
    expect(tls13, tls13.output).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
    for (const cipher of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305']) {
      const tls12 = await opensslHandshake(server.port, ['-tls1_2', '-cipher', cipher]);
      expect(tls12, tls12.output).toMatchObject({ ok: true, protocol: 'TLSv1.2', cipher });
    }
    // A non-ECDHE AEAD suite (static RSA key exchange) is not offered either.
    expect((await opensslHandshake(server.port, ['-tls1_2', '-cipher', 'AES128-GCM-SHA256'])).ok).toBe(false);
  });
});

/** The serial of the certificate a TLS server presents. */
async function peerSerial(port: number): Promise<string> {
  const tls = await import('node:tls');
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(sock.getPeerCertificate().serialNumber.toLowerCase().replace(/^0+/u, ''));
      sock.end();
    });
    sock.on('error', reject);
  });
}

const strip = (serial: string): string => serial.replace(/^0+/u, '');

describe('the CA never serves with a revoked service certificate', () => {
  it('a forced revocation (plan issue) loads the new identity into the running server', async () => {
    const before = await peerSerial(server.port);
    const admin = new CaClient({
      url: server.url,
      rootFingerprint: server.rootFingerprint,
      clientCert: adminCert,
      clientKey: adminKey,
      passphrase: PASSPHRASE,
    });
    const served = server.authority.listCertificates({ role: 'ca', status: 'valid' })[0]!;
    expect(strip(served.serial)).toBe(before);
    await expect(admin.revoke({ serial: served.serial, reason: 1 })).rejects.toMatchObject({
      code: 'ERR_REVOCATION_GUARDED',
    });
    const res = await admin.revoke({ serial: served.serial, reason: 1, force: true, replacement: 'issue' });
    expect(res.certificate.status).toBe('revoked');
    admin.close();
    const after = await peerSerial(server.port);
    expect(after).not.toBe(before);
    expect(
      server.authority.store.getCertificate(
        server.authority.listCertificates({ role: 'ca', status: 'valid' })[0]!.serial,
      )?.status,
    ).toBe('valid');
    // The pinned client still talks to it (the root did not change).
    const client = new CaClient({ url: server.url, rootFingerprint: server.rootFingerprint });
    expect((await client.health()).status).toBe('ok');
    client.close();
  });

  it('a revocation written behind its back is noticed at the next CRL: a fresh identity is loaded', async () => {
    const before = await peerSerial(server.port);
    const record = server.authority.listCertificates({ role: 'ca', status: 'valid' })[0]!;
    server.authority.store.setStatus(record.serial, 'revoked', Date.now(), 1, 'tampered');
    await server.authority.reissueCrl();
    await expect.poll(() => peerSerial(server.port), { timeout: 10_000 }).not.toBe(before);
    expect(server.authority.listCertificates({ role: 'ca', status: 'valid' })).toHaveLength(1);
  });

  it('stops with a clear message when no fresh identity can be loaded', async () => {
    const ca = await createTestCa(systemClock);
    let fatal: Error | undefined;
    const s = await startCaServer({
      dir: ca.dir,
      passphrase: PASSPHRASE,
      port: 0,
      host: '127.0.0.1',
      onFatal: (err) => {
        fatal = err;
      },
    });
    const { rmSync, mkdirSync } = await import('node:fs');
    const certPath = join(ca.dir, 'server.crt.pem');
    rmSync(certPath);
    mkdirSync(certPath);
    const record = s.authority.listCertificates({ role: 'ca', status: 'valid' })[0]!;
    s.authority.store.setStatus(record.serial, 'revoked', Date.now(), 1, 'tampered');
    await s.authority.reissueCrl();
    await expect.poll(() => fatal, { timeout: 10_000 }).toBeDefined();
    expect(fatal).toMatchObject({ code: 'ERR_SERVICE_IDENTITY' });
    expect(fatal!.message).toContain('stopping');
    await expect(peerSerial(s.port)).rejects.toThrow();
    await s.close();
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight before closing the store', async () => {
    const ca = await createTestCa(systemClock);
    const s = await startCaServer({ dir: ca.dir, passphrase: PASSPHRASE, port: 0, crlTimer: false });
    const { token } = s.authority.createEnrollmentToken({ entityId: 'mv-late', roles: ['vessel'] });
    const original = s.authority.enroll.bind(s.authority);
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    s.authority.enroll = async (...args) => {
      entered();
      await gate;
      return original(...args);
    };
    const client = new CaClient({ url: s.url, rootFingerprint: s.rootFingerprint });
    const pending = client.enroll({ csr: (await makeCsr('mv-late')).pem, token });
    await inHandler;
    let closed = false;
    const closing = s.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    release();
    const issued = await pending;
    await closing;
    expect(issued.serial).toMatch(/^[0-9a-f]+$/u);
    client.close();
    // The certificate handed out was committed before the store closed.
    const again = await loadAuthority({ dir: ca.dir, passphrase: PASSPHRASE });
    expect(again.store.getCertificate(issued.serial)?.entityId).toBe('mv-late');
    await again.close();
  });
});
