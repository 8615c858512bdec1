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
import { summarize } from './bench-table.mjs';

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
