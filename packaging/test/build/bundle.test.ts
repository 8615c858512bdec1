/** The esbuild step: native addons are loaded from beside the bundle (later: beside the executable). */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { betterSqliteAddon } from '../../src/build/addons';
import { bundleTool } from '../../src/build/bundle';
import { REPO_ROOT } from '../../src/build/paths';

const work = mkdtempSync(join(tmpdir(), 'helmlink-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('bundleTool', () => {
  it('bundles better-sqlite3 with its addon looked up beside the bundle, and bakes in the version', async () => {
    const entry = join(REPO_ROOT, 'ca-server', `.bundle-probe-${process.pid}.ts`);
    writeFileSync(
      entry,
      "import Database from 'better-sqlite3';\nconst db = new Database(':memory:');\nprocess.stdout.write(String(db.prepare('select 6 * 7 as n').get().n) + ' ' + HELMLINK_PACKAGE_VERSION);\n",
    );
    try {
      const out = await bundleTool({ entry, outfile: join(work, 'probe.cjs'), version: '9.9.9' });
      // Without the addon beside it the bundle cannot open SQLite: it does not fall back to node_modules.
      const missing = spawnSync(process.execPath, [out], { encoding: 'utf8', cwd: tmpdir() });
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain(join(work, 'better_sqlite3.node'));
      copyFileSync(betterSqliteAddon(), join(work, 'better_sqlite3.node'));
      expect(execFileSync(process.execPath, [out], { encoding: 'utf8', cwd: tmpdir() })).toBe('42 9.9.9');
    } finally {
      rmSync(entry, { force: true });
    }
  });
});
