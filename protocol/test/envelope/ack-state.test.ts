import { beforeAll, describe, expect, it } from 'vitest';
import {
  commandDigest,
  signAck,
  signCommand,
  signState,
  TYP_ACK,
  TYP_COMMAND,
  TYP_STATE,
  verifyAck,
  verifyCommand,
  verifyState,
  type VerifyAckOptions,
  type VerifyStateOptions,
} from '../../src/envelope';
import type { ErrorCode } from '../../src/errors';
import { MemoryReplayStore } from '../../src/replay';
import {
  CATALOG,
  clock,
  CMD,
  createWorld,
  NOW_S,
  rawSign,
  rejection,
  VESSEL,
  x5cOf,
  type World,
  ackOptionsOf,
  vesselOptionsOf,
  STATE as state,
} from './fixtures';

let w: World;
let commandToken: string;
let commandJti: string;
beforeAll(async () => {
  w = await createWorld();
  const signed = await signCommand(w.pilotSigner, { audience: VESSEL, cmd: CMD as never, clock });
  commandToken = signed.token;
  commandJti = signed.claims.jti;
});

const ackOptions = (extra: Partial<VerifyAckOptions> = {}): VerifyAckOptions =>
  ackOptionsOf(w, commandToken, extra);
const stateOptions = (extra: Partial<VerifyStateOptions> = {}): VerifyStateOptions =>
  vesselOptionsOf(w, extra);

describe('acks', () => {
  it('a vessel ack binds the exact command token and verifies at the console', async () => {
    const { token } = await signAck(w.vesselSigner, {
      audience: 'pilot-1',
      inReplyTo: commandJti,
      commandToken,
      status: 'applied',
      state,
      clock,
    });
    const verified = await verifyAck(token, ackOptions());
    expect(verified.claims).toMatchObject({
      iss: VESSEL,
      aud: 'pilot-1',
      in_reply_to: commandJti,
      status: 'applied',
      state,
      cmd_sha256: await commandDigest(commandToken),
    });
    expect(verified.claims.cmd_sha256).toMatch(/^[A-Za-z0-9_-]{43}$/u);
  });

  it('a rejected ack carries the reason code', async () => {
    const { token } = await signAck(w.vesselSigner, {
      audience: 'pilot-1',
      inReplyTo: commandJti,
      commandToken,
      status: 'rejected',
      reason: 'ERR_STREAM_MISSING',
      state,
      clock,
    });
    expect((await verifyAck(token, ackOptions())).claims).toMatchObject({
      status: 'rejected',
      reason: 'ERR_STREAM_MISSING',
    });
    await expect(
      signAck(w.vesselSigner, {
        audience: 'pilot-1',
        inReplyTo: commandJti,
        commandToken,
        status: 'rejected',
        state,
        clock,
      }),
    ).rejects.toThrow(TypeError);
    await expect(
      signAck(w.vesselSigner, {
        audience: 'pilot-1',
        inReplyTo: commandJti,
        commandToken,
        status: 'rejected',
        reason: 'hook failed' as ErrorCode,
        state,
        clock,
      }),
    ).rejects.toThrow(TypeError);
  });

  it('ERR_ACK_MISMATCH: in_reply_to names another command', async () => {
    const { token } = await signAck(w.vesselSigner, {
      audience: 'pilot-1',
      inReplyTo: globalThis.crypto.randomUUID(),
      commandToken,
      status: 'applied',
      state,
      clock,
    });
    expect((await rejection(verifyAck(token, ackOptions()))).code).toBe('ERR_ACK_MISMATCH');
  });

  it('ERR_ACK_MISMATCH: cmd_sha256 of another token with the same jti', async () => {
    const other = await signCommand(w.pilotSigner, {
      audience: VESSEL,
      cmd: CMD as never,
      clock,
      jti: commandJti,
      lifetimeSeconds: 20,
    });
    const { token } = await signAck(w.vesselSigner, {
      audience: 'pilot-1',
      inReplyTo: commandJti,
      commandToken: other.token,
      status: 'applied',
      state,
      clock,
    });
    expect((await rejection(verifyAck(token, ackOptions()))).code).toBe('ERR_ACK_MISMATCH');
  });

  it('ERR_ROLE_FORBIDDEN: an ack signed by a pilot', async () => {
    const { token } = await signAck(w.pilotSigner, {
      audience: 'pilot-1',
      inReplyTo: commandJti,
      commandToken,
      status: 'applied',
      state,
      clock,
    });
    expect((await rejection(verifyAck(token, ackOptions()))).code).toBe('ERR_ROLE_FORBIDDEN');
  });

  it('ERR_ISS_MISMATCH: an ack from another vessel', async () => {
    const { token } = await signAck(w.vesselSigner, {
      audience: 'pilot-1',
      inReplyTo: commandJti,
      commandToken,
      status: 'applied',
      state,
      clock,
    });
    expect((await rejection(verifyAck(token, ackOptions({ vesselId: 'vessel-2' })))).code).toBe(
      'ERR_ISS_MISMATCH',
    );
  });

  it('ERR_AUD_MISMATCH: an ack for another pilot', async () => {
    const { token } = await signAck(w.vesselSigner, {
      audience: 'pilot-2',
      inReplyTo: commandJti,
      commandToken,
      status: 'applied',
      state,
      clock,
    });
    expect((await rejection(verifyAck(token, ackOptions()))).code).toBe('ERR_AUD_MISMATCH');
  });

  it('ERR_JOSE_TYP_INVALID: a command presented as an ack, an ack presented as a command', async () => {
    expect((await rejection(verifyAck(commandToken, ackOptions()))).code).toBe('ERR_JOSE_TYP_INVALID');
    const { token } = await signAck(w.vesselSigner, {
      audience: 'pilot-1',
      inReplyTo: commandJti,
      commandToken,
      status: 'applied',
      state,
      clock,
    });
    const asCommand = await rejection(
      verifyCommand(token, { trust: w.trust(), clock, audience: 'pilot-1', replay: new MemoryReplayStore() }),
    );
    expect(asCommand.code).toBe('ERR_JOSE_TYP_INVALID');
  });

  it('ERR_CLAIM_MISSING: a command payload signed with the ack typ', async () => {
    const claims = {
      iss: VESSEL,
      aud: 'pilot-1',
      iat: NOW_S,
      nbf: NOW_S,
      exp: NOW_S + 30,
      jti: globalThis.crypto.randomUUID(),
      cmd: CMD,
    };
    const token = await rawSign(
      w.vessel.keys.privateKey,
      { alg: 'ES256', typ: TYP_ACK, x5c: x5cOf(w.vessel) },
      claims,
    );
    expect((await rejection(verifyAck(token, ackOptions()))).code).toBe('ERR_CLAIM_MISSING');
  });

  it('ERR_CMD_EXPIRED: a stale ack', async () => {
    const { token } = await signAck(w.vesselSigner, {
      audience: 'pilot-1',
      inReplyTo: commandJti,
      commandToken,
      status: 'applied',
      state,
      clock: () => clock() - 120_000,
    });
    expect((await rejection(verifyAck(token, ackOptions()))).code).toBe('ERR_CMD_EXPIRED');
  });
});

