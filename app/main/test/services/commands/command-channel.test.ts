/**
 * The console's command channel against a real Mosquitto (mutual TLS, ACL from the protocol policy) with a scripted
 * vessel that signs real state and ack tokens: verified fleet state, command round trips (applied / rejected /
 * forged ack ignored then timed out / ack while the key is locked), live data rates, TLS details and the broker
 * certificate. Reconnection is in `broker/broker-session.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { createSigner, signState, topics } from '@helmlink/protocol';
import type { VesselView } from '@helmlink/app-preload';
import { codeOf } from '../../helpers/console';
import { eventually } from '../../helpers/net';
import {
  PASS,
  TGTD,
  VESSEL,
  addresses,
  catalog,
  useScriptedFleet,
  type ScriptedFleet,
} from '../../helpers/scripted-fleet';

let fleet: ScriptedFleet;
let services: ScriptedFleet['services'];

useScriptedFleet((f) => {
  fleet = f;
  services = f.services;
});

/** A flagged vessel: not verified (with `code`), its last verified streams kept, no command built for it. */
async function expectFlagged(v: VesselView, code: string): Promise<void> {
  expect(v.verified).toBe(false);
  expect(v.unverified!.code).toBe(code);
  expect(v.streams.every((s) => !s.on || s.address === TGTD)).toBe(true);
  // Known but not verified: its own words (was ERR_VESSEL_UNKNOWN, "Vessel not known").
  expect(await codeOf(services.commands.send({ vesselId: VESSEL, on: [], off: addresses }))).toBe(
    'ERR_VESSEL_UNVERIFIED',
  );
}

describe('command channel over mutual TLS', () => {
  it('refuses to send before it is connected', async () => {
    expect(await codeOf(services.commands.send({ vesselId: VESSEL, on: [], off: addresses }))).toBe(
      'ERR_NOT_CONNECTED',
    );
  });

  it('connects with TLS details, verifies the broker certificate and the vessel state', async () => {
    const status = await services.commands.connect();
    expect(status.state).toBe('connected');
    expect(status.tlsVersion).toMatch(/^TLSv1\.[23]$/u);
    expect(status.cipher).toBeTruthy();
    const vesselView = await eventually(
      () => (services.fleet.vessel(VESSEL)?.verified ? services.fleet.vessel(VESSEL) : undefined),
      'verified vessel state',
    );
    expect(vesselView.streams).toHaveLength(addresses.length);
    expect(vesselView.streams.every((s) => !s.on)).toBe(true);
    expect(vesselView.streams.find((s) => s.id === 'TGTD')).toMatchObject({
      critical: true,
      bitrateBps: 256_000,
    });
    expect(vesselView.signer).toMatchObject({ verified: true, revocation: 'good' });
    expect(vesselView.signer!.chain[0]!.entityId).toBe(VESSEL);
    const brokerView = await eventually(
      () =>
        services.commands.connection().broker?.verified ? services.commands.connection().broker : undefined,
      'broker certificate verified',
    );
    expect(brokerView.chain[0]!.roles).toEqual(['broker']);
    expect(brokerView.revocation).toBe('good');
  });

  it('signs the intent, publishes it and settles it as applied on the verified ack; state follows', async () => {
    fleet.vessel.mode = 'apply';
    const intent = { vesselId: VESSEL, on: [TGTD], off: addresses.filter((a) => a !== TGTD) };
    services.identity.lock();
    expect(await codeOf(services.commands.send(intent))).toBe('ERR_IDENTITY_LOCKED');
    await services.identity.unlock(PASS);
    const sent = await services.commands.send(intent);
    expect(sent.state).toBe('pending');
    const done = await fleet.settled(sent.commandId);
    expect(done).toMatchObject({ state: 'applied', ackVerified: true, reason: null, on: [TGTD] });
    expect(done.rttMs).toBeGreaterThan(0);
    await eventually(
      () => services.fleet.vessel(VESSEL)?.streams.find((s) => s.address === TGTD)?.on,
      'state shows TGTD on',
    );
    expect(services.fleet.vessel(VESSEL)!.activeBitrateBps).toBe(256_000);
    const audit = services.audit.search({ commandId: sent.commandId });
    expect(audit.entries.map((e) => e.kind).sort()).toEqual(['ack.verified', 'command.sent']);
    expect(audit.entries.find((e) => e.kind === 'command.sent')!.token!.split('.')).toHaveLength(3);
  });

  it('shows a rejection with its reason code and words', async () => {
    fleet.vessel.mode = 'reject';
    const sent = await services.commands.send({ vesselId: VESSEL, on: [], off: addresses });
    const done = await fleet.settled(sent.commandId);
    expect(done).toMatchObject({
      state: 'rejected',
      ackVerified: true,
      reason: { code: 'ERR_STREAM_UNKNOWN', message: 'A stream is not in the vessel catalog' },
    });
  });

  it('settles and audits an ack that arrives while the pilot key is locked (the actor is kept with the command)', async () => {
    fleet.vessel.mode = 'hold';
    fleet.vessel.held = undefined;
    const sent = await services.commands.send({
      vesselId: VESSEL,
      on: [TGTD],
      off: addresses.filter((a) => a !== TGTD),
    });
    const release = await eventually(() => fleet.vessel.held, 'the vessel holding the command');
    services.identity.lock();
    try {
      release();
      const done = await fleet.settled(sent.commandId);
      expect(done).toMatchObject({ state: 'applied', ackVerified: true, reason: null });
      const audit = services.audit.search({ commandId: sent.commandId });
      expect(audit.entries.map((e) => e.kind).sort()).toEqual(['ack.verified', 'command.sent']);
      expect(audit.entries.find((e) => e.kind === 'ack.verified')!.actor).toBe(VESSEL);
    } finally {
      await services.identity.unlock(PASS);
    }
  });

  it('ignores an ack that does not verify (signed by a pilot) and times the command out', async () => {
    fleet.vessel.mode = 'forge';
    const sent = await services.commands.send({ vesselId: VESSEL, on: [], off: addresses });
    const done = await fleet.settled(sent.commandId);
    expect(done).toMatchObject({
      state: 'timed_out',
      ackVerified: false,
      reason: { code: 'ERR_COMMAND_TIMEOUT' },
    });
    const kinds = services.audit.search({ commandId: sent.commandId }).entries.map((e) => e.kind);
    expect(kinds).toContain('ack.unverified');
    expect(kinds).toContain('command.timeout');
    expect(
      services.audit.search({ commandId: sent.commandId, kinds: ['ack.unverified'] }).entries[0]!.code,
    ).toBe('ERR_ROLE_FORBIDDEN');
  });
});

