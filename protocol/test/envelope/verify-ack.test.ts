// verifyAck, check by check: each test is an ack a hostile or broken vessel (or a replaying broker) could send,
// signed for real with the vessel's key, and the exact refusal the console must give.
import { beforeAll, describe, expect, it } from 'vitest';
import { commandDigest, signCommand, TYP_ACK, verifyAck, type VerifyAckOptions } from '../../src/envelope';
import { ReplaySnapshot } from '../../src/replay';
import {
  ackClaimsFor,
  ALL,
  clock,
  CMD,
  createWorld,
  NOW_S,
  rawSign,
  VESSEL,
  x5cOf,
  type World,
  ackOptionsOf,
  refusal,
  invalid,
} from './fixtures';

let w: World;
let commandToken: string;
let commandJti: string;
let digest: string;
beforeAll(async () => {
  w = await createWorld();
  const signed = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
  commandToken = signed.token;
  commandJti = signed.claims.jti;
  digest = await commandDigest(commandToken);
});

const options = (extra: Partial<VerifyAckOptions> = {}): VerifyAckOptions =>
  ackOptionsOf(w, commandToken, extra);

/** An ack's claims as the vessel signs them, with `over` replacing (undefined: removing) claims. */
const ackClaims = (over: Record<string, unknown> = {}) => ackClaimsFor(commandJti, digest, over);

/** Signs `claims` as an ack with the vessel's key (or the pilot's). */
const ack = (claims: Record<string, unknown>, signer: 'vessel' | 'pilot' = 'vessel') => {
  const entity = signer === 'vessel' ? w.vessel : w.pilot;
  return rawSign(entity.keys.privateKey, { alg: 'ES256', typ: TYP_ACK, x5c: x5cOf(entity) }, claims);
};

describe('verifyAck: the claims', () => {
  it('an applied ack verifies and carries no reason key at all', async () => {
    const { claims } = await verifyAck(await ack(ackClaims()), options());
    expect(claims.status).toBe('applied');
    expect('reason' in claims).toBe(false);
  });

  it("an ack whose iss names another vessel than its signer's certificate is ERR_ISS_MISMATCH", async () => {
    // Signed by the expected vessel, but claiming to come from vessel-2: the claims would misattribute the answer.
    expect(await refusal(verifyAck(await ack(ackClaims({ iss: 'vessel-2' })), options()))).toMatchObject({
      code: 'ERR_ISS_MISMATCH',
      message: `iss vessel-2 is not the signer ${VESSEL}`,
    });
  });

  it('an ack signed by another vessel (iss honest) is ERR_ISS_MISMATCH naming both', async () => {
    const other = await w.pki.issue('vessel-2', ['vessel']);
    const token = await rawSign(
      other.keys.privateKey,
      { alg: 'ES256', typ: TYP_ACK, x5c: x5cOf(other) },
      ackClaims({ iss: 'vessel-2' }),
    );
    expect(await refusal(verifyAck(token, options()))).toMatchObject({
      code: 'ERR_ISS_MISMATCH',
      message: `the ack is signed by vessel-2, not by ${VESSEL}`,
    });
  });

  it('an ack for another pilot is ERR_AUD_MISMATCH naming both', async () => {
    expect(await refusal(verifyAck(await ack(ackClaims({ aud: 'pilot-2' })), options()))).toMatchObject({
      code: 'ERR_AUD_MISMATCH',
      message: 'the ack is for pilot-2, not pilot-1',
    });
  });

  it('an ack signed by a pilot (not a vessel) is ERR_ROLE_FORBIDDEN naming signer and role', async () => {
    expect(await refusal(verifyAck(await ack(ackClaims({ iss: 'pilot-1' }), 'pilot'), options()))).toEqual({
      code: 'ERR_ROLE_FORBIDDEN',
      message: 'pilot-1 does not hold the vessel role',
      details: { signer: 'pilot-1', required: 'vessel' },
    });
  });

  it('a status outside the allow-list (not applied or rejected) is refused', async () => {
    for (const status of ['done', 'Applied', 'applied ', 1, null])
      expect(await refusal(verifyAck(await ack(ackClaims({ status })), options()))).toEqual(
        invalid('status must be applied or rejected', 'status'),
      );
  });

  it('a rejected ack needs a registered-looking reason code; an applied ack carries none', async () => {
    // ['ERR_…'] reads as the code when coerced to a string: a type check must come first.
    for (const reason of [undefined, 'hook failed', 'ERR_', 42, ['ERR_HOOK_REFUSED']])
      expect(
        await refusal(verifyAck(await ack(ackClaims({ status: 'rejected', reason })), options())),
      ).toEqual(invalid('a rejected ack needs a reason code', 'reason'));
    for (const reason of ['ERR_STREAM_MISSING', null, ''])
      expect(await refusal(verifyAck(await ack(ackClaims({ reason })), options()))).toEqual(
        invalid('an applied ack carries no reason', 'reason'),
      );
    const { claims } = await verifyAck(
      await ack(ackClaims({ status: 'rejected', reason: 'ERR_HOOK_REFUSED' })),
      options(),
    );
    expect(claims).toMatchObject({ status: 'rejected', reason: 'ERR_HOOK_REFUSED' });
  });

  it('cmd_sha256 must be a base64url SHA-256 (43 characters)', async () => {
    for (const cmd_sha256 of [42, digest.slice(1), `${digest}A`, `${digest.slice(1)}+`, [digest]])
      expect(await refusal(verifyAck(await ack(ackClaims({ cmd_sha256 })), options()))).toEqual(
        invalid('cmd_sha256 must be a base64url SHA-256', 'cmd_sha256'),
      );
  });

  it('the state claim is an object of on and off only', async () => {
    // A number or an empty string has no keys at all: refused as a state, not as a missing list.
    for (const state of [null, [ALL, []], 'on', { on: ALL, off: [], extra: [] }, 5, ''])
      expect(await refusal(verifyAck(await ack(ackClaims({ state })), options()))).toEqual(
        invalid('state must be an object with on and off', 'state'),
      );
  });

  it('the stream lists are bounded: at most 128 addresses of at most 32 characters, all strings', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `239.192.0.${i % 250}:${60000 + i}`);
    for (const on of [many(129), ['x'.repeat(33)], [42], 'all'])
      expect(await refusal(verifyAck(await ack(ackClaims({ state: { on, off: [] } })), options()))).toEqual(
        invalid('state.on must be a list of stream addresses', 'state.on'),
      );
    expect(
      await refusal(verifyAck(await ack(ackClaims({ state: { on: [], off: [null] } })), options())),
    ).toEqual(invalid('state.off must be a list of stream addresses', 'state.off'));
    // The limits themselves are allowed (the ack reports state; the catalog is the vessel's business).
    const { claims } = await verifyAck(
      await ack(ackClaims({ state: { on: many(128), off: ['y'.repeat(32)] } })),
      options(),
    );
    expect(claims.state.on).toHaveLength(128);
  });

  it('a claim the ack type does not know is refused by name (shortened to 30 characters)', async () => {
    expect(await refusal(verifyAck(await ack(ackClaims({ cmd: CMD })), options()))).toEqual(
      invalid('the cmd claim is not allowed in this token type', 'cmd'),
    );
    const long = 'z'.repeat(40);
    expect(await refusal(verifyAck(await ack(ackClaims({ [long]: 1 })), options()))).toEqual(
      invalid(`the ${'z'.repeat(30)} claim is not allowed in this token type`, 'z'.repeat(30)),
    );
  });

  it('every claim but reason is required', async () => {
    expect(await refusal(verifyAck(await ack(ackClaims({ state: undefined })), options()))).toEqual({
      code: 'ERR_CLAIM_MISSING',
      message: 'the state claim is required',
      details: { claim: 'state' },
    });
  });
});

