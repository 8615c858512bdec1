/**
 * `npm run bench:verify`: full command verifications per second on one core.
 *
 * Warm = what a vessel pays per command once a signer has been seen: size/header checks, chain cache hit (CRL
 * generation unchanged), signature (WebCrypto), claims, command schema + catalog check and replay check-and-record
 * in a memory store. Cold = the first command of a signer: x5c parsing, full RFC 5280 path validation with the CRL,
 * key import, then the same steps. Tokens are signed beforehand; signing is not measured.
 *
 * Each algorithm runs with the default WebCrypto signature check and with the Node fast path
 * (nodeSignatureVerifier, synchronous node:crypto), each case in its own child process, as a verifier runs one
 * configuration: measured one after another in one process, a case inherited the heap and the JIT state the
 * cases before it left (ES256 with the Node verifier cost ~20 µs more per token after the WebCrypto case than
 * alone). Rates are per CPU-second of the case's process (the one-core figure); the wall-clock rate and the bare
 * signature rate are printed for comparison.
 *
 * Usage: tsx protocol/bench/verify.ts [--json] [--count N] [--cold N] [--case ALG:VERIFIER (one case, JSON)]
 */
import '../src/reflect';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createTestPki } from '../src/testing/pki';
import { IEC_61162_450_CATALOG } from '../src/catalog';
import { buildStreamsSet } from '../src/command';
import { createSigner, createTrust, peekHeader, signCommand, verifyCommand } from '../src/envelope';
import type { JwsAlgorithm } from '../src/vocabulary';
import { MemoryReplayStore } from '../src/replay';
import { nodeSignatureVerifier } from '../src/node/signature';
import { verifyStages } from './verify-stages';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean' },
    count: { type: 'string' },
    cold: { type: 'string' },
    case: { type: 'string' },
  },
});
const CASES = [
  ['ES256', 'webcrypto'],
  ['ES256', 'node'],
  ['EdDSA', 'webcrypto'],
  ['EdDSA', 'node'],
] as const;
const COUNT = Number(values.count ?? 20_000);
const COLD = Number(values.cold ?? 50);
const now = Date.now();
const clock = () => now;
const cmd = buildStreamsSet(
  IEC_61162_450_CATALOG,
  IEC_61162_450_CATALOG.streams.slice(0, 4).map((s) => s.address),
);

interface Result {
  alg: JwsAlgorithm;
  /** `webcrypto` (default, runtime-neutral) or `node` (nodeSignatureVerifier). */
  verifier: 'webcrypto' | 'node';
  /** Wall-clock rate (depends on what else runs on the machine). */
  warmPerSecond: number;
  /** Rate per CPU-second of this process (user + system): the one-core figure, less sensitive to other load. */
  warmPerCpuSecond: number;
  warmMicrosPerOp: number;
  /** Bare WebCrypto signature verification of the same tokens, per CPU-second: the floor of the cost. */
  signatureOnlyPerCpuSecond: number;
  coldMillis: number;
  tokenBytes: number;
  /** CPU µs per token of each stage of the warm path, measured alone (verify-stages.ts). */
  stagesMicros: Record<string, number>;
}

