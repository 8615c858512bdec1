/**
 * The demo topology with the embedded aedes broker (no browser): the same command round trip as with Mosquitto,
 * a refused state, a revoked vessel cut off, and a revoked pilot refused by the broker and by the vessel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateToPem, certificatesToPem, describeError, topics } from '@helmlink/protocol';
import { DEMO_VESSELS, startTopology, type Topology } from '@helmlink/cli/demo';
import { brokerAdmits, enrollPilot, roundTrip, signStreams, until, type ScenarioPilot } from './src';

const [nordic, skagen, wadden] = DEMO_VESSELS as [
  (typeof DEMO_VESSELS)[number],
  (typeof DEMO_VESSELS)[number],
  (typeof DEMO_VESSELS)[number],
];
const address = (v: (typeof DEMO_VESSELS)[number], id: string): string =>
  v.catalog.streams.find((s) => s.id === id)!.address;
const allBut = (v: (typeof DEMO_VESSELS)[number], ...ids: string[]): string[] =>
  v.catalog.streams.filter((s) => !ids.includes(s.id)).map((s) => s.address);

let dir: string;
let topology: Topology;
let anna: ScenarioPilot;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'helmlink-e2e-embedded-'));
  topology = await startTopology({
    dataDir: dir,
    broker: 'embedded',
    simulateIntervalMs: 200,
    aclPollMs: 200,
  });
  for (const v of DEMO_VESSELS) await until(() => topology.vessels.get(v.id)!.connected, `${v.id} connected`);
  anna = await enrollPilot(topology, 'pilot-anna');
}, 120_000);

afterAll(async () => {
  await anna?.close();
  await topology?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('demo topology, embedded broker', () => {
  it('says which broker it runs', () => {
    expect(topology.broker.kind).toBe('embedded');
    expect(topology.broker.version).toMatch(/aedes/u);
    expect(topology.urls.mqtt).toBe(`mqtts://127.0.0.1:${topology.ports.mqtt}`);
  });

  it('round trip: a signed command applies on the vessel and the verified ack comes back', async () => {
    const token = await signStreams(anna, nordic.id, nordic.catalog, allBut(nordic, 'CAM-BOW'));
    const { ack } = await roundTrip(anna, nordic.id, token);
    expect(ack.status).toBe('applied');
    expect(ack.state.off).toEqual([address(nordic, 'CAM-BOW')]);
    expect(topology.vessels.get(nordic.id)!.state.off).toEqual([address(nordic, 'CAM-BOW')]);
  });

  it("the demo console's services (MQTT 3.1.1 fallback) send a command and settle it on the verified ack", async () => {
    const services = topology.consoleServices!;
    expect(services.commands.connection()).toMatchObject({ state: 'connected', mqttVersion: 4 });
    await until(
      () => services.fleet.verifiedState(skagen.id) !== null,
      'the verified state of the vessel at the console',
    );
    const off = [address(skagen, 'CAM-BRIDGE')];
    const sent = await services.commands.send({ vesselId: skagen.id, on: allBut(skagen, 'CAM-BRIDGE'), off });
    await until(
      () =>
        services.commands.list(skagen.id).find((c) => c.commandId === sent.commandId)?.state !== 'pending',
      'the command to settle',
    );
    const settled = services.commands.list(skagen.id).find((c) => c.commandId === sent.commandId)!;
    expect(settled).toMatchObject({ state: 'applied', ackVerified: true });
    expect(settled.rttMs).toBeGreaterThan(0);
    expect(topology.vessels.get(skagen.id)!.state.off).toEqual(off);
    // The vessel as its certificate names it, the stream switched by name.
    expect(settled.vessel).toEqual({ vesselId: skagen.id, name: skagen.name, imo: skagen.imo });
    expect(settled.changes).toEqual([
      { id: 'CAM-BRIDGE', name: 'Bridge camera', address: off[0], on: false },
    ]);
    expect(services.fleet.vessel(skagen.id)!.identity).toEqual({
      name: skagen.name,
      imo: skagen.imo,
      mmsi: skagen.mmsi,
      flag: skagen.flag,
    });
  });

  it("the ship's words for a refusal reach the console once: in the command, the vessel's status and the audit", async () => {
    const services = topology.consoleServices!;
    // The round trip above switched CAM-BOW off: switch it on again and VDRD off in one command.
    await until(
      () => services.fleet.verifiedState(nordic.id)?.off.includes(address(nordic, 'CAM-BOW')) === true,
      'the state with CAM-BOW off at the console',
    );
    const sent = await services.commands.send({
      vesselId: nordic.id,
      on: allBut(nordic, 'VDRD'),
      off: [address(nordic, 'VDRD')],
    });
    await until(
      () =>
        services.commands.list(nordic.id).find((c) => c.commandId === sent.commandId)?.state === 'rejected',
      'the refusal',
    );
    const words = 'the voyage data recorder feed (VDRD) must stay on';
    const settled = services.commands.list(nordic.id).find((c) => c.commandId === sent.commandId)!;
    expect(settled.reason).toEqual({
      code: 'ERR_HOOK_REJECTED',
      message: describeError('ERR_HOOK_REJECTED'),
      vesselText: words,
    });
    await until(() => services.fleet.vessel(nordic.id)?.status === 'rejected', 'the vessel status');
    expect(services.fleet.vessel(nordic.id)).toMatchObject({
      status: 'rejected',
      statusReason: { code: 'ERR_HOOK_REJECTED', vesselText: words },
      pendingChanges: 0,
    });
    const [entry] = services.audit.search({ commandId: sent.commandId, kinds: ['ack.verified'] }).entries;
    expect(entry).toMatchObject({
      verdict: 'rejected',
      code: 'ERR_HOOK_REJECTED',
      message: describeError('ERR_HOOK_REJECTED'),
      vesselText: words,
      vessel: { vesselId: nordic.id, name: nordic.name, imo: nordic.imo },
    });
    expect(entry!.message).not.toContain(words);
    expect(entry!.streams!.map((s) => `${s.id} (${s.name}) ${s.on ? 'on' : 'off'}`).sort()).toEqual([
      'CAM-BOW (Bow camera) on',
      'VDRD (VDR data) off',
    ]);
  });

  it('a state the ship systems refuse is rejected with its reason and the state is kept', async () => {
    const token = await signStreams(anna, skagen.id, skagen.catalog, allBut(skagen, 'VDRD'));
    const { ack } = await roundTrip(anna, skagen.id, token);
    expect(ack.status).toBe('rejected');
    expect(ack.reason).toBe('ERR_HOOK_REJECTED');
    expect(ack.reason_text).toBe('the voyage data recorder feed (VDRD) must stay on');
    expect(topology.vessels.get(skagen.id)!.state.on).toContain(address(skagen, 'VDRD'));
  });

  it('a revoked vessel is cut off from the broker and refused when it reconnects', async () => {
    const handle = topology.vessels.get(wadden.id)!;
    const id = {
      keyPem: handle.identity.tlsKeyPem,
      chainPem: certificatesToPem(handle.identity.chain),
      rootPem: certificateToPem(handle.identity.root),
    };
    expect(await brokerAdmits(topology.urls.mqtt, id, 'probe-before')).toBe(true);
    const serial = handle.identity.certificate.serialNumber.toLowerCase();
    await topology.ca.authority.revoke(
      { serial, reason: 1, description: 'e2e: key compromise' },
      { id: 'e2e' },
    );
    await topology.syncBroker();
    await until(() => !handle.connected, 'the revoked vessel to be disconnected');
    expect(await brokerAdmits(topology.urls.mqtt, id, 'probe-after')).toBe(false);
  });

  it('a revoked pilot is refused by the broker, and its command relayed by another pilot is dropped by the vessel', async () => {
    const bert = await enrollPilot(topology, 'pilot-bert');
    const captured = await signStreams(bert, nordic.id, nordic.catalog, allBut(nordic, 'TIME'));
    const { crlNumber } = await topology.ca.authority.revoke(
      { serial: bert.serial, reason: 1, description: 'e2e: stolen laptop' },
      { id: 'e2e' },
    );
    await topology.syncBroker();
    expect(await brokerAdmits(topology.urls.mqtt, bert.identity, 'bert-again')).toBe(false);
    // The vessel learns of the revocation from the CRL the CA publishes retained over MQTT.
    const vessel = topology.vessels.get(nordic.id)!;
    await until(
      async () => ((await vessel.status()).crl.number ?? 0) >= crlNumber,
      'the new CRL at the vessel',
    );
    const handled: { verdict: string; reason?: string; signer?: string }[] = [];
    vessel.events.on('command', (e: { verdict: string; reason?: string; signer?: string }) =>
      handled.push(e),
    );
    await anna.client.publishAsync(topics.cmd(nordic.id), captured, { qos: 1 });
    await until(() => handled.length > 0, 'the vessel to handle the relayed command');
    // A revoked signer is not an authorised one: no ack (no oracle), the state is kept.
    expect(handled[0]).toMatchObject({ verdict: 'dropped' });
    expect(handled[0]!.reason).toMatch(/REVOKED/u);
    expect(vessel.state.on).toContain(address(nordic, 'TIME'));
    // Acks on one topic arrive in order: once Anna's next command is answered, none for Bert's can follow.
    const next = await signStreams(anna, nordic.id, nordic.catalog, allBut(nordic, 'CAM-BOW', 'RCOM'));
    const { ack } = await roundTrip(anna, nordic.id, next);
    expect(ack.status).toBe('applied');
    expect(anna.acks.get(nordic.id)!.filter((raw) => raw.includes(captured.slice(-20)))).toEqual([]);
    await bert.close().catch(() => undefined);
  });
});