describe('command channel: acks naming the vessel certificate by x5t#S256', () => {
  const intent = { vesselId: VESSEL, on: [TGTD], off: addresses.filter((a) => a !== TGTD) };
  const heldCode = (commandId: string) =>
    services.audit.search({ commandId, kinds: ['ack.unverified'] }).entries.find((e) => e.verdict === 'held')
      ?.code;

  it('holds an ack naming a certificate not validated yet and settles it once the next state verifies', async () => {
    await fleet.vessel.renew();
    fleet.vessel.mode = 'ack-only';
    const sent = await services.commands.send(intent);
    await eventually(() => heldCode(sent.commandId), 'the ack held');
    expect(heldCode(sent.commandId)).toBe('ERR_JOSE_X5T_UNKNOWN');
    expect(services.commands.list(VESSEL).find((c) => c.commandId === sent.commandId)!.state).toBe('pending');
    await fleet.vessel.publishState(); // carries the renewed certificate in x5c
    const done = await fleet.settled(sent.commandId);
    expect(done).toMatchObject({ state: 'applied', ackVerified: true, reason: null });
    const kinds = services.audit.search({ commandId: sent.commandId }).entries.map((e) => e.kind);
    expect(kinds.sort()).toEqual(['ack.unverified', 'ack.verified', 'command.sent']);
  });

  it('settles a held ack as ERR_ACK_UNVERIFIABLE when no state makes its certificate known in time', async () => {
    await fleet.vessel.renew();
    fleet.vessel.mode = 'ack-only';
    try {
      const sent = await services.commands.send(intent);
      const done = await fleet.settled(sent.commandId);
      expect(done).toMatchObject({
        state: 'timed_out',
        ackVerified: false,
        reason: { code: 'ERR_ACK_UNVERIFIABLE' },
      });
      expect(heldCode(sent.commandId)).toBe('ERR_JOSE_X5T_UNKNOWN');
      const timeout = services.audit.search({ commandId: sent.commandId, kinds: ['command.timeout'] });
      expect(timeout.entries[0]!.code).toBe('ERR_ACK_UNVERIFIABLE');
    } finally {
      fleet.vessel.mode = 'apply';
      await fleet.vessel.publishState();
    }
  });
});

