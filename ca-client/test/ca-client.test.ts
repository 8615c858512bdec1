/** The pinned client against a real CA server (HTTPS, SQLite) started from a CA generated in a temp dir. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initAuthority, startCaServer, type CaServer, type InitResult } from '@helmlink/ca-server';
import { systemClock, type Clock } from '@helmlink/protocol';
import { CaClient } from '../src/ca-client';
import { pemFingerprint } from '../src/pin';

const PASSPHRASE = 'test passphrase for the CA';

/** A fresh CA directory (root, issuing CA, server certificate for localhost, the first admin identity). */
async function createTestCa(clock: Clock): Promise<{ dir: string; init: InitResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'helmlink-ca-client-'));
  const init = await initAuthority({ dir, passphrase: PASSPHRASE, org: 'Test Shipping', clock });
  return { dir, init };
}

let server: CaServer;
let dir: string;
let adminIdentity: { clientCert: string; clientKey: string; passphrase: string };

beforeAll(async () => {
  const ca = await createTestCa(systemClock);
  dir = ca.dir;
  server = await startCaServer({ dir, passphrase: PASSPHRASE, port: 0, host: '127.0.0.1' });
  adminIdentity = {
    clientCert: readFileSync(ca.init.adminCertPath!, 'utf8'),
    clientKey: readFileSync(ca.init.adminKeyPath!, 'utf8'),
    passphrase: PASSPHRASE,
  };
});

afterAll(async () => {
  await server?.close();
});

/** A PEM CSR for `/CN=name` with a fresh P-256 key, made by the openssl CLI. */
function opensslCsr(name: string): string {
  const key = join(mkdtempSync(join(tmpdir(), 'helmlink-csr-')), 'key.pem');
  execFileSync('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    key,
  ]);
  return execFileSync('openssl', ['req', '-new', '-key', key, '-subj', `/CN=${name}`], { encoding: 'utf8' });
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/u;

