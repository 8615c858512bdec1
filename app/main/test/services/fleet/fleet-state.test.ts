/**
 * The console's fleet state against real signed state tokens: a replayed old state is refused whatever the view
 * shows (also after a restart: the highest verified sequence number is persisted), and states expire unless the
 * vessel re-signs them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  IEC_61162_450_CATALOG,
  createSigner,
  frozenClock,
  isHelmlinkError,
  signState,
  type Signer,
} from '@helmlink/protocol';
import { createTestPki, type TestPki } from '@helmlink/protocol/testing';
import { FleetState } from '../../../src/services/fleet/fleet-state';
import { StateSequences } from '../../../src/services/fleet/state-sequences';
import { TrustMaterial } from '../../../src/services/fleet/trust-material';
import { ConsoleEvents } from '../../../src/services/core/events';
import { tempDir } from '../../helpers/console';

const VESSEL = 'MV-STATE';
const catalog = IEC_61162_450_CATALOG;
const all = catalog.streams.map((s) => s.address);

let pki: TestPki;
let signer: Signer;
let trust: TrustMaterial;

beforeAll(async () => {
  pki = await createTestPki();
  const vessel = await pki.issue(VESSEL, ['vessel']);
  signer = createSigner({ privateKey: vessel.keys.privateKey, chain: vessel.chain });
  trust = new TrustMaterial({
    root: pki.root.certificate,
    issuers: [pki.issuing.certificate],
    revocation: { mode: 'off' },
  });
});

/** A fleet state over the sequence file in `dir`, at a frozen time. */
function fleetAt(dir: string, at = pki.now.getTime()) {
  const clock = frozenClock(new Date(at));
  const events = new ConsoleEvents();
  const pushed: unknown[] = [];
  events.subscribe((event, payload) => event === 'fleet.vessels' && pushed.push(payload));
  const fleet = new FleetState({
    clock,
    events,
    sequences: StateSequences.open(join(dir, 'fleet-seq.json')),
  });
  fleet.setTrust(trust);
  return { fleet, clock, pushed };
}

const state = async (seq: number, on: string[], o: { at?: number; lifetime?: number } = {}) =>
  Buffer.from(
    (
      await signState(signer, {
        clock: () => o.at ?? pki.now.getTime(),
        catalog,
        on,
        off: all.filter((a) => !on.includes(a)),
        lastJti: null,
        seq,
        ...(o.lifetime ? { expiresInSeconds: o.lifetime } : {}),
      })
    ).token,
  );

