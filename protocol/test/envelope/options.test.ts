// The verifiers' and signers' numeric options. Each number is a security choice; one that is not finite would turn
// a time or size check into one that always passes (NaN compares false, Infinity always wins), so it is refused as
// a caller bug (TypeError) before any token is looked at.
import { beforeAll, describe, expect, it } from 'vitest';
import { frozenClock } from '../../src/clock';
import {
  signAck,
  signCommand,
  signState,
  verifyAck,
  verifyCommand,
  verifyState,
  type VerifyOptions,
} from '../../src/envelope';
import { isHelmlinkError } from '../../src/errors';
import { MemoryReplayStore } from '../../src/replay';
import { ALL, CATALOG, clock, CMD, createWorld, NOW, VESSEL, type World } from './fixtures';

let w: World;
let commandToken: string;
let ackToken: string;
let stateToken: string;
beforeAll(async () => {
  w = await createWorld();
  const command = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
  commandToken = command.token;
  ackToken = (
    await signAck(w.vesselSigner, {
      audience: 'pilot-1',
      inReplyTo: command.claims.jti,
      commandToken,
      status: 'applied',
      state: { on: ALL.slice(0, 4), off: ALL.slice(4) },
      clock,
    })
  ).token;
  stateToken = (
    await signState(w.vesselSigner, { clock, catalog: CATALOG, on: ALL, off: [], lastJti: null, seq: 1 })
  ).token;
});

/** Runs every verifier with `extra` options and returns what each threw. */
async function verifiersWith(extra: Partial<VerifyOptions>): Promise<unknown[]> {
  const base = { trust: w.trust(), clock, ...extra };
  const outcomes = [
    verifyCommand(commandToken, { ...base, audience: VESSEL, replay: new MemoryReplayStore() }),
    verifyAck(ackToken, { ...base, vesselId: VESSEL, audience: 'pilot-1', commandToken }),
    verifyState(stateToken, { ...base, vesselId: VESSEL }),
  ];
  return Promise.all(
    outcomes.map((p) =>
      p.then(
        () => 'accepted',
        (err: unknown) => err,
      ),
    ),
  );
}

const typeError = (message: string) => expect.objectContaining({ name: 'TypeError', message });

describe('numeric options are finite or refused (fail-open guards)', () => {
  it('a clock returning NaN (a broken time source) is a TypeError, never a token accepted at no time', async () => {
    for (const outcome of await verifiersWith({ clock: () => Number.NaN }))
      expect(outcome).toEqual(typeError('the clock must return epoch milliseconds'));
    for (const outcome of await verifiersWith({ clock: () => Number.POSITIVE_INFINITY }))
      expect(outcome).toEqual(typeError('the clock must return epoch milliseconds'));
  });

  it('a NaN, infinite or negative clock tolerance is a TypeError (an infinite one would accept expired tokens)', async () => {
    for (const tolerance of [Number.NaN, Number.POSITIVE_INFINITY, -1])
      for (const outcome of await verifiersWith({ clockToleranceSeconds: tolerance }))
        expect(outcome).toEqual(typeError('clockToleranceSeconds must be a finite number >= 0'));
    // Zero is a valid tolerance.
    expect(await verifiersWith({ clockToleranceSeconds: 0 })).toEqual(['accepted', 'accepted', 'accepted']);
  });

  it('a maximum lifetime outside (0, 300] or NaN is a TypeError', async () => {
    for (const lifetime of [Number.NaN, 0, 301])
      for (const outcome of (await verifiersWith({ maxLifetimeSeconds: lifetime })).slice(0, 2))
        expect(outcome).toEqual(typeError('maxLifetimeSeconds must be in (0, 300]'));
    expect((await verifiersWith({ maxLifetimeSeconds: 300 }))[0]).toBe('accepted');
  });

  it('a NaN or fractional token size limit is a TypeError (NaN would lift the limit)', async () => {
    for (const size of [Number.NaN, Number.POSITIVE_INFINITY, 0, 1.5])
      for (const outcome of await verifiersWith({ maxTokenBytes: size }))
        expect(outcome).toEqual(typeError('maxTokenBytes must be a positive integer'));
    // The smallest limit is still applied: a 1-byte limit refuses every token as too large.
    for (const outcome of await verifiersWith({ maxTokenBytes: 1 }))
      expect(isHelmlinkError(outcome, 'ERR_TOKEN_TOO_LARGE')).toBe(true);
  });

  it('a NaN or negative maximum state age is a TypeError (NaN would make every state young enough)', async () => {
    for (const age of [Number.NaN, -1]) {
      await expect(
        verifyState(stateToken, { trust: w.trust(), clock, vesselId: VESSEL, maxAgeSeconds: age }),
      ).rejects.toEqual(typeError('maxAgeSeconds must be a finite number >= 0'));
    }
    await expect(
      verifyState(stateToken, { trust: w.trust(), clock, vesselId: VESSEL, maxAgeSeconds: 0 }),
    ).resolves.toBeDefined();
  });

  it('signing with a NaN clock, or a state expiring in NaN seconds, is a TypeError (no token with null times)', async () => {
    await expect(
      signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock: () => Number.NaN }),
    ).rejects.toEqual(typeError('the clock must return epoch milliseconds'));
    const state = { catalog: CATALOG, on: ALL, off: [], lastJti: null, seq: 1 };
    await expect(signState(w.vesselSigner, { ...state, clock: () => Number.NaN })).rejects.toEqual(
      typeError('the clock must return epoch milliseconds'),
    );
    for (const expiresInSeconds of [Number.NaN, 0, 1.5, 86_401])
      await expect(signState(w.vesselSigner, { ...state, clock, expiresInSeconds })).rejects.toEqual(
        typeError('expiresInSeconds must be an integer in 1..86400'),
      );
    const { claims } = await signState(w.vesselSigner, { ...state, clock, expiresInSeconds: 1 });
    expect(claims.exp).toBe(claims.iat + 1);
  });
});

describe('replay protection with a moving clock', () => {
  it('a command replayed 1 s, 2.5 s and 29 s later is still a replay (the cache prunes in seconds, not ms)', async () => {
    const moving = frozenClock(NOW);
    const replay = new MemoryReplayStore();
    const opts = { trust: w.trust(), clock: moving, audience: VESSEL, replay };
    await verifyCommand(commandToken, opts);
    for (const later of [1_000, 1_500, 26_500]) {
      moving.advance(later);
      await expect(verifyCommand(commandToken, opts)).rejects.toSatisfy((err) =>
        isHelmlinkError(err, 'ERR_REPLAY'),
      );
    }
  });
});
