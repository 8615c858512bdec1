/**
 * processCommand against the faults issue 15 found unguarded: a command rejected for a temporary reason arriving
 * again after the pilot was told "rejected", a dropped command claiming a state change, how long a rejection is
 * remembered, and what the ship-systems hook is told. Real PKI, real hook process, real state file.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IEC_61162_450_CATALOG, peekClaims } from '@helmlink/protocol';
import { StateStore, processCommand, tokenDigest } from '../../src';
import { NAVD, processorFixture } from '../helpers/processor';

const ALL = IEC_61162_450_CATALOG.streams.map((s) => s.address);

/** The processor fixture, with pilot-1 signing; with a hook, one that logs what it is told and refuses while a file exists. */
async function setup(withHook = false) {
  const f = await processorFixture();
  // A temporary condition on board: the hook refuses while the "refuse" file exists.
  const refuseFile = join(f.dir, 'refuse');
  const hookLog = join(f.dir, 'hook.log');
  const script = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{require('fs').appendFileSync(${JSON.stringify(hookLog)},s+'\\n');process.exit(require('fs').existsSync(${JSON.stringify(refuseFile)})?3:0)})`;
  const ctx = withHook
    ? { ...f.ctx, hook: { command: process.execPath, args: ['-e', script], timeoutMs: 20_000 } }
    : f.ctx;
  const sign = (on: string[], extra: { jti?: string; clock?: () => number } = {}) =>
    f.sign(f.pilot, on, extra);
  return { ...f, ctx, sign, refuseFile, hookLog };
}

describe('processCommand: rejections are remembered', () => {
  it('a command rejected for a temporary reason is not applied when it arrives again (the pilot was told "rejected")', async () => {
    const { ctx, store, sign, ackOf, refuseFile } = await setup(true);
    writeFileSync(refuseFile, '');
    const token = await sign([NAVD]);
    const first = await processCommand(ctx, token);
    expect(first).toMatchObject({ verdict: 'rejected', reason: 'ERR_HOOK_REJECTED', changed: false });
    expect((await ackOf(token, first.ack!)).claims).toMatchObject({
      status: 'rejected',
      reason: 'ERR_HOOK_REJECTED',
    });
    // On board the condition clears; the broker redelivers the same command.
    rmSync(refuseFile);
    const again = await processCommand(ctx, token);
    expect(again).toEqual({
      verdict: 'duplicate',
      jti: peekClaims(token)!.jti,
      signer: 'pilot-1',
      ack: first.ack,
      changed: false,
    });
    expect(store.seq).toBe(0);
    // A new vessel has every stream on; the rejected command switched nothing off.
    expect(store.streams).toEqual({ on: ALL, off: [] });
    // The same jti in other bytes (re-signed) is a replay: answered, never applied, and not stored over the first.
    const resigned = await sign([NAVD], { jti: peekClaims(token)!.jti as string });
    const replayed = await processCommand(ctx, resigned);
    expect(replayed).toMatchObject({ verdict: 'rejected', reason: 'ERR_REPLAY', changed: false });
    expect(store.ackFor(tokenDigest(resigned))).toBeUndefined();
    expect(store.ackFor(tokenDigest(token))?.ack).toBe(first.ack);
    // The rejection survives a restart.
    const reopened = StateStore.open(store.path, IEC_61162_450_CATALOG, { fsync: false, now: ctx.clock });
    expect(reopened.ackFor(tokenDigest(token))?.ack).toBe(first.ack);
    expect(reopened.seen('pilot-1', peekClaims(token)!.jti as string)).toBe(true);
    reopened.close();
  });

  it('the hook is told the proposed state, the streams switched on, the state before and the next seq', async () => {
    const { ctx, sign, hookLog } = await setup(true);
    const token = await sign([NAVD]);
    expect(await processCommand(ctx, token)).toMatchObject({ verdict: 'applied', changed: true });
    const told = JSON.parse(readFileSync(hookLog, 'utf8').trim());
    expect(told).toEqual({
      vesselId: 'MV',
      jti: peekClaims(token)!.jti,
      signer: 'pilot-1',
      on: [NAVD],
      off: ALL.filter((a) => a !== NAVD),
      onStreamIds: [IEC_61162_450_CATALOG.streams.find((s) => s.address === NAVD)!.id],
      previous: { on: ALL, off: [] },
      seq: 1,
    });
  });

  it('a dropped command (no authenticated pilot behind it) reports no state change and gets no ack', async () => {
    const { ctx, store, sign } = await setup();
    expect(await processCommand(ctx, 'not.a.token')).toEqual({
      verdict: 'dropped',
      reason: 'ERR_TOKEN_MALFORMED',
      detail: expect.any(String),
      changed: false,
    });
    ctx.vesselId = 'MV-2';
    const other = await processCommand(ctx, await sign([NAVD]));
    // Aimed at another vessel by an authentic pilot: answered (rejected), never applied.
    expect(other).toMatchObject({ verdict: 'rejected', reason: 'ERR_AUD_MISMATCH', changed: false });
    expect(store.seq).toBe(0);
  });
});

describe('processCommand: faults of the vessel itself fail closed', () => {
  it('a listener misconfigured with a NaN clock tolerance applies nothing: every command is dropped unanswered', async () => {
    const { ctx, store, sign } = await setup();
    const outcome = await processCommand({ ...ctx, clockToleranceSeconds: Number.NaN }, await sign([NAVD]));
    expect(outcome).toEqual({
      verdict: 'dropped',
      reason: 'ERR_INPUT_INVALID',
      detail: expect.stringContaining('clockToleranceSeconds'),
      changed: false,
    });
    expect(store.seq).toBe(0);
  });

  it('a hook that cannot even be started (a NUL byte in its configured arguments) rejects the command', async () => {
    const { ctx, store, sign, ackOf } = await setup();
    ctx.hook = { command: process.execPath, args: ['-e\0'], timeoutMs: 5_000 };
    const token = await sign([NAVD]);
    const outcome = await processCommand(ctx, token);
    expect(outcome).toMatchObject({ verdict: 'rejected', reason: 'ERR_HOOK_REJECTED', changed: false });
    expect((await ackOf(token, outcome.ack!)).claims).toMatchObject({
      status: 'rejected',
      reason: 'ERR_HOOK_REJECTED',
    });
    expect(store.seq).toBe(0);
    expect(store.streams).toEqual({ on: ALL, off: [] });
  });

  it('a catalog that lost its stream list (a configuration fault) rejects the command as invalid, never applies it', async () => {
    const { ctx, store, sign } = await setup();
    const broken = { ...ctx, catalog: { ...IEC_61162_450_CATALOG, streams: undefined as never } };
    const outcome = await processCommand(broken, await sign([NAVD]));
    expect(outcome).toMatchObject({ verdict: 'rejected', reason: 'ERR_CMD_INVALID', changed: false });
    expect(store.seq).toBe(0);
  });
});

describe('processCommand: how long a rejection is remembered', () => {
  const expiryOf = (store: StateStore, token: string) => store.ackFor(tokenDigest(token))?.expiresAt;

  it('a catalog or hook rejection: until the command could no longer be accepted (exp + tolerance)', async () => {
    const { ctx, store, nowS, signRaw, baseClaims, refuseFile } = await setup(true);
    writeFileSync(refuseFile, '');
    const token = await signRaw(baseClaims());
    expect((await processCommand(ctx, token)).reason).toBe('ERR_HOOK_REJECTED');
    expect(expiryOf(store, token)).toBe(nowS + 30 + 30);
    const partial = await signRaw({
      ...baseClaims(),
      cmd: { v: 1, type: 'streams.set', on: [NAVD], off: [] },
    });
    expect((await processCommand(ctx, partial)).reason).toBe('ERR_STREAM_MISSING');
    expect(expiryOf(store, partial)).toBe(nowS + 30 + 30);
  });

  it('a verification failure: its claimed exp + 10 minutes, at most 15 minutes from now, never in the past', async () => {
    const { ctx, store, nowS, signRaw, baseClaims } = await setup();
    // Expired 100 s ago: remembered for 10 minutes past its exp.
    const expired = await signRaw({ ...baseClaims(), iat: nowS - 130, nbf: nowS - 130, exp: nowS - 100 });
    expect((await processCommand(ctx, expired)).reason).toBe('ERR_CMD_EXPIRED');
    expect(expiryOf(store, expired)).toBe(nowS - 100 + 600);
    // Expired long ago: remembered at least until now.
    const ancient = await signRaw({
      ...baseClaims(),
      iat: nowS - 10_030,
      nbf: nowS - 10_030,
      exp: nowS - 10_000,
    });
    expect((await processCommand(ctx, ancient)).reason).toBe('ERR_CMD_EXPIRED');
    expect(expiryOf(store, ancient)).toBe(nowS);
    // A far-future exp (refused as too long-lived) is not trusted: at most now + 5 + 10 minutes.
    const endless = await signRaw({ ...baseClaims(), exp: nowS + 1_000_000 });
    expect((await processCommand(ctx, endless)).reason).toBe('ERR_CMD_LIFETIME_TOO_LONG');
    expect(expiryOf(store, endless)).toBe(nowS + 300 + 600);
    // No usable exp: the longest lifetime from now.
    const { exp: _exp, ...noExp } = baseClaims();
    const timeless = await signRaw(noExp);
    expect((await processCommand(ctx, timeless)).reason).toBe('ERR_CLAIM_MISSING');
    expect(expiryOf(store, timeless)).toBe(nowS + 300);
    const textual = await signRaw({ ...baseClaims(), exp: 'soon' });
    expect((await processCommand(ctx, textual)).reason).toBe('ERR_CLAIM_INVALID');
    expect(expiryOf(store, textual)).toBe(nowS + 300);
    expect(store.seq).toBe(0);
  });
});

describe('processCommand: applied', () => {
  it('an applied command is committed with its ack, state and replay entry, and afterApply sees the new seq', async () => {
    const { ctx, store, now, nowS, sign, ackOf } = await setup();
    const seen: unknown[] = [];
    ctx.afterApply = async (applied) => {
      seen.push(applied);
    };
    const token = await sign([NAVD]);
    const jti = peekClaims(token)!.jti as string;
    const outcome = await processCommand(ctx, token);
    expect(outcome).toMatchObject({ verdict: 'applied', jti, signer: 'pilot-1', changed: true });
    expect(outcome.verified?.claims.jti).toBe(jti);
    expect((await ackOf(token, outcome.ack!)).claims).toMatchObject({
      status: 'applied',
      state: { on: [NAVD], off: ALL.filter((a) => a !== NAVD) },
    });
    expect(store.ackFor(tokenDigest(token))).toEqual({
      cmdSha256: tokenDigest(token),
      iss: 'pilot-1',
      jti,
      ack: outcome.ack,
      expiresAt: nowS + 30 + 30,
    });
    expect(seen).toEqual([
      {
        jti,
        signer: 'pilot-1',
        streams: { on: [NAVD], off: ALL.filter((a) => a !== NAVD) },
        seq: 1,
        at: now,
      },
    ]);
    expect(existsSync(store.path)).toBe(true);
  });
});
