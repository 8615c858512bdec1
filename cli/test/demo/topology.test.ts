/** The topology's composition: what it checks before starting anything. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isHelmlinkError } from '@helmlink/protocol';
import { startTopology } from '../../src/demo/topology';

const dir = mkdtempSync(join(tmpdir(), 'helmlink-topology-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startTopology', () => {
  it('refuses to start when the console page is not built, naming the build command, before creating anything', async () => {
    const dataDir = join(dir, 'data');
    let err: unknown;
    try {
      await startTopology({ dataDir, console: { rendererDir: join(dir, 'no-renderer') } });
    } catch (e) {
      err = e;
    }
    expect(isHelmlinkError(err, 'ERR_RENDERER_NOT_BUILT')).toBe(true);
    expect((err as Error).message).toContain('run `npm run build`');
    expect(existsSync(dataDir)).toBe(false);
  });
});
