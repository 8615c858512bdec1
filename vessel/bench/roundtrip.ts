/**
 * `npm run bench:vessel`: command round trips through a real Mosquitto (mutual TLS, set_tcp_nodelay) to a real
 * vessel listener and back. Latency = from signing at the sender to a verified ack back at the sender (one command
 * in flight); throughput = commands per second with a window of commands in flight, every ack verified.
 *
 * The vessel runs as it does on board: `helmlink vessel run --config FILE` in its own process (info-level pino log
 * line per command included). Runs twice: with the state file fsynced per command (durable across power loss) and
 * without (durable across process crashes: the journal append reaches the page cache before the ack is sent).
 *
 * Options: --latency N (default 2000), --throughput N (default 5000), --window N (default 32), --json,
 * --in-process (run the vessel with startVessel inside the bench process instead, as the issue's baseline did).
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  IEC_61162_450_CATALOG,
  MemoryReplayStore,
  certificatesToPem,
  encodePem,
  exportPkcs8,
  buildStreamsSet,
  createTrust,
  peekClaims,
  signCommand,
  topics,
  validatePath,
  verifyAck,
  verifyCommand,
} from '@helmlink/protocol';
import { nodeSignatureVerifier } from '@helmlink/protocol/node';
import pino from 'pino';
import { parseVesselConfig, startVessel } from '../src';
import { PASSPHRASE, TestPilot, VESSEL_ID, connectAs, createFleet, until } from '../test/helpers/fleet';

const { values } = parseArgs({
  options: {
    latency: { type: 'string', default: '2000' },
    throughput: { type: 'string', default: '5000' },
    window: { type: 'string', default: '32' },
    json: { type: 'boolean', default: false },
    'in-process': { type: 'boolean', default: false },
  },
});
const LATENCY_N = Number(values.latency);
const THROUGHPUT_N = Number(values.throughput);
const WINDOW = Number(values.window);

/** Sender-side stage times of the round trips (reset before each measured run). */
const senderStages = { sign: [] as number[], ackVerify: [] as number[] };
/** Vessel stage names as its log line spells them (`stages`), in pipeline order. */
const VESSEL_STAGES = ['verify', 'hook', 'sign', 'write', 'sync', 'publish'] as const;
type VesselStages = Record<(typeof VESSEL_STAGES)[number], number>;

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Result {
  fsync: boolean;
  latency: { n: number; p50Ms: number; p99Ms: number; meanMs: number };
  throughput: {
    n: number;
    window: number;
    commandsPerSecond: number;
    /**
     * CPU µs per command in the throughput run (user + system, all threads) of the vessel, the bench process (the
     * sender: sign, publish, ack verify) and Mosquitto: what 2 cores can carry at most is 2e6 / their sum.
     */
    cpuMicrosPerCommand?: { vessel: number; sender: number; broker: number };
  };
  /** Time inside the vessel per command (receive → verified, persisted, ack published), from its log lines. */
  vesselProcessing: { p50Ms: number; p99Ms: number };
  /**
   * Where the time of a one-in-flight round trip goes, medians in ms: the sender's sign and ack verify, the
   * vessel's stages (its log line), and the rest: both broker hops including TLS and MQTT parsing at each end.
   */
  stagesMs: Record<string, number>;
}

const fleet = await createFleet();
const pilot = await TestPilot.connect(
  fleet,
  await fleet.pki.issue('bench-pilot', ['pilot']),
  'bench-console',
);
const catalog = IEC_61162_450_CATALOG;
const addresses = catalog.streams.map((s) => s.address);
const waiting = new Map<
  string,
  { token: string; digest: string; resolve: () => void; reject: (e: Error) => void }
>();
pilot.client.removeAllListeners('message');
/** The echo floor's waiter (see `echoFloor`). */
let echoed: ((payload: string) => void) | undefined;
pilot.client.on('message', (topic, payload) => {
  if (topic !== topics.ack(VESSEL_ID)) return;
  const ack = payload.toString();
  if (ack.startsWith('echo-')) return echoed?.(ack);
  const replyTo = String(peekClaims(ack)?.in_reply_to);
  const w = waiting.get(replyTo);
  if (!w) return;
  waiting.delete(replyTo);
  const v0 = performance.now();
  verifyAck(ack, {
    trust: fleet.trust,
    certificates: fleet.certificates,
    clock: Date.now,
    vesselId: VESSEL_ID,
    audience: 'bench-pilot',
    commandToken: w.token,
    commandSha256: w.digest,
  }).then((v) => {
    senderStages.ackVerify.push(performance.now() - v0);
    if (v.claims.status !== 'applied') w.reject(new Error(`rejected: ${v.claims.reason}`));
    else w.resolve();
  }, w.reject);
});

