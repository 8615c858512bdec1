/**
 * `npm run bench:pki`: the cost of X.509 path validation with CRLs.
 *
 * Path validation (leaf → issuing CA → root, issuing CA CRL, leaf revocation mode):
 * - cold: a certificate never seen (fresh objects for leaf, issuing CA, root and CRL: parse + full validation);
 * - known CA: a new leaf under already parsed CA/CRL objects (keys imported, CA signature memoised);
 * - cache hit: ChainCache.get for a validated path (what a verifier pays per message once a signer is known).
 * Large CRLs (the one-pass parser, crl-parse.ts): parse + index of 100,000 and 1,000,000 entries, a lookup, a
 * validation against the 100,000-entry CRL, and `helmlink verify-chain` on a 50,000-entry CRL (in-process and
 * spawned). Crafted chains: a pool of 100 look-alike CAs with one subject (one key; distinct keys in a ring),
 * time until the coded ERR_CHAIN_TOO_COMPLEX.
 * Rates are per CPU-second of this process (less sensitive to other load), with wall-clock in brackets.
 *
 * Usage: tsx protocol/bench/pki.ts [--json] [--count N] [--skip-million]
 */
import '../src/reflect';
import * as x509 from '@peculiar/x509';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseArgs, promisify } from 'node:util';
import { verifyChainCommand } from '../src/cli/verify-chain';
import { buildCrlDer } from '../src/pki/build';
import { ChainCache } from '../src/pki/cache';
import { parseCrlDer } from '../src/pki/crl-parse';
import { certificateToPem } from '../src/pki/pem';
import { validatePath, type ValidatePathOptions } from '../src/pki/validate';
import { createTestPki, type TestKeyAlg, type TestPki } from '../src/testing/pki';
import { FORGE_NOW, forgeRingPool, forgeRoot, forgeSameKeyPool } from '../test/pki/forge';

const { values } = parseArgs({
  options: { json: { type: 'boolean' }, count: { type: 'string' }, 'skip-million': { type: 'boolean' } },
});
const COUNT = Number(values.count ?? 200);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Rate {
  perCpuSecond: number;
  perWallSecond: number;
}

async function measure(n: number, run: (i: number) => Promise<unknown> | unknown): Promise<Rate> {
  const cpu0 = cpuMs();
  const wall0 = performance.now();
  for (let i = 0; i < n; i++) await run(i);
  const cpu = cpuMs() - cpu0;
  const wall = performance.now() - wall0;
  return { perCpuSecond: Math.round((n / cpu) * 1000), perWallSecond: Math.round((n / wall) * 1000) };
}

/** Wall and CPU milliseconds of one run (the best of `runs`). */
async function timeIt(
  runs: number,
  run: () => Promise<unknown> | unknown,
): Promise<{ wallMs: number; cpuMs: number }> {
  let best = { wallMs: Infinity, cpuMs: Infinity };
  for (let i = 0; i < runs; i++) {
    const cpu0 = cpuMs();
    const wall0 = performance.now();
    await run();
    const t = { wallMs: performance.now() - wall0, cpuMs: cpuMs() - cpu0 };
    if (t.wallMs < best.wallMs) best = t;
  }
  return { wallMs: Math.round(best.wallMs * 10) / 10, cpuMs: Math.round(best.cpuMs * 10) / 10 };
}