/** A port with nothing listening on it (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('CaClient (pinned HTTPS client)', () => {
  it('returns the pinned root with the chain, and the TLS peer chain on raw responses', async () => {
    const client = new CaClient({
      url: server.url,
      rootFingerprint: server.rootFingerprint,
      keepAlive: false,
    });
    const pinned = await client.fetchPinnedChain();
    expect(pemFingerprint(pinned.root)).toBe(server.rootFingerprint);
    expect(pinned.chain.map(pemFingerprint)).toContain(server.rootFingerprint);
    expect(pinned.chain.length).toBeGreaterThanOrEqual(2);
    const res = await client.raw('GET', '/ca/v1/crl');
    expect(res.status).toBe(200);
    expect(res.peerChain.length).toBeGreaterThanOrEqual(1);
    expect(res.peerChain[0]).toContain('BEGIN CERTIFICATE');
    client.close();
  });

  it('sends a request again, once, when the CA closed the kept-alive connection in the moment it was reused', async () => {
    const client = new CaClient({ url: server.url, rootFingerprint: server.rootFingerprint });
    const sockets = new Set<unknown>();
    const count = (socket: unknown) => sockets.add(socket);
    server.app.server.on('secureConnection', count);
    try {
      expect((await client.health()).status).toBeDefined();
      // The CA's keep-alive timeout ends in the very tick the client takes the idle connection again: its request
      // meets a closed connection (ECONNRESET, "socket hang up"). Nothing was read by the CA, so it is sent again.
      const before = sockets.size;
      server.app.server.closeIdleConnections();
      expect((await client.health()).status).toBeDefined();
      // Sent again on one new connection.
      expect(sockets.size).toBe(before + 1);
      // On a connection of its own the same failure is the CA's answer, not a race: reported, not repeated.
      const fresh = new CaClient({
        url: server.url,
        rootFingerprint: server.rootFingerprint,
        keepAlive: false,
      });
      const cut = (socket: { destroy(): void }) => socket.destroy();
      server.app.server.prependOnceListener('secureConnection', cut);
      await expect(fresh.health()).rejects.toMatchObject({ code: 'ECONNRESET' });
      fresh.close();
    } finally {
      server.app.server.off('secureConnection', count);
      client.close();
    }
  });

  it('reports a wrong pin as ERR_SERVER_UNTRUSTED, or ERR_CA_PIN_MISMATCH with client-side codes', async () => {
    const plain = new CaClient({ url: server.url, rootFingerprint: 'ab'.repeat(32) });
    await expect(plain.fetchPinnedChain()).rejects.toMatchObject({ code: 'ERR_SERVER_UNTRUSTED' });
    const coded = new CaClient({ url: server.url, rootFingerprint: 'ab'.repeat(32), clientErrorCodes: true });
    await expect(coded.enroll({ csr: 'x', token: 'y' })).rejects.toMatchObject({
      code: 'ERR_CA_PIN_MISMATCH',
      details: { presented: expect.arrayContaining([server.rootFingerprint]) as unknown },
    });
  });

  it("with client-side codes, maps a foreign server, an unreachable CA and a bad URL, and keeps the CA's codes", async () => {
    const other = await createTestCa(systemClock);
    const otherRoot = readFileSync(join(other.dir, 'root.crt.pem'), 'utf8');
    const foreign = new CaClient({
      url: server.url,
      rootFingerprint: pemFingerprint(otherRoot),
      rootPem: otherRoot,
      clientErrorCodes: true,
    });
    await expect(foreign.crl()).rejects.toMatchObject({ code: 'ERR_CA_PIN_MISMATCH' });
    foreign.close();

    const port = await closedPort();
    const down = new CaClient({
      url: `https://127.0.0.1:${port}`,
      rootFingerprint: server.rootFingerprint,
      clientErrorCodes: true,
    });
    await expect(down.fetchPinnedChain()).rejects.toMatchObject({ code: 'ERR_CA_UNREACHABLE' });

    const coded = new CaClient({
      url: server.url,
      rootFingerprint: server.rootFingerprint,
      clientErrorCodes: true,
    });
    await expect(coded.json('GET', '/ca/v1/no-such-route')).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
      details: { status: 404 },
    });
    await expect(coded.listCertificates()).rejects.toMatchObject({ code: 'ERR_CLIENT_CERT_REQUIRED' });
    coded.close();

    expect(
      () =>
        new CaClient({
          url: 'http://127.0.0.1:1',
          rootFingerprint: server.rootFingerprint,
          clientErrorCodes: true,
        }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INPUT_INVALID' }) as Error);
    expect(
      () => new CaClient({ url: 'http://127.0.0.1:1', rootFingerprint: server.rootFingerprint }),
    ).toThrow(TypeError);
  });

  it('refuses an answer larger than maxResponseBytes', async () => {
    const client = new CaClient({
      url: server.url,
      rootFingerprint: server.rootFingerprint,
      maxResponseBytes: 16,
      clientErrorCodes: true,
    });
    await expect(client.fetchPinnedChain()).rejects.toMatchObject({ code: 'ERR_CA_RESPONSE' });
  });
});

describe('CaClient routes (the wire contract)', () => {
  it('speaks the wire contract of every route: typed requests and answers, admin over mutual TLS', async () => {
    const admin = new CaClient({
      url: server.url,
      rootFingerprint: server.rootFingerprint,
      ...adminIdentity,
    });
    const health = await admin.health();
    expect(health).toMatchObject({ status: 'ok' });
    expect(Number.isInteger(health.crlNumber)).toBe(true);
    expect(health.crlNextUpdate).toMatch(ISO);
    expect(await admin.chain()).toContain('BEGIN CERTIFICATE');

    const token = await admin.createToken({ entityId: 'mv-wire', roles: ['vessel'] });
    expect(token).toMatchObject({ entityId: 'mv-wire', roles: ['vessel'] });
    expect(token.token).toMatch(/^hlt_/u);
    expect(token.expiresAt).toMatch(ISO);

    const anonymous = new CaClient({
      url: server.url,
      rootFingerprint: server.rootFingerprint,
      keepAlive: false,
    });
    const issued = await anonymous.enroll({ csr: opensslCsr('mv-wire'), token: token.token });
    expect(issued.serial).toMatch(/^[0-9a-f]+$/u);
    expect(issued.chain.startsWith(issued.certificate)).toBe(true);
    expect(pemFingerprint(issued.root)).toBe(server.rootFingerprint);
    expect(issued.notAfter).toMatch(ISO);

    const record = await anonymous.certificate(issued.serial);
    expect(record).toMatchObject({
      serial: issued.serial,
      entityId: 'mv-wire',
      roles: ['vessel'],
      status: 'valid',
    });
    expect(pemFingerprint(record.certificate)).toBe(pemFingerprint(issued.certificate));
    expect(record.fingerprint).toBe(pemFingerprint(issued.certificate));

    const listed = await admin.listCertificates({ role: 'vessel', status: 'valid' });
    expect(listed.certificates.map((c) => c.serial)).toContain(issued.serial);

    const hold = await admin.revoke({ serial: issued.serial, reason: 6, description: 'wire test' });
    expect(hold.certificate).toMatchObject({ serial: issued.serial, status: 'hold', reason: 6 });
    expect(hold.crlNumber).toBeGreaterThan(health.crlNumber);
    expect(await admin.crl('pem')).toContain('-----BEGIN X509 CRL-----');
    const released = await admin.release({ serial: issued.serial });
    expect(released.certificate).toMatchObject({ serial: issued.serial, status: 'valid', revokedAt: null });
    expect(released.crlNumber).toBeGreaterThan(hold.crlNumber);

    const { alerts } = await admin.alerts({ limit: 50 });
    const revocation = alerts.find((a) => a.kind === 'revocation');
    expect(revocation).toMatchObject({ severity: 'critical' });
    expect(revocation!.at).toMatch(ISO);
    admin.close();
    anonymous.close();
  });
});
