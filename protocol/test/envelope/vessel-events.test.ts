/**
 * The vessel's alert and link tokens: signed by the vessel, verified against the topic's vessel, each claim rule
 * refused with its code when broken (a pilot cannot forge a vessel alert, one vessel cannot speak for another, a
 * state token is not an alert, markup or control characters never reach an operator's screen).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  alertMessage,
  signAlert,
  signLink,
  signState,
  TYP_ALERT,
  TYP_LINK,
  verifyAlert,
  verifyLink,
  type VerifyVesselEventOptions,
} from '../../src/envelope';
import {
  CATALOG,
  ALL,
  clock,
  createWorld,
  NOW_S,
  rawSign,
  rejection,
  VESSEL,
  x5cOf,
  type World,
  vesselOptionsOf,
} from './fixtures';

let w: World;
beforeAll(async () => {
  w = await createWorld();
});

const options = (extra: Partial<VerifyVesselEventOptions> = {}): VerifyVesselEventOptions =>
  vesselOptionsOf(w, extra);

const alertClaims = (extra: Record<string, unknown> = {}) => ({
  iss: VESSEL,
  iat: NOW_S,
  jti: globalThis.crypto.randomUUID(),
  kind: 'crl-stale',
  code: 'ERR_CRL_STALE',
  message: 'the CRL expired',
  ...extra,
});

/** An alert signed by the vessel's key with arbitrary claims. */
const rawAlert = (claims: Record<string, unknown>, typ = TYP_ALERT) =>
  rawSign(w.vessel.keys.privateKey, { alg: 'ES256', typ, x5c: x5cOf(w.vessel) }, claims);

describe('vessel alerts', () => {
  it('signs and verifies an alert of the vessel named by the topic', async () => {
    const { token, claims } = await signAlert(w.vesselSigner, {
      clock,
      kind: 'broker-revoked',
      code: 'ERR_BROKER_REVOKED',
      message: 'the broker certificate is revoked',
    });
    const v = await verifyAlert(token, options());
    expect(v.claims).toEqual(claims);
    expect(v.claims).toMatchObject({ iss: VESSEL, iat: NOW_S, kind: 'broker-revoked' });
    expect(v.signer.entityId).toBe(VESSEL);
  });

  it('carries printable text only, bounded', async () => {
    expect(alertMessage('a\u0000b\nc\u001b[31m')).toBe('a b c [31m');
    expect(alertMessage('x'.repeat(900))).toHaveLength(500);
    const { claims } = await signAlert(w.vesselSigner, {
      clock,
      kind: 'redis',
      code: 'ERR_HANDOFF_REDIS',
      message: 'line one\nline two',
    });
    expect(claims.message).toBe('line one line two');
  });

  it('refuses a caller bug when signing: unknown kind, unregistered code', async () => {
    await expect(
      signAlert(w.vesselSigner, { clock, kind: 'nope' as never, code: 'ERR_CRL_STALE', message: '' }),
    ).rejects.toThrow(TypeError);
    await expect(
      signAlert(w.vesselSigner, { clock, kind: 'redis', code: 'ERR_MADE_UP' as never, message: '' }),
    ).rejects.toThrow(TypeError);
  });

  it('refuses an alert from a pilot, from another vessel, of another type, or with bad claims', async () => {
    const byPilot = await signAlert(w.pilotSigner, {
      clock,
      kind: 'redis',
      code: 'ERR_HANDOFF_REDIS',
      message: 'forged',
    });
    expect((await rejection(verifyAlert(byPilot.token, options()))).code).toBe('ERR_ROLE_FORBIDDEN');
    const own = await signAlert(w.vesselSigner, {
      clock,
      kind: 'redis',
      code: 'ERR_HANDOFF_REDIS',
      message: 'x',
    });
    expect((await rejection(verifyAlert(own.token, options({ vesselId: 'vessel-2' })))).code).toBe(
      'ERR_ISS_MISMATCH',
    );
    const state = await signState(w.vesselSigner, {
      clock,
      catalog: CATALOG,
      on: [],
      off: ALL,
      lastJti: null,
      seq: 1,
    });
    expect((await rejection(verifyAlert(state.token, options()))).code).toBe('ERR_JOSE_TYP_INVALID');
    const cases: [Record<string, unknown>, string, string?][] = [
      [alertClaims({ kind: 'made-up' }), 'ERR_CLAIM_INVALID', 'kind'],
      [alertClaims({ code: 'ERR_MADE_UP' }), 'ERR_CLAIM_INVALID', 'code'],
      [alertClaims({ message: 'a\u0007b' }), 'ERR_CLAIM_INVALID', 'message'],
      [alertClaims({ message: 'x'.repeat(501) }), 'ERR_CLAIM_INVALID', 'message'],
      [alertClaims({ message: 7 }), 'ERR_CLAIM_INVALID', 'message'],
      [alertClaims({ iss: 'vessel-2' }), 'ERR_ISS_MISMATCH'],
      [alertClaims({ iat: NOW_S + 3600 }), 'ERR_CMD_IAT_IN_FUTURE'],
      [alertClaims({ extra: 1 }), 'ERR_CLAIM_INVALID', 'extra'],
      [{ ...alertClaims(), jti: undefined }, 'ERR_CLAIM_MISSING', 'jti'],
    ];
    for (const [claims, code, claim] of cases) {
      const e = await rejection(verifyAlert(await rawAlert(claims), options()));
      expect([e.code, e.details?.claim]).toEqual([code, claim]);
    }
  });
});

