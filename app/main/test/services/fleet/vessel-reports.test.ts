/**
 * The console while a vessel's link is down, against a real Mosquitto: the vessel (a scripted one with a persistent
 * session and its signed Last Will, behind the link emulator) goes silent; the broker's keepalive notices and
 * publishes the will, and the console shows "link down since …"; a command sent meanwhile times out for the pilot,
 * then, once the link is back and the vessel has it, its verified ack settles its fate. The vessel's signed alerts
 * reach the alert list; a forged one does not. A broker whose certificate a newer CRL revokes is dropped, refused
 * with ERR_BROKER_REVOKED (the connection shows it) and alerted.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import {
  certificateToPem,
  certificatesToPem,
  createSigner,
  crlToPem,
  encodePem,
  exportPkcs8,
  signAlert,
  signLink,
  topics,
} from '@helmlink/protocol';
import { LinkEmulator } from '@helmlink/protocol/testkit';
import { eventually } from '../../helpers/net';
import {
  PASS,
  TGTD,
  VESSEL,
  addresses,
  scriptVessel,
  useScriptedFleet,
  type ScriptedFleet,
} from '../../helpers/scripted-fleet';

let fleet: ScriptedFleet;
useScriptedFleet((f) => {
  fleet = f;
});

/** The vessel, as the listener runs it: persistent session, signed `up` on connect and a signed `down` will. */
async function seaVessel(link: LinkEmulator): Promise<MqttClient> {
  const entity = fleet.vesselEntity;
  const signer = createSigner({ privateKey: entity.keys.privateKey, chain: entity.chain });
  const down = await signLink(signer, { clock: Date.now, link: 'down' });
  const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${link.port}`, {
    protocolVersion: 5,
    clientId: 'sea-vessel',
    clean: false,
    properties: { sessionExpiryInterval: 600 },
    keepalive: 1,
    reconnectPeriod: 200,
    key: encodePem('PRIVATE KEY', await exportPkcs8(entity.keys.privateKey)),
    cert: certificatesToPem(entity.chain),
    ca: [certificateToPem(fleet.pki.root.certificate)],
    will: { topic: topics.link(VESSEL), payload: Buffer.from(down.token), qos: 1, retain: true },
  });
  const up = async () => {
    const { token } = await signLink(signer, { clock: Date.now, link: 'up' });
    await client.publishAsync(topics.link(VESSEL), token, { qos: 1, retain: true });
  };
  client.on('connect', () => void up());
  await up();
  await scriptVessel(fleet.pki, entity, fleet.pilot, client);
  return client;
}

describe('the console while a vessel is at sea', () => {
  it('shows "link down since …" during an outage and the pending command\'s fate afterwards', async () => {
    const services = fleet.services;
    await services.identity.unlock(PASS);
    // The scripted fleet's own vessel client steps aside for the one behind the emulator.
    await fleet.vesselClient.endAsync();
    const link = await LinkEmulator.start({ target: { host: '127.0.0.1', port: fleet.broker.port } });
    const vessel = await seaVessel(link);
    try {
      await services.commands.connect();
      await eventually(
        () => services.fleet.vessel(VESSEL)?.linkReport?.state === 'up' || undefined,
        'link up',
      );
      await eventually(() => services.fleet.vessel(VESSEL)?.verified || undefined, 'verified state');

      link.blackhole();
      // The broker's keepalive (1.5 × 1 s) notices the silent vessel and publishes its will.
      const down = await eventually(() => {
        const l = services.fleet.vessel(VESSEL)?.linkReport;
        return l?.state === 'down' ? l : undefined;
      }, 'link down');
      expect(down.since).not.toBeNull();
      expect(Date.parse(down.since!)).toBeLessThanOrEqual(Date.now());
      // The one visual grammar reads the vessel's signed word: link down since then, with its reason.
      services.fleet.flush();
      expect(services.fleet.vessel(VESSEL)).toMatchObject({
        status: 'link_down',
        statusReason: { code: 'ERR_VESSEL_LINK_DOWN' },
        link: { state: 'link_down', since: down.since, reason: { code: 'ERR_VESSEL_LINK_DOWN' } },
      });

      // A command sent now waits at the broker; the pilot's timeout (2 s) passes first.
      const sent = await services.commands.send({
        vesselId: VESSEL,
        on: [TGTD],
        off: addresses.filter((a) => a !== TGTD),
      });
      expect((await fleet.settled(sent.commandId)).state).toBe('timed_out');

      link.restore();
      // Back: the vessel gets the queued command, applies it, and its verified ack settles the command.
      const fate = await eventually(() => {
        const v = services.commands.list().find((c) => c.commandId === sent.commandId);
        return v?.state === 'applied' ? v : undefined;
      }, 'the late verified ack');
      expect(fate.ackVerified).toBe(true);
      await eventually(
        () => services.fleet.vessel(VESSEL)?.linkReport?.state === 'up' || undefined,
        'link up again',
      );
      expect(services.fleet.vessel(VESSEL)?.link.state).toBe('connected');
    } finally {
      await vessel.endAsync(true);
      await link.close();
    }
  });

  it("lists the vessels' verified alerts, never a forged one", async () => {
    const services = fleet.services;
    if (services.commands.connection().state !== 'connected') await services.commands.connect();
    const entity = fleet.vesselEntity;
    const client = await mqtt.connectAsync(fleet.broker.url, {
      protocolVersion: 5,
      key: encodePem('PRIVATE KEY', await exportPkcs8(entity.keys.privateKey)),
      cert: certificatesToPem(entity.chain),
      ca: [certificateToPem(fleet.pki.root.certificate)],
    });
    const vesselSigner = createSigner({ privateKey: entity.keys.privateKey, chain: entity.chain });
    const pilotSigner = createSigner({ privateKey: fleet.pilot.keys.privateKey, chain: fleet.pilot.chain });
    const before = services.fleet.alerts().length;
    // Signed by a pilot's key (published on the vessel's topic by the vessel's own connection): refused.
    const forged = await signAlert(pilotSigner, {
      clock: Date.now,
      kind: 'crl-stale',
      code: 'ERR_CRL_STALE',
      message: 'forged',
    });
    await client.publishAsync(topics.alert(VESSEL), forged.token, { qos: 1 });
    const real = await signAlert(vesselSigner, {
      clock: Date.now,
      kind: 'renewal-failing',
      code: 'ERR_RENEWAL_FAILED',
      message: 'renewal failed 3 times',
    });
    await client.publishAsync(topics.alert(VESSEL), real.token, { qos: 1 });
    await eventually(() => services.fleet.alerts().length > before || undefined, 'the vessel alert');
    expect(services.fleet.alerts()[0]).toMatchObject({
      vesselId: VESSEL,
      kind: 'renewal-failing',
      code: 'ERR_RENEWAL_FAILED',
      message: 'renewal failed 3 times',
    });
    expect(services.fleet.alerts().some((a) => a.message === 'forged')).toBe(false);
    await client.endAsync();
  });

  it('drops a broker whose certificate a newer CRL revokes, and shows ERR_BROKER_REVOKED and an alert', async () => {
    const services = fleet.services;
    if (services.commands.connection().state !== 'connected') await services.commands.connect();
    const ca = await mqtt.connectAsync(fleet.broker.url, {
      protocolVersion: 5,
      key: encodePem('PRIVATE KEY', await exportPkcs8(fleet.caEntity.keys.privateKey)),
      cert: certificatesToPem(fleet.caEntity.chain),
      ca: [certificateToPem(fleet.pki.root.certificate)],
    });
    const revoked = await fleet.pki.issuingCrl(
      [{ serial: fleet.brokerEntity.certificate.serialNumber, revokedAt: new Date(Date.now() - 1000) }],
      { crlNumber: 10_000 },
    );
    await ca.publishAsync(topics.crl(), crlToPem(revoked), { qos: 1, retain: true });
    await ca.endAsync();
    const status = await eventually(() => {
      const c = services.commands.connection();
      return c.lastError?.code === 'ERR_BROKER_REVOKED' ? c : undefined;
    }, 'the broker refused');
    expect(status.state).toBe('error');
    expect(status.broker?.revocation).toBe('revoked');
    expect(services.fleet.alerts()[0]).toMatchObject({
      vesselId: null,
      kind: 'broker-revoked',
      code: 'ERR_BROKER_REVOKED',
    });
    // Every reconnect is refused in the handshake: never connected again, and one alert for the streak.
    await new Promise((r) => setTimeout(r, 2500));
    expect(services.commands.connection().state).not.toBe('connected');
    expect(services.fleet.alerts().filter((a) => a.kind === 'broker-revoked')).toHaveLength(1);
    await services.commands.disconnect();
  });
});
