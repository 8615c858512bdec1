/** The per-command pipeline without MQTT: attribution under a stale CRL, redelivery, and what gets persisted. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  IEC_61162_450_CATALOG,
  buildStreamsSet,
  createTrust,
  peekClaims,
  signCommand,
  validatePath,
  verifyAck,
  type Trust,
} from '@helmlink/protocol';
import { nodeSignatureVerifier } from '@helmlink/protocol/node';
import { createTestPki, type TestEntity } from '@helmlink/protocol/testing';
import { StateStore, createNodeSigner, processCommand, tokenDigest, type ProcessorContext } from '../../src';

const NAVD = '239.192.0.4:60004';

async function setup(crlNextUpdateOffsetMs: number) {
  const pki = await createTestPki();
  const now = pki.now.getTime();
  const vessel = await pki.issue('MV', ['vessel']);
  const pilot = await pki.issue('pilot-1', ['pilot']);
  const admin = await pki.issue('admin-1', ['admin']);
  const crl = await pki.issuingCrl([], {
    crlNumber: 1,
    thisUpdate: new Date(now - 86_400_000),
    nextUpdate: new Date(now + crlNextUpdateOffsetMs),
  });
  const trust = (mode: 'leaf' | 'off'): Trust =>
    createTrust({
      trustAnchors: [pki.root.certificate],
      crls: [crl],
      revocation: { mode, staleGraceSeconds: 60 },
      validatePath,
      signatureVerifier: nodeSignatureVerifier,
    });
  const store = StateStore.open(
    join(mkdtempSync(join(tmpdir(), 'vessel-process-')), 'state.jsonl'),
    IEC_61162_450_CATALOG,
    { fsync: false, now: () => now },
  );
  const signer = createNodeSigner(vessel.keys.privateKey, vessel.chain);
  const ctx: ProcessorContext = {
    vesselId: 'MV',
    catalog: IEC_61162_450_CATALOG,
    store,
    trust: trust('leaf'),
    trustIgnoringRevocation: trust('off'),
    signer: () => signer,
    algorithms: ['ES256'],
    clockToleranceSeconds: 30,
    clock: () => now,
  };
  const sign = async (who: TestEntity, on: string[]) =>
    (
      await signCommand(createNodeSigner(who.keys.privateKey, who.chain), {
        clock: () => now,
        audience: 'MV',
        cmd: buildStreamsSet(IEC_61162_450_CATALOG, on),
      })
    ).token;
  return { pki, ctx, store, pilot, admin, sign };
}

describe('command pipeline', () => {
  it('answers an authentic pilot with ERR_CRL_STALE under a stale CRL, but never a non-pilot or an unknown signer', async () => {
    const { ctx, pilot, admin, sign, store } = await setup(-3_600_000);
    const byPilot = await processCommand(ctx, await sign(pilot, [NAVD]));
    expect(byPilot).toMatchObject({
      verdict: 'rejected',
      reason: 'ERR_CRL_STALE',
      signer: 'pilot-1',
      changed: false,
    });
    expect(byPilot.ack).toBeDefined();
    const byAdmin = await processCommand(ctx, await sign(admin, [NAVD]));
    expect(byAdmin).toMatchObject({ verdict: 'dropped', reason: 'ERR_CRL_STALE' });
    expect(byAdmin.ack).toBeUndefined();
    const stranger = await (await createTestPki()).issue('pilot-x', ['pilot']);
    expect(await processCommand(ctx, await sign(stranger, [NAVD]))).toMatchObject({
      verdict: 'dropped',
      reason: 'ERR_CHAIN_UNTRUSTED',
    });
    expect(store.seq).toBe(0);
  });

  it('applies once, answers the exact same token with the stored ack, and persists before returning', async () => {
    const { ctx, pilot, sign, store } = await setup(86_400_000);
    const token = await sign(pilot, [NAVD]);
    const first = await processCommand(ctx, token);
    expect(first).toMatchObject({ verdict: 'applied', changed: true });
    const again = await processCommand(ctx, token);
    expect(again).toMatchObject({ verdict: 'duplicate', ack: first.ack, changed: false });
    expect(store.seq).toBe(1);
    const reopened = StateStore.open(store.path, IEC_61162_450_CATALOG, { fsync: false });
    expect(reopened.ackFor(tokenDigest(token))?.ack).toBe(first.ack);
    expect(reopened.streams.on).toEqual([NAVD]);
    reopened.close();
  });

  it("signs the ship systems' words into a rejection: the hook's first line becomes reason_text", async () => {
    const { ctx, pilot, sign, store, pki } = await setup(86_400_000);
    const hooked: ProcessorContext = {
      ...ctx,
      hook: {
        command: '/bin/sh',
        args: ['-c', "echo 'the voyage data recorder feed (VDRD) must stay on' >&2; exit 1"],
        timeoutMs: 5000,
      },
    };
    const token = await sign(pilot, [NAVD]);
    const outcome = await processCommand(hooked, token);
    expect(outcome).toMatchObject({
      verdict: 'rejected',
      reason: 'ERR_HOOK_REJECTED',
      reasonText: 'the voyage data recorder feed (VDRD) must stay on',
      changed: false,
    });
    const ack = await verifyAck(outcome.ack!, {
      trust: createTrust({ trustAnchors: [pki.root.certificate], revocation: { mode: 'off' } }),
      clock: ctx.clock,
      vesselId: 'MV',
      audience: 'pilot-1',
      commandToken: token,
    });
    expect(ack.claims).toMatchObject({
      status: 'rejected',
      reason: 'ERR_HOOK_REJECTED',
      reason_text: 'the voyage data recorder feed (VDRD) must stay on',
    });
    expect(store.seq).toBe(0);
    // A hook that says nothing: the code alone.
    const silent = await processCommand(
      { ...hooked, hook: { command: '/bin/sh', args: ['-c', 'exit 1'], timeoutMs: 5000 } },
      await sign(pilot, [NAVD]),
    );
    expect(silent).toMatchObject({ verdict: 'rejected', reason: 'ERR_HOOK_REJECTED' });
    expect(silent.reasonText).toBeUndefined();
    expect(peekClaims(silent.ack!)).not.toHaveProperty('reason_text');
  });

  it('refuses a command published with a trailing newline: an ack only ever names the exact compact token', async () => {
    const { ctx, pilot, sign, store } = await setup(86_400_000);
    const token = await sign(pilot, [NAVD]);
    for (const payload of [`${token}\n`, `${token}\r\n`, ` ${token}`]) {
      const outcome = await processCommand(ctx, payload);
      expect(outcome).toMatchObject({ verdict: 'dropped', reason: 'ERR_TOKEN_MALFORMED', changed: false });
      expect(outcome.ack).toBeUndefined();
    }
    expect(store.seq).toBe(0);
    const applied = await processCommand(ctx, token);
    expect(applied.verdict).toBe('applied');
    const ackClaims = JSON.parse(Buffer.from(applied.ack!.split('.')[1]!, 'base64url').toString()) as {
      cmd_sha256: string;
    };
    expect(ackClaims.cmd_sha256).toBe(tokenDigest(token));
  });

  it('never restarts at an older sequence after a damaged journal line: old commands cannot apply again', async () => {
    const { ctx, pilot, sign, store } = await setup(86_400_000);
    const tokens = [await sign(pilot, [NAVD]), await sign(pilot, []), await sign(pilot, [NAVD])];
    for (const t of tokens) expect((await processCommand(ctx, t)).verdict).toBe('applied');
    expect(store.seq).toBe(3);
    store.close();
    // One byte lost in the first journal record (line 2 of 4): it is no longer JSON.
    const lines = readFileSync(store.path, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"type":"record"', '"type":"record');
    writeFileSync(store.path, lines.join('\n'));
    let refused: unknown;
    try {
      // Were the later records dropped, the vessel would be back at seq 0 and apply tokens[1] again (still fresh).
      const reopened = StateStore.open(store.path, IEC_61162_450_CATALOG, { fsync: false });
      refused = {
        seq: reopened.seq,
        again: (await processCommand({ ...ctx, store: reopened }, tokens[1]!)).verdict,
      };
    } catch (err) {
      refused = err;
    }
    expect(refused).toMatchObject({ code: 'ERR_STATE_JOURNAL_DAMAGED', details: { line: 2 } });
  });
});