describe('vessel link status', () => {
  it('signs and verifies up and down', async () => {
    for (const link of ['up', 'down'] as const) {
      const { token } = await signLink(w.vesselSigner, { clock, link });
      const v = await verifyLink(token, options());
      expect(v.claims).toMatchObject({ iss: VESSEL, iat: NOW_S, link });
    }
    await expect(signLink(w.vesselSigner, { clock, link: 'sideways' as never })).rejects.toThrow(TypeError);
  });

  it('refuses another status, an alert token, another vessel and a pilot', async () => {
    const bad = await rawAlert(
      { iss: VESSEL, iat: NOW_S, jti: globalThis.crypto.randomUUID(), link: 'gone' },
      TYP_LINK,
    );
    const e = await rejection(verifyLink(bad, options()));
    expect([e.code, e.details?.claim]).toEqual(['ERR_CLAIM_INVALID', 'link']);
    const alert = await signAlert(w.vesselSigner, {
      clock,
      kind: 'redis',
      code: 'ERR_HANDOFF_REDIS',
      message: 'x',
    });
    expect((await rejection(verifyLink(alert.token, options()))).code).toBe('ERR_JOSE_TYP_INVALID');
    const up = await signLink(w.vesselSigner, { clock, link: 'up' });
    expect((await rejection(verifyLink(up.token, options({ vesselId: 'vessel-2' })))).code).toBe(
      'ERR_ISS_MISMATCH',
    );
    const byPilot = await signLink(w.pilotSigner, { clock, link: 'down' });
    expect((await rejection(verifyLink(byPilot.token, options()))).code).toBe('ERR_ROLE_FORBIDDEN');
  });
});

describe('what a refusal says', () => {
  it('names the caller bug when signing', async () => {
    await expect(
      signAlert(w.vesselSigner, { clock, kind: 'nope' as never, code: 'ERR_CRL_STALE', message: '' }),
    ).rejects.toThrow(new TypeError('unknown alert kind nope'));
    await expect(
      signAlert(w.vesselSigner, { clock, kind: 'redis', code: 'ERR_MADE_UP' as never, message: '' }),
    ).rejects.toThrow(new TypeError('unregistered error code ERR_MADE_UP'));
    await expect(signLink(w.vesselSigner, { clock, link: 'sideways' as never })).rejects.toThrow(
      new TypeError('unknown link status sideways'),
    );
  });

  it('names the claim and the rule an alert or link breaks, and who signed it', async () => {
    const messageOf = async (
      token: Promise<string>,
      verify: (t: string, o: VerifyVesselEventOptions) => Promise<unknown> = verifyAlert,
      extra = {},
    ) => (await rejection(verify(await token, options(extra)))).message;
    expect(await messageOf(rawAlert(alertClaims({ kind: 'made-up' })))).toBe(
      'kind must be a registered vessel alert kind',
    );
    expect(await messageOf(rawAlert(alertClaims({ code: 'ERR_MADE_UP' })))).toBe(
      'code must be a registered error code',
    );
    expect(await messageOf(rawAlert(alertClaims({ message: 'a\u0007b' })))).toBe(
      'message must be printable text of at most 500 characters',
    );
    expect(await messageOf(rawAlert(alertClaims({ iss: 'vessel-2' })))).toBe(
      `iss vessel-2 is not the signer ${VESSEL}`,
    );
    expect(await messageOf(rawAlert(alertClaims()), verifyAlert, { vesselId: 'vessel-2' })).toBe(
      `the token is signed by ${VESSEL}, not by vessel-2`,
    );
    const link = rawAlert(
      { iss: VESSEL, iat: NOW_S, jti: globalThis.crypto.randomUUID(), link: 'gone' },
      TYP_LINK,
    );
    expect(await messageOf(link, verifyLink)).toBe('link must be "up" or "down"');
  });
});
