/**
 * `npm run bench:link`: the vessel behind an emulated satellite or coastal link (the test kit's LinkEmulator), per
 * profile (GEO VSAT, LEO, coastal 4G):
 *
 * - command → verified ack: p50 / p99, one in flight (the pilot sits next to the broker, the vessel behind the link);
 * - bytes on the wire per command (broker → ship) and per ack (ship → broker), counted on the link's sockets: TLS
 *   records, MQTT headers, the other side's PUBACK. The ack is what the ship sent before the verified ack reached
 *   the pilot; the vessel's retained state token, re-signed after every applied command (its seq and last jti
 *   change) and sent 20 ms after the ack, is reported on its own line;
 * - bytes of a reconnect, handshake included (the link reset, until the vessel is ready and has republished its
 *   link status and state);
 * - time from the link's return to the first applied command, after an outage long enough for the vessel's
 *   keepalive to give up the connection (LEO: its own 5 s hand-over outage, which the connection survives).
 *
 * The vessel runs as `helmlink vessel run` in its own process with its default reconnect policy and a 10 s keepalive.
 * Options: --n N round trips per profile (default 40 on GEO, 100 on the others), --only geo,leo,coastal4g, --json.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  IEC_61162_450_CATALOG,
  buildStreamsSet,
  peekClaims,
  signCommand,
  topics,
  verifyAck,
} from '@helmlink/protocol';
import { LINK_PROFILES, LinkEmulator, roundTripMs, type LinkProfile } from '@helmlink/protocol/testkit';
import { PASSPHRASE_ENV, spawnCli, type CliProcess } from '../test/helpers/cli-process';
import { TestPilot, VESSEL_ID, createFleet } from '../test/helpers/fleet';

const { values } = parseArgs({
  options: { n: { type: 'string' }, only: { type: 'string' }, json: { type: 'boolean', default: false } },
});
const KEEPALIVE_SECONDS = 10;
const OUTAGE_MS = 15_000;

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const r1 = (x: number) => Math.round(x * 10) / 10;

const fleet = await createFleet();
const pilot = await TestPilot.connect(fleet, await fleet.pki.issue('bench-pilot', ['pilot']), 'bench-link');
const catalog = IEC_61162_450_CATALOG;
const waiting = new Map<string, { token: string; digest: string; done: (status: string) => void }>();
let lastAckBytes = 0;
pilot.client.removeAllListeners('message');
pilot.client.on('message', (topic, payload) => {
  if (topic !== topics.ack(VESSEL_ID)) return;
  const ack = payload.toString();
  lastAckBytes = ack.length;
  const w = waiting.get(String(peekClaims(ack)?.in_reply_to));
  if (!w) return;
  waiting.delete(String(peekClaims(ack)?.in_reply_to));
  void verifyAck(ack, {
    trust: fleet.trust,
    certificates: fleet.certificates,
    clock: Date.now,
    vesselId: VESSEL_ID,
    audience: 'bench-pilot',
    commandToken: w.token,
    commandSha256: w.digest,
  }).then((v) => w.done(v.claims.status));
});

/** Signs a command switching on the first stream only, publishes it; resolves with the verified ack's status. */
async function command(lifetimeSeconds = 60): Promise<{ token: string; acked: Promise<string> }> {
  const { token, claims } = await signCommand(pilot.signer, {
    clock: Date.now,
    audience: VESSEL_ID,
    lifetimeSeconds,
    cmd: buildStreamsSet(catalog, [catalog.streams[0]!.address]),
  });
  const acked = new Promise<string>((done) =>
    waiting.set(claims.jti, { token, digest: createHash('sha256').update(token).digest('base64url'), done }),
  );
  await pilot.send(token);
  return { token, acked };
}

async function startVessel(link: LinkEmulator, name: string): Promise<CliProcess> {
  const dir = join(fleet.dir, name);
  await fleet.writeDataDir(join(dir, 'data'));
  const config = join(dir, 'vessel.json');
  writeFileSync(
    config,
    JSON.stringify({
      vesselId: VESSEL_ID,
      dataDir: './data',
      ca: { url: 'https://127.0.0.1:1', rootFingerprint: fleet.rootFingerprint, timeoutMs: 500 },
      broker: { url: `mqtts://127.0.0.1:${link.port}`, clientId: name, keepaliveSeconds: KEEPALIVE_SECONDS },
      key: { passphrase: { env: PASSPHRASE_ENV } },
      crl: { refreshSeconds: 3600 },
      renewal: { enabled: false },
      state: { fsync: false },
    }),
  );
  const vessel = spawnCli(['vessel', 'run', '--config', config]);
  await vessel.waitFor('connected to broker', 1, 60_000);
  return vessel;
}

