/**
 * `npm run bench:fleet`: a fleet of simulated vessels (default 500) against one Mosquitto (mutual TLS, ACL, the
 * test kit's configuration) and one console subscriber. Every vessel is a real listener (`startVessel`): its own
 * certificate, MQTT session (clean = false), state file (fsync on) and CRL cache. The console side is what the
 * console service does per message, on the protocol's MqttSession: subscribe to every vessel's state and ack,
 * verify each token against the fleet trust and keep the newest verified state per vessel.
 *
 * Reported: connect storm (broker restarted → every vessel ready again), memory per vessel connection at the broker
 * (Mosquitto's RSS before/after, /proc), memory per vessel in the console (heap held for the verified states),
 * state fan-in (every vessel's new state verified at the console), revocation (a new CRL published retained on the
 * CRL topic → each vessel accepted it, p50/p99/max), a command to each vessel → every verified ack, and CPU seconds
 * per 1,000 commands (this process + Mosquitto, from /proc).
 *
 * All vessels and the console share this one Node process (one event loop, at most one core), so every latency
 * here includes queueing behind the other 499 vessels' work: an upper bound of what separate ships would see.
 * The vessels' keys are handed over unlocked (`StartVesselOptions.identity`): 500 PBKDF2 unlocks would take minutes.
 *
 * Options: --vessels N (default 500), --json, --profile DIR (CPU profiles of the connect storm and of the
 * revocation fan-out, each phase alone).
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { cpus, loadavg, tmpdir } from 'node:os';
import pino from 'pino';
import {
  buildStreamsSet,
  certificateFingerprint,
  createTrust,
  exportPkcs8,
  IEC_61162_450_CATALOG,
  parseTopic,
  peekClaims,
  signCommand,
  SignerCertificates,
  topics,
  validatePath,
  verifyAck,
  verifyState,
} from '@helmlink/protocol';
import { MqttSession } from '@helmlink/protocol/mqtt';
import { nodeSignatureVerifier } from '@helmlink/protocol/node';
import { createTestPki, type TestEntity } from '@helmlink/protocol/testing';
import {
  createNodeSigner,
  identityFromPkcs8,
  parseVesselConfig,
  saveCrls,
  startVessel,
  tlsCredentialsOf,
  type VesselHandle,
} from '../src';
import { startMosquitto } from '../test/helpers/mosquitto';
import { measureConnectFloor } from './connect-floor';
import { profiled } from './phase-profile';

const { values } = parseArgs({
  options: {
    vessels: { type: 'string', default: '500' },
    json: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const N = Number(values.vessels);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function until(ok: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The broker's process (found by its config path in /proc/PID/cmdline, again after a restart): RSS and CPU. */
