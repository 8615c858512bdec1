// verifyState, check by check: each test is a retained state a hostile or broken vessel (or a broker replaying an
// old retained message) could publish, signed for real with the vessel's key, and the console's exact refusal.
import { beforeAll, describe, expect, it } from 'vitest';
import { TYP_STATE, verifyState, type VerifyStateOptions } from '../../src/envelope';
import {
  ALL,
  CATALOG,
  createWorld,
  NOW,
  NOW_S,
  rawSign,
  VESSEL,
  x5cOf,
  type World,
  vesselOptionsOf,
  refusal,
  invalid,
} from './fixtures';

let w: World;
beforeAll(async () => {
  w = await createWorld();
});

const options = (extra: Partial<VerifyStateOptions> = {}): VerifyStateOptions => vesselOptionsOf(w, extra);

const LAST = '0b7e3f0e-8a52-4a4c-9d0b-3d7c6f0e2a11';

/** A state's claims as the vessel signs them, with `over` replacing (undefined: removing) claims. */
function stateClaims(over: Record<string, unknown> = {}): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: VESSEL,
    iat: NOW_S,
    jti: globalThis.crypto.randomUUID(),
    catalog: CATALOG,
    on: ALL.slice(0, 4),
    off: ALL.slice(4),
    last_jti: LAST,
    seq: 3,
    ...over,
  };
  // A state expires 15 minutes after it was signed unless the test says otherwise.
  if (!('exp' in over) && typeof claims.iat === 'number') claims.exp = claims.iat + 900;
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return claims;
}

const state = (claims: Record<string, unknown>) =>
  rawSign(w.vessel.keys.privateKey, { alg: 'ES256', typ: TYP_STATE, x5c: x5cOf(w.vessel) }, claims);