describe('state', () => {
  const stateArgs = () => ({
    catalog: CATALOG,
    on: state.on,
    off: state.off,
    lastJti: commandJti,
    seq: 7,
    clock,
  });
  const signed = () => signState(w.vesselSigner, stateArgs());

  it('a vessel state verifies with catalog, on/off, last jti and seq', async () => {
    const { token } = await signed();
    const verified = await verifyState(token, stateOptions());
    expect(verified.claims).toMatchObject({
      iss: VESSEL,
      catalog: CATALOG,
      on: state.on,
      off: state.off,
      last_jti: commandJti,
      seq: 7,
    });
    expect(verified.header.typ).toBe(TYP_STATE);
  });

  it('stays valid as retained state until its exp (the vessel re-signs before it), and a maximum age can be asked for', async () => {
    const { token, claims } = await signState(w.vesselSigner, { ...stateArgs(), expiresInSeconds: 86_400 });
    expect(claims.exp).toBe(NOW_S + 86_400);
    const dayLater = () => clock() + 86_390_000;
    await expect(verifyState(token, stateOptions({ clock: dayLater }))).resolves.toBeTruthy();
    expect(
      (await rejection(verifyState(token, stateOptions({ clock: dayLater, maxAgeSeconds: 3600 })))).code,
    ).toBe('ERR_CMD_EXPIRED');
  });

  it('ERR_CMD_EXPIRED: a state token past its exp (default lifetime 15 minutes) is stale', async () => {
    const { token, claims } = await signed();
    expect(claims.exp).toBe(NOW_S + 900);
    await expect(verifyState(token, stateOptions({ clock: () => clock() + 900_000 }))).resolves.toBeTruthy();
    const err = await rejection(verifyState(token, stateOptions({ clock: () => clock() + 930_000 })));
    expect(err.code).toBe('ERR_CMD_EXPIRED');
    await expect(signState(w.vesselSigner, { ...stateArgs(), expiresInSeconds: 86_401 })).rejects.toThrow(
      TypeError,
    );
  });

  it('ERR_CLAIM_MISSING and ERR_CMD_LIFETIME_TOO_LONG: a state without exp, or with more than a day', async () => {
    const base = {
      iss: VESSEL,
      iat: NOW_S,
      jti: globalThis.crypto.randomUUID(),
      catalog: CATALOG,
      on: state.on,
      off: state.off,
      last_jti: null,
      seq: 1,
    };
    const raw = (claims: Record<string, unknown>) =>
      rawSign(w.vessel.keys.privateKey, { alg: 'ES256', typ: TYP_STATE, x5c: x5cOf(w.vessel) }, claims);
    const missing = await rejection(verifyState(await raw(base), stateOptions()));
    expect([missing.code, missing.details?.claim]).toEqual(['ERR_CLAIM_MISSING', 'exp']);
    const long = await rejection(verifyState(await raw({ ...base, exp: NOW_S + 86_401 }), stateOptions()));
    expect(long.code).toBe('ERR_CMD_LIFETIME_TOO_LONG');
    await expect(
      verifyState(await raw({ ...base, exp: NOW_S + 86_400 }), stateOptions()),
    ).resolves.toBeTruthy();
  });

  it('carries a maximal catalog (64 streams) within the state size limit, while commands stay at 16 KiB', async () => {
    const streams = Array.from({ length: 64 }, (_, i) => ({
      id: `STREAM-${i}`,
      name: `Stream number ${i} with a reasonably long name`,
      kind: 'camera' as const,
      address: `239.193.${Math.floor(i / 8)}.${(i % 8) + 1}:${61000 + i}`,
      bitrateBps: 1_000_000,
      description: 'd'.repeat(200),
    }));
    const catalog = { streams };
    const { token } = await signState(w.vesselSigner, {
      catalog,
      on: [],
      off: streams.map((s) => s.address),
      lastJti: null,
      seq: 1,
      clock,
    });
    expect(token.length).toBeGreaterThan(16 * 1024);
    expect((await verifyState(token, stateOptions())).claims.catalog.streams).toHaveLength(64);
    expect((await rejection(verifyState(token, stateOptions({ maxTokenBytes: 16 * 1024 })))).code).toBe(
      'ERR_TOKEN_TOO_LARGE',
    );
  });

  it('ERR_ISS_MISMATCH: the state of another vessel', async () => {
    const { token } = await signed();
    expect((await rejection(verifyState(token, stateOptions({ vesselId: 'vessel-2' })))).code).toBe(
      'ERR_ISS_MISMATCH',
    );
  });

  it('ERR_ROLE_FORBIDDEN: a state signed by a pilot', async () => {
    const { token } = await signState(w.pilotSigner, {
      catalog: CATALOG,
      on: state.on,
      off: state.off,
      lastJti: null,
      seq: 1,
      clock,
    });
    expect((await rejection(verifyState(token, stateOptions({ vesselId: 'pilot-1' })))).code).toBe(
      'ERR_ROLE_FORBIDDEN',
    );
  });

  it('ERR_STREAM_MISSING: on/off not a partition of the carried catalog (refused when signing, too)', async () => {
    await expect(
      signState(w.vesselSigner, { catalog: CATALOG, on: state.on, off: [], lastJti: null, seq: 1, clock }),
    ).rejects.toMatchObject({ code: 'ERR_STREAM_MISSING' });
    const claims = {
      iss: VESSEL,
      iat: NOW_S,
      jti: globalThis.crypto.randomUUID(),
      catalog: CATALOG,
      on: state.on,
      off: [],
      last_jti: null,
      seq: 1,
      exp: NOW_S + 900,
    };
    const token = await rawSign(
      w.vessel.keys.privateKey,
      { alg: 'ES256', typ: TYP_STATE, x5c: x5cOf(w.vessel) },
      claims,
    );
    expect((await rejection(verifyState(token, stateOptions()))).code).toBe('ERR_STREAM_MISSING');
  });

  it('ERR_JOSE_TYP_INVALID: a command presented as state and a state as a command', async () => {
    expect((await rejection(verifyState(commandToken, stateOptions()))).code).toBe('ERR_JOSE_TYP_INVALID');
    const { token } = await signed();
    const err = await rejection(
      verifyCommand(token, { trust: w.trust(), clock, audience: VESSEL, replay: new MemoryReplayStore() }),
    );
    expect(err.code).toBe('ERR_JOSE_TYP_INVALID');
    const typed = await rawSign(
      w.vessel.keys.privateKey,
      { alg: 'ES256', typ: TYP_COMMAND, x5c: x5cOf(w.vessel) },
      (await signed()).claims,
    );
    expect((await rejection(verifyState(typed, stateOptions()))).code).toBe('ERR_JOSE_TYP_INVALID');
  });
});
