import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRL_TOPIC, encodePem, exportPkcs8, parseCrls, topics, systemClock } from '@helmlink/protocol';
import { freePort } from '@helmlink/protocol/node';
import { loadAuthority, type Authority } from '../../src/authority/authority';
import { CrlPublisher } from '../../src/broker/crl-publisher';
import { writeBrokerMaterial, type BrokerMaterial } from '../../src/broker/material';
import { ManagedMosquitto } from '../../src/broker/mosquitto';
import { attachBrokerSync, type BrokerSyncHandle } from '../../src/broker/sync';
import { createTestCa, makeCsr, PASSPHRASE } from '../helpers';
import { CBC_SHA1_ONLY, opensslHandshake } from '../fixtures/tls-handshake';

let authority: Authority;
let material: BrokerMaterial;
let broker: ManagedMosquitto;
let publisher: CrlPublisher;
let sync: BrokerSyncHandle;
const clients: MqttClient[] = [];

async function identity(entityId: string, roles: ('vessel' | 'pilot')[]) {
  const { token } = authority.createEnrollmentToken({ entityId, roles });
  const csr = await makeCsr(entityId);
  const issued = await authority.enroll({ csr: csr.pem, token });
  return { ...issued, key: encodePem('PRIVATE KEY', await exportPkcs8(csr.keys.privateKey)) };
}

function connectAs(
  id: { chainPem: string; key: string },
  clientId: string,
  reconnect = false,
): Promise<MqttClient> {
  const client = mqtt.connect(`mqtts://127.0.0.1:${material.port}`, {
    clientId,
    protocolVersion: 5,
    key: id.key,
    cert: id.chainPem,
    ca: authority.chainPem(),
    servername: 'localhost',
    reconnectPeriod: reconnect ? 100 : 0,
    connectTimeout: 5000,
  });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before connect')));
  });
}

beforeAll(async () => {
  const ca = await createTestCa(systemClock);
  authority = await loadAuthority({ dir: ca.dir, passphrase: PASSPHRASE });
  const port = await freePort();
  // Mosquitto drops privileges: the output directory's parents must be traversable by its user.
  const parent = mkdtempSync(join(tmpdir(), 'helmlink-broker-'));
  chmodSync(parent, 0o755);
  material = await writeBrokerMaterial(authority, {
    outDir: join(parent, 'broker'),
    hosts: ['localhost', '127.0.0.1'],
    port,
    listen: '127.0.0.1',
  });
  broker = new ManagedMosquitto({ conf: material.conf, port });
  await broker.start();
  sync = attachBrokerSync(authority, { outDir: material.outDir, broker });
  publisher = new CrlPublisher(authority, {
    url: `mqtts://127.0.0.1:${port}`,
    servername: 'localhost',
    key: readFileSync(authority.paths.serverKey, 'utf8'),
    cert: readFileSync(authority.paths.serverCert, 'utf8'),
    passphrase: PASSPHRASE,
  });
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await publisher?.stop();
  await broker?.stop();
  await authority?.close();
});

describe('Mosquitto with the generated material', () => {
  it('writes a conf with the required settings and an ACL from the store', () => {
    const conf = readFileSync(material.conf, 'utf8');
    for (const line of [
      'require_certificate true',
      'use_identity_as_username true',
      'allow_anonymous false',
      'set_tcp_nodelay true',
      'tls_version tlsv1.2',
    ]) {
      expect(conf).toContain(line);
    }
    expect(conf).toMatch(/^crlfile .*crl\.pem$/mu);
    expect(readFileSync(material.crlfile, 'utf8')).toContain('BEGIN X509 CRL');
    expect(readFileSync(material.aclfile, 'utf8')).toContain('user helmlink-ca\n');
  });

  it('allows only AEAD suites: a client offering only TLS 1.2 CBC-SHA1 suites is refused (real handshakes)', async () => {
    const conf = readFileSync(material.conf, 'utf8');
    expect(conf).toMatch(/^ciphers ECDHE-[^\n]*GCM[^\n]*$/mu);
    expect(conf).toMatch(/^ciphers_tls1\.3 TLS_AES_256_GCM_SHA384/mu);
    const id = await identity('mv-tls-probe', ['vessel']);
    const files = mkdtempSync(join(tmpdir(), 'helmlink-tls-probe-'));
    const client = { cert: join(files, 'c.pem'), key: join(files, 'k.pem') };
    writeFileSync(client.cert, id.chainPem);
    writeFileSync(client.key, id.key);
    const cbc = await opensslHandshake(material.port, ['-tls1_2', '-cipher', CBC_SHA1_ONLY], client);
    expect(cbc.ok, cbc.output).toBe(false);
    const gcm = await opensslHandshake(
      material.port,
      ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
      client,
    );
    expect(gcm, gcm.output).toMatchObject({ ok: true, protocol: 'TLSv1.2' });
    const tls13 = await opensslHandshake(material.port, [], client);
    expect(tls13, tls13.output).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
  });

  it('accepts issued clients, enforces the ACL, publishes the CRL retained, and cuts a revoked client off, open session included', async () => {
    const good = await identity('mv-good', ['vessel']);
    const bad = await identity('mv-bad', ['vessel']);
    const pilot = await identity('pilot-1', ['pilot']);
    // New identities reach the broker's ACL through a reload (no session is cut for them).
    await sync.idle();
    expect(readFileSync(material.aclfile, 'utf8')).toContain('user pilot-1\n');

    publisher.start();
    const goodClient = await connectAs(good, 'mv-good', true);
    const badClient = await connectAs(bad, 'mv-bad');
    const pilotClient = await connectAs(pilot, 'pilot-1');

    // Mosquitto applies the SIGHUP asynchronously: wait until the reloaded ACL grants the vessel its own topic.
    let allowed = false;
    for (let i = 0; i < 50 && !allowed; i++) {
      allowed = await goodClient.publishAsync(topics.ack('mv-good'), 'x', { qos: 1 }).then(
        () => true,
        () => new Promise<boolean>((r) => setTimeout(() => r(false), 20)),
      );
    }
    expect(allowed).toBe(true);
    // ...and never another vessel's.
    await expect(goodClient.publishAsync(topics.ack('mv-bad'), 'x', { qos: 1 })).rejects.toMatchObject({
      code: 135,
    });

    // The CRL arrives retained on the CRL topic (DER) for anyone subscribing.
    const crlDer = await new Promise<Buffer>((resolve) => {
      pilotClient.on('message', (topic, payload) => {
        if (topic === CRL_TOPIC) resolve(payload);
      });
      void pilotClient.subscribeAsync(CRL_TOPIC, { qos: 1 });
    });
    expect(parseCrls(new Uint8Array(crlDer))[0]!.issuer).toContain('Issuing CA');

    const badClosed = new Promise<void>((resolve) => badClient.once('close', () => resolve()));
    await authority.revoke({ serial: bad.serial, reason: 1, description: 'stolen' }, { id: 'test' });
    await badClosed; // the open session was cut by the restart
    await expect(connectAs(bad, 'mv-bad-2')).rejects.toThrow();
    // The good vessel reconnects by itself.
    await new Promise<void>((resolve) =>
      goodClient.connected ? resolve() : goodClient.once('connect', () => resolve()),
    );
    expect(goodClient.connected).toBe(true);
    expect(readFileSync(material.aclfile, 'utf8')).not.toContain('user mv-bad');
  });
});
