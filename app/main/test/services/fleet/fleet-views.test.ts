/**
 * The fleet views against a real Mosquitto and a scripted vessel that signs real tokens: the vessel named by its
 * certificate, the derived status through a command's life (pending → applied / rejected with the ship's words),
 * the data indicator stopped at once, stale when its signed state expires (link down is the vessel's own signed
 * word: vessel-reports.test.ts), stale when the console's own link is gone, a revoked vessel called revoked, and the batched `fleet.changed` events.
 */
import { describe, expect, it } from 'vitest';
import type { EventMap, VesselView } from '@helmlink/app-preload';
import { topics } from '@helmlink/protocol';
import { codeOf } from '../../helpers/console';
import { eventually } from '../../helpers/net';
import {
  PASS,
  TGTD,
  VESSEL,
  VESSEL_IDENTITY,
  addresses,
  useScriptedFleet,
  type ScriptedFleet,
} from '../../helpers/scripted-fleet';

let fleet: ScriptedFleet;
let services: ScriptedFleet['services'];

useScriptedFleet((f) => {
  fleet = f;
  fleet.vessel.reportLastJti = true;
  services = f.services;
});

const view = (): VesselView => services.fleet.vessel(VESSEL)!;
const until = (status: VesselView['status'], what: string = status) =>
  eventually(() => (services.fleet.vessel(VESSEL)?.status === status ? view() : undefined), what);
/** Connected again: the status then shows the last command's outcome (applied), not stale. */
const untilLive = (what: string) =>
  eventually(() => (view().link.state === 'connected' ? view() : undefined), what);
const tgtdOn = { vesselId: VESSEL, on: [TGTD], off: addresses.filter((a) => a !== TGTD) };
const allOff = { vesselId: VESSEL, on: [], off: addresses };

