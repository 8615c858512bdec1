// StrykerJS over the trust core (`npm run test:mutation`, scripts/mutation.mjs). Not part of `npm test`.
// Paths are relative to the repository root, where the runner starts Stryker.

/** The trust core: every file here must keep a mutation score of at least 90%. */
export const TRUST_CORE = [
  'protocol/src/envelope/*.ts',
  'protocol/src/pki/*.ts',
  'protocol/src/replay/*.ts',
  'protocol/src/command/*.ts',
  'vessel/src/listener/process.ts',
  'vessel/src/state/store.ts',
  'ca-server/src/authority/csr.ts',
  'ca-server/src/authority/revocation.ts',
  'ca-server/src/authority/crl.ts',
  // Barrels and type-only files have no behaviour to mutate.
  '!**/index.ts',
  '!**/types.ts',
];

export const CACHE_DIR = 'node_modules/.cache/stryker';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  $schema: '../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  testRunner: 'vitest',
  // Not `related`: Vitest's related-file search misses tests that reach a file only through a barrel or a fixture
  // module (sign.ts, vessel-events.ts, certificates.ts… were reported as not covered at all). The dry run runs every
  // unit test once (~2 min); each mutant then runs only the tests that cover it (perTest).
  // MUTATION_TESTS=a.test.ts,b.test.ts: only those test files (vitest.mirror.config.ts), a lower bound of the score.
  vitest: {
    configFile: process.env.MUTATION_TESTS
      ? 'scripts/mutation/vitest.mirror.config.ts'
      : 'scripts/mutation/vitest.config.ts',
    related: false,
  },
  plugins: ['@stryker-mutator/vitest-runner'],
  coverageAnalysis: 'perTest',
  mutate: TRUST_CORE,
  // The machine is shared: one or two Vitest workers, never one per core of a big machine.
  concurrency: 2,
  // A mutant that loops forever costs this much on top of twice its tests' time: keep it short.
  timeoutMS: 8_000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: `${CACHE_DIR}/incremental.json`,
  // Stryker's default sandbox folder (ignored by git, ESLint and Prettier); not under node_modules, which Vitest skips.
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  // The sandbox needs the sources and tests of the three packages, their workspace neighbours and the root config.
  ignorePatterns: ['app', 'e2e', 'packaging', 'cli', 'bench', 'resources', 'dist', 'docs', '.helmlink-data'],
  reporters: ['json', 'html', 'progress'],
  jsonReporter: { fileName: `${CACHE_DIR}/mutation-report.json` },
  htmlReporter: { fileName: `${CACHE_DIR}/mutation-report.html` },
  thresholds: { high: 95, low: 90, break: null },
  ignoreStatic: true,
};
