// `npm run bench`: runs every package benchmark one after the other (2-core machines: never in parallel), prints one
// table and writes bench/results.json with the machine, the versions and the date.
//
// Usage: node scripts/bench.mjs [--only verify,ca,vessel,console] [--out FILE] [--quick] [--timeout SECONDS per benchmark, default 900]
//   --quick passes smaller sample counts to the scripts that accept them (for a smoke run; figures are noisier).
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
];

const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const selected = values.only ? values.only.split(',') : BENCHES.map((b) => b.id);

/** Runs one root npm script with --json; resolves with its parsed JSON (or the reason it has none). */
function runBench(bench) {
  if (!rootPkg.scripts?.[bench.script])
    return Promise.resolve({ status: 'missing', detail: `no "${bench.script}" script in package.json` });
  const args = ['run', '-s', bench.script, '--', '--json', ...(values.quick ? bench.quickArgs : [])];
  process.stderr.write(`• ${bench.script} ${values.quick ? '(quick) ' : ''}...\n`);
  const started = Date.now();
  return new Promise((resolve) => {
    // Own process group, so a benchmark that hangs is stopped with everything it started (e.g. its broker).
    const child = spawn('npm', args, {
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

/** Rows of the summary table, read from each benchmark's JSON by field name. */
function summarize(results) {
  const rows = [];
  const add = (figure, source, found, unit, target) =>
    rows.push({
      figure,
      value: found ? found.value : null,
      unit,
      target,
      source: found ? `${source}: ${found.path}` : `${source}: not reported`,
    });
  const vessel = results.vessel?.json;
  const vesselNoFsync = vessel?.results?.find?.((r) => r.fsync === false) ?? vessel;
  const vesselFsync = vessel?.results?.find?.((r) => r.fsync === true);
  add(
    'round trip p50 (sign → broker → verify+apply+ack → verify ack)',
    'vessel',
    pick(vesselNoFsync, /p50/iu),
    'ms',
    '≤ 1',
  );
  add('round trip p99', 'vessel', pick(vesselNoFsync, /p99/iu), 'ms', '≤ 5');
  add(
    'commands/s (32 in flight, state fsync off)',
    'vessel',
    pick(vesselNoFsync, /commandsPerSecond|perSecond/iu),
    '/s',
    '≥ 1,000',
  );
  if (vesselFsync)
    add(
      'commands/s (state fsync on)',
      'vessel',
      pick(vesselFsync, /commandsPerSecond|perSecond/iu),
      '/s',
      '—',
    );
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
  const verify = results.verify?.json;
  const es256 = verify?.results?.find?.((r) => r.alg === 'ES256') ?? verify;
  add(
    'verifications/s, warm, one core (ES256)',
    'verify',
    pick(es256, /warmPerCpuSecond|perCpuSecond|perSecond/iu),
    '/s',
    '≥ 10,000',
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
    '≥ 300',
  );
  add(
    'CRL build, 100,000 entries',
    'ca',
    pick(ca, /crl.*(ms|millis|seconds)/iu),
    pick(ca, /crl.*seconds/iu) ? 's' : 'ms',
    '< 2 s',
  );
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
  return rows;
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

const rows = summarize(results);
const fmt = (v) =>
  v === null ? 'n/a' : v >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 1000) / 1000);
const widths = [Math.max(...rows.map((r) => r.figure.length), 6), 12, 4, 9];
const line = (cells) =>
  cells.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
console.log(`\n${line(['figure', 'value', 'unit', 'target'])}`);
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line([r.figure, fmt(r.value), r.unit, r.target]));
for (const [id, r] of Object.entries(results)) {
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
};
const out = values.out ?? join(root, 'bench', 'results.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `\nmachine: ${report.machine.cpuModel} × ${report.machine.cores}, ${(report.machine.memoryBytes / 2 ** 30).toFixed(1)} GiB; node ${process.version}, mosquitto ${report.versions.mosquitto ?? 'not installed'}`,
);
console.log(`written: ${out}`);
process.exit(Object.values(results).some((r) => r.status === 'failed') ? 1 : 0);
