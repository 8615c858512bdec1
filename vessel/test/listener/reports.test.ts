/**
 * What the vessel tells the ROC, through a real Mosquitto: its link status (a signed, retained `up`; the broker
 * publishes its signed Last Will `down` when the connection is lost), its alerts signed on its alert topic (a
 * console verifies them), and a broker whose certificate a newer CRL revokes: the live connection is dropped, every
 * reconnect refused in the handshake (ERR_BROKER_REVOKED), and alerted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import {
  crlToPem,
  topics,
  verifyAlert,
  verifyLink,
  type AlertClaims,
  type LinkClaims,
} from '@helmlink/protocol';
import { LinkEmulator } from '@helmlink/protocol/testkit';
import { startVessel, type VesselAlert, type VesselHandle } from '../../src';
import { connectAs, createFleet, PASSPHRASE, until, VESSEL_ID, type Fleet } from '../helpers/fleet';

let fleet: Fleet;
let link: LinkEmulator;
let monitor: MqttClient;
const links: LinkClaims[] = [];
const alerts: AlertClaims[] = [];
const handles: VesselHandle[] = [];

beforeAll(async () => {
  fleet = await createFleet();
  link = await LinkEmulator.start({ target: { host: '127.0.0.1', port: fleet.broker.port } });
  // A console's view: every vessel's link status and alerts, verified.
  monitor = await connectAs(fleet, fleet.admin, 'monitor');
  const verify = { trust: fleet.trust, clock: Date.now, vesselId: VESSEL_ID, algorithms: ['ES256'] as const };
  monitor.on('message', (topic, payload) => {
    if (payload.length === 0) return;
    if (topic === topics.link(VESSEL_ID))
      void verifyLink(payload.toString(), { ...verify, algorithms: ['ES256'] }).then((v) =>
        links.push(v.claims),
      );
    if (topic === topics.alert(VESSEL_ID))
      void verifyAlert(payload.toString(), { ...verify, algorithms: ['ES256'] }).then((v) =>
        alerts.push(v.claims),
      );
  });
  await monitor.subscribeAsync([topics.filters.allLinks, topics.filters.allAlerts], { qos: 1 });
});
afterAll(async () => {
  for (const h of handles) await h.close();
  await monitor?.endAsync();
  await link?.close();
  await fleet?.close();
});

async function vessel(name: string) {
  const config = fleet.config(
    {
      broker: {
        url: `mqtts://127.0.0.1:${link.port}`,
        clientId: name,
        reconnect: { initialDelayMs: 100, maxDelayMs: 400, jitter: 0.5 },
      },
    },
    `${fleet.dir}/${name}`,
  );
  await fleet.writeDataDir(config.dataDir);
  const handle = await startVessel(config, { passphrase: PASSPHRASE });
  handles.push(handle);
  const raised: VesselAlert[] = [];
  handle.events.on('alert', (a: VesselAlert) => raised.push(a));
  await until(() => handle.connected, 'connected');
  return { handle, raised };
}

describe('vessel reports to the ROC', () => {
  it('says up when connected; the broker says down (its signed Last Will) when the connection is lost', async () => {
    const { handle } = await vessel('reports-link');
    await until(() => links.some((l) => l.link === 'up'), 'link up');
    link.reset();
    await until(() => links.some((l) => l.link === 'down'), 'link down (the will)');
    await until(() => handle.connected && links.at(-1)?.link === 'up', 'up again');
    // QoS 1 is at least once: an `up` whose PUBACK the reset swallowed is sent again (DUP) on the next connection,
    // before the new session's own `up`. What a console reads is the sequence of changes.
    const changes = links.map((l) => l.link).filter((state, i, all) => i === 0 || state !== all[i - 1]);
    expect(changes).toEqual(['up', 'down', 'up']);
    expect(links.every((l) => l.iss === VESSEL_ID)).toBe(true);
  });

  it('publishes its alerts signed on its alert topic', async () => {
    const sender = await connectAs(fleet, fleet.pilot, 'forger');
    const before = alerts.length;
    // A token that cannot be attributed to a pilot: dropped, logged and alerted (never answered).
    await sender.publishAsync(topics.cmd(VESSEL_ID), 'not-a-token', { qos: 1 });
    await until(() => alerts.length > before, 'the alert at the ROC');
    expect(alerts.at(-1)).toMatchObject({
      iss: VESSEL_ID,
      kind: 'unattributable-command',
      code: 'ERR_TOKEN_MALFORMED',
    });
    await sender.endAsync();
  });

  it('drops a broker whose certificate a newer CRL revokes, refuses it on every reconnect and alerts', async () => {
    const { handle, raised } = await vessel('reports-revoked');
    const ca = await connectAs(fleet, fleet.ca, 'ca-publisher');
    const crl = await fleet.pki.issuingCrl(
      [{ serial: fleet.brokerEntity.certificate.serialNumber, revokedAt: new Date(Date.now() - 1000) }],
      { crlNumber: 11 },
    );
    await ca.publishAsync(topics.crl(), crlToPem(crl), { qos: 1, retain: true });
    await until(() => raised.some((a) => a.kind === 'broker-revoked'), 'broker-revoked alert');
    expect(raised.find((a) => a.kind === 'broker-revoked')).toMatchObject({ code: 'ERR_BROKER_REVOKED' });
    await until(() => !handle.connected, 'disconnected');
    // Retries keep being refused in the handshake: never connected again, one alert for the streak.
    await new Promise((r) => setTimeout(r, 1500));
    expect(handle.connected).toBe(false);
    expect(raised.filter((a) => a.kind === 'broker-revoked')).toHaveLength(1);
    expect((await handle.status()).crl.number).toBe(11);
    await ca.publishAsync(topics.crl(), '', { qos: 1, retain: true });
    await ca.endAsync();
  });
});
