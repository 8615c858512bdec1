/**
 * The vessel listener against a real Mosquitto (mutual TLS, ACL, persistence) with a code-generated PKI:
 * apply + ack + retained state, every rejection path, unattributable commands, redelivery, restart, CRL over MQTT,
 * stale CRL, hook, Redis, response topic, simulator, broker restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  exportPkcs8,
  crlToPem,
  topics,
  verifyState,
  IEC_61162_450_CATALOG,
  signCommand,
  buildStreamsSet,
  createSigner,
  peekClaims,
} from '@helmlink/protocol';
import { identityFromPkcs8, startVessel, type CommandEvent, type VesselAlert } from '../../src';
import {
  connectAs,
  createFleet,
  PASSPHRASE,
  TestPilot,
  until,
  VESSEL_ID,
  type Fleet,
} from '../helpers/fleet';
import { freePort, waitForPort } from '@helmlink/protocol/node';

const NAVD = '239.192.0.4:60004';
const TGTD = '239.192.0.2:60002';
const TIME = '239.192.0.7:60007';

let fleet: Fleet;
let n = 0;

beforeAll(async () => {
  process.env.HELMLINK_TEST_PASSPHRASE = PASSPHRASE;
  fleet = await createFleet();
});
afterAll(async () => {
  await fleet?.close();
});

/** Starts a vessel in a fresh data dir (or the given one) and records its events. */
async function vessel(
  overrides: Record<string, unknown> = {},
  dataDir?: string,
  opts: Parameters<typeof startVessel>[1] = {},
) {
  const dir = dataDir ?? join(fleet.dir, `vessel-${++n}`);
  if (!dataDir) await fleet.writeDataDir(dir);
  const config = fleet.config(
    {
      broker: {
        url: fleet.broker.url,
        clientId: `vessel-${dir.split('-').pop()}`,
        reconnect: { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 },
      },
      ...overrides,
    },
    dir,
  );
  const handle = await startVessel(config, { passphrase: PASSPHRASE, ...opts });
  const commands: CommandEvent[] = [];
  const alerts: VesselAlert[] = [];
  handle.events.on('command', (e: CommandEvent) => commands.push(e));
  handle.events.on('alert', (a: VesselAlert) => alerts.push(a));
  await until(() => handle.connected, 'vessel connected');
  return { handle, commands, alerts, dir };
}

