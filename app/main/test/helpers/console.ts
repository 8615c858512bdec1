/** Console services on a temp data dir with a frozen clock, for tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsoleServices, type ConsoleServices, type ConsoleServicesOptions } from '../../src/services';
import { frozenClock, type FrozenClock } from '@helmlink/protocol';
import { silentLogger } from '../../src/services/core/logger';
import { isHelmlinkError } from '@helmlink/protocol';

/** Fast scrypt cost for tests (the default cost is asserted separately). */
export const TEST_SCRYPT = { N: 2 ** 14, r: 8, p: 1 };

export function tempDir(prefix = 'helmlink-console-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Services with no OS keychain, a fixed clock and a silent logger. */
export async function testServices(
  dataDir: string,
  now: Date,
  extra: Partial<ConsoleServicesOptions> = {},
): Promise<ConsoleServices & { clock: FrozenClock }> {
  const clock = frozenClock(now);
  const s = await createConsoleServices({
    dataDir,
    keychain: null,
    clock,
    logger: silentLogger,
    scrypt: TEST_SCRYPT,
    autoRenewTimers: false,
    autoConnect: false,
    ...extra,
  });
  return s as ConsoleServices & { clock: FrozenClock };
}

/** The code a promise rejects with (a HelmlinkError); anything else fails the test. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isHelmlinkError(err)) return err.code;
    throw err;
  }
  throw new Error('expected a rejection');
}