async function pathValidation(): Promise<{ alg: TestKeyAlg; cold: Rate; knownCa: Rate; cacheHit: Rate }[]> {
  const results = [];
  for (const alg of ['ES256', 'EdDSA'] as TestKeyAlg[]) {
    const now = new Date();
    const pki = await createTestPki({ now, caAlg: alg });
    const crl = await pki.issuingCrl([]);
    const leaves: ArrayBuffer[] = [];
    for (let i = 0; i < COUNT; i++)
      leaves.push((await pki.issue(`pilot-${i}`, ['pilot'], { alg })).certificate.rawData);
    const base: ValidatePathOptions = {
      trustAnchors: [pki.root.certificate],
      intermediates: [pki.issuing.certificate],
      crls: [crl],
      time: now,
      purpose: 'clientAuth',
      revocation: { mode: 'leaf' },
    };
    // Warm up the JIT once so "cold" means a new certificate, not a new process.
    await validatePath(new x509.X509Certificate(leaves[0]!), base);
    const cold = await measure(COUNT, (i) =>
      validatePath(new x509.X509Certificate(leaves[i]!), {
        ...base,
        trustAnchors: [new x509.X509Certificate(pki.root.certificate.rawData)],
        intermediates: [new x509.X509Certificate(pki.issuing.certificate.rawData)],
        crls: [new x509.X509Crl(crl.rawData)],
      }),
    );
    const knownCa = await measure(COUNT, (i) => validatePath(new x509.X509Certificate(leaves[i]!), base));
    const cache = new ChainCache();
    const path = await validatePath(new x509.X509Certificate(leaves[0]!), base);
    const key = 'x5c-leaf-base64.x5c-issuing-base64';
    cache.set(key, path, 0);
    const t = now.getTime();
    const cacheHit = await measure(COUNT * 5000, () => cache.get(key, t, 0));
    results.push({ alg, cold, knownCa, cacheHit });
  }
  return results;
}

function entries(n: number, extra: string[] = []): { serial: string; revokedAt: Date; reason?: 1 | 6 }[] {
  const out: { serial: string; revokedAt: Date; reason?: 1 | 6 }[] = Array.from({ length: n }, (_, i) => ({
    serial: (0x4000_0000 + i * 7919).toString(16),
    revokedAt: FORGE_NOW,
    ...(i % 4 === 0 ? { reason: 1 as const } : {}),
  }));
  for (const serial of extra) out.push({ serial, revokedAt: FORGE_NOW, reason: 6 });
  return out;
}

async function largeCrl(
  pki: TestPki,
  n: number,
  extra: string[] = [],
): Promise<{ der: Uint8Array; buildMs: number }> {
  const t0 = performance.now();
  const der = await buildCrlDer({
    issuer: pki.issuing,
    crlNumber: n,
    thisUpdate: new Date(FORGE_NOW.getTime() - 60_000),
    nextUpdate: new Date(FORGE_NOW.getTime() + 86_400_000),
    entries: entries(n, extra),
  });
  return { der, buildMs: Math.round(performance.now() - t0) };
}

async function crlFigures() {
  const pki = await createTestPki({ now: FORGE_NOW });
  const pilot = await pki.issue('pilot-1', ['pilot']);
  const revoked = await pki.issue('pilot-2', ['pilot']);
  const sizes = values['skip-million'] ? [100_000] : [100_000, 1_000_000];
  const parse = [];
  for (const n of sizes) {
    const { der, buildMs } = await largeCrl(pki, n);
    const t = await timeIt(3, () => parseCrlDer(der));
    const info = parseCrlDer(der);
    const probes = Array.from({ length: 100_000 }, (_, i) =>
      (0x4000_0000 + (i % n) * 7919 + (i % 2)).toString(16),
    );
    const lookup = await timeIt(3, () => probes.forEach((s) => info.entries.has(s)));
    parse.push({
      entries: n,
      megabytes: Math.round(der.length / 1e5) / 10,
      buildMs,
      parseIndex: t,
      lookupNs: Math.round((lookup.wallMs * 1e6) / probes.length),
    });
  }
  const { der } = await largeCrl(pki, 100_000, [revoked.certificate.serialNumber]);
  const info = parseCrlDer(der);
  const opts: ValidatePathOptions = {
    trustAnchors: [pki.root.certificate],
    intermediates: [pki.issuing.certificate],
    crls: [info],
    time: FORGE_NOW,
    purpose: 'clientAuth',
    revocation: { mode: 'leaf' },
  };
  const validate = await timeIt(5, () =>
    validatePath(new x509.X509Certificate(pilot.certificate.rawData), opts),
  );
  return {
    parse,
    validateAgainst100k: validate,
    cli: await cliFigures(pki, pilot.certificate, revoked.certificate.serialNumber),
  };
}