function brokerProcess(confDir: string): { rss: () => number; cpuSeconds: () => number } {
  const pid = () =>
    readdirSync('/proc').find((p) => {
      if (!/^\d+$/u.test(p)) return false;
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return cmd.includes('mosquitto') && cmd.includes(confDir);
      } catch {
        return false;
      }
    });
  const stat = () => readFileSync(`/proc/${pid()}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return {
    rss: () => Number(/VmRSS:\s+(\d+)/u.exec(readFileSync(`/proc/${pid()}/status`, 'utf8'))![1]) * 1024,
    // utime and stime are fields 14 and 15 (11 and 12 after the command name), in clock ticks (100/s).
    cpuSeconds: () => {
      const f = stat();
      return (Number(f[11]) + Number(f[12])) / 100;
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'helmlink-fleet-'));
const pki = await createTestPki();
const ids = Array.from({ length: N }, (_, i) => `MV-FLEET-${String(i).padStart(4, '0')}`);
const vesselEntities: TestEntity[] = [];
for (const id of ids) vesselEntities.push(await pki.issue(id, ['vessel']));
const consoleEntity = await pki.issue('fleet-console', ['pilot']);
const caEntity = await pki.issue('helmlink-ca', ['ca']);
const revokedPilot = await pki.issue('pilot-revoked', ['pilot']);
const brokerEntity = await pki.issue('broker', ['broker'], {
  dnsNames: ['localhost'],
  ipAddresses: ['127.0.0.1'],
});
const broker = await startMosquitto(join(dir, 'broker'), pki, brokerEntity, [
  ...ids.map((entityId) => ({ entityId, roles: ['vessel' as const] })),
  { entityId: 'fleet-console', roles: ['pilot'] },
  { entityId: 'helmlink-ca', roles: ['ca'] },
]);
const mosquitto = brokerProcess(join(dir, 'broker'));
const firstCrl = await pki.issuingCrl([], { crlNumber: 10 });
const trust = createTrust({
  trustAnchors: [pki.root.certificate],
  // x5c carries the signer's certificate only: the issuing CA comes from the console's own chain.
  intermediates: [pki.issuing.certificate],
  crls: [firstCrl],
  revocation: { mode: 'leaf' },
  validatePath,
  signatureVerifier: nodeSignatureVerifier,
});

// The console: one session, every vessel's state and ack, each verified; the newest state per vessel is kept.
const states = new Map<string, { seq: number; on: readonly string[]; at: number }>();
const acks = new Map<string, number>();
const pending = new Map<string, { token: string; vesselId: string }>();
// The vessels' acks name their certificate by x5t#S256: resolved from the verified states, as the console does.
const certificates = new SignerCertificates();
const consoleSigner = createNodeSigner(consoleEntity.keys.privateKey, consoleEntity.chain);
const consoleSession = new MqttSession({
  url: broker.url,
  clientId: 'fleet-console',
  clean: true,
  credentials: tlsCredentialsOf(await identityOf(consoleEntity)),
  subscriptions: { [topics.filters.allStates]: { qos: 1 }, [topics.filters.allAcks]: { qos: 1 } },
  backoff: { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 },
  onMessage: async (packet) => {
    const parsed = parseTopic(packet.topic);
    const vesselId = parsed?.vesselId;
    if (!vesselId) return;
    const token = packet.payload.toString();
    try {
      if (parsed.kind === 'state') {
        const v = await verifyState(token, { trust, clock: Date.now, vesselId, certificates });
        const held = states.get(vesselId);
        if (!held || v.claims.seq > held.seq)
          states.set(vesselId, { seq: v.claims.seq, on: v.claims.on, at: performance.now() });
      } else if (parsed.kind === 'ack') {
        const replyTo = String(peekClaims(token)?.in_reply_to);
        const sent = pending.get(replyTo);
        if (!sent) return;
        await verifyAck(token, {
          trust,
          clock: Date.now,
          vesselId,
          audience: 'fleet-console',
          commandToken: sent.token,
          certificates,
        });
        pending.delete(replyTo);
        acks.set(vesselId, performance.now());
      }
    } catch (err) {
      console.error(`console: ${vesselId} ${parsed.kind} refused: ${(err as Error).message}`);
    }
  },
});
consoleSession.start();
await until(() => consoleSession.ready, 'console ready', 30_000);

async function identityOf(e: TestEntity) {
  return identityFromPkcs8(await exportPkcs8(e.keys.privateKey), e.chain, pki.root.certificate);
}

/**
 * The heap once the process is quiet: full GCs half a second apart until two agree within 256 KiB (sockets closed
 * by the phase before, e.g. the connect floor's thousand, release their buffers over a while; measured right away,
 * their release made the console's share come out negative).
 */
async function settledHeap(): Promise<number> {
  let previous = Number.NaN;
  for (let i = 0; i < 20; i++) {
    gc();
    const heap = process.memoryUsage().heapUsed;
    if (Math.abs(heap - previous) < 256 * 1024) return heap;
    previous = heap;
    await new Promise((r) => setTimeout(r, 500));
  }
  return previous;
}

/**
 * Heap a console holds per vessel: a second console session (the vessels share this process, so the first one's
 * growth cannot be told apart) receives every retained state, verifies it and keeps it; the heap is compared
 * after a full GC before and after.
 */
async function consoleMemoryPerVessel(): Promise<number> {
  const held = new Map<string, unknown>();
  const before = await settledHeap();
  const session = new MqttSession({
    url: broker.url,
    clientId: 'fleet-console-2',
    clean: true,
    credentials: tlsCredentialsOf(await identityOf(consoleEntity)),
    subscriptions: { [topics.filters.allStates]: { qos: 1 } },
    backoff: { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 },
    onMessage: async (packet) => {
      const vesselId = parseTopic(packet.topic)?.vesselId;
      if (!vesselId) return;
      held.set(vesselId, await verifyState(packet.payload.toString(), { trust, clock: Date.now, vesselId }));
    },
  });
  session.start();
  await until(() => held.size === N, 'the second console holding every state', 120_000);
  const perVessel = ((await settledHeap()) - before) / N;
  await session.close();
  return perVessel;
}

// The fleet.
const brokerRssBefore = mosquitto.rss();
const vessels: VesselHandle[] = [];
const connectedAt = new Map<string, number>();
const crlAt = new Map<string, number>();
const silent = pino({ level: 'silent' });
const fingerprint = await certificateFingerprint(pki.root.certificate);
const t0Start = performance.now();
for (let i = 0; i < N; i += 25) {
  await Promise.all(
    ids.slice(i, i + 25).map(async (vesselId, k) => {
      const dataDir = join(dir, 'vessels', vesselId);
      const config = parseVesselConfig({
        vesselId,
        dataDir,
        ca: { url: 'https://127.0.0.1:1', rootFingerprint: fingerprint, timeoutMs: 500 },
        broker: { url: broker.url },
        key: { passphrase: { env: 'HELMLINK_FLEET_UNUSED' } },
        crl: { refreshSeconds: 3600 },
        renewal: { enabled: false },
        state: { fsync: true },
        log: { level: 'silent' },
      });
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      await saveCrls(dataDir, [firstCrl]);
      const handle = await startVessel(config, {
        passphrase: 'unused: the identity is handed over unlocked',
        identity: await identityOf(vesselEntities[i + k]!),
        logger: silent,
      });
      handle.events.on('connect', () => connectedAt.set(vesselId, performance.now()));
      handle.events.on('crl', (e: { crlNumber?: number }) => {
        if (e.crlNumber === 11) crlAt.set(vesselId, performance.now());
      });
      vessels.push(handle);
    }),
  );
}
await until(() => connectedAt.size === N, 'every vessel connected', 300_000);
const firstConnectS = (performance.now() - t0Start) / 1000;
await until(() => states.size === N, 'every initial state at the console', 120_000);
const brokerBytesPerConnection = (mosquitto.rss() - brokerRssBefore) / N;

// Connect storm: the broker restarts; every vessel reconnects with its configured backoff.
connectedAt.clear();
const stormCpu0 = process.cpuUsage();
const tRestart = performance.now();
let brokerBackS = 0;
await profiled(values.profile, 'connect-storm', async () => {
  await broker.restart();
  brokerBackS = (performance.now() - tRestart) / 1000;
  await until(() => connectedAt.size === N && consoleSession.ready, 'every vessel reconnected', 300_000);
});
const reconnectS = [...connectedAt.values()].map((t) => (t - tRestart) / 1000);
const connectStormS = Math.max(...reconnectS);
const stormCpu = process.cpuUsage(stormCpu0);
const stormCpuMsPerVessel = (stormCpu.user + stormCpu.system) / 1000 / N;
// Let the reconnect's own traffic (states published again, retained CRL) settle before measuring commands.
await new Promise((r) => setTimeout(r, 3000));

// A command to every vessel, twice: the first from a signer each vessel has not seen yet (full path validation
// with the CRL at every vessel), then again with every vessel's signer cache warm. Each ack verified; the new
// states fan in; CPU (this process + Mosquitto) counted over the warm round.
const addresses = IEC_61162_450_CATALOG.streams.map((s) => s.address);
async function commandRound(round: number): Promise<{ ackedS: number; fanInS: number; cpuS: number }> {
  acks.clear();
  const seqBefore = new Map([...states].map(([k, v]) => [k, v.seq]));
  const cpu0 = process.cpuUsage();
  const brokerCpu0 = mosquitto.cpuSeconds();
  const t0 = performance.now();
  for (const [i, vesselId] of ids.entries()) {
    const { token, claims } = await signCommand(consoleSigner, {
      clock: Date.now,
      audience: vesselId,
      cmd: buildStreamsSet(IEC_61162_450_CATALOG, [addresses[(i + round) % addresses.length]!]),
    });
    pending.set(claims.jti, { token, vesselId });
    void consoleSession.publish(topics.cmd(vesselId), token, { qos: 1 });
  }
  await until(() => acks.size === N, 'every verified ack', 300_000);
  const ackedS = (Math.max(...acks.values()) - t0) / 1000;
  await until(
    () => ids.every((id) => (states.get(id)?.seq ?? 0) > (seqBefore.get(id) ?? 0)),
    'every new state at the console',
    300_000,
  );
  const cpu = process.cpuUsage(cpu0);
  const fanInS = (Math.max(...ids.map((id) => states.get(id)!.at)) - t0) / 1000;
  return { ackedS, fanInS, cpuS: (cpu.user + cpu.system) / 1e6 + (mosquitto.cpuSeconds() - brokerCpu0) };
}
const cold = await commandRound(0);
await new Promise((r) => setTimeout(r, 1000));
const warm = await commandRound(1);
const commandsS = warm.ackedS;
const fanInS = warm.fanInS;
const cpuSecondsPer1000 = (warm.cpuS * 1000) / N;

// Revocation: a new CRL, published retained on the CRL topic as the CA does.
const caSession = new MqttSession({
  url: broker.url,
  clientId: 'helmlink-ca',
  clean: true,
  credentials: tlsCredentialsOf(await identityOf(caEntity)),
  backoff: { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 },
});
caSession.start();
await until(() => caSession.ready, 'CA publisher ready', 30_000);
const newCrl = await pki.issuingCrl(
  [{ serial: revokedPilot.certificate.serialNumber, revokedAt: new Date(), reason: 1 }],
  { crlNumber: 11 },
);
const crlCpu0 = process.cpuUsage();
const tCrl = performance.now();
await profiled(values.profile, 'revocation', async () => {
  await caSession.publish(topics.crl(), Buffer.from(newCrl.rawData), { qos: 1, retain: true });
  await until(() => crlAt.size === N, 'every vessel holding the new CRL', 120_000);
});
const crlMs = ids.map((id) => crlAt.get(id)! - tCrl);
// This process's CPU for the whole fan-out, per vessel: the spread is this work queued on one event loop.
const crlCpu = process.cpuUsage(crlCpu0);
const crlCpuMsPerVessel = (crlCpu.user + crlCpu.system) / 1000 / N;

await caSession.close();
// The floor: the same number of bare mutual-TLS connects (the vessels' keys, no application work) all at once.
const floorCredentials = [];
for (const e of vesselEntities) floorCredentials.push(tlsCredentialsOf(await identityOf(e)));
const connectFloorPem = await measureConnectFloor(
  broker.url,
  floorCredentials,
  () => mosquitto.cpuSeconds(),
  false,
);
const connectFloor = await measureConnectFloor(
  broker.url,
  floorCredentials,
  () => mosquitto.cpuSeconds(),
  true,
);
const heapPerVesselInConsole = await consoleMemoryPerVessel();
for (const v of vessels) await v.close();
await consoleSession.close();
await broker.stop();
rmSync(dir, { recursive: true, force: true });

const result = {
  bench: 'fleet',
  vessels: N,
  firstConnectSeconds: r3(firstConnectS),
  connectStormSeconds: r3(connectStormS),
  connectStorm: {
    brokerBackSeconds: r3(brokerBackS),
    p50: r3(pct(reconnectS, 50)),
    p90: r3(pct(reconnectS, 90)),
    max: r3(connectStormS),
    cpuMsPerVessel: r3(stormCpuMsPerVessel),
  },
  connectFloor,
  connectFloorPemPerConnect: connectFloorPem,
  brokerKiBPerConnection: Math.round(brokerBytesPerConnection / 1024),
  consoleKiBPerVessel: Math.round((heapPerVesselInConsole / 1024) * 10) / 10,
  stateFanInSeconds: r3(fanInS),
  revocationMs: { p50: r3(pct(crlMs, 50)), p99: r3(pct(crlMs, 99)), max: r3(Math.max(...crlMs)) },
  revocationCpuMsPerVessel: r3(crlCpuMsPerVessel),
  commandsAckedSeconds: r3(commandsS),
  firstCommandsAckedSeconds: r3(cold.ackedS),
  firstCommandsCpuSecondsPer1000: r3((cold.cpuS * 1000) / N),
  cpuSecondsPer1000Commands: r3(cpuSecondsPer1000),
  loadAverage: loadavg(),
  cpus: cpus().length,
};
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(
    `fleet of ${N} vessels (each: own mTLS session, state file fsynced, CRL cache), one Mosquitto, one console subscriber; all in one Node process`,
  );
  console.log(
    `  first start, all connected        ${result.firstConnectSeconds} s (includes starting ${N} listeners)`,
  );
  console.log(`  connect storm after broker restart ${result.connectStormSeconds} s   (goal <= 30 s)`);
  console.log(
    `    broker back after ${result.connectStorm.brokerBackSeconds} s; vessels ready p50 ${result.connectStorm.p50} s, p90 ${result.connectStorm.p90} s; CPU ${result.connectStorm.cpuMsPerVessel} ms per vessel here`,
  );
  console.log(
    `    floor: ${N} bare mTLS connects at once ${connectFloor.seconds} s (${connectFloor.handshakesPerSecond}/s; CPU per connect ${connectFloor.clientCpuMsPerConnect} ms here, ${connectFloor.brokerCpuMsPerConnect} ms Mosquitto)`,
  );
  console.log(
    `    (TLS context parsed per connect: ${connectFloorPem.seconds} s, ${connectFloorPem.clientCpuMsPerConnect} ms CPU per connect here)`,
  );
  console.log(`  broker memory per connection       ${result.brokerKiBPerConnection} KiB (Mosquitto RSS)`);
  console.log(
    `  console memory per vessel          ${result.consoleKiBPerVessel} KiB (heap: session share + verified state held)`,
  );
  console.log(`  state fan-in (${N} new states)      ${result.stateFanInSeconds} s`);
  console.log(
    `  revocation → every vessel's CRL    p50 ${result.revocationMs.p50} ms, p99 ${result.revocationMs.p99} ms, max ${result.revocationMs.max} ms   (goal p99 <= 2 s); CPU ${result.revocationCpuMsPerVessel} ms per vessel`,
  );
  console.log(`  a command to each → verified acks  ${result.commandsAckedSeconds} s   (goal <= 2 s)`);
  console.log(
    `  CPU per 1,000 commands             ${result.cpuSecondsPer1000Commands} s (this process + Mosquitto)`,
  );
  console.log(
    `  machine: ${result.cpus} CPUs, load average ${result.loadAverage.map((l) => l.toFixed(1)).join(' ')}`,
  );
}
process.exit(0);