/** Signs, publishes and resolves when the verified ack is back. */
async function roundTrip(i: number): Promise<void> {
  const s0 = performance.now();
  const { token, claims } = await signCommand(pilot.signer, {
    clock: Date.now,
    audience: VESSEL_ID,
    cmd: buildStreamsSet(catalog, [addresses[i % addresses.length]!]),
  });
  senderStages.sign.push(performance.now() - s0);
  const done = new Promise<void>((resolve, reject) =>
    waiting.set(claims.jti, {
      token,
      digest: createHash('sha256').update(token).digest('base64url'),
      resolve,
      reject,
    }),
  );
  pilot.client.publish(topics.cmd(VESSEL_ID), token, { qos: 1 });
  return done;
}

async function run(fsync: boolean): Promise<Result> {
  const dir = join(fleet.dir, `bench-${fsync ? 'fsync' : 'nofsync'}`);
  await fleet.writeDataDir(dir);
  const configFile = join(dir, 'vessel.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      vesselId: VESSEL_ID,
      dataDir: dir,
      ca: { url: 'https://127.0.0.1:1', rootFingerprint: fleet.rootFingerprint, timeoutMs: 500 },
      broker: { url: fleet.broker.url, clientId: `bench-vessel-${fsync}` },
      key: { passphrase: { env: 'HELMLINK_BENCH_PASSPHRASE' } },
      crl: { refreshSeconds: 3600 },
      renewal: { enabled: false },
      state: { fsync },
      log: { level: 'info' },
    }),
  );
  const processing: number[] = [];
  const stages: VesselStages[] = [];
  let stop: () => Promise<void>;
  /** CPU seconds (user + system) the vessel used so far (in-process: not separable from the sender). */
  let cpuSeconds: (() => number) | undefined;
  if (values['in-process']) {
    const vessel = await startVessel(
      parseVesselConfig(JSON.parse(readFileSync(configFile, 'utf8')) as unknown),
      {
        passphrase: PASSPHRASE,
        logger: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
      },
    );
    vessel.events.on('command', (e: { latencyMs: number }) => processing.push(e.latencyMs));
    console.error(
      '(--in-process: the vessel stages come from its log lines, printed only by the spawned vessel)',
    );
    await until(() => vessel.connected, 'vessel connected');
    stop = () => vessel.close();
  } else {
    const cli = new URL('../../cli/bin/helmlink.mjs', import.meta.url).pathname;
    // HELMLINK_BENCH_VESSEL_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=DIR", profiles the vessel process.
    const nodeArgs = process.env.HELMLINK_BENCH_VESSEL_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, cli, 'vessel', 'run', '--config', configFile], {
      env: { ...process.env, HELMLINK_BENCH_PASSPHRASE: PASSPHRASE },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    cpuSeconds = () => processCpuSeconds(child.pid!);
    await new Promise<void>((resolve, reject) => {
      // Drain the log (one JSON line per command) so the pipe never blocks the vessel.
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('"connected to broker"')) resolve();
        else if (line.includes('"latencyMs"')) {
          const entry = JSON.parse(line) as { latencyMs: number; stages?: VesselStages };
          processing.push(entry.latencyMs);
          if (entry.stages) stages.push(entry.stages);
        }
      });
      child.once('exit', (code) => reject(new Error(`vessel exited with ${code}`)));
    });
    stop = async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`vessel exited with ${code} after SIGTERM`);
    };
  }
  for (let i = 0; i < 200; i++) await roundTrip(i); // warm-up: caches, JIT, TCP
  senderStages.sign.length = 0;
  senderStages.ackVerify.length = 0;
  const lat: number[] = [];
  for (let i = 0; i < LATENCY_N; i++) {
    const t0 = performance.now();
    await roundTrip(i);
    lat.push(performance.now() - t0);
  }
  lat.sort((a, b) => a - b);
  const inVessel = processing.slice(200).sort((a, b) => a - b);
  const stagesMs = stageBreakdown(lat, inVessel, stages.slice(200, 200 + LATENCY_N));
  let next = 0;
  const cpu0 = { vessel: cpuSeconds?.(), sender: ownCpuSeconds(), broker: brokerCpuSeconds() };
  const t0 = performance.now();
  const worker = async () => {
    while (next < THROUGHPUT_N) await roundTrip(next++);
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const perCommand = (used: number) => Math.round((used / THROUGHPUT_N) * 1e6);
  const cpuMicrosPerCommand = cpuSeconds && {
    vessel: perCommand(cpuSeconds() - cpu0.vessel!),
    sender: perCommand(ownCpuSeconds() - cpu0.sender),
    broker: perCommand(brokerCpuSeconds() - cpu0.broker),
  };
  await stop();
  rmSync(dir, { recursive: true, force: true });
  const r2 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    fsync,
    latency: {
      n: LATENCY_N,
      p50Ms: r2(percentile(lat, 50)),
      p99Ms: r2(percentile(lat, 99)),
      meanMs: r2(lat.reduce((a, b) => a + b, 0) / lat.length),
    },
    throughput: {
      n: THROUGHPUT_N,
      window: WINDOW,
      commandsPerSecond: Math.round(THROUGHPUT_N / seconds),
      ...(cpuMicrosPerCommand ? { cpuMicrosPerCommand } : {}),
    },
    vesselProcessing: { p50Ms: r2(percentile(inVessel, 50)), p99Ms: r2(percentile(inVessel, 99)) },
    stagesMs,
  };
}

