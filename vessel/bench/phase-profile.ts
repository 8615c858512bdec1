/**
 * CPU profiles of one phase of a benchmark (`--profile DIR`): the V8 profiler of this process is started right
 * before the phase and stopped right after, so the profile holds that phase only (open it in Chrome DevTools).
 */
import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs `phase`, profiled into DIR/NAME.cpuprofile when `dir` is set. */
export async function profiled<T>(
  dir: string | undefined,
  name: string,
  phase: () => Promise<T>,
): Promise<T> {
  if (!dir) return phase();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await phase();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
