/**
 * Runs conformance suites in the x509-limbo JSON layout (the PKITS copy in test/fixtures, the hostile corpus
 * written by corpus.ts, or any limbo.json) through `helmlink verify-chain` and `openssl verify -x509_strict`
 * side by side, and prints, per suite: certificates called valid that must fail ("wrongly valid"), valid ones
 * refused, exit code 2 on a parseable certificate, and the slowest case.
 *
 * Both validators get the same inputs: the trusted certificates as the only anchors, the intermediates as
 * untrusted, the CRLs with revocation checked for the whole chain (`--crl-check chain` / `-crl_check_all`), the
 * case's validation time, and its extended key usage when it names one (`--purpose serverAuth|clientAuth` /
 * `-purpose sslserver|sslclient`; otherwise any purpose). Host names are checked by neither.
 * verify-chain runs through its command entry point in this process (timed per case); `--spawn` runs the
 * real `helmlink` binary instead (each start-up then costs about a second of tsx).
 *
 * Usage: tsx protocol/bench/conformance/run.ts SUITE.json... [--json] [--spawn] [--filter REGEX] [--list]
 */
import '../../src/reflect';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseArgs, promisify } from 'node:util';
import { verifyChainCommand } from '../../src/cli/verify-chain';

const run = promisify(execFile);
const { values, positionals } = parseArgs({
  options: {
    json: { type: 'boolean' },
    spawn: { type: 'boolean' },
    filter: { type: 'string' },
    list: { type: 'boolean' },
  },
  allowPositionals: true,
});
const BIN = resolve(import.meta.dirname, '../../../cli/bin/helmlink.mjs');

interface Case {
  id: string;
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  crls?: string[] | null;
  validation_time?: string | null;
  extended_key_usage?: string[] | null;
  x_harness_purpose?: string;
  expected_result: 'SUCCESS' | 'FAILURE';
}

type Verdict = { valid: boolean; exit: number; code: string; ms: number };
type Row = { id: string; expected: Case['expected_result']; ours: Verdict; openssl: Verdict };

function purposeOf(t: Case): { ours: string; openssl: string[] } {
  const eku = t.extended_key_usage ?? [];
  if (eku.includes('serverAuth')) return { ours: 'serverAuth', openssl: ['-purpose', 'sslserver'] };
  if (eku.includes('clientAuth')) return { ours: 'clientAuth', openssl: ['-purpose', 'sslclient'] };
  return { ours: 'any', openssl: [] };
}

async function helmlink(t: Case, dir: string, time: Date): Promise<Verdict> {
  const args = [
    '--roots',
    'roots.pem',
    '--intermediates',
    'inter.pem',
    '--leaf',
    'leaf.pem',
    '--time',
    time.toISOString(),
    '--purpose',
    purposeOf(t).ours,
  ];
  if ((t.crls ?? []).length > 0) args.push('--crl', 'crls.pem', '--crl-check', 'chain');
  const t0 = performance.now();
  let exit: number;
  let stderr = '';
  if (values.spawn) {
    try {
      await run(process.execPath, [BIN, 'verify-chain', ...args], { cwd: dir });
      exit = 0;
    } catch (err) {
      const e = err as { code: number; stderr: string };
      exit = e.code;
      stderr = e.stderr;
    }
  } else {
    const err = new PassThrough();
    err.on('data', (d: Buffer) => (stderr += d.toString()));
    exit = await verifyChainCommand.main(args, {
      stdout: new PassThrough(),
      stderr: err,
      stdin: new PassThrough(),
      env: {},
      cwd: dir,
    });
  }
  const code = /(ERR_[A-Z_]+)/u.exec(stderr)?.[1] ?? (exit === 0 ? '' : (stderr.trim().split('\n')[0] ?? ''));
  return { valid: exit === 0, exit, code, ms: performance.now() - t0 };
}

