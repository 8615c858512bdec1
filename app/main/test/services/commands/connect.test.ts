/**
 * Connecting, as the pilot meets it, against a real Mosquitto and an HTTPS CA: the autoConnect setting honoured
 * after an import and after an unlock; the pilot's own certificate revoked, found by the console's own CRL check
 * while connected and when the broker refuses it: ERR_IDENTITY_REVOKED (not "connection failed"), the identity
 * `revoked` with renewal impossible, every vessel stale with that reason.
 */
import { describe, expect, it } from 'vitest';
import { crlToPem, systemClock } from '@helmlink/protocol';
import { codeOf, tempDir, testServices } from '../../helpers/console';
import { eventually } from '../../helpers/net';
import { opensslEncryptedPem } from '../../helpers/openssl';
import { PASS, VESSEL, useScriptedFleet, type ScriptedFleet } from '../../helpers/scripted-fleet';

let fleet: ScriptedFleet;
let auto: Awaited<ReturnType<typeof testServices>>;

useScriptedFleet((f) => {
  fleet = f;
});

describe('connecting', () => {
  it('auto-connects once the identity is ready (import, unlock) when the setting is on, and not when it is off', async () => {
    const dir = tempDir();
    auto = await testServices(dir, new Date(), { clock: systemClock, alertPollMs: 0, autoConnect: true });
    auto.settings.update({ brokerUrl: fleet.broker.url, caUrl: fleet.ca.url });
    await auto.identity.import({
      format: 'pem',
      ...(await opensslEncryptedPem(dir, fleet.pilot, fleet.pki, 'file')),
      filePassphrase: 'file',
      custody: 'passphrase',
      passphrase: PASS,
      caUrl: fleet.ca.url,
    });
    await eventually(() => auto.commands.connection().state === 'connected', 'connected after the import');
    await auto.commands.disconnect();
    auto.identity.lock();
    await auto.identity.unlock(PASS);
    await eventually(() => auto.commands.connection().state === 'connected', 'connected after the unlock');
    await eventually(() => auto.fleet.vessel(VESSEL)?.status === 'verified', 'the vessel verified');

    await auto.commands.disconnect();
    auto.settings.update({ autoConnect: false });
    auto.identity.lock();
    await auto.identity.unlock(PASS);
    await new Promise((r) => setTimeout(r, 300));
    expect(auto.commands.connection().state).toBe('disconnected');
    auto.settings.update({ autoConnect: true });
    await auto.commands.connect();
  });

  it('finds its own certificate on a newer CRL while connected: ERR_IDENTITY_REVOKED, renewal impossible, vessels stale', async () => {
    fleet.ca.issued[0]!.status = 'revoked';
    fleet.ca.issued[0]!.reason = 1;
    fleet.ca.issued[0]!.revokedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 5_000); // CRL times are whole seconds
    await auto.commands.refreshCrl();
    expect(auto.commands.connection()).toMatchObject({
      state: 'error',
      lastError: {
        code: 'ERR_IDENTITY_REVOKED',
        message: expect.stringContaining('Your certificate was revoked'),
      },
    });
    const status = auto.identity.status();
    expect(status).toMatchObject({
      state: 'revoked',
      renewal: { state: 'impossible', dueAt: null },
      revocation: { reason: 'keyCompromise', revokedAt: fleet.ca.issued[0]!.revokedAt!.toISOString() },
    });
    expect(await codeOf(auto.identity.renew())).toBe('ERR_IDENTITY_REVOKED');
    const v = await eventually(
      () => (auto.fleet.vessel(VESSEL)?.status === 'stale' ? auto.fleet.vessel(VESSEL) : undefined),
      'the vessel stale',
    );
    expect(v.link.reason).toMatchObject({ code: 'ERR_IDENTITY_REVOKED' });
    expect(auto.audit.search({ kinds: ['identity.revoked'] }).entries).toMatchObject([
      { verdict: 'revoked', actor: 'pilot-anna' },
    ]);
    // Still on the CRL: connecting again is refused with the same words, nothing reaches the broker.
    expect(await codeOf(auto.commands.connect())).toBe('ERR_IDENTITY_REVOKED');
    await auto.close();
  });

  it('a broker refusing the revoked certificate is reported as ERR_IDENTITY_REVOKED, not ERR_BROKER_CONNECT', async () => {
    const pilot = fleet.ca.issued[0]!;
    fleet.broker.writeCrl(
      crlToPem(
        await fleet.pki.issuingCrl([{ serial: pilot.serial, revokedAt: pilot.revokedAt!, reason: 1 }], {
          crlNumber: 2,
        }),
      ),
    );
    await fleet.broker.restart();
    const services = fleet.services;
    expect(services.identity.status().state).toBe('ready');
    expect(await codeOf(services.commands.connect())).toBe('ERR_IDENTITY_REVOKED');
    expect(services.commands.connection()).toMatchObject({
      state: 'error',
      lastError: { code: 'ERR_IDENTITY_REVOKED' },
    });
    expect(services.identity.status()).toMatchObject({ state: 'revoked', renewal: { state: 'impossible' } });
  });
});
