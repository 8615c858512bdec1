/**
 * MQTT 5 → 3.1.1 fallback against a broker that only speaks 3.1.1 (aedes over mutual TLS): the vessel retries with
 * 3.1.1 after the refusal and works, because correctness never depends on MQTT 5 features.
 */
import { createServer, type Server } from 'node:tls';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import { certificatesToPem, encodePem, exportPkcs8 } from '@helmlink/protocol';
import { startVessel } from '../../src';
import { PASSPHRASE, TestPilot, createFleet, until, type Fleet } from '../helpers/fleet';
import { freePort } from '@helmlink/protocol/node';

let fleet: Fleet | undefined;
let tlsServer: Server | undefined;
let aedes: Aedes | undefined;

afterAll(async () => {
  tlsServer?.close();
  await new Promise<void>((resolve) => (aedes ? aedes.close(() => resolve()) : resolve()));
  await fleet?.close();
});

describe('protocol fallback', () => {
  it('falls back to MQTT 3.1.1 when the broker refuses MQTT 5, and still applies and acks commands', async () => {
    fleet = await createFleet();
    aedes = await Aedes.createBroker();
    const port = await freePort();
    tlsServer = createServer(
      {
        key: encodePem('PRIVATE KEY', await exportPkcs8(fleet.brokerEntity.keys.privateKey)),
        cert: certificatesToPem(fleet.brokerEntity.chain),
        ca: certificatesToPem([fleet.pki.root.certificate]),
        requestCert: true,
        rejectUnauthorized: true,
      },
      aedes.handle,
    );
    await new Promise<void>((resolve) => tlsServer!.listen(port, '127.0.0.1', () => resolve()));
    const dir = join(fleet.dir, 'vessel-fallback');
    await fleet.writeDataDir(dir);
    const url = `mqtts://127.0.0.1:${port}`;
    const vessel = await startVessel(
      fleet.config(
        { broker: { url, protocolVersion: 5, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } } },
        dir,
      ),
      { passphrase: PASSPHRASE },
    );
    await until(() => vessel.connected, 'connected with 3.1.1');
    expect((await vessel.status()).protocolVersion).toBe(4);
    const pilot = await TestPilot.connect(
      { ...fleet, broker: { ...fleet.broker, url } },
      fleet.pilot,
      'pilot-fallback',
      { protocolVersion: 4 },
    );
    const ack = await pilot.command(await pilot.sign(['239.192.0.4:60004']));
    expect(ack.status).toBe('applied');
    await pilot.close();
    await vessel.close();
  });

  it('retries a refused subscription (broker ACL not updated yet) and becomes ready once it is granted', async () => {
    const f = fleet!;
    let refusals = 0;
    const strict = await Aedes.createBroker({
      authorizeSubscribe: (_client, sub, done) => {
        if (refusals < 2) {
          refusals++;
          done(new Error('not yet'), null);
        } else done(null, sub);
      },
    });
    const port = await freePort();
    const server = createServer(
      {
        key: encodePem('PRIVATE KEY', await exportPkcs8(f.brokerEntity.keys.privateKey)),
        cert: certificatesToPem(f.brokerEntity.chain),
        ca: certificatesToPem([f.pki.root.certificate]),
        requestCert: true,
        rejectUnauthorized: true,
      },
      strict.handle,
    );
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    try {
      const dir = join(f.dir, 'vessel-acl-late');
      await f.writeDataDir(dir);
      const vessel = await startVessel(
        f.config(
          {
            broker: {
              url: `mqtts://127.0.0.1:${port}`,
              protocolVersion: 4,
              reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
            },
          },
          dir,
        ),
        { passphrase: PASSPHRASE },
      );
      await until(() => vessel.connected, 'subscribed after the refusals');
      expect(refusals).toBe(2);
      await vessel.close();
    } finally {
      server.close();
      await new Promise<void>((resolve) => strict.close(() => resolve()));
    }
  });
});
