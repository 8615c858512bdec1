// `npm run bench`: runs every package benchmark one after the other (2-core machines: never in parallel), prints one
// table and writes bench/results.json with the machine, the versions and the date.
//
// Usage: node scripts/bench.mjs [--only verify,ca,vessel,console,fleet] [--out FILE] [--quick] [--timeout SECONDS per
//   benchmark, default 900] [--with-peer] [--peer-script PATH, default /work/shared/peer/run.sh]
//   --quick passes smaller sample counts to the scripts that accept them (for a smoke run; figures are noisier).
//   --with-peer also runs the thesis-style peer (cached and fetch mode) in the same run and puts its figures in the
//   table's peer column.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, freemem, loadavg, platform, release, arch } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    out: { type: 'string' },
    quick: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '900' },
    'with-peer': { type: 'boolean', default: false },
    'peer-script': { type: 'string', default: '/work/shared/peer/run.sh' },
  },
});

/** The package benchmarks: root script name, the extra args for --quick, and how to read figures from their JSON. */
const BENCHES = [
  { id: 'verify', script: 'bench:verify', quickArgs: ['--count', '3000', '--cold', '10'] },
  { id: 'pki', script: 'bench:pki', quickArgs: ['--count', '100'] },
  { id: 'ca', script: 'bench:ca', quickArgs: ['--enrollments', '300', '--revoked', '100000'] },
  { id: 'vessel', script: 'bench:vessel', quickArgs: ['--latency', '300', '--throughput', '1000'] },
  { id: 'console', script: 'bench:console', quickArgs: ['--updates', '60', '--loads', '2'] },
  { id: 'link', script: 'bench:link', quickArgs: ['--n', '10'] },
  { id: 'fleet', script: 'bench:fleet', quickArgs: ['--vessels', '50'] },
];

const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const selected = values.only ? values.only.split(',') : BENCHES.map((b) => b.id);

/** Runs one root npm script with --json; resolves with its parsed JSON (or the reason it has none). */
function runBench(bench) {
  if (!rootPkg.scripts?.[bench.script])
    return Promise.resolve({ status: 'missing', detail: `no "${bench.script}" script in package.json` });
  const args = ['run', '-s', bench.script, '--', '--json', ...(values.quick ? bench.quickArgs : [])];
  process.stderr.write(`• ${bench.script} ${values.quick ? '(quick) ' : ''}...\n`);
  return runJson('npm', args);
}

/** The peer's run.sh in one mode; its result is the JSON line it prints last. */
function runPeer(mode) {
  process.stderr.write(`• peer ${mode} ...\n`);
  return runJson(values['peer-script'], ['--mode', mode, ...(values.quick ? ['--n', '100'] : [])], true);
}

/** Spawns a command in its own process group; resolves with the JSON it printed (the last line when `lastLine`). */
function runJson(cmd, args, lastLine = false) {
  const started = Date.now();
  return new Promise((resolve) => {
    // Own process group, so a benchmark that hangs is stopped with everything it started (e.g. its broker).
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
      detached: true,
    });
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      },
      Number(values.timeout) * 1000,
    );
    const stopGroup = () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    process.once('SIGINT', stopGroup);
    process.once('SIGTERM', stopGroup);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      process.off('SIGINT', stopGroup);
      process.off('SIGTERM', stopGroup);
      if (timedOut) {
        resolve({ status: 'failed', detail: `stopped after ${values.timeout} s without finishing` });
        return;
      }
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      if (lastLine) out = out.trim().split('\n').at(-1) ?? '';
      const firsts = [out.indexOf('{'), out.indexOf('[')].filter((i) => i >= 0);
      const start = firsts.length ? Math.min(...firsts) : -1;
      const end = Math.max(out.lastIndexOf('}'), out.lastIndexOf(']'));
      if (code === 0 && start >= 0 && end > start) {
        try {
          resolve({ status: 'ok', seconds, json: JSON.parse(out.slice(start, end + 1)) });
          return;
        } catch {
          // fall through: not JSON
        }
      }
      const tail = `${err}\n${out}`
        .trim()
        .split('\n')
        .filter((l) => !/Unknown user config "nodedir"/u.test(l))
        .slice(-6)
        .join('\n');
      resolve({ status: code === 0 ? 'no-json' : 'failed', seconds, detail: tail });
    });
  });
}