describe('fleet state: rollback', () => {
  it('refuses an old genuine state after garbage on the state topic (ERR_STATE_ROLLBACK), not shown as verified', async () => {
    const { fleet } = fleetAt(tempDir());
    const old = await state(1, all);
    await fleet.onStateMessage(VESSEL, old);
    await fleet.onStateMessage(VESSEL, await state(2, []));
    expect(fleet.vessel(VESSEL)).toMatchObject({ verified: true });
    await fleet.onStateMessage(VESSEL, Buffer.from('garbage'));
    expect(fleet.vessel(VESSEL)).toMatchObject({
      verified: false,
      unverified: { code: 'ERR_TOKEN_MALFORMED' },
    });
    await fleet.onStateMessage(VESSEL, old);
    const view = fleet.vessel(VESSEL)!;
    expect(view.verified).toBe(false);
    expect(view.unverified).toMatchObject({ code: 'ERR_STATE_ROLLBACK' });
    expect(view.unverified!.message).toContain('state sequence 1 is older than 2');
    expect(view.streams.every((s) => !s.on)).toBe(true);
    expect(fleet.verifiedState(VESSEL)).toBeNull();
    // The same sequence number re-signed (a refresh before exp) and a newer one are accepted.
    await fleet.onStateMessage(VESSEL, await state(2, [], { at: pki.now.getTime() + 1000 }));
    expect(fleet.vessel(VESSEL)!.verified).toBe(true);
  });

  it('keeps a verified newer view when an old state arrives, and remembers the highest sequence across restarts', async () => {
    const dir = tempDir();
    const { fleet: first, pushed } = fleetAt(dir);
    const old = await state(3, all);
    await first.onStateMessage(VESSEL, old);
    await first.onStateMessage(VESSEL, await state(9, []));
    await first.onStateMessage(VESSEL, old);
    expect(first.vessel(VESSEL)).toMatchObject({ verified: true, unverified: null });
    expect(first.verifiedState(VESSEL)?.seq).toBe(9);
    // A newer CRL re-verifies the state the view rests on (verified again: pushed), not the refused old one.
    first.flush();
    const before = pushed.length;
    await first.reverifyAll();
    first.flush(); // changes are pushed in batches: push this one now
    expect(pushed.length).toBe(before + 1);
    expect(first.vessel(VESSEL)).toMatchObject({ verified: true, unverified: null });
    expect(first.verifiedState(VESSEL)?.seq).toBe(9);

    // A fresh console (new process) over the same data folder: the old token is refused at once.
    const restarted = fleetAt(dir).fleet;
    await restarted.onStateMessage(VESSEL, old);
    expect(restarted.vessel(VESSEL)).toMatchObject({
      verified: false,
      unverified: { code: 'ERR_STATE_ROLLBACK' },
    });
    await restarted.onStateMessage(VESSEL, await state(9, []));
    expect(restarted.vessel(VESSEL)!.verified).toBe(true);
  });

  it('refuses to start over a damaged sequence file instead of resetting it (ERR_FLEET_STORE)', () => {
    const dir = tempDir();
    for (const damaged of ['{"MV-STATE": -1}', 'not json', '[1]', '{"MV/STATE": 1}']) {
      writeFileSync(join(dir, 'fleet-seq.json'), damaged);
      let err: unknown;
      try {
        StateSequences.open(join(dir, 'fleet-seq.json'));
      } catch (e) {
        err = e;
      }
      expect(isHelmlinkError(err, 'ERR_FLEET_STORE'), damaged).toBe(true);
    }
  });
});

describe('fleet state: expiry', () => {
  it('shows an expired state token as stale, and a verified state as stale once its exp passes', async () => {
    const start = pki.now.getTime();
    const { fleet, clock, pushed } = fleetAt(tempDir(), start);
    // Signed 20 minutes ago with the default 15-minute lifetime: stale on arrival.
    await fleet.onStateMessage(VESSEL, await state(1, all, { at: start - 20 * 60_000 }));
    expect(fleet.vessel(VESSEL)).toMatchObject({ verified: false, unverified: { code: 'ERR_CMD_EXPIRED' } });

    await fleet.onStateMessage(VESSEL, await state(2, [], { lifetime: 120 }));
    expect(fleet.vessel(VESSEL)!.verified).toBe(true);
    clock.advance(120_000 + 29_000);
    fleet.checkExpiry();
    expect(fleet.vessel(VESSEL)!.verified).toBe(true);
    fleet.flush();
    const before = pushed.length;
    clock.advance(2_000);
    fleet.checkExpiry();
    fleet.flush(); // changes are pushed in batches: push this one now
    expect(pushed.length).toBe(before + 1);
    const stale = fleet.vessel(VESSEL)!;
    expect(stale).toMatchObject({ verified: false, unverified: { code: 'ERR_CMD_EXPIRED' } });
    expect(stale.unverified!.message).toContain('was not re-signed: it is stale');
    expect(fleet.verifiedState(VESSEL)).toBeNull();
    // The vessel's re-signed state (same seq, new exp) makes it current again.
    await fleet.onStateMessage(VESSEL, await state(2, [], { at: clock(), lifetime: 120 }));
    expect(fleet.vessel(VESSEL)!.verified).toBe(true);
  });
});
