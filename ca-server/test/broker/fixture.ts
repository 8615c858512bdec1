/** A CA with generated broker material and a real Mosquitto, and MQTT clients with issued identities. */
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { encodePem, exportPkcs8, systemClock, type Role } from '@helmlink/protocol';
import { freePort } from '@helmlink/protocol/node';
import { loadAuthority, type Authority, type AuthorityOptions } from '../../src/authority/authority';
import { writeBrokerMaterial, type BrokerMaterial } from '../../src/broker/material';
import { BrokerLink, type BrokerLinkOptions } from '../../src/broker/link';
import { ManagedMosquitto } from '../../src/broker/mosquitto';
import { createTestCa, makeCsr, PASSPHRASE } from '../helpers';

export interface Identity {
  serial: string;
  chainPem: string;
  key: string;
  /** The key pair, for signing tokens. */
  keys: CryptoKeyPair;
  entityId: string;
}

/** A client that counts its disconnects. */
export interface CountedClient {
  client: MqttClient;
  closes: number;
  /** Resolves at the next close. */
  nextClose(): Promise<number>;
}

export interface BrokerFixture {
  dir: string;
  authority: Authority;
  material: BrokerMaterial;
  broker: ManagedMosquitto;
  port: number;
  url: string;
  identity(entityId: string, roles: Role[]): Promise<Identity>;
  /** Connects (no automatic reconnect); rejects when the broker refuses. */
  connectAs(id: Pick<Identity, 'chainPem' | 'key'>, clientId: string): Promise<CountedClient>;
  close(): Promise<void>;
}

/** A folder Mosquitto can traverse after dropping privileges. */
export function brokerParent(): string {
  const parent = mkdtempSync(join(tmpdir(), 'helmlink-broker-'));
  chmodSync(parent, 0o755);
  return parent;
}

/** Issues an identity through a one-time token, as enrollment does. */
export async function issueIdentity(
  authority: Authority,
  entityId: string,
  roles: Role[],
): Promise<Identity> {
  const { token } = authority.createEnrollmentToken({ entityId, roles });
  const csr = await makeCsr(entityId);
  const issued = await authority.enroll({ csr: csr.pem, token });
  return {
    serial: issued.serial,
    chainPem: issued.chainPem,
    key: encodePem('PRIVATE KEY', await exportPkcs8(csr.keys.privateKey)),
    keys: csr.keys,
    entityId,
  };
}

/** Connects an MQTT 5 client with an identity to `url`; rejects when refused. */
export function connectClient(
  url: string,
  caPem: string,
  id: Pick<Identity, 'chainPem' | 'key'>,
  clientId: string,
): Promise<CountedClient> {
  const client = mqtt.connect(url, {
    clientId,
    protocolVersion: 5,
    key: id.key,
    cert: id.chainPem,
    ca: caPem,
    servername: 'localhost',
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  const counted: CountedClient = {
    client,
    closes: 0,
    nextClose: () => new Promise((resolve) => client.once('close', () => resolve(Date.now()))),
  };
  return new Promise((resolve, reject) => {
    client.once('connect', () => {
      client.on('close', () => counted.closes++);
      resolve(counted);
    });
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before connect')));
  });
}

/** A test CA with broker material on a free port (no broker started). */
export async function prepareMaterial(
  options: Partial<AuthorityOptions> = {},
): Promise<{ dir: string; authority: Authority; material: BrokerMaterial; port: number }> {
  const ca = await createTestCa(systemClock);
  const authority = await loadAuthority({ dir: ca.dir, passphrase: PASSPHRASE, ...options });
  const port = await freePort();
  const material = await writeBrokerMaterial(authority, {
    outDir: join(brokerParent(), 'broker'),
    hosts: ['localhost', '127.0.0.1'],
    port,
    listen: '127.0.0.1',
  });
  return { dir: ca.dir, authority, material, port };
}

/** Starts a test CA, writes broker material and runs Mosquitto on it. */
export async function startBrokerFixture(options: Partial<AuthorityOptions> = {}): Promise<BrokerFixture> {
  const { dir, authority, material, port } = await prepareMaterial(options);
  const ca = { dir };
  const broker = new ManagedMosquitto({ conf: material.conf, port });
  await broker.start();
  const url = `mqtts://127.0.0.1:${port}`;
  const clients: MqttClient[] = [];
  return {
    dir: ca.dir,
    authority,
    material,
    broker,
    port,
    url,
    identity: (entityId, roles) => issueIdentity(authority, entityId, roles),
    async connectAs(id, clientId) {
      const c = await connectClient(url, authority.chainPem(), id, clientId);
      clients.push(c.client);
      return c;
    },
    async close() {
      for (const c of clients) c.end(true);
      await broker.stop();
      await authority.close();
    },
  };
}

/** The CA service identity's link to the fixture's broker (not started), alerting into the fixture's authority. */
export function caLink(
  f: BrokerFixture,
  clientId: string,
  options: Partial<Omit<BrokerLinkOptions, 'url' | 'clientId'>> = {},
): BrokerLink {
  return new BrokerLink({
    url: f.url,
    servername: 'localhost',
    clientId,
    key: readFileSync(f.authority.paths.serverKey, 'utf8'),
    cert: readFileSync(f.authority.paths.serverCert, 'utf8'),
    passphrase: PASSPHRASE,
    ca: f.authority.chainPem(),
    alerts: f.authority.alerts,
    ...options,
  });
}
