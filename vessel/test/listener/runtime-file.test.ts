import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runtimeFile } from '../../src/listener/runtime-file';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function until(ok: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('runtime.json', () => {
  it('is written off the event loop, the newest state winning, and stopped() resolves once the last one is on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helmlink-runtime-'));
    dirs.push(dir);
    const path = join(dir, 'runtime.json');
    const file = runtimeFile(path, 'mqtts://broker:8883', () => Date.parse('2026-12-03T12:00:00Z'));
    file.running(false);
    expect(existsSync(path)).toBe(false); // not written synchronously
    file.running(true, { protocolVersion: 5 });
    file.running(false);
    file.running(true, { protocolVersion: 4 });
    await until(() => existsSync(path) && JSON.parse(readFileSync(path, 'utf8')).protocolVersion === 4);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      pid: process.pid,
      connected: true,
      since: '2026-12-03T12:00:00.000Z',
      broker: 'mqtts://broker:8883',
      protocolVersion: 4,
    });
    file.running(false);
    await file.stopped();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      pid: null,
      connected: false,
      stoppedAt: '2026-12-03T12:00:00.000Z',
    });
    // Every write went through a temporary file that was renamed: nothing else is left.
    expect(readdirSync(dir)).toEqual(['runtime.json']);
  });
});
