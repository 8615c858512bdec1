// The tests a mutation run may use: the unit tests of the trust core. Broker, browser and end-to-end suites stay
// out (they test the same code through real processes and are too slow to run once per mutant).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: [
      'protocol/test/{envelope,pki,replay,command,cli}/**/*.test.ts',
      'vessel/test/{listener,state}/**/*.test.ts',
      'ca-server/test/authority/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**'],
    // Keep modules loaded between runs: mutants are switched on at run time, so nothing needs re-importing.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['./scripts/vitest-setup.ts'],
  },
});
