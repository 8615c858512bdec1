/**
 * Writes the hostile corpus: certificates and CRLs built in code (the test forge), one case per rule family of
 * issue 10, in the x509-limbo JSON layout, so `run.ts` can put `helmlink verify-chain` and
 * `openssl verify -x509_strict` side by side on it. The case list and expected results follow x509-limbo's
 * published rfc5280 / crl / pathological families (RFC 5280 readings, including a few it calls pedantic);
 * the encodings are ours.
 *
 * Usage: tsx protocol/bench/conformance/corpus.ts [--out FILE]   (default .scratch/hostile-corpus.json)
 */
import '../../src/reflect';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FORGE_NOW } from '../../test/pki/forge';
import { toLimbo } from './case';
import { CERT_CASES } from './cases-certs';
import { CRL_CASES } from './cases-crl';
import { NAME_CASES } from './cases-names';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = resolve(values.out ?? resolve(import.meta.dirname, '../../../.scratch/hostile-corpus.json'));

const testcases = [];
for (const make of [...CERT_CASES, ...NAME_CASES, ...CRL_CASES])
  testcases.push(toLimbo(await make(), FORGE_NOW));
const ids = new Set(testcases.map((t) => t.id));
if (ids.size !== testcases.length) throw new Error('duplicate case ids');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ version: 1, testcases }, null, 1)}\n`);
const fail = testcases.filter((t) => t.expected_result === 'FAILURE').length;
console.log(`${testcases.length} cases (${fail} must fail, ${testcases.length - fail} must pass) → ${out}`);