describe('vessel listener', () => {
  it('applies a valid command, acks it applied and publishes the signed retained state', async () => {
    const { handle } = await vessel();
    const pilot = await TestPilot.connect(fleet);
    const states: string[] = [];
    await pilot.client.subscribeAsync(topics.state(VESSEL_ID), { qos: 1 });
    pilot.client.on('message', (t, p) => t === topics.state(VESSEL_ID) && states.push(p.toString()));
    const token = await pilot.sign([NAVD, TGTD]);
    const ack = await pilot.command(token);
    expect(ack.status).toBe('applied');
    expect(ack.state.on).toEqual([TGTD, NAVD]);
    expect(handle.state.on).toEqual([TGTD, NAVD]);
    expect(handle.state.seq).toBe(1);
    const seqOf = (t: string) => peekClaims(t)?.seq;
    await until(() => states.some((s) => seqOf(s) === 1), 'state seq 1');
    const last = await verifyState(
      states.find((s) => seqOf(s) === 1)!,
      { trust: fleet.trust, clock: Date.now, vesselId: VESSEL_ID },
    );
    expect(last.claims.on).toEqual([TGTD, NAVD]);
    expect(last.claims.last_jti).toBe(ack.in_reply_to);
    // State tokens expire (default 15 minutes) and are re-signed at 2/3 of that.
    expect(last.claims.exp - last.claims.iat).toBe(900);
    await pilot.close();
    await handle.close();
  });

  it('acks every attributable rejection with its code and keeps the state', async () => {
    const { handle } = await vessel();
    const pilot = await TestPilot.connect(fleet);
    const expired = await pilot.sign([NAVD], { clock: () => Date.now() - 10 * 60_000 });
    expect((await pilot.command(expired)).reason).toBe('ERR_CMD_EXPIRED');
    const future = await pilot.sign([NAVD], { clock: () => Date.now() + 10 * 60_000 });
    expect(['ERR_CMD_NOT_YET_VALID', 'ERR_CMD_IAT_IN_FUTURE']).toContain(
      (await pilot.command(future)).reason,
    );
    const otherVessel = await pilot.sign([NAVD], { audience: 'MV-OTHER' });
    expect((await pilot.command(otherVessel)).reason).toBe('ERR_AUD_MISMATCH');
    const all = IEC_61162_450_CATALOG.streams.map((s) => s.address);
    const missing = await pilot.sign({
      v: 1,
      type: 'streams.set',
      on: [NAVD],
      off: all.filter((a) => a !== NAVD).slice(1),
    });
    expect((await pilot.command(missing)).reason).toBe('ERR_STREAM_MISSING');
    const unknown = await pilot.sign({
      v: 1,
      type: 'streams.set',
      on: [NAVD, '239.1.1.1:5000'],
      off: all.filter((a) => a !== NAVD),
    });
    expect((await pilot.command(unknown)).reason).toBe('ERR_STREAM_UNKNOWN');
    const conflict = await pilot.sign({ v: 1, type: 'streams.set', on: [NAVD], off: all });
    expect((await pilot.command(conflict)).reason).toBe('ERR_STREAM_CONFLICT');
    // Same jti, different bytes: a replay.
    const jti = crypto.randomUUID();
    const first = (
      await signCommand(pilot.signer, {
        clock: Date.now,
        audience: VESSEL_ID,
        cmd: buildStreamsSet(IEC_61162_450_CATALOG, [TIME]),
        jti,
      })
    ).token;
    expect((await pilot.command(first)).status).toBe('applied');
    const again = (
      await signCommand(pilot.signer, {
        clock: () => Date.now() + 1000,
        audience: VESSEL_ID,
        cmd: buildStreamsSet(IEC_61162_450_CATALOG, [NAVD]),
        jti,
      })
    ).token;
    const replayAck = await pilot.command(again);
    expect(replayAck.reason).toBe('ERR_REPLAY');
    expect(replayAck.state.on).toEqual([TIME]);
    expect(handle.state.on).toEqual([TIME]);
    expect(handle.state.seq).toBe(1);
    await pilot.close();
    await handle.close();
  });

  it('never acks unattributable commands, logs and alerts them', async () => {
    const { handle, commands, alerts } = await vessel();
    const pilot = await TestPilot.connect(fleet);
    const adminConsole = await connectAs(fleet, fleet.admin, 'admin-console');
    const adminSigner = createSigner({ privateKey: fleet.admin.keys.privateKey, chain: fleet.admin.chain });
    const byAdmin = (
      await signCommand(adminSigner, {
        clock: Date.now,
        audience: VESSEL_ID,
        cmd: buildStreamsSet(IEC_61162_450_CATALOG, [NAVD]),
      })
    ).token;
    const good = await pilot.sign([TGTD]);
    const [h, p, s] = good.split('.') as [string, string, string];
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), cmd: buildStreamsSet(IEC_61162_450_CATALOG, []) })).toString('base64url')}.${s}`;
    const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'helmlink-cmd+jwt' })).toString('base64url')}.${p}.`;
    // The admin role may not even publish commands through the broker ACL; the pilot sends these bad tokens.
    for (const bad of [byAdmin, tampered, noneAlg, 'not a token', 'x'.repeat(20_000)]) await pilot.send(bad);
    adminConsole.end();
    // Commands are handled in order: once the good one is acked, the bad ones were handled before it.
    expect((await pilot.command(good)).status).toBe('applied');
    for (const bad of [byAdmin, tampered, noneAlg]) expect(await pilot.acksFor(bad)).toEqual([]);
    const dropped = commands.filter((c) => c.verdict === 'dropped');
    expect(dropped.map((d) => d.reason)).toEqual([
      'ERR_ROLE_FORBIDDEN',
      'ERR_SIGNATURE_INVALID',
      'ERR_JOSE_ALG_NOT_ALLOWED',
      'ERR_TOKEN_MALFORMED',
      'ERR_TOKEN_TOO_LARGE',
    ]);
    expect(dropped.every((d) => d.ack === undefined)).toBe(true);
    expect(alerts.filter((a) => a.kind === 'unattributable-command')).toHaveLength(5);
    expect(pilot.rawAcks).toHaveLength(1);
    await pilot.close();
    await handle.close();
  });

  it('answers a redelivered command with the same stored ack, also after a restart, and never applies it twice', async () => {
    const first = await vessel();
    const pilot = await TestPilot.connect(fleet);
    const token = await pilot.sign([NAVD]);
    await pilot.command(token);
    await pilot.send(token);
    await until(() => pilot.rawAcks.length === 2, 'second ack');
    expect(pilot.rawAcks[1]).toBe(pilot.rawAcks[0]);
    expect(first.commands.map((c) => c.verdict)).toEqual(['applied', 'duplicate']);
    const next = await pilot.sign([TGTD]);
    await pilot.command(next);
    await first.handle.close();

    const second = await vessel({}, first.dir);
    expect(second.handle.state).toMatchObject({ on: [TGTD], seq: 2 });
    await pilot.send(token);
    await until(() => second.commands.length === 1, 'redelivery handled');
    expect(second.commands[0]!.verdict).toBe('duplicate');
    // Same jti re-signed (different bytes) after the restart: still a replay.
    const claims = peekClaims(token) as { jti: string };
    const resigned = (
      await signCommand(pilot.signer, {
        clock: () => Date.now() + 2000,
        audience: VESSEL_ID,
        cmd: buildStreamsSet(IEC_61162_450_CATALOG, [NAVD]),
        jti: claims.jti,
      })
    ).token;
    expect((await pilot.command(resigned)).reason).toBe('ERR_REPLAY');
    expect(second.handle.state).toMatchObject({ on: [TGTD], seq: 2 });
    await pilot.close();
    await second.handle.close();
  });

  it("rejects a revoked pilot's next command once the CRL arrives over MQTT, and ignores an older or forged CRL", async () => {
    const { handle, commands, alerts } = await vessel();
    const bert = await fleet.pki.issue('pilot-bert', ['pilot']);
    const pilot = await TestPilot.connect(fleet, bert);
    expect((await pilot.command(await pilot.sign([NAVD]))).status).toBe('applied');
    const caClient = await connectAs(fleet, fleet.ca, 'helmlink-ca-publisher');
    const crlEvents: unknown[] = [];
    handle.events.on('crl', (e) => crlEvents.push(e));
    // A CRL signed by a foreign CA is refused and alerted.
    const foreign = await (await import('@helmlink/protocol/testing')).createTestPki();
    await caClient.publishAsync(
      topics.crl(),
      crlToPem(
        await foreign.issuingCrl([{ serial: bert.certificate.serialNumber, revokedAt: new Date() }], {
          crlNumber: 99,
        }),
      ),
      { qos: 1, retain: true },
    );
    await until(() => alerts.some((a) => a.kind === 'crl-rejected'), 'forged CRL refused');
    // An older number than the cached one (10) is ignored.
    await caClient.publishAsync(
      topics.crl(),
      crlToPem(
        await fleet.pki.issuingCrl([{ serial: bert.certificate.serialNumber, revokedAt: new Date() }], {
          crlNumber: 5,
        }),
      ),
      { qos: 1, retain: true },
    );
    expect((await pilot.command(await pilot.sign([TGTD]))).status).toBe('applied');
    expect(crlEvents).toHaveLength(0);
    // The real revocation.
    await caClient.publishAsync(
      topics.crl(),
      crlToPem(
        await fleet.pki.issuingCrl(
          [{ serial: bert.certificate.serialNumber, revokedAt: new Date(), reason: 1 }],
          { crlNumber: 11 },
        ),
      ),
      { qos: 1, retain: true },
    );
    await until(() => crlEvents.length === 1, 'CRL accepted');
    const revoked = await pilot.sign([]);
    await pilot.send(revoked);
    await until(() => commands.length === 3, 'revoked command handled');
    expect(commands[2]).toMatchObject({ verdict: 'dropped', reason: 'ERR_CHAIN_REVOKED' });
    expect(await pilot.acksFor(revoked)).toEqual([]);
    expect(handle.state.on).toEqual([TGTD]);
    // Clear the retained CRL for later tests.
    await caClient.publishAsync(topics.crl(), '', { qos: 1, retain: true });
    caClient.end();
    await pilot.close();
    await handle.close();
  });

  it('fails closed with ERR_CRL_STALE past nextUpdate + grace, and keeps working when configured otherwise', async () => {
    const dir = join(fleet.dir, 'vessel-stale');
    const old = await fleet.pki.issuingCrl([], {
      crlNumber: 3,
      thisUpdate: new Date(Date.now() - 3 * 86_400_000),
      nextUpdate: new Date(Date.now() - 2 * 86_400_000),
    });
    await fleet.writeDataDir(dir, [old]);
    const strict = await vessel({ crl: { graceSeconds: 60, failClosed: true, refreshSeconds: 3600 } }, dir);
    const pilot = await TestPilot.connect(fleet);
    const ack = await pilot.command(await pilot.sign([NAVD]));
    expect(ack).toMatchObject({ status: 'rejected', reason: 'ERR_CRL_STALE' });
    expect(strict.alerts.some((a) => a.kind === 'crl-stale' && a.code === 'ERR_CRL_STALE')).toBe(true);
    expect(strict.handle.state.seq).toBe(0);
    await strict.handle.close();
    const lenient = await vessel({ crl: { graceSeconds: 60, failClosed: false, refreshSeconds: 3600 } }, dir);
    expect((await pilot.command(await pilot.sign([NAVD]))).status).toBe('applied');
    await lenient.handle.close();
    await pilot.close();
  });

  it('runs the hook with the new state; a failing hook rejects with ERR_HOOK_REJECTED and keeps the state', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hook-')), 'state.json');
    const ok = await vessel({ hook: { command: '/bin/sh', args: ['-c', `cat > ${out}`] } });
    const pilot = await TestPilot.connect(fleet);
    const token = await pilot.sign([NAVD]);
    expect((await pilot.command(token)).status).toBe('applied');
    const input = JSON.parse(readFileSync(out, 'utf8')) as {
      on: string[];
      onStreamIds: string[];
      seq: number;
      vesselId: string;
    };
    expect(input).toMatchObject({ vesselId: VESSEL_ID, on: [NAVD], onStreamIds: ['NAVD'], seq: 1 });
    await ok.handle.close();
    const failing = await vessel({
      hook: { command: '/bin/sh', args: ['-c', 'cat >/dev/null; echo "bus offline" >&2; exit 3'] },
    });
    const ack = await pilot.command(await pilot.sign([NAVD]));
    expect(ack).toMatchObject({ status: 'rejected', reason: 'ERR_HOOK_REJECTED' });
    expect(failing.handle.state).toMatchObject({ seq: 0, off: [] });
    expect(failing.commands[0]!.detail).toContain('bus offline');
    await failing.handle.close();
    await pilot.close();
  });

  it('hands applied state to a real Redis (hash + stream)', async () => {
    const port = await freePort();
    const server: ChildProcess = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    try {
      await waitForPort(port);
      const url = `redis://127.0.0.1:${port}`;
      const { handle } = await vessel({}, undefined, { redisUrl: url });
      const pilot = await TestPilot.connect(fleet);
      const ack = await pilot.command(await pilot.sign([NAVD, TIME]));
      const redis = new Redis(url);
      const hash = await redis.hgetall(`helmlink:${VESSEL_ID}:state`);
      expect(JSON.parse(hash.on!)).toEqual([NAVD, TIME]);
      expect(hash).toMatchObject({ seq: '1', last_jti: ack.in_reply_to });
      const entries = await redis.xrange(`helmlink:${VESSEL_ID}:commands`, '-', '+');
      expect(entries).toHaveLength(1);
      expect(entries[0]![1]).toContain(ack.in_reply_to);
      redis.disconnect();
      await pilot.close();
      await handle.close();
    } finally {
      server.kill('SIGTERM');
    }
  });

  it('answers on the MQTT 5 response topic with the correlation data, and simulates only ON streams', async () => {
    const { handle } = await vessel({ simulate: { intervalMs: 20 } }, undefined, { simulate: true });
    const pilot = await TestPilot.connect(fleet);
    const data = new Map<string, number>();
    const correlated: string[] = [];
    await pilot.client.subscribeAsync(`helmlink/v1/vessels/${VESSEL_ID}/data/+`, { qos: 0 });
    pilot.client.on('message', (topic, _p, packet) => {
      if (topic.includes('/data/'))
        data.set(topic.split('/').pop()!, (data.get(topic.split('/').pop()!) ?? 0) + 1);
      if (packet.properties?.correlationData) correlated.push(packet.properties.correlationData.toString());
    });
    const token = await pilot.sign([NAVD]);
    await pilot.send(token, { responseTopic: topics.ack(VESSEL_ID), correlationData: Buffer.from('req-42') });
    await until(() => correlated.includes('req-42'), 'correlated response');
    data.clear();
    await until(() => (data.get('NAVD') ?? 0) >= 3, 'NAVD samples');
    expect([...data.keys()]).toEqual(['NAVD']);
    await pilot.close();
    await handle.close();
  });

  it('never publishes on a response topic other than its own ack topic (a pilot aiming it at state or data)', async () => {
    const { handle, alerts, commands } = await vessel();
    const pilot = await TestPilot.connect(fleet);
    const elsewhere: { topic: string; payload: string; correlation?: string }[] = [];
    // A second console of the same pilot watches every other topic the vessel could be made to publish on.
    const watcher = await connectAs(fleet, fleet.pilot, 'pilot-watcher');
    await watcher.subscribeAsync(`helmlink/v1/vessels/${VESSEL_ID}/#`, { qos: 1 });
    await watcher.subscribeAsync('helmlink/v1/vessels/MV-OTHER/#', { qos: 1 });
    await watcher.subscribeAsync('helmlink/v1/pki/#', { qos: 1 });
    watcher.on('message', (topic, payload, packet) => {
      if (topic === topics.ack(VESSEL_ID) || topic === topics.cmd(VESSEL_ID)) return;
      const correlation = packet.properties?.correlationData?.toString();
      elsewhere.push({ topic, payload: payload.toString(), ...(correlation ? { correlation } : {}) });
    });
    const targets = [
      topics.state(VESSEL_ID),
      topics.data(VESSEL_ID, 'NAVD'),
      topics.ack('MV-OTHER'),
      'helmlink/v1/pki/crl',
    ];
    const tokens: string[] = [];
    for (const [i, target] of targets.entries()) {
      const token = await pilot.sign(i % 2 ? [NAVD] : [TIME]);
      tokens.push(token);
      await pilot.send(token, { responseTopic: target, correlationData: Buffer.from(`evil-${i}`) });
      await until(() => commands.length > i, `command ${i} handled`);
    }
    for (const token of tokens) expect(await pilot.acksFor(token)).toHaveLength(1);
    // A last, plain command and its retained state: everything published before it has been delivered.
    const last = await pilot.sign([NAVD, TIME]);
    await pilot.command(last);
    await until(
      () => elsewhere.some((m) => m.topic === topics.state(VESSEL_ID) && peekClaims(m.payload)?.seq === 5),
      'state seq 5',
    );
    expect(elsewhere.filter((m) => m.correlation?.startsWith('evil-'))).toEqual([]);
    expect(elsewhere.filter((m) => peekClaims(m.payload)?.in_reply_to !== undefined)).toEqual([]);
    expect(commands.filter((c) => c.verdict === 'applied')).toHaveLength(5);
    const refused = alerts.filter((a) => a.kind === 'response-topic-refused');
    expect(refused.map((a) => a.code)).toEqual(Array(4).fill('ERR_RESPONSE_TOPIC_REFUSED'));
    expect(refused[0]!.message).toContain(topics.state(VESSEL_ID));
    await watcher.endAsync();
    await pilot.close();
    await handle.close();
  });

  it('refuses to start when root.pem is not the root the config pins', async () => {
    const dir = join(fleet.dir, 'vessel-wrong-root');
    await fleet.writeDataDir(dir);
    const config = fleet.config(
      { ca: { url: 'https://127.0.0.1:1', rootFingerprint: 'ab'.repeat(32) } },
      dir,
    );
    await expect(startVessel(config, { passphrase: PASSPHRASE })).rejects.toMatchObject({
      code: 'ERR_CHAIN_UNTRUSTED',
    });
    // An identity handed over unlocked (the fleet bench) is held to the same pin.
    const identity = await identityFromPkcs8(
      await exportPkcs8(fleet.vessel.keys.privateKey),
      fleet.vessel.chain,
      fleet.pki.root.certificate,
    );
    await expect(startVessel(config, { passphrase: PASSPHRASE, identity })).rejects.toMatchObject({
      code: 'ERR_CHAIN_UNTRUSTED',
    });
  });

  it('retries a failing renewal with backoff and alerts when it keeps failing', async () => {
    const shifted = () => Date.now() + 25 * 86_400_000; // past 2/3 of the 31-day certificate: renewal is due
    const { handle, alerts } = await vessel(
      { renewal: { enabled: true, retrySeconds: 1, alertAfterFailures: 2 } },
      undefined,
      { clock: shifted },
    );
    await until(() => alerts.some((a) => a.kind === 'renewal-failing'), 'renewal alert');
    const alert = alerts.find((a) => a.kind === 'renewal-failing')!;
    expect(alert.code).toBe('ERR_RENEWAL_FAILED');
    expect((await handle.status()).renewal.consecutiveFailures).toBeGreaterThanOrEqual(2);
    await expect(handle.renewNow()).rejects.toMatchObject({ code: 'ERR_RENEWAL_FAILED' });
    await handle.close();
  });

  it('loses no command and applies none twice across a broker restart mid-stream', async () => {
    const { handle, commands } = await vessel();
    const pilot = await TestPilot.connect(fleet);
    const all = IEC_61162_450_CATALOG.streams.map((s) => s.address);
    const tokens: string[] = [];
    for (let i = 0; i < 30; i++)
      tokens.push(await pilot.sign([all[i % all.length]!], { lifetimeSeconds: 120 }));
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) {
      sends.push(pilot.send(tokens[i]!).catch(() => undefined));
      if (i === 12) await fleet.broker.restart();
    }
    // QoS 1 at the sender: mqtt.js resends unacknowledged publishes after reconnecting.
    await Promise.all(sends);
    await until(
      () => new Set(commands.filter((c) => c.verdict === 'applied').map((c) => c.jti)).size === 30,
      'all 30 applied',
      30_000,
    );
    const applied = commands.filter((c) => c.verdict === 'applied');
    expect(applied).toHaveLength(30);
    expect(handle.state.seq).toBe(30);
    await pilot.close();
    await handle.close();
  });
});
