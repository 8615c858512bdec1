/**
 * `npm run bench:pki`: the cost of X.509 path validation with a CRL, and of a ChainCache hit.
 *
 * - cold: a certificate never seen (fresh objects for leaf, issuing CA, root and CRL: parse + full validation);
 * - known CA: a new leaf under already parsed CA/CRL objects (keys imported, CA signature memoised);
 * - cache hit: ChainCache.get for a validated path (what a verifier pays per message once a signer is known).
 * Rates are per CPU-second of this process (less sensitive to other load), with wall-clock in brackets.
 *
 * Usage: tsx protocol/bench/pki.ts [--json] [--count N]
 */
import '../src/reflect';
import * as x509 from '@peculiar/x509';
import { parseArgs } from 'node:util';
import { ChainCache } from '../src/pki/cache';
import { validatePath, type ValidatePathOptions } from '../src/pki/validate';
import { createTestPki, type TestKeyAlg } from '../src/testing/pki';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, count: { type: 'string' } } });
const COUNT = Number(values.count ?? 200);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function measure(n: number, run: (i: number) => Promise<unknown> | unknown): Promise<{ perCpuSecond: number; perWallSecond: number }> {
  const cpu0 = cpuMs();
  const wall0 = performance.now();
  for (let i = 0; i < n; i++) await run(i);
  const cpu = cpuMs() - cpu0;
  const wall = performance.now() - wall0;
  return { perCpuSecond: Math.round((n / cpu) * 1000), perWallSecond: Math.round((n / wall) * 1000) };
}

const results = [];
for (const alg of ['ES256', 'EdDSA'] as TestKeyAlg[]) {
  const now = new Date();
  const pki = await createTestPki({ now, caAlg: alg });
  const crl = await pki.issuingCrl([]);
  const leaves: ArrayBuffer[] = [];
  for (let i = 0; i < COUNT; i++) leaves.push((await pki.issue(`pilot-${i}`, ['pilot'], { alg })).certificate.rawData);
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
  const hits = await measure(COUNT * 5000, () => cache.get(key, t, 0));
  results.push({ alg, cold, knownCa, cacheHit: hits });
}

if (values.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  console.log(`X.509 path validation (leaf → issuing CA → root, issuing CA CRL, leaf revocation mode), ${COUNT} leaves`);
  for (const r of results) {
    const f = (m: { perCpuSecond: number; perWallSecond: number }) => `${m.perCpuSecond}/s (wall ${m.perWallSecond}/s)`;
    console.log(`  ${r.alg.padEnd(6)} cold ${f(r.cold)}   new leaf, known CA ${f(r.knownCa)}   cache hit ${f(r.cacheHit)}`);
  }
}
