// `npm test`: system components, lint, type check, then every workspace's tests (Vitest, one run) and a summary.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSystemDeps } from './system-deps.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const step = (title) => console.log(`\n=== ${title}`);
const run = (cmd, cmdArgs) =>
  spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root, env: process.env }).status ?? 1;

step('system components');
try {
  ensureSystemDeps();
  console.log('all present');
} catch (err) {
  console.error(err.message);
  process.exit(1);
}

if (!args.includes('--no-lint')) {
  step('lint');
  if (run('npx', ['eslint', '.', '--max-warnings=0']) !== 0) process.exit(1);
  step('format');
  if (run('npx', ['prettier', '--check', '.', '--log-level', 'warn']) !== 0) process.exit(1);
  step('type check');
  if (run('npx', ['tsc', '-p', 'tsconfig.json']) !== 0) process.exit(1);
}

// The e2e scenarios serve app/renderer/dist through the web bridge: build it fresh (package.json "build:renderer")
// so they never test a stale UI. Nothing builds it at run time.
step('renderer build');
if (run('npm', ['run', '-s', 'build:renderer']) !== 0) process.exit(1);

step('tests');
const outDir = join(root, 'node_modules', '.cache', 'helmlink');
mkdirSync(outDir, { recursive: true });
const report = join(outDir, 'vitest-report.json');
const filters = args.filter((a) => !a.startsWith('--'));
const status = run('npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...filters,
]);

if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(
    `\nTests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`,
  );
  if (r.numTotalTests === 0) {
    console.error('no test ran');
    process.exit(1);
  }
}
process.exit(status);