describe('verifyAck: binding to the command', () => {
  it("the caller's own digest is used when given (a wrong one refuses a right ack: it is never the sender's word)", async () => {
    const token = await ack(ackClaims());
    await expect(verifyAck(token, options({ commandSha256: digest }))).resolves.toBeDefined();
    expect(await refusal(verifyAck(token, options({ commandSha256: 'A'.repeat(43) })))).toMatchObject({
      code: 'ERR_ACK_MISMATCH',
      message: 'the ack answers another command token (cmd_sha256 differs)',
    });
  });

  it('an ack for another command names both jtis', async () => {
    const other = globalThis.crypto.randomUUID();
    expect(await refusal(verifyAck(await ack(ackClaims({ in_reply_to: other })), options()))).toMatchObject({
      code: 'ERR_ACK_MISMATCH',
      message: `the ack answers ${other}, not ${commandJti}`,
    });
  });

  it('a command token that is not a JWS with a jti is a caller bug (TypeError)', async () => {
    await expect(verifyAck(await ack(ackClaims()), options({ commandToken: 'not-a-token' }))).rejects.toThrow(
      new TypeError('commandToken is not a compact JWS with a jti'),
    );
  });
});

describe('verifyAck: the ack replay store', () => {
  it('with a replay store, a replayed ack is ERR_REPLAY; its jti is kept until exp + tolerance under the vessel', async () => {
    const replay = new ReplaySnapshot();
    const claims = ackClaims();
    const token = await ack(claims);
    await verifyAck(token, options({ replay }));
    expect(replay.toJSON().entries).toEqual({ [VESSEL]: { [claims.jti as string]: NOW_S + 30 + 30 } });
    expect(await refusal(verifyAck(token, options({ replay })))).toEqual({
      code: 'ERR_REPLAY',
      message: `token ${claims.jti as string} from ${VESSEL} was already accepted`,
      details: { jti: claims.jti },
    });
    // Without a store acks are idempotent answers: the same ack verifies again.
    await expect(verifyAck(token, options())).resolves.toBeDefined();
  });

  it('a replay store that fails is ERR_REPLAY_STORE (the ack is not accepted unrecorded)', async () => {
    const broken = {
      checkAndRecord: () => {
        throw new Error('disk full');
      },
    };
    expect(await refusal(verifyAck(await ack(ackClaims()), options({ replay: broken })))).toMatchObject({
      code: 'ERR_REPLAY_STORE',
      message: 'the replay store failed: disk full',
    });
  });
});
