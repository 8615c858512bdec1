// The tests of a mirror-only mutation run: only the test files named in MUTATION_TESTS (comma-separated), e.g.
// `MUTATION_TESTS=protocol/test/envelope/sign.test.ts npm run test:mutation -- protocol/src/envelope/sign.ts`.
// A lower bound of the whole-suite score, minutes instead of hours for files that hundreds of tests cover.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: (process.env.MUTATION_TESTS ?? '').split(',').filter(Boolean),
    exclude: ['**/node_modules/**'],
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['./scripts/vitest-setup.ts'],
  },
});
