import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import {
  certificatesToPem,
  crlToPem,
  encodePem,
  exportPkcs8,
  renderMosquittoAcl,
  topics,
  type AclSubject,
} from '@helmlink/protocol';
import { createTestPki, type TestEntity, type TestPki } from '@helmlink/protocol/testing';
import { startEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerEvent } from '../../src/broker';

const SUBJECTS: AclSubject[] = [
  { entityId: 'IMO9074729', roles: ['vessel'] },
  { entityId: 'pilot-anna', roles: ['pilot'] },
];

let pki: TestPki;
let vessel: TestEntity;
let pilot: TestEntity;
let stranger: TestEntity;
let broker: EmbeddedBroker;
const events: EmbeddedBrokerEvent[] = [];
const clients: MqttClient[] = [];

async function connect(entity: TestEntity, username?: string): Promise<MqttClient> {
  const client = mqtt.connect(broker.url, {
    protocolVersion: 4,
    clientId: `${entity.entityId}-${clients.length}`,
    key: encodePem('PRIVATE KEY', await exportPkcs8(entity.keys.privateKey)),
    cert: certificatesToPem(entity.chain),
    ca: certificatesToPem([pki.root.certificate]),
    reconnectPeriod: 0,
    ...(username ? { username } : {}),
  });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed')));
  });
  return client;
}

const until = async (predicate: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

beforeAll(async () => {
  pki = await createTestPki();
  vessel = await pki.issue('IMO9074729', ['vessel']);
  pilot = await pki.issue('pilot-anna', ['pilot']);
  stranger = await pki.issue('pilot-zed', ['pilot']);
  const server = await pki.issue('broker', ['broker'], {
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  broker = await startEmbeddedBroker({
    port: 0,
    cert: certificatesToPem(server.chain),
    key: encodePem('PRIVATE KEY', await exportPkcs8(server.keys.privateKey)),
    ca: certificatesToPem([pki.root.certificate, pki.issuing.certificate]),
    crl: crlToPem(await pki.issuingCrl([])),
    subjects: SUBJECTS,
    onEvent: (e) => events.push(e),
  });
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await broker?.close();
});

describe('embedded broker', () => {
  it('delivers a pilot command to the vessel and the ack back, identity from the certificate CN', async () => {
    const v = await connect(vessel, 'someone-else');
    const p = await connect(pilot);
    await v.subscribeAsync(topics.cmd('IMO9074729'), { qos: 1 });
    await p.subscribeAsync(topics.ack('IMO9074729'), { qos: 1 });
    const got: string[] = [];
    v.on('message', (t, m) => {
      got.push(`${t}:${m.toString()}`);
      void v.publishAsync(topics.ack('IMO9074729'), `ack-${m.toString()}`, { qos: 1 });
    });
    const acks: string[] = [];
    p.on('message', (_t, m) => acks.push(m.toString()));
    await p.publishAsync(topics.cmd('IMO9074729'), 'c1', { qos: 1 });
    await until(() => acks.includes('ack-c1'), 'the ack');
    expect(got).toEqual([`${topics.cmd('IMO9074729')}:c1`]);
    expect(broker.connectedIdentities().sort()).toEqual(['IMO9074729', 'pilot-anna']);
  });

  it('applies the topic ACL: a vessel cannot subscribe to another vessel, a subject not in the list gets nothing', async () => {
    const v = await connect(vessel);
    await expect(v.subscribeAsync(topics.cmd('IMO9000001'), { qos: 1 })).rejects.toThrow(/Subscribe error/u);
    expect(events.some((e) => e.kind === 'subscribe-denied' && e.entityId === 'IMO9074729')).toBe(true);
    const s = await connect(stranger);
    await expect(s.subscribeAsync(topics.filters.allAcks, { qos: 1 })).rejects.toThrow(/Subscribe error/u);
    expect(events.some((e) => e.kind === 'subscribe-denied' && e.entityId === 'pilot-zed')).toBe(true);
    // A forbidden publish closes the connection (MQTT 3.1.1 has no reason code for it).
    const closed = new Promise<void>((resolve) => v.once('close', () => resolve()));
    v.publish(topics.cmd('IMO9074729'), 'forged', { qos: 1 });
    await closed;
    expect(events.some((e) => e.kind === 'publish-denied' && e.entityId === 'IMO9074729')).toBe(true);
  });

  it('refuses a client without a certificate', async () => {
    const c = mqtt.connect(broker.url, {
      protocolVersion: 4,
      ca: certificatesToPem([pki.root.certificate]),
      reconnectPeriod: 0,
    });
    clients.push(c);
    await new Promise<void>((resolve) => {
      c.once('error', () => resolve());
      c.once('close', () => resolve());
    });
    expect(c.connected).toBe(false);
  });

  it('cuts an open session when its certificate is revoked and refuses it afterwards', async () => {
    const p = await connect(pilot);
    const closed = new Promise<void>((resolve) => p.once('close', () => resolve()));
    const crl = crlToPem(
      await pki.issuingCrl([{ serial: pilot.certificate.serialNumber, revokedAt: new Date(), reason: 1 }]),
    );
    const cut = await broker.update({ crl });
    expect(cut).toContain('pilot-anna');
    await closed;
    await expect(connect(pilot)).rejects.toThrow();
    expect(events.some((e) => e.kind === 'revoked-refused' && e.entityId === 'pilot-anna')).toBe(true);
  });

  it('fails closed like OpenSSL: a CRL past its nextUpdate refuses every client of that CA', async () => {
    const past = new Date(Date.now() - 3_600_000);
    await broker.update({
      crl: crlToPem(
        await pki.issuingCrl([], { thisUpdate: new Date(Date.now() - 7_200_000), nextUpdate: past }),
      ),
    });
    await expect(connect(vessel)).rejects.toThrow();
    expect(events.some((e) => e.kind === 'crl-refused' && e.detail === 'crl-expired')).toBe(true);
    await broker.update({
      crl: crlToPem(
        await pki.issuingCrl([{ serial: pilot.certificate.serialNumber, revokedAt: new Date(), reason: 1 }]),
      ),
    });
    (await connect(vessel)).end(true);
  });

  it('refuses a CRL that does not verify against its CA certificates, and keeps the current one', async () => {
    const other = await createTestPki({ organization: pki.organization }); // same issuer name, another key
    const foreign = crlToPem(await other.issuingCrl([]));
    await expect(broker.update({ crl: foreign })).rejects.toMatchObject({ code: 'ERR_CRL_INVALID' });
    (await connect(vessel)).end(true);
    await expect(connect(pilot)).rejects.toThrow();
  });

  it('uses the same subjects as the rendered Mosquitto ACL', () => {
    const acl = renderMosquittoAcl(SUBJECTS);
    expect(acl).toContain(
      'user IMO9074729\ntopic read helmlink/v1/pki/crl\ntopic read helmlink/v1/vessels/IMO9074729/cmd',
    );
  });
});