describe('fleet views', () => {
  it('name, IMO, MMSI and flag from the verified certificate; verified, connected, pushed in batches', async () => {
    const batches: EventMap['fleet.changed'][] = [];
    const stop = services.events.subscribe((e, p) => {
      if (e === 'fleet.changed') batches.push(p as EventMap['fleet.changed']);
    });
    try {
      await services.commands.connect();
      const v = await until('verified');
      expect(v).toMatchObject({
        identity: VESSEL_IDENTITY,
        link: { state: 'connected', reason: null },
        statusReason: null,
        pendingChanges: 0,
        lastCommand: null,
        streamsOn: 0,
        requestedBitrateBps: 0,
        verified: true,
      });
      expect(Date.parse(v.lastVerifiedAt!)).toBeGreaterThan(Date.now() - 60_000);
      await eventually(
        () => batches.some((b) => b.changed.some((c) => c.vesselId === VESSEL && c.status === 'verified')),
        'a fleet.changed batch with the vessel',
      );
    } finally {
      stop();
    }
  });

  it('pending with the changes it would make, then applied with its round trip; toggles follow the state', async () => {
    fleet.vessel.mode = 'hold';
    fleet.vessel.held = undefined;
    const sent = await services.commands.send(tgtdOn);
    const pending = await until('pending');
    expect(pending).toMatchObject({
      pendingChanges: 1,
      requestedBitrateBps: 256_000,
      activeBitrateBps: 0,
      lastCommand: { commandId: sent.commandId, state: 'pending' },
    });
    expect(sent).toMatchObject({
      vessel: { vesselId: VESSEL, name: VESSEL_IDENTITY.name, imo: VESSEL_IDENTITY.imo },
      changes: [{ id: 'TGTD', name: 'Target data', address: TGTD, on: true }],
    });
    // exp = iat (whole seconds) + the 30 s lifetime.
    expect(Date.parse(sent.expiresAt)).toBe(Math.floor(Date.parse(sent.sentAt) / 1000) * 1000 + 30_000);
    (await eventually(() => fleet.vessel.held, 'the vessel holding the command'))();
    const applied = await eventually(
      () => (view().status === 'applied' && view().streamsOn === 1 ? view() : undefined),
      'applied with the new state',
    );
    expect(applied).toMatchObject({
      pendingChanges: 0,
      activeBitrateBps: 256_000,
      requestedBitrateBps: 256_000,
      lastAppliedCommandId: sent.commandId,
      lastCommand: { commandId: sent.commandId, state: 'applied' },
    });
    expect(applied.lastRttMs).toBeGreaterThan(0);
    fleet.vessel.mode = 'apply';
  });

  it("rejected with the ship's words once; the pending changes are settled (toggles snap back)", async () => {
    fleet.vessel.mode = 'reject';
    fleet.vessel.rejection = {
      reason: 'ERR_HOOK_REJECTED',
      reasonText: 'the voyage data recorder feed (VDRD) must stay on',
    };
    try {
      const sent = await services.commands.send(allOff);
      const settled = await fleet.settled(sent.commandId);
      expect(settled.reason).toEqual({
        code: 'ERR_HOOK_REJECTED',
        message: 'The ship systems hook refused the new state (non-zero exit, timeout or not runnable)',
        vesselText: 'the voyage data recorder feed (VDRD) must stay on',
      });
      expect(await until('rejected')).toMatchObject({
        statusReason: { code: 'ERR_HOOK_REJECTED', vesselText: settled.reason!.vesselText },
        pendingChanges: 0,
        requestedBitrateBps: 256_000,
        streamsOn: 1,
      });
      const [entry] = services.audit.search({ commandId: sent.commandId, kinds: ['ack.verified'] }).entries;
      expect(entry).toMatchObject({
        vessel: { vesselId: VESSEL, name: VESSEL_IDENTITY.name, imo: VESSEL_IDENTITY.imo },
        streams: [{ id: 'TGTD', on: false }],
        code: 'ERR_HOOK_REJECTED',
        vesselText: 'the voyage data recorder feed (VDRD) must stay on',
      });
      // Searchable by the ship's name, the stream's name and its words.
      for (const text of ['test tern', 'target data', 'must stay on'])
        expect(services.audit.search({ text, commandId: sent.commandId }).total).toBeGreaterThan(0);
    } finally {
      fleet.vessel.mode = 'apply';
      fleet.vessel.rejection = { reason: 'ERR_STREAM_UNKNOWN' };
    }
  });

  it('reports a stream as stopped as soon as its OFF applied, whatever still is in the rate window', async () => {
    const timer = setInterval(
      () => void fleet.vesselClient.publishAsync(topics.data(VESSEL, 'TGTD'), '$AITTM,1', { qos: 0 }),
      20,
    );
    try {
      const flowing = await eventually(
        () => services.commands.rates().rates.find((r) => r.streamId === 'TGTD' && r.flow === 'flowing'),
        'TGTD flowing',
      );
      expect(flowing.messagesPerSecond).toBeGreaterThan(0);
      const pushed: EventMap['fleet.rates'][] = [];
      const stop = services.events.subscribe((e, p) => {
        if (e === 'fleet.rates') pushed.push(p as EventMap['fleet.rates']);
      });
      const sent = await services.commands.send(allOff);
      expect((await fleet.settled(sent.commandId)).state).toBe('applied');
      await eventually(() => view().streamsOn === 0, 'the state with TGTD off');
      const tgtd = services.commands.rates().rates.find((r) => r.streamId === 'TGTD')!;
      expect(tgtd).toMatchObject({ flow: 'stopped', messagesPerSecond: 0 });
      // Pushed without waiting for the next second (the state change nudges the timer).
      await eventually(
        () => pushed.some((s) => s.rates.some((r) => r.streamId === 'TGTD' && r.flow === 'stopped')),
        'a pushed snapshot with TGTD stopped',
      );
      stop();
      expect(
        services.commands
          .rates()
          .rates.filter((r) => r.vesselId === VESSEL && r.streamId !== 'TGTD')
          .every((r) => r.flow === 'stopped'),
      ).toBe(true);
    } finally {
      clearInterval(timer);
    }
  });

  it('stale when its signed state expires; live again with a fresh state', async () => {
    // Expires (with the 30 s tolerance) about 1.5 s from now: verified on arrival, then the sweep turns it stale.
    await fleet.vessel.publishState({ clock: () => Date.now() - 29_000, expiresInSeconds: 1 });
    await eventually(() => view().lastVerifiedAt && view().link.state === 'connected', 'the expiring state');
    const down = await until('stale');
    expect(down.link).toMatchObject({ state: 'stale', reason: { code: 'ERR_VESSEL_SILENT' } });
    expect(down.statusReason).toMatchObject({ code: 'ERR_VESSEL_SILENT' });
    expect(down.link.since).toBe(down.lastVerifiedAt);
    // Not current any more: flagged, the last verified state still shown (dimmed), commands refused with its words.
    expect(down).toMatchObject({ verified: false, unverified: { code: 'ERR_CMD_EXPIRED' }, streamsOn: 0 });
    expect(await codeOf(services.commands.send(allOff))).toBe('ERR_VESSEL_SILENT');
    await fleet.vessel.publishState();
    expect((await untilLive('live again')).status).toBe('applied');
    // A genuine state that arrives already expired: stale at once, the last verified state kept.
    await fleet.vessel.publishState({ clock: () => Date.now() - 120_000, expiresInSeconds: 60 });
    const quiet = await until('stale', 'stale on an expired state');
    expect(quiet).toMatchObject({ verified: false, unverified: { code: 'ERR_CMD_EXPIRED' } });
    expect(quiet.streams).toHaveLength(addresses.length);
    await fleet.vessel.publishState();
    await untilLive('live again');
  });

  it('refused connects leave the live session alone: no broker address, a locked key', async () => {
    const url = services.settings.get().brokerUrl;
    services.settings.update({ brokerUrl: null });
    try {
      expect(await codeOf(services.commands.connect())).toBe('ERR_BROKER_NOT_SET');
    } finally {
      services.settings.update({ brokerUrl: url });
    }
    services.identity.lock();
    try {
      expect(await codeOf(services.commands.connect())).toBe('ERR_IDENTITY_LOCKED');
    } finally {
      await services.identity.unlock(PASS);
    }
    expect(services.commands.connection().state).toBe('connected');
    // Already connected to that broker: the same session.
    expect((await services.commands.connect()).since).toBe(services.commands.connection().since);
  });

  it("stale, with the console's reason, once its own link is gone; rates unknown; the saved broker still shown", async () => {
    const connections: EventMap['fleet.connection'][] = [];
    const stop = services.events.subscribe((e, p) => {
      if (e === 'fleet.connection') connections.push(p as EventMap['fleet.connection']);
    });
    await services.commands.disconnect();
    const stale = await until('stale');
    expect(stale.link).toMatchObject({ state: 'stale', reason: { code: 'ERR_NOT_CONNECTED' } });
    expect(stale.link.since).toBe(services.commands.connection().since);
    expect(services.commands.rates().rates.every((r) => r.flow === 'unknown')).toBe(true);
    expect(services.commands.connection()).toMatchObject({
      state: 'disconnected',
      brokerUrl: fleet.broker.url,
    });
    // A newly saved address is the one shown (and pushed) at once.
    services.settings.update({ brokerUrl: 'mqtts://broker.example.org:8883' });
    expect(connections.at(-1)).toMatchObject({
      state: 'disconnected',
      brokerUrl: 'mqtts://broker.example.org:8883',
    });
    services.settings.update({ brokerUrl: fleet.broker.url });
    stop();
    await services.commands.connect();
    expect((await untilLive('live again')).status).toBe('applied');
  });

  it('a revoked vessel is called revoked (state, signer, refusal), not unknown', async () => {
    fleet.ca.issued.push({
      serial: fleet.vesselEntity.certificate.serialNumber.toLowerCase(),
      entityId: VESSEL,
      role: 'vessel',
      cert: fleet.vesselEntity.certificate,
      status: 'revoked',
      reason: 1,
      revokedAt: new Date(Date.now() - 1000),
    });
    await services.commands.refreshCrl();
    const v = await until('unverified');
    expect(v).toMatchObject({
      verified: false,
      unverified: { code: 'ERR_CHAIN_REVOKED' },
      link: { state: 'unverified', reason: { code: 'ERR_CHAIN_REVOKED' } },
      signer: { verified: false, revocation: 'revoked' },
      identity: VESSEL_IDENTITY,
    });
    expect(await codeOf(services.commands.send(allOff))).toBe('ERR_VESSEL_REVOKED');
  });
});
