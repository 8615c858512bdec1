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
    // The listener end to end (MQTT broker, Redis) and the broker fallback tests: real processes, not unit tests.
    exclude: [
      '**/node_modules/**',
      'vessel/test/listener/vessel.test.ts',
      'vessel/test/listener/fallback.test.ts',
    ],
    // Keep modules loaded between runs: mutants are switched on at run time, so nothing needs re-importing.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['./scripts/vitest-setup.ts'],
  },
});