/** utime + stime of a process, seconds (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function ownCpuSeconds(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
}

/** The CPU seconds of this fleet's Mosquitto (found by its configuration in the fleet's folder). */
function brokerCpuSeconds(): number {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/u.test(d))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.includes('mosquitto') && cmdline.includes(fleet.dir)) return processCpuSeconds(Number(pid));
  }
  return Number.NaN;
}

function cpuLine(cpu: Result['throughput']['cpuMicrosPerCommand']): string {
  if (!cpu) return '';
  const sum = cpu.vessel + cpu.sender + cpu.broker;
  return (
    `; CPU µs per command: vessel ${cpu.vessel}, sender ${cpu.sender}, broker ${cpu.broker}` +
    ` (2 cores carry at most ${Math.round(2e6 / sum)}/s)`
  );
}

/** Medians per stage; the broker hops are what the median round trip leaves after the measured stages. */
function stageBreakdown(lat: number[], inVessel: number[], stages: VesselStages[]): Record<string, number> {
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const out: Record<string, number> = { sign: r3(median(senderStages.sign)) };
  for (const k of VESSEL_STAGES) out[`vessel ${k}`] = r3(median(stages.map((s) => s[k])));
  out['vessel other (MQTT parse, digest, log)'] = r3(
    Math.max(0, median(inVessel) - VESSEL_STAGES.reduce((a, k) => a + out[`vessel ${k}`]!, 0)),
  );
  out['ack verify'] = r3(median(senderStages.ackVerify));
  out['broker hops (two, with TLS and MQTT at each end)'] = r3(
    Math.max(0, median(lat) - out.sign! - median(inVessel) - out['ack verify']!),
  );
  return out;
}

/**
 * Baseline without the vessel: sign → publish (QoS 1) → a bare subscriber with the vessel's identity verifies the
 * command (cached chain, CRL, replay). One way, one in flight: what the broker hop and one verification cost here.
 */
async function baseline(n: number): Promise<{ n: number; p50Ms: number; p99Ms: number }> {
  const sub = await connectAs(fleet, fleet.vessel, 'bench-baseline', { clean: true });
  await sub.subscribeAsync(topics.cmd(VESSEL_ID), { qos: 1 });
  const crl = await fleet.pki.issuingCrl([], { crlNumber: 1 });
  const trust = createTrust({
    trustAnchors: [fleet.pki.root.certificate],
    intermediates: [fleet.pki.issuing.certificate],
    crls: [crl],
    revocation: { mode: 'leaf' },
    validatePath,
    signatureVerifier: nodeSignatureVerifier,
  });
  const replay = new MemoryReplayStore();
  let arrived: (() => void) | undefined;
  sub.on('message', (_t, payload) => {
    verifyCommand(payload.toString(), {
      trust,
      clock: Date.now,
      audience: VESSEL_ID,
      replay,
      algorithms: ['ES256'],
    }).then(
      () => arrived?.(),
      (e: Error) => console.error(e.message),
    );
  });
  const lat: number[] = [];
  for (let i = 0; i < n + 200; i++) {
    const t0 = performance.now();
    const { token } = await signCommand(pilot.signer, {
      clock: Date.now,
      audience: VESSEL_ID,
      cmd: buildStreamsSet(catalog, [addresses[i % addresses.length]!]),
    });
    const got = new Promise<void>((resolve) => (arrived = resolve));
    pilot.client.publish(topics.cmd(VESSEL_ID), token, { qos: 1 });
    await got;
    if (i >= 200) lat.push(performance.now() - t0);
  }
  await sub.endAsync();
  lat.sort((a, b) => a - b);
  const r2 = (x: number) => Math.round(x * 1000) / 1000;
  return { n, p50Ms: r2(percentile(lat, 50)), p99Ms: r2(percentile(lat, 99)) };
}

/**
 * The floor: a bare MQTT echo through the same Mosquitto, no crypto, no disk. The pilot's client publishes on the
 * vessel's cmd topic (QoS 1), an echo with the vessel's identity publishes it back on the ack topic (QoS 1): the two
 * broker hops with TLS and MQTT at each end that every round trip pays, one in flight. The echo runs in its own
 * process (`echo.ts`) like the vessel, and, for comparison, inside the bench process (no process wake-ups).
 */