describe('verifyState: the claims', () => {
  it('a state verifies with its claims; its lifetime is at most a day', async () => {
    const claims = stateClaims();
    expect((await verifyState(await state(claims), options())).claims).toEqual(claims);
    const day = stateClaims({ exp: NOW_S + 86_400 });
    await expect(verifyState(await state(day), options())).resolves.toBeDefined();
    const longer = await state(stateClaims({ exp: NOW_S + 86_401 }));
    expect(await refusal(verifyState(longer, options()))).toEqual({
      code: 'ERR_CMD_LIFETIME_TOO_LONG',
      message: 'the token lifetime 86401 s exceeds 86400 s',
      details: { lifetime: 86_401, max: 86_400 },
    });
  });

  it('a state past its expiry is ERR_CMD_EXPIRED (a replayed old state must not show a stream as on)', async () => {
    const token = await state(stateClaims({ exp: NOW_S - 31 }));
    expect(await refusal(verifyState(token, options()))).toEqual({
      code: 'ERR_CMD_EXPIRED',
      message: `the token expired at ${new Date((NOW_S - 31) * 1000).toISOString()}`,
      details: { exp: NOW_S - 31 },
    });
    // Within the tolerance it is still current.
    await expect(
      verifyState(await state(stateClaims({ exp: NOW_S - 29 })), options()),
    ).resolves.toBeDefined();
    expect(await refusal(verifyState(await state(stateClaims({ exp: 'later' })), options()))).toEqual(
      invalid('the exp claim must be a NumericDate', 'exp'),
    );
  });

  it('a state issued in the future is ERR_CMD_IAT_IN_FUTURE; iat is required and numeric', async () => {
    expect((await refusal(verifyState(await state(stateClaims({ iat: NOW_S + 31 })), options()))).code).toBe(
      'ERR_CMD_IAT_IN_FUTURE',
    );
    expect(
      await refusal(verifyState(await state(stateClaims({ iat: '1', exp: NOW_S + 60 })), options())),
    ).toEqual(invalid('the iat claim must be a NumericDate', 'iat'));
    expect((await refusal(verifyState(await state(stateClaims({ iat: undefined })), options()))).code).toBe(
      'ERR_CLAIM_MISSING',
    );
  });

  it('a maximum age refuses an old state at the exact boundary (with the tolerance)', async () => {
    const token = await state(stateClaims({ iat: NOW_S - 100 }));
    // now - tolerance (30) = iat + 70: not older than 70 s, older than 69 s.
    await expect(verifyState(token, options({ maxAgeSeconds: 70 }))).resolves.toBeDefined();
    expect(await refusal(verifyState(token, options({ maxAgeSeconds: 69 })))).toEqual({
      code: 'ERR_CMD_EXPIRED',
      message: 'the state is older than 69 s',
      details: undefined,
    });
    await expect(
      verifyState(token, options({ maxAgeSeconds: 69, clockToleranceSeconds: 31 })),
    ).resolves.toBeDefined();
  });

  it("a state whose iss names another vessel than its signer's certificate is ERR_ISS_MISMATCH", async () => {
    expect(
      await refusal(verifyState(await state(stateClaims({ iss: 'vessel-2' })), options())),
    ).toMatchObject({
      code: 'ERR_ISS_MISMATCH',
      message: `iss vessel-2 is not the signer ${VESSEL}`,
    });
  });

  it("another vessel's state (signer and iss honest) is ERR_ISS_MISMATCH naming both", async () => {
    expect(
      await refusal(verifyState(await state(stateClaims()), options({ vesselId: 'vessel-2' }))),
    ).toMatchObject({
      code: 'ERR_ISS_MISMATCH',
      message: `the state is signed by ${VESSEL}, not by vessel-2`,
    });
  });

  it('jti is a UUID string, not an array holding one', async () => {
    expect(await refusal(verifyState(await state(stateClaims({ jti: [LAST] })), options()))).toEqual(
      invalid('the jti claim must be a UUID', 'jti'),
    );
  });

  it('last_jti is a UUID or null', async () => {
    // [LAST] reads as the UUID when coerced to a string: a type check must come first.
    for (const last_jti of ['not-a-uuid', 42, `${LAST}x`, [LAST]])
      expect(await refusal(verifyState(await state(stateClaims({ last_jti })), options()))).toEqual(
        invalid('last_jti must be a UUID or null', 'last_jti'),
      );
    const fresh = await verifyState(await state(stateClaims({ last_jti: null })), options());
    expect(fresh.claims.last_jti).toBeNull();
  });

  it('seq is a non-negative safe integer (a console keeps the highest: 1e300 would pin it forever)', async () => {
    for (const seq of [-1, 1.5, '3', 2 ** 53, 1e300])
      expect(await refusal(verifyState(await state(stateClaims({ seq })), options()))).toEqual(
        invalid('seq must be a non-negative integer', 'seq'),
      );
    expect((await verifyState(await state(stateClaims({ seq: 0 })), options())).claims.seq).toBe(0);
  });

  it('a catalog that does not parse is ERR_CLAIM_INVALID naming the catalog', async () => {
    const r = await refusal(verifyState(await state(stateClaims({ catalog: { v: 9 } })), options()));
    expect(r.code).toBe('ERR_CLAIM_INVALID');
    expect(r.message).toMatch(/^catalog: ./u);
    expect(r.details).toEqual({ claim: 'catalog' });
  });

  it('the stream lists are bounded and must partition the carried catalog', async () => {
    const many = Array.from({ length: 129 }, (_, i) => `239.192.1.${i}:60000`);
    expect(await refusal(verifyState(await state(stateClaims({ on: many })), options()))).toEqual(
      invalid('on must be a list of stream addresses', 'on'),
    );
    expect(await refusal(verifyState(await state(stateClaims({ off: [1] })), options()))).toEqual(
      invalid('off must be a list of stream addresses', 'off'),
    );
    expect(
      (await refusal(verifyState(await state(stateClaims({ off: ALL.slice(5) })), options()))).code,
    ).toBe('ERR_STREAM_MISSING');
  });

  it('unknown claims are refused; every claim is required (exp too: a state the vessel stopped re-signing ends)', async () => {
    expect(await refusal(verifyState(await state(stateClaims({ aud: 'pilot-1' })), options()))).toEqual(
      invalid('the aud claim is not allowed in this token type', 'aud'),
    );
    for (const name of ['iss', 'jti', 'exp', 'catalog', 'on', 'off', 'last_jti', 'seq'])
      expect(await refusal(verifyState(await state(stateClaims({ [name]: undefined })), options()))).toEqual({
        code: 'ERR_CLAIM_MISSING',
        message: `the ${name} claim is required`,
        details: { claim: name },
      });
  });

  it('a state signed later than the clock tolerance allows is refused even with a large maximum age', async () => {
    const token = await state(stateClaims({ iat: Math.floor(NOW.getTime() / 1000) + 3600 }));
    expect((await refusal(verifyState(token, options({ maxAgeSeconds: 86_400 })))).code).toBe(
      'ERR_CMD_IAT_IN_FUTURE',
    );
  });
});