/** One case, measured in this process. */
async function measure(alg: JwsAlgorithm, verifier: 'webcrypto' | 'node'): Promise<Result> {
  const pki = await createTestPki({ now: new Date(now) });
  const pilot = await pki.issue(`pilot-${alg}`, ['pilot'], { alg });
  const signer = createSigner({ privateKey: pilot.keys.privateKey, chain: pilot.chain });
  const crl = await pki.issuingCrl([{ serial: '01', revokedAt: new Date(now - 60_000), reason: 1 }]);
  const tokens: string[] = [];
  for (let i = 0; i < COUNT + COLD; i++)
    tokens.push(
      (await signCommand(signer, { audience: 'vessel-1', cmd, clock, lifetimeSeconds: 300 })).token,
    );
  const newTrust = () =>
    createTrust({
      trustAnchors: [pki.root.certificate],
      // x5c carries the signer only: the issuing CA comes from the trust, as on a vessel.
      intermediates: [pki.issuing.certificate],
      crls: [crl],
      revocation: { mode: 'leaf' },
      ...(verifier === 'node' ? { signatureVerifier: nodeSignatureVerifier } : {}),
    });
  const options = {
    clock,
    audience: 'vessel-1',
    algorithms: ['ES256', 'EdDSA'] as JwsAlgorithm[],
    catalog: IEC_61162_450_CATALOG,
  };

  // Cold: a fresh trust (empty cache) for every token.
  let coldTotal = 0;
  for (let i = 0; i < COLD; i++) {
    const trust = newTrust();
    const t0 = performance.now();
    await verifyCommand(tokens[COUNT + i]!, { ...options, trust, replay: new MemoryReplayStore() });
    coldTotal += performance.now() - t0;
  }

  // Warm: one trust and one replay store, every token a new jti.
  const trust = newTrust();
  // Warm-up pass (JIT, caches) with its own replay store, then the measured pass over every token.
  const warmup = new MemoryReplayStore();
  for (let i = 0; i < Math.min(COUNT, 3000); i++)
    await verifyCommand(tokens[i]!, { ...options, trust, replay: warmup });
  const replay = new MemoryReplayStore();
  await verifyCommand(tokens[0]!, { ...options, trust, replay });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 1; i < COUNT; i++) await verifyCommand(tokens[i]!, { ...options, trust, replay });
  const cpu = process.cpuUsage(c0);
  const elapsed = (performance.now() - t0) / 1000;
  const ops = (COUNT - 1) / elapsed;
  const cpuOps = (COUNT - 1) / ((cpu.user + cpu.system) / 1e6);

  // Baseline: only the WebCrypto signature check of the same tokens with the same key.
  const key = (await trust.signer(peekHeader(tokens[0]!)!.x5c as string[], alg, now)).key;
  const inputs = tokens.slice(0, COUNT).map((t) => ({
    data: new TextEncoder().encode(t.slice(0, t.lastIndexOf('.'))),
    sig: Buffer.from(t.slice(t.lastIndexOf('.') + 1), 'base64url'),
  }));
  const stagesMicros = await verifyStages(
    tokens.slice(0, COUNT),
    trust,
    options.algorithms,
    now,
    IEC_61162_450_CATALOG,
  );
  const b0 = process.cpuUsage();
  for (const { data, sig } of inputs) await trust.verifySignature(alg, key, sig, data);
  const base = process.cpuUsage(b0);
  return {
    alg,
    verifier,
    warmPerSecond: Math.round(ops),
    warmPerCpuSecond: Math.round(cpuOps),
    warmMicrosPerOp: Math.round((1e6 / cpuOps) * 10) / 10,
    signatureOnlyPerCpuSecond: Math.round(COUNT / ((base.user + base.system) / 1e6)),
    coldMillis: Math.round((coldTotal / COLD) * 100) / 100,
    tokenBytes: tokens[0]!.length,
    stagesMicros,
  };
}

if (values.case !== undefined) {
  const [alg, verifier] = values.case.split(':') as [JwsAlgorithm, 'webcrypto' | 'node'];
  if (!CASES.some(([a, v]) => a === alg && v === verifier))
    throw new TypeError(`unknown case ${values.case}`);
  process.stdout.write(`${JSON.stringify(await measure(alg, verifier))}\n`);
  process.exit(0);
}
// Each case in a fresh process (same Node flags and loader as this one).
const results: Result[] = CASES.map(([alg, verifier]) => {
  const out = execFileSync(
    process.execPath,
    [
      ...process.execArgv,
      process.argv[1]!,
      '--count',
      String(COUNT),
      '--cold',
      String(COLD),
      '--case',
      `${alg}:${verifier}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Result;
});

if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ benchmark: 'verify', node: process.version, count: COUNT, results }, null, 2)}\n`,
  );
} else {
  process.stdout.write(
    `Full command verification (chain cache hit, CRL lookup, signature, claims, catalog, replay), ${COUNT} tokens\n`,
  );
  for (const r of results) {
    process.stdout.write(
      `  ${r.alg.padEnd(6)} ${r.verifier.padEnd(9)} warm ${String(r.warmPerCpuSecond).padStart(7)}/s per CPU-second (${r.warmMicrosPerOp} µs CPU each; wall ${r.warmPerSecond}/s)` +
        `   signature alone ${r.signatureOnlyPerCpuSecond}/s   cold first-seen ${r.coldMillis} ms   token ${r.tokenBytes} B\n`,
    );
    const staged = Object.values(r.stagesMicros).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `    per stage, CPU µs: ${Object.entries(r.stagesMicros)
        .map(([k, v]) => `${k} ${v}`)
        .join(
          ', ',
        )}; async steps and the rest ${Math.max(0, Math.round((r.warmMicrosPerOp - staged) * 10) / 10)}\n`,
    );
  }
  process.stdout.write(
    `Target: >= 10,000/s warm on one core. Load average now: ${(await import('node:os')).loadavg()[0]!.toFixed(2)} on ${(await import('node:os')).availableParallelism()} cores.\n`,
  );
}
