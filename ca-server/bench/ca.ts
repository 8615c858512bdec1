/**
 * `npm run bench:ca`: enrollments per second end to end over HTTPS (pinned client → Fastify → authority → SQLite
 * commit → certificate back), and the time to issue a CRL with 100,000 revoked entries.
 * Options: --enrollments N (default 1500), --concurrency N (default 32), --revoked N (default 100000), --json.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createProfileCsr, generateKeyPair, randomSerial } from '@helmlink/protocol';
import { initAuthority } from '../src/authority/init';
import { loadAuthority } from '../src/authority/authority';
import { CaClient } from '@helmlink/ca-client';
import { spawnCaProcess } from '../test/fixtures/spawn-ca-process';

const { values } = parseArgs({
  options: {
    enrollments: { type: 'string', default: '1500' },
    concurrency: { type: 'string', default: '32' },
    revoked: { type: 'string', default: '100000' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.enrollments);
const C = Number(values.concurrency);
const R = Number(values.revoked);
const log = (s: string) => {
  if (!values.json) process.stderr.write(`${s}\n`);
};

const passphrase = 'bench passphrase';
const dir = mkdtempSync(join(tmpdir(), 'helmlink-bench-ca-'));
await initAuthority({ dir, passphrase, org: 'Bench' });
// The server runs in its own process, as it would in production; this process is the fleet of clients.
log(`starting the CA server process with ${N} tokens; generating ${N} P-256 keys and CSRs...`);
const server = await spawnCaProcess({
  dir,
  passphrase,
  tokens: N,
  entityPrefix: 'mv-bench',
  nodeArgs: [
    ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    // Extra V8/Node flags for the server process (e.g. BENCH_CA_NODE_ARGS=--max-semi-space-size=32).
    ...(process.env.BENCH_CA_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
  ],
  stderr: 'inherit',
});
const { child } = server;
const jobs: Array<{ csr: string; token: string }> = [];
for (let i = 0; i < N; i++) {
  const entityId = `mv-bench-${i}`;
  const keys = await generateKeyPair('ecdsa-p256');
  jobs.push({ csr: await createProfileCsr(entityId, keys), token: server.tokens[i]! });
}

const client = new CaClient({ url: server.url, rootFingerprint: server.rootFingerprint });
await client.root();
// Warm-up (JIT, TLS sessions) outside the measurement.
const warm = jobs.splice(0, Math.min(50, Math.floor(N / 10)));
for (const j of warm) await client.enroll(j);

/** CPU seconds of a process so far (utime + stime from /proc, clock ticks of 10 ms). */
const cpuSecondsOf = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
/** CPU seconds of each thread of a process by thread name ('main': the event loop; Node's other threads). */
const threadCpuOf = (pid: number): Map<string, number> => {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // A thread that ended meanwhile.
    }
  }
  return byName;
};
let next = 0;
const serverThreads0 = threadCpuOf(child.pid!);
const serverCpu0 = cpuSecondsOf(child.pid!);
const clientCpu0 = process.cpuUsage();
const start = performance.now();
await Promise.all(
  Array.from({ length: C }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      await client.enroll(job);
    }
  }),
);
const seconds = (performance.now() - start) / 1000;
const enrollPerSecond = jobs.length / seconds;
// CPU per enrollment at each end: what the server could sustain on one idle core, whatever else ran meanwhile.
const serverCpuMs = ((cpuSecondsOf(child.pid!) - serverCpu0) * 1000) / jobs.length;
// The event loop is what one enrollment at a time goes through: its CPU per enrollment bounds the rate (1 ms →
// 1,000/s); Node's other threads (GC helpers, the thread pool's fdatasync) run beside it.
const serverThreadsMs = Object.fromEntries(
  [...threadCpuOf(child.pid!)]
    .map(([name, s]) => [
      name,
      Number((((s - (serverThreads0.get(name) ?? 0)) * 1000) / jobs.length).toFixed(3)),
    ])
    .filter(([, ms]) => (ms as number) > 0),
) as Record<string, number>;
const clientCpu = process.cpuUsage(clientCpu0);
const clientCpuMs = (clientCpu.user + clientCpu.system) / 1000 / jobs.length;
log(
  `server CPU per enrollment by thread (ms): ${Object.entries(serverThreadsMs)
    .map(([n, ms]) => `${n} ${ms}`)
    .join(', ')}`,
);
log(
  `enrollments over HTTPS: ${jobs.length} in ${seconds.toFixed(2)} s = ${enrollPerSecond.toFixed(0)}/s (P-256, concurrency ${C}); CPU per enrollment ${serverCpuMs.toFixed(2)} ms in the server (all its threads), ${clientCpuMs.toFixed(2)} ms in the clients`,
);
client.close();
await new Promise<void>((resolve) => {
  child.once('exit', () => resolve());
  child.kill('SIGTERM');
});

// CRL with R revoked entries: rows inserted directly, then one timed issuance (query + DER + sign + write).
const authority = await loadAuthority({ dir, passphrase });
const now = Date.now();
const der = new Uint8Array(300);
authority.store.transaction(() => {
  for (let i = 0; i < R; i++) {
    const serial = randomSerial();
    authority.store.insertCertificate({
      serial,
      entityId: `revoked-${i}`,
      roles: ['vessel'],
      subject: `CN=revoked-${i}`,
      notBefore: now - 86_400_000,
      notAfter: now + 365 * 86_400_000,
      status: 'revoked',
      revokedAt: now,
      reason: (i % 6) + 1,
      description: null,
      fingerprint: createHash('sha256').update(serial).digest('hex'),
      der,
      issuedAt: now,
      renewedFrom: null,
    });
  }
});
const crlStart = performance.now();
const crl = await authority.reissueCrl();
const crlSeconds = (performance.now() - crlStart) / 1000;
log(
  `CRL with ${crl.entries} revoked entries issued in ${crlSeconds.toFixed(3)} s (${(crl.der.length / 1e6).toFixed(1)} MB)`,
);
await authority.close();
rmSync(dir, { recursive: true, force: true });

const result = {
  enrollmentsPerSecond: Math.round(enrollPerSecond),
  enrollments: jobs.length,
  concurrency: C,
  serverCpuMsPerEnrollment: Number(serverCpuMs.toFixed(3)),
  serverThreadCpuMsPerEnrollment: serverThreadsMs,
  clientCpuMsPerEnrollment: Number(clientCpuMs.toFixed(3)),
  crlEntries: crl.entries,
  crlIssueSeconds: Number(crlSeconds.toFixed(3)),
  crlBytes: crl.der.length,
  targets: { enrollmentsPerSecond: 1000, crlIssueSeconds: 2 },
  loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
  cpus: cpus().length,
};
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  process.stdout.write(`enrollments/s (HTTPS, P-256): ${result.enrollmentsPerSecond}  (target >= 1000)\n`);
  process.stdout.write(
    `CPU per enrollment:           ${result.serverCpuMsPerEnrollment} ms server (event loop ${serverThreadsMs.main ?? 0} ms), ${result.clientCpuMsPerEnrollment} ms clients\n`,
  );
  process.stdout.write(`CRL build, ${R} entries:      ${result.crlIssueSeconds} s  (target < 2 s)\n`);
  process.stdout.write(
    `machine: ${result.cpus} CPUs, load average ${result.loadAverage.join(' ')} (other work on the machine lowers the figures)\n`,
  );
}