/** Waits until the link has carried no byte for `quietMs` (the vessel's after-connect publishes are done). */
async function quiet(link: LinkEmulator, quietMs = 1500): Promise<void> {
  let last = JSON.stringify(link.bytes());
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    await new Promise((r) => setTimeout(r, 100));
    const now = JSON.stringify(link.bytes());
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

interface ProfileResult {
  profile: string;
  rttMs: number;
  roundTrip: { n: number; p50Ms: number; p99Ms: number };
  bytes: {
    perCommand: number;
    perAck: number;
    commandPlusAck: number;
    statePerCommand: number;
    reconnect: number;
  };
  tokens: { commandBytes: number; ackBytes: number };
  outage: { ms: number; linkReturnToAppliedMs: number; status: string };
}

async function measure(key: string, profile: LinkProfile): Promise<ProfileResult> {
  process.stderr.write(`• ${profile.name}\n`);
  // Periodic outages are measured separately below: the round trips run on a steady link.
  const link = await LinkEmulator.start({
    target: { host: '127.0.0.1', port: fleet.broker.port },
    profile: { ...profile, outage: undefined },
  });
  const vessel = await startVessel(link, `bench-link-${key}`);
  const n = Number(values.n ?? (key === 'geo' ? 40 : 100));
  for (let i = 0; i < 3; i++) await (await command()).acked; // warm-up; the state is now what every command sets
  await quiet(link);
  const before = link.bytes();
  // Ship → broker bytes until the verified ack is at the pilot are the ack's; later ones the state token's.
  let ackPhase = false;
  let ackBytes = 0;
  const count = (direction: string, bytes: number) => {
    if (direction === 'fromShip' && ackPhase) ackBytes += bytes;
  };
  link.on('delivered', count);
  const lat: number[] = [];
  let cmdToken = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    ackPhase = true;
    const { token, acked } = await command();
    await acked;
    ackPhase = false;
    lat.push(performance.now() - t0);
    cmdToken = token.length;
    await quiet(link, 400);
  }
  link.off('delivered', count);
  await quiet(link, 500);
  const after = link.bytes();
  await quiet(link);
  // A reconnect: the link reset; everything until the vessel is ready and quiet again.
  const beforeReconnect = link.bytes();
  link.reset();
  await vessel.waitFor('connected to broker', 2, 60_000);
  await quiet(link);
  const reconnected = link.bytes();
  // An outage: commands wait at the broker; the time from the link's return to the first one applied.
  const outageMs = profile.outage?.forMs ?? OUTAGE_MS;
  link.blackhole();
  await new Promise((r) => setTimeout(r, 200));
  const pending = await command(120);
  await new Promise((r) => setTimeout(r, outageMs - 200));
  const returned = performance.now();
  link.restore();
  const status = await pending.acked;
  const appliedAfter = performance.now() - returned;
  vessel.child.kill('SIGTERM');
  await vessel.exited;
  await link.close();
  lat.sort((a, b) => a - b);
  const perCommand = Math.round((after.toShip - before.toShip) / n);
  const perAck = Math.round(ackBytes / n);
  const statePerCommand = Math.round((after.fromShip - before.fromShip - ackBytes) / n);
  return {
    profile: profile.name,
    rttMs: roundTripMs(profile),
    roundTrip: { n, p50Ms: r1(percentile(lat, 50)), p99Ms: r1(percentile(lat, 99)) },
    bytes: {
      perCommand,
      perAck,
      commandPlusAck: perCommand + perAck,
      statePerCommand,
      reconnect:
        reconnected.toShip - beforeReconnect.toShip + (reconnected.fromShip - beforeReconnect.fromShip),
    },
    tokens: { commandBytes: cmdToken, ackBytes: lastAckBytes },
    outage: { ms: outageMs, linkReturnToAppliedMs: r1(appliedAfter), status },
  };
}

const keys = values.only ? values.only.split(',') : Object.keys(LINK_PROFILES);
const results: ProfileResult[] = [];
for (const key of keys) results.push(await measure(key, LINK_PROFILES[key as keyof typeof LINK_PROFILES]));
await pilot.close();
await fleet.close();

if (values.json) {
  console.log(JSON.stringify({ bench: 'vessel-link', results, loadAverage: loadavg() }, null, 2));
} else {
  console.log(
    'vessel behind an emulated link (`helmlink vessel run`, default reconnect policy, keepalive 10 s)',
  );
  for (const r of results) {
    console.log(
      `  ${r.profile.padEnd(10)} RTT ${r.rttMs} ms: command → verified ack p50 ${r.roundTrip.p50Ms} ms, p99 ${r.roundTrip.p99Ms} ms (n=${r.roundTrip.n}); ` +
        `on the wire ${r.bytes.perCommand} B per command + ${r.bytes.perAck} B per ack = ${r.bytes.commandPlusAck} B (tokens ${r.tokens.commandBytes} + ${r.tokens.ackBytes} B), then ${r.bytes.statePerCommand} B of signed state; ` +
        `reconnect ${r.bytes.reconnect} B; after a ${r.outage.ms / 1000} s outage the first command is ${r.outage.status} ${r.outage.linkReturnToAppliedMs} ms after the link returns`,
    );
  }
  console.log(
    'goals: GEO p50 <= RTT + 100 ms; reconnect <= 3 s after the link returns; command + ack <= 3 KB on the wire',
  );
  console.log(
    `machine: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}
process.exit(0);