/** Depth-first list of [path, value] for every number in a JSON value. */
function numbers(value, path = []) {
  if (typeof value === 'number') return [[path.join('.'), value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, [...path, String(i)]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => numbers(v, [...path, k]));
  return [];
}

/** The first number whose path matches `re` (and not `not`). */
function pick(json, re, not) {
  const hit = numbers(json).find(([p]) => re.test(p) && !(not && not.test(p)));
  return hit ? { path: hit[0], value: hit[1] } : undefined;
}

/** Rows of the summary table, read from each benchmark's JSON by field name; `peer` is the peer's figure. */
function summarize(results, peer) {
  const rows = [];
  const add = (figure, source, found, unit, target, peerValue = null) =>
    rows.push({
      figure,
      value: found ? found.value : null,
      unit,
      target,
      peer: peerValue,
      source: found ? `${source}: ${found.path}` : `${source}: not reported`,
    });
  vesselRows(add, rows, results, peer);
  linkRows(add, results);
  otherRows(add, results);
  consoleRows(add, results);
  fleetRows(add, results);
  return rows;
}

/** The round trip, side by side with the peer. */
function vesselRows(add, rows, results, peer) {
  const cached = peer.cached?.json;
  const fetched = peer.fetch?.json;
  const vessel = results.vessel?.json;
  const vesselNoFsync = vessel?.results?.find?.((r) => r.fsync === false);
  const vesselFsync = vessel?.results?.find?.((r) => r.fsync === true) ?? vessel;
  add(
    'round trip p50, state fsynced (sign → broker → verify+persist+ack → verify ack)',
    'vessel',
    pick(vesselFsync, /latency\.p50/iu),
    'ms',
    '≤ 0.8',
    cached?.p50_ms ?? null,
  );
  add(
    'round trip p99, state fsynced',
    'vessel',
    pick(vesselFsync, /latency\.p99/iu),
    'ms',
    '≤ 4',
    cached?.p99_ms ?? null,
  );
  add(
    'commands/s, 32 in flight, state fsynced',
    'vessel',
    pick(vesselFsync, /commandsPerSecond/iu),
    '/s',
    '≥ 3,000',
    cached?.commands_per_s ?? null,
  );
  if (vesselNoFsync) {
    add('round trip p50, no fsync', 'vessel', pick(vesselNoFsync, /latency\.p50/iu), 'ms', '—');
    add(
      'commands/s, 32 in flight, no fsync',
      'vessel',
      pick(vesselNoFsync, /commandsPerSecond/iu),
      '/s',
      '—',
    );
  }
  if (fetched)
    rows.push({
      figure: 'peer fetching certificate + CRL per message (thesis path): round trip p50',
      value: null,
      unit: 'ms',
      target: '—',
      peer: fetched.p50_ms ?? null,
      source: 'peer --mode fetch',
    });
  for (const [stage, ms] of Object.entries(vesselFsync?.stagesMs ?? {}))
    add(
      `  where it goes (fsync on, median): ${stage}`,
      'vessel',
      { path: `stagesMs.${stage}`, value: ms },
      'ms',
      '—',
    );
}

/** bench:link, per link profile. */
function linkRows(add, results) {
  const link = results.link?.json?.results ?? [];
  for (const r of link) {
    const name = r.profile;
    add(
      `${name}: command → verified ack p50 (RTT ${r.rttMs} ms)`,
      'link',
      pick(r, /roundTrip\.p50/u),
      'ms',
      name.startsWith('GEO') ? `≤ ${r.rttMs + 100}` : '—',
    );
    add(`${name}: command + ack on the wire`, 'link', pick(r, /commandPlusAck/u), 'B', '≤ 3,000');
    add(`${name}: reconnect, handshake included`, 'link', pick(r, /bytes\.reconnect/u), 'B', '—');
    add(
      `${name}: link return → first command applied`,
      'link',
      pick(r, /linkReturnToAppliedMs/u),
      'ms',
      '≤ 3,000',
    );
  }
}

/** Verification, path validation, the CA. */
function otherRows(add, results) {
  const verify = results.verify?.json;
  const es256 =
    verify?.results?.find?.((r) => r.alg === 'ES256' && r.verifier === 'node') ??
    verify?.results?.find?.((r) => r.alg === 'ES256') ??
    verify;
  add(
    'verifications/s, warm, one core (ES256)',
    'verify',
    pick(es256, /warmPerCpuSecond/iu),
    '/s',
    '≥ 10,000',
  );
  add(
    '  bare ES256 signature checks/s, same tokens',
    'verify',
    pick(es256, /signatureOnlyPerCpuSecond/iu),
    '/s',
    '—',
  );
  add('first-seen signer verification (cold)', 'verify', pick(es256, /cold/iu), 'ms', '—');
  const pki = results.pki?.json;
  const pkiEs256 = Array.isArray(pki) ? (pki.find((r) => r.alg === 'ES256') ?? pki[0]) : pki;
  add(
    'X.509 path validations/s with CRL, first-seen chain, one core',
    'pki',
    pick(pkiEs256, /cold.*perCpuSecond/iu),
    '/s',
    '—',
  );
  const ca = results.ca?.json;
  add(
    'enrollments/s over HTTPS (P-256)',
    'ca',
    pick(ca, /enroll.*(per|\/)s|enrollmentsPerSecond|perSecond/iu, /crl/iu),
    '/s',
    '≥ 1,000',
  );
  add(
    '  CPU per enrollment in the CA server (all threads)',
    'ca',
    pick(ca, /serverCpuMsPerEnrollment/u),
    'ms',
    '≤ 1 (for 1,000/s on one core)',
  );
  add('  CPU per enrollment in the clients', 'ca', pick(ca, /clientCpuMsPerEnrollment/u), 'ms', '—');
  add(
    'CRL build, 100,000 entries',
    'ca',
    pick(ca, /crl.*(ms|millis|seconds)/iu),
    pick(ca, /crl.*seconds/iu) ? 's' : 'ms',
    '< 2 s',
  );
}

/** bench:console (Chromium). */
function consoleRows(add, results) {
  const consoleBench = results.console?.json;
  add(
    'console page interactive, 500 vessels (Chromium, median)',
    'console',
    pick(consoleBench, /interactiveMs\.median/u),
    'ms',
    '≤ 1,000',
  );
  add(
    'console state update → painted, 500 vessels (p95)',
    'console',
    pick(consoleBench, /^updateRepaintMs\.p95/u),
    'ms',
    '≤ 16',
  );
}

/** bench:fleet. */
function fleetRows(add, results) {
  const fleet = results.fleet?.json;
  const n = fleet?.vessels ?? 500;
  add(
    `fleet of ${n}: connect storm after a broker restart`,
    'fleet',
    pick(fleet, /connectStormSeconds/u),
    's',
    '≤ 30',
  );
  add(
    `  p90 of the vessels ready (the broker itself was back after ${fleet?.connectStorm?.brokerBackSeconds ?? '?'} s)`,
    'fleet',
    pick(fleet, /connectStorm\.p90/u),
    's',
    '—',
  );
  add(
    `  floor: ${n} bare mutual-TLS connects at once, same process and broker`,
    'fleet',
    pick(fleet, /^connectFloor\.seconds/u),
    's',
    '—',
  );
  add(
    `fleet of ${n}: broker memory per vessel connection`,
    'fleet',
    pick(fleet, /brokerKiBPerConnection/u),
    'KiB',
    '—',
  );
  add(`fleet of ${n}: console memory per vessel`, 'fleet', pick(fleet, /consoleKiBPerVessel/u), 'KiB', '—');
  add(`fleet of ${n}: state fan-in, all verified`, 'fleet', pick(fleet, /stateFanInSeconds/u), 's', '—');
  add(
    `fleet of ${n}: revocation → every vessel holds the CRL, p50`,
    'fleet',
    pick(fleet, /revocationMs\.p50/u),
    'ms',
    '—',
  );
  add(
    `fleet of ${n}: revocation → every vessel holds the CRL, p99`,
    'fleet',
    pick(fleet, /revocationMs\.p99/u),
    'ms',
    '≤ 2,000',
  );
  add(
    `fleet of ${n}: a command to each → all verified acks`,
    'fleet',
    pick(fleet, /commandsAckedSeconds/u),
    's',
    '≤ 2',
  );
  add(
    `fleet of ${n}: CPU per 1,000 commands, end to end`,
    'fleet',
    pick(fleet, /cpuSecondsPer1000Commands/u),
    's',
    '—',
  );
}

function version(cmd, args, re) {
  try {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    const m = `${r.stdout}${r.stderr}`.match(re);
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

const results = {};
for (const bench of BENCHES.filter((b) => selected.includes(b.id))) results[bench.id] = await runBench(bench);
const peer = {};
if (values['with-peer']) for (const mode of ['cached', 'fetch']) peer[mode] = await runPeer(mode);

const rows = summarize(results, peer);
const fmt = (v) =>
  v === null ? 'n/a' : v >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 1000) / 1000);
const widths = [Math.max(...rows.map((r) => r.figure.length), 6), 12, 4, 9, 12];
const line = (cells) =>
  cells.map((c, i) => (i === 1 || i === 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
const peerHeader = values['with-peer'] ? 'peer (same run)' : 'peer: --with-peer';
console.log(`\n${line(['figure', 'value', 'unit', 'goal', peerHeader])}`);
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows)
  console.log(line([r.figure, fmt(r.value), r.unit, r.target, r.peer === null ? '' : fmt(r.peer)]));
for (const [id, r] of Object.entries({
  ...results,
  ...Object.fromEntries(Object.entries(peer).map(([k, v]) => [`peer ${k}`, v])),
})) {
  if (r.status !== 'ok')
    console.log(`\n${id}: ${r.status}${r.detail ? `\n  ${r.detail.replace(/\n/gu, '\n  ')}` : ''}`);
}

const cpuList = cpus();
const report = {
  date: new Date().toISOString(),
  machine: {
    cpuModel: cpuList[0]?.model ?? null,
    cores: cpuList.length,
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    loadAverage1m: loadavg()[0],
    platform: platform(),
    release: release(),
    arch: arch(),
  },
  versions: {
    node: process.version,
    mosquitto: version('mosquitto', ['-h'], /mosquitto version (\S+)/u),
    openssl: version('openssl', ['version'], /OpenSSL (\S+)/u),
    helmlink: rootPkg.version,
    packages: Object.fromEntries(
      ['mqtt', 'aedes', 'jose', '@peculiar/x509', 'fastify', 'better-sqlite3', 'vitest'].map((n) => [
        n,
        packageVersion(n),
      ]),
    ),
  },
  quick: values.quick,
  summary: rows,
  benchmarks: results,
  peer,
};
const out = values.out ?? join(root, 'bench', 'results.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `\nmachine: ${report.machine.cpuModel} × ${report.machine.cores}, ${(report.machine.memoryBytes / 2 ** 30).toFixed(1)} GiB; node ${process.version}, mosquitto ${report.versions.mosquitto ?? 'not installed'}`,
);
console.log(`written: ${out}`);
process.exit([...Object.values(results), ...Object.values(peer)].some((r) => r.status === 'failed') ? 1 : 0);
