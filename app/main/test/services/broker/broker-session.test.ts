/**
 * The console's broker session (through the command channel's API) against a real Mosquitto: the first connection
 * with TLS details and the broker's certificate, a refused first connection, the client swapped for a renewed
 * certificate, and reconnection with backoff after a broker restart.
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freePort } from '@helmlink/protocol/node';
import { codeOf } from '../../helpers/console';
import { eventually } from '../../helpers/net';
import { TGTD, VESSEL, addresses, useScriptedFleet, type ScriptedFleet } from '../../helpers/scripted-fleet';

let fleet: ScriptedFleet;
let services: ScriptedFleet['services'];

useScriptedFleet((f) => {
  fleet = f;
  services = f.services;
});

describe('broker session over mutual TLS', () => {
  it('refuses a first connection that fails, with ERR_BROKER_CONNECT, and stays disconnected', async () => {
    const url = `mqtts://127.0.0.1:${await freePort()}`;
    services.settings.update({ brokerUrl: url });
    try {
      expect(await codeOf(services.commands.connect())).toBe('ERR_BROKER_CONNECT');
      expect(services.commands.connection()).toMatchObject({
        state: 'disconnected',
        brokerUrl: url,
        lastError: { code: 'ERR_BROKER_CONNECT' },
      });
    } finally {
      services.settings.update({ brokerUrl: fleet.broker.url });
    }
  });

  it('connects: TLS details, MQTT 5, the broker certificate verified against the CRL', async () => {
    const status = await services.commands.connect();
    expect(status).toMatchObject({
      state: 'connected',
      brokerUrl: fleet.broker.url,
      mqttVersion: 5,
      lastError: null,
    });
    expect(status.tlsVersion).toMatch(/^TLSv1\.[23]$/u);
    expect(status.broker).toMatchObject({ verified: true, revocation: 'good' });
    await eventually(() => services.fleet.vessel(VESSEL)?.verified, 'verified vessel state');
  });

  it('reconnects with the renewed certificate, and commands carry the new one', async () => {
    fleet.vessel.mode = 'apply';
    const before = services.identity.status().certificate!.serial;
    const states: string[] = [];
    const unsubscribe = services.events.subscribe(
      (e, p) => e === 'fleet.connection' && states.push((p as { state: string }).state),
    );
    await services.identity.renew();
    await eventually(
      () => states.includes('connecting') && services.commands.connection().state === 'connected',
      'reconnect with the renewed certificate',
    );
    unsubscribe();
    const after = services.identity.status().certificate!.serial;
    expect(after).not.toBe(before);
    // A fresh verified state (an earlier test may have left a flagged one).
    await fleet.vessel.publishState();
    await eventually(() => services.fleet.vessel(VESSEL)?.verified, 'verified state again');
    const sent = await services.commands.send({ vesselId: VESSEL, on: [], off: addresses });
    expect((await fleet.settled(sent.commandId)).state).toBe('applied');
    const token = services.audit.search({ commandId: sent.commandId, kinds: ['command.sent'] }).entries[0]!
      .token!;
    const x5c = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { x5c: string[] };
    expect(new X509Certificate(Buffer.from(x5c.x5c[0]!, 'base64')).serialNumber.toLowerCase()).toBe(after);
  });

  it('reconnects by itself with backoff after the broker restarts, and commands flow again', async () => {
    fleet.vessel.mode = 'apply';
    const states: string[] = [];
    const unsubscribe = services.events.subscribe(
      (e, p) => e === 'fleet.connection' && states.push((p as { state: string }).state),
    );
    await fleet.broker.restart();
    await eventually(() => states.includes('connected'), 'connected again', 20_000);
    unsubscribe();
    expect(states).toContain('reconnecting');
    expect(states.indexOf('reconnecting')).toBeLessThan(states.indexOf('connected'));
    await eventually(() => fleet.vesselClient.connected, 'the scripted vessel back');
    const sent = await services.commands.send({
      vesselId: VESSEL,
      on: [TGTD],
      off: addresses.filter((a) => a !== TGTD),
    });
    expect((await fleet.settled(sent.commandId)).state).toBe('applied');
  });

  it('disconnects', async () => {
    expect((await services.commands.disconnect()).state).toBe('disconnected');
  });
});