describe('command channel: intents, live data and forged states', () => {
  it('checks the intent against the verified catalog before signing', async () => {
    expect(await codeOf(services.commands.send({ vesselId: VESSEL, on: [TGTD], off: [] }))).toBe(
      'ERR_STREAM_MISSING',
    );
    expect(await codeOf(services.commands.send({ vesselId: 'MV-NONE', on: [], off: addresses }))).toBe(
      'ERR_VESSEL_UNKNOWN',
    );
  });

  it('reports live data rates per stream', async () => {
    const timer = setInterval(
      () => void fleet.vesselClient.publishAsync(topics.data(VESSEL, 'TGTD'), '$AITTM,1', { qos: 0 }),
      20,
    );
    try {
      const rate = await eventually(
        () =>
          services.rates
            .snapshot(Date.now())
            .rates.find((r) => r.vesselId === VESSEL && r.streamId === 'TGTD' && r.messagesPerSecond > 0),
        'a TGTD data rate',
      );
      expect(rate.lastMessageAt).not.toBeNull();
    } finally {
      clearInterval(timer);
    }
  });

  it('flags a state that does not verify and stops commanding that vessel', async () => {
    const forged = createSigner({
      privateKey: fleet.otherVessel.keys.privateKey,
      chain: fleet.otherVessel.chain,
    });
    const { token } = await signState(forged, {
      clock: () => Date.now(),
      catalog,
      on: addresses,
      off: [],
      lastJti: null,
      seq: 1000,
    });
    await fleet.vesselClient.publishAsync(topics.state(VESSEL), token, { qos: 1, retain: true });
    const v = await eventually(
      () => (services.fleet.vessel(VESSEL)?.unverified ? services.fleet.vessel(VESSEL) : undefined),
      'flagged state',
    );
    await expectFlagged(v, 'ERR_ISS_MISMATCH');
    expect(services.audit.search({ kinds: ['state.unverified'] }).total).toBeGreaterThan(0);
  });

  it('refuses an old genuine state replayed after garbage on the state topic (ERR_STATE_ROLLBACK), whatever the view shows', async () => {
    const vesselSigner = createSigner({
      privateKey: fleet.vesselEntity.keys.privateKey,
      chain: fleet.vesselEntity.chain,
    });
    // A genuine state of this vessel, signed long ago with the lowest sequence number: still within its exp.
    const { token: old } = await signState(vesselSigner, {
      clock: () => Date.now(),
      catalog,
      on: addresses,
      off: [],
      lastJti: null,
      seq: 0,
    });
    await fleet.vesselClient.publishAsync(topics.state(VESSEL), 'garbage', { qos: 1, retain: true });
    await eventually(
      () => (services.fleet.vessel(VESSEL)?.unverified?.code === 'ERR_TOKEN_MALFORMED' ? true : undefined),
      'garbage flagged',
    );
    await fleet.vesselClient.publishAsync(topics.state(VESSEL), old, { qos: 1, retain: true });
    const v = await eventually(
      () =>
        services.fleet.vessel(VESSEL)?.unverified?.code === 'ERR_STATE_ROLLBACK'
          ? services.fleet.vessel(VESSEL)
          : undefined,
      'old state refused',
    );
    await expectFlagged(v, 'ERR_STATE_ROLLBACK');
    expect(v.unverified!.message).toContain('state sequence 0 is older than');
    // The vessel's next genuine state (a higher seq) is verified again.
    await fleet.vessel.publishState();
    await eventually(() => (services.fleet.vessel(VESSEL)?.verified ? true : undefined), 'verified again');
  });

  it('disconnects', async () => {
    expect((await services.commands.disconnect()).state).toBe('disconnected');
  });
});
