/** The pinned client against a real CA server (HTTPS, SQLite) started from a CA generated in a temp dir. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initAuthority, startCaServer, type CaServer } from '@helmlink/ca-server';
import { CaClient } from '../src/ca-client';
import { pemFingerprint } from '../src/pin';

const PASSPHRASE = 'test passphrase for the CA';

/** A fresh CA directory (root, issuing CA, server certificate for 127.0.0.1). */
async function createTestCa(clock: () => Date): Promise<{ dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'helmlink-ca-client-'));
  await initAuthority({ dir, passphrase: PASSPHRASE, org: 'Test Shipping', clock });
  return { dir };
}

let server: CaServer;
let dir: string;

beforeAll(async () => {
  const ca = await createTestCa(() => new Date());
  dir = ca.dir;
  server = await startCaServer({ dir, passphrase: PASSPHRASE, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
});

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
    const other = await createTestCa(() => new Date());
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