async function cliFigures(pki: TestPki, leaf: x509.X509Certificate, revokedSerial: string) {
  const dir = mkdtempSync(join(tmpdir(), 'helmlink-bench-pki-'));
  try {
    const { der } = await largeCrl(pki, 50_000, [revokedSerial]);
    writeFileSync(join(dir, 'root.pem'), certificateToPem(pki.root.certificate));
    writeFileSync(join(dir, 'issuing.pem'), certificateToPem(pki.issuing.certificate));
    writeFileSync(join(dir, 'leaf.pem'), certificateToPem(leaf));
    writeFileSync(join(dir, 'large.crl'), der);
    const args = [
      '--roots',
      'root.pem',
      '--intermediates',
      'issuing.pem',
      '--leaf',
      'leaf.pem',
      '--crl',
      'large.crl',
      '--time',
      FORGE_NOW.toISOString(),
    ];
    let code = -1;
    const inProcess = await timeIt(3, async () => {
      code = await verifyChainCommand.main(args, {
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        stdin: new PassThrough(),
        env: {},
        cwd: dir,
      });
    });
    const bin = resolve(import.meta.dirname, '../../cli/bin/helmlink.mjs');
    const spawned = await timeIt(1, () =>
      promisify(execFile)(process.execPath, [bin, 'verify-chain', ...args], { cwd: dir }),
    );
    return { entries: 50_000, exitCode: code, inProcess, spawnedWallMs: spawned.wallMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function craftedChains() {
  const root = await forgeRoot('Bench Root');
  const out = [];
  for (const [name, make] of [
    ['100 look-alikes, one key', () => forgeSameKeyPool(100)],
    ['100 look-alikes, distinct keys (ring)', () => forgeRingPool(100)],
  ] as const) {
    const { pool, leaf } = await make();
    let code = '';
    const t = await timeIt(3, async () => {
      // Fresh objects each run: nothing memoised from the previous one.
      const fresh = (der: Uint8Array) => new x509.X509Certificate(der.slice());
      await validatePath(fresh(leaf.der), {
        trustAnchors: [root.certificate],
        intermediates: pool.map((p) => fresh(p.der)),
        time: FORGE_NOW,
        purpose: 'any',
        revocation: { mode: 'off' },
      }).catch((e: { code: string }) => (code = e.code));
    });
    out.push({ name, code, ...t });
  }
  return out;
}

const results = {
  pathValidation: await pathValidation(),
  crl: await crlFigures(),
  craftedChains: await craftedChains(),
};

if (values.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const f = (m: Rate) => `${m.perCpuSecond}/s (wall ${m.perWallSecond}/s)`;
  const ms = (t: { wallMs: number; cpuMs: number }) => `${t.wallMs} ms (CPU ${t.cpuMs} ms)`;
  console.log(
    `X.509 path validation (leaf → issuing CA → root, issuing CA CRL, leaf revocation mode), ${COUNT} leaves`,
  );
  for (const r of results.pathValidation)
    console.log(
      `  ${r.alg.padEnd(6)} cold ${f(r.cold)}   new leaf, known CA ${f(r.knownCa)}   cache hit ${f(r.cacheHit)}`,
    );
  console.log('Large CRLs (one-pass parser and serial index, best of 3)');
  for (const p of results.crl.parse) {
    console.log(
      `  ${p.entries.toLocaleString('en')} entries (${p.megabytes} MB): parse + index ${ms(p.parseIndex)}, lookup ${p.lookupNs} ns   [built in ${p.buildMs} ms]`,
    );
  }
  console.log(
    `  validatePath against the 100,000-entry CRL (pre-parsed): ${ms(results.crl.validateAgainst100k)}`,
  );
  const c = results.crl.cli;
  console.log(
    `  helmlink verify-chain, ${c.entries.toLocaleString('en')}-entry CRL: in-process ${ms(c.inProcess)} (exit ${c.exitCode}), spawned ${c.spawnedWallMs} ms wall (tsx start-up included)`,
  );
  console.log('Crafted chains (time to the coded verdict, best of 3)');
  for (const r of results.craftedChains) console.log(`  ${r.name}: ${r.code} in ${ms(r)}`);
}
