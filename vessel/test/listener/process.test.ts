/** The per-command pipeline without MQTT: attribution under a stale CRL, redelivery, and what gets persisted. */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IEC_61162_450_CATALOG, peekClaims, signCommand, buildStreamsSet } from '@helmlink/protocol';
import { createTestPki, type TestEntity } from '@helmlink/protocol/testing';
import { StateStore, createNodeSigner, processCommand, tokenDigest, type ProcessorContext } from '../../src';
import { NAVD, processorFixture } from '../helpers/processor';

const setup = (crlNextUpdateOffsetMs: number) =>
  processorFixture({ crlNextUpdateOffsetMs, staleGraceSeconds: 60 });

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

  it('under a stale CRL, an authentic pilot whose command also fails another check (expired) is still told ERR_CRL_STALE', async () => {
    const { pki, ctx, pilot, store } = await setup(-3_600_000);
    const now = pki.now.getTime();
    const { token, claims } = await signCommand(createNodeSigner(pilot.keys.privateKey, pilot.chain), {
      clock: () => now - 3_600_000,
      audience: 'MV',
      cmd: buildStreamsSet(IEC_61162_450_CATALOG, [NAVD]),
    });
    const outcome = await processCommand(ctx, token);
    expect(outcome).toMatchObject({
      verdict: 'rejected',
      reason: 'ERR_CRL_STALE',
      signer: 'pilot-1',
      jti: claims.jti,
      changed: false,
    });
    expect(store.ackFor(tokenDigest(token))?.ack).toBe(outcome.ack);
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

  it('drops a command naming its pilot by x5t#S256 unanswered (it must carry x5c), and names itself so in acks', async () => {
    const { ctx, pilot, vessel, sign, signRaw, baseClaims, store } = await setup(86_400_000);
    const thumbprint = (cert: TestEntity['certificate']) =>
      createHash('sha256').update(new Uint8Array(cert.rawData)).digest('base64url');
    // Authentic pilot key and claims; only the header names the certificate instead of carrying it.
    const token = await signRaw(baseClaims(), pilot, { 'x5t#S256': thumbprint(pilot.certificate) });
    const outcome = await processCommand(ctx, token);
    expect(outcome).toMatchObject({
      verdict: 'dropped',
      reason: 'ERR_JOSE_HEADER_FORBIDDEN',
      changed: false,
    });
    expect(outcome.ack).toBeUndefined();
    expect(store.seq).toBe(0);
    // The vessel's own ack names its certificate by x5t#S256 and carries no x5c.
    const applied = await processCommand(ctx, await sign(pilot, [NAVD]));
    const header = JSON.parse(Buffer.from(applied.ack!.split('.')[0]!, 'base64url').toString()) as object;
    expect(header).toEqual({
      alg: 'ES256',
      typ: 'helmlink-ack+jwt',
      'x5t#S256': thumbprint(vessel.certificate),
    });
  });

  it("signs the ship systems' words into a rejection: the hook's first line becomes reason_text", async () => {
    const { ctx, pilot, sign, store, ackOf } = await setup(86_400_000);
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
    // The ack names the vessel certificate by x5t#S256: known from a verified state, as at a console.
    const ack = await ackOf(token, outcome.ack!);
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