async function echoFloor(
  n: number,
  ownProcess: boolean,
): Promise<{ n: number; p50Ms: number; p99Ms: number }> {
  let stop: () => Promise<void>;
  if (ownProcess) {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('echo.ts', import.meta.url).pathname], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const settings = {
      url: fleet.broker.url,
      clientId: 'bench-echo-process',
      key: encodePem('PRIVATE KEY', await exportPkcs8(fleet.vessel.keys.privateKey)),
      cert: certificatesToPem(fleet.vessel.chain),
      ca: certificatesToPem([fleet.pki.root.certificate]),
      from: topics.cmd(VESSEL_ID),
      to: topics.ack(VESSEL_ID),
    };
    child.stdin!.write(`${JSON.stringify(settings)}\n`);
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', () => resolve());
      child.once('exit', (code) => reject(new Error(`echo exited with ${code}`)));
    });
    stop = () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      });
  } else {
    const echo = await connectAs(fleet, fleet.vessel, 'bench-echo', { clean: true });
    await echo.subscribeAsync(topics.cmd(VESSEL_ID), { qos: 1 });
    echo.on('message', (_t, payload) => echo.publish(topics.ack(VESSEL_ID), payload, { qos: 1 }));
    stop = async () => void (await echo.endAsync());
  }
  const lat: number[] = [];
  for (let i = 0; i < n + 200; i++) {
    const payload = `echo-${i}`;
    const t0 = performance.now();
    const back = new Promise<void>((resolve) => (echoed = (p) => p === payload && resolve()));
    pilot.client.publish(topics.cmd(VESSEL_ID), payload, { qos: 1 });
    await back;
    if (i >= 200) lat.push(performance.now() - t0);
  }
  echoed = undefined;
  await stop();
  lat.sort((a, b) => a - b);
  const r2 = (x: number) => Math.round(x * 1000) / 1000;
  return { n, p50Ms: r2(percentile(lat, 50)), p99Ms: r2(percentile(lat, 99)) };
}

const floor = {
  ownProcess: await echoFloor(Math.min(LATENCY_N, 2000), true),
  inBench: await echoFloor(Math.min(LATENCY_N, 2000), false),
};
const base = await baseline(Math.min(LATENCY_N, 2000));
const results = [await run(false), await run(true)];
await pilot.close();
await fleet.close();
rmSync(fleet.dir, { recursive: true, force: true });

if (values.json) {
  console.log(
    JSON.stringify(
      {
        bench: 'vessel-roundtrip',
        alg: 'ES256',
        echoFloor: floor,
        baselineOneWay: base,
        results,
        loadAverage: loadavg(),
      },
      null,
      2,
    ),
  );
} else {
  console.log(
    `vessel round trip: sign (ES256) → Mosquitto mTLS → verify, persist, sign ack → Mosquitto → verify ack (vessel ${values['in-process'] ? 'in the bench process' : 'as `helmlink vessel run` in its own process'})`,
  );
  for (const r of results) {
    console.log(
      `  state fsync ${r.fsync ? 'on ' : 'off'}: p50 ${r.latency.p50Ms.toFixed(3)} ms, p99 ${r.latency.p99Ms.toFixed(3)} ms (n=${r.latency.n}, one in flight); ` +
        `${r.throughput.commandsPerSecond} commands/s (n=${r.throughput.n}, ${r.throughput.window} in flight` +
        `${cpuLine(r.throughput.cpuMicrosPerCommand)}); ` +
        `inside the vessel p50 ${r.vesselProcessing.p50Ms.toFixed(3)} ms, p99 ${r.vesselProcessing.p99Ms.toFixed(3)} ms`,
    );
  }
  console.log(
    `  floor, bare MQTT echo round trip through the same Mosquitto (no crypto, no disk), echo in its own process: p50 ${floor.ownProcess.p50Ms.toFixed(3)} ms, p99 ${floor.ownProcess.p99Ms.toFixed(3)} ms; in the bench process: p50 ${floor.inBench.p50Ms.toFixed(3)} ms, p99 ${floor.inBench.p99Ms.toFixed(3)} ms`,
  );
  console.log(
    `  baseline, no vessel: sign → broker → verify at a bare subscriber (one way): p50 ${base.p50Ms.toFixed(3)} ms, p99 ${base.p99Ms.toFixed(3)} ms`,
  );
  for (const r of results) {
    console.log(`  where the time goes, state fsync ${r.fsync ? 'on' : 'off'} (medians, one in flight):`);
    for (const [k, v] of Object.entries(r.stagesMs)) console.log(`    ${k.padEnd(50)} ${v.toFixed(3)} ms`);
  }
  console.log('targets: p50 <= 0.8 ms (fsync on), p99 <= 4 ms, >= 3,000 commands/s (32 in flight)');
  console.log(
    `machine: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}
process.exit(0);
