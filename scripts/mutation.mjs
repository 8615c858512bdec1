// `npm run test:mutation [-- FILE…] [--survivors]`: StrykerJS (Vitest runner, incremental) over the trust core, then
// a score per file. Mutants listed in scripts/mutation/equivalent.json (each with its reason) are not counted.
// Exit 1 when a file scores below 90%. With FILEs only those are mutated; the other files keep their last results.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CACHE_DIR } from './mutation/stryker.config.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--')).map((f) => relative(root, join(process.cwd(), f)));
const showSurvivors = args.includes('--survivors');
const reportOnly = args.includes('--report-only');
const MIN_SCORE = 90;

const cache = join(root, CACHE_DIR);
const reportFile = join(cache, 'mutation-report.json');
const mergedFile = join(cache, 'mutation-scores.json');
const incrementalFile = join(cache, 'incremental.json');
mkdirSync(cache, { recursive: true });

const readJson = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined);
const previous = readJson(mergedFile);

if (!reportOnly) {
  // Stryker's incremental file holds only the files of its last run: seed it with every file's last results so a
  // run over one file does not throw away what the others learned.
  if (previous) writeFileSync(incrementalFile, JSON.stringify(previous));
  const strykerArgs = ['stryker', 'run', 'scripts/mutation/stryker.config.mjs'];
  if (files.length > 0) strykerArgs.push('--mutate', files.join(','));
  const started = Date.now();
  const status = spawnSync('npx', strykerArgs, { cwd: root, stdio: 'inherit' }).status;
  if (status !== 0) {
    console.error(`stryker exited with ${status}`);
    process.exit(2);
  }
  console.log(`\nmutation run: ${Math.round((Date.now() - started) / 1000)} s`);
  const fresh = readJson(reportFile);
  const merged = { ...(previous ?? fresh), files: { ...(previous?.files ?? {}), ...fresh.files } };
  writeFileSync(mergedFile, JSON.stringify(merged));
}

const report = readJson(mergedFile);
if (!report) {
  console.error(`no mutation report yet: run npm run test:mutation`);
  process.exit(2);
}
const equivalents = JSON.parse(readFileSync(join(root, 'scripts/mutation/equivalent.json'), 'utf8')).mutants;
const used = new Set();

/** True when a surviving mutant is listed as equivalent (same file, mutator, replacement and source line). */
function isEquivalent(file, source, mutant) {
  const line = source.split('\n')[mutant.location.start.line - 1] ?? '';
  const index = equivalents.findIndex(
    (e) =>
      e.file === file &&
      e.mutator === mutant.mutatorName &&
      e.replacement === mutant.replacement &&
      line.includes(e.line),
  );
  if (index >= 0) used.add(index);
  return index >= 0;
}

const rows = [];
for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) =>
  a.localeCompare(b),
)) {
  const count = { detected: 0, survived: 0, noCoverage: 0, equivalent: 0, errors: 0 };
  const survivors = [];
  for (const m of mutants) {
    if (m.status === 'Killed' || m.status === 'Timeout') count.detected++;
    else if (m.status === 'Survived' || m.status === 'NoCoverage') {
      if (isEquivalent(file, source, m)) count.equivalent++;
      else {
        count[m.status === 'Survived' ? 'survived' : 'noCoverage']++;
        survivors.push(m);
      }
    } else count.errors++;
  }
  const valid = count.detected + count.survived + count.noCoverage;
  const score = valid === 0 ? 100 : (100 * count.detected) / valid;
  rows.push({ file, ...count, score });
  if (showSurvivors && survivors.length > 0 && (files.length === 0 || files.includes(file))) {
    console.log(`\n${file}`);
    const lines = source.split('\n');
    for (const m of survivors.sort((a, b) => a.location.start.line - b.location.start.line)) {
      const { line, column } = m.location.start;
      console.log(`  ${line}:${column} ${m.status} ${m.mutatorName} → ${JSON.stringify(m.replacement)}`);
      console.log(`      ${lines[line - 1].trim().slice(0, 150)}`);
    }
  }
}

const pad = (s, n) => String(s).padStart(n);
console.log(
  `\n${'file'.padEnd(44)} ${pad('score', 7)} ${pad('killed', 7)} ${pad('surv.', 6)} ${pad('no cov', 6)} ${pad('equiv', 6)}`,
);
for (const r of rows)
  console.log(
    `${r.file.padEnd(44)} ${pad(r.score.toFixed(1), 6)}% ${pad(r.detected, 7)} ${pad(r.survived, 6)} ${pad(r.noCoverage, 6)} ${pad(r.equivalent, 6)}`,
  );
const stale = equivalents.filter((_, i) => !used.has(i) && Object.hasOwn(report.files, equivalents[i].file));
for (const e of stale)
  console.log(`equivalent.json: no surviving mutant matches ${e.file} ${e.mutator} "${e.line}"`);
const failing = rows.filter((r) => r.score < MIN_SCORE);
console.log(
  failing.length === 0
    ? `\nevery file scores at least ${MIN_SCORE}%`
    : `\n${failing.length} file(s) below ${MIN_SCORE}%: ${failing.map((r) => r.file).join(', ')}`,
);
process.exit(failing.length === 0 ? 0 : 1);