async function openssl(t: Case, dir: string, time: Date): Promise<Verdict> {
  const args = [
    'verify',
    '-x509_strict',
    '-no-CApath',
    '-no-CAstore',
    '-CAfile',
    'roots.pem',
    '-attime',
    String(Math.floor(time.getTime() / 1000)),
    ...purposeOf(t).openssl,
  ];
  if (t.untrusted_intermediates.length > 0) args.push('-untrusted', 'inter.pem');
  if ((t.crls ?? []).length > 0) args.push('-crl_check_all', '-CRLfile', 'crls.pem');
  args.push('leaf.pem');
  const t0 = performance.now();
  try {
    await run('openssl', args, { cwd: dir });
    return { valid: true, exit: 0, code: '', ms: performance.now() - t0 };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    const code = /error (\d+) at/u.exec(`${e.stdout}${e.stderr}`)?.[1] ?? '';
    return { valid: false, exit: e.code, code: code ? `X509_V_ERR ${code}` : '', ms: performance.now() - t0 };
  }
}

async function runSuite(file: string) {
  const cases = (JSON.parse(readFileSync(file, 'utf8')) as { testcases: Case[] }).testcases.filter(
    (t) => !values.filter || new RegExp(values.filter, 'u').test(t.id),
  );
  const dir = mkdtempSync(join(tmpdir(), 'helmlink-conformance-'));
  const rows: Row[] = [];
  try {
    for (const t of cases) {
      writeFileSync(join(dir, 'roots.pem'), t.trusted_certs.join('\n'));
      writeFileSync(join(dir, 'inter.pem'), t.untrusted_intermediates.join('\n'));
      writeFileSync(join(dir, 'leaf.pem'), t.peer_certificate);
      writeFileSync(join(dir, 'crls.pem'), (t.crls ?? []).join('\n'));
      const time = t.validation_time ? new Date(t.validation_time) : new Date();
      rows.push({
        id: t.id,
        expected: t.expected_result,
        ours: await helmlink(t, dir, time),
        openssl: await openssl(t, dir, time),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const mustFail = rows.filter((r) => r.expected === 'FAILURE');
  const mustPass = rows.filter((r) => r.expected === 'SUCCESS');
  const count = (list: Row[], pick: (r: Row) => boolean) => list.filter(pick).length;
  const slowest = rows.reduce((a, r) => (r.ours.ms > a.ours.ms ? r : a), rows[0]!);
  return {
    suite: basename(file),
    cases: rows.length,
    mustFail: mustFail.length,
    mustPass: mustPass.length,
    wronglyValid: {
      helmlink: count(mustFail, (r) => r.ours.valid),
      openssl: count(mustFail, (r) => r.openssl.valid),
    },
    wronglyInvalid: {
      helmlink: count(mustPass, (r) => !r.ours.valid),
      openssl: count(mustPass, (r) => !r.openssl.valid),
    },
    helmlinkExit2: rows.filter((r) => r.ours.exit === 2).map((r) => `${r.id}: ${r.ours.code}`),
    helmlinkSlowestMs: { id: slowest.id, ms: Math.round(slowest.ours.ms) },
    helmlinkOverOneSecond: rows.filter((r) => r.ours.ms > 1000).map((r) => r.id),
    rows,
  };
}

const results = [];
for (const file of positionals) results.push(await runSuite(file));

if (values.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  for (const r of results) {
    console.log(`${r.suite}: ${r.cases} cases (${r.mustFail} must fail, ${r.mustPass} must pass)`);
    console.log(
      `  wrongly valid:    helmlink verify-chain ${r.wronglyValid.helmlink}, openssl verify -x509_strict ${r.wronglyValid.openssl}`,
    );
    console.log(
      `  wrongly invalid:  helmlink verify-chain ${r.wronglyInvalid.helmlink}, openssl verify -x509_strict ${r.wronglyInvalid.openssl}`,
    );
    console.log(
      `  helmlink exit 2:  ${r.helmlinkExit2.length}${r.helmlinkExit2.length ? ` (${r.helmlinkExit2.join('; ')})` : ''}`,
    );
    console.log(
      `  helmlink slowest: ${r.helmlinkSlowestMs.ms} ms (${r.helmlinkSlowestMs.id}); over 1 s: ${r.helmlinkOverOneSecond.length}`,
    );
    if (values.list) {
      for (const row of r.rows) {
        const mark = (v: Verdict) => (v.valid ? 'valid' : `invalid ${v.code}`);
        const flag = (row.ours.valid ? 'SUCCESS' : 'FAILURE') === row.expected ? ' ' : '!';
        console.log(
          `  ${flag} ${row.expected.padEnd(7)} ${row.id}\n      helmlink ${mark(row.ours)} (${Math.round(row.ours.ms)} ms)   openssl ${mark(row.openssl)}`,
        );
      }
    }
  }
}
