/**
 * The console's services, IPC router and web bridge run without Electron (MQTT Explorer's
 * server-electron-dependency idea): they are imported in a fresh Node process whose module resolution fails on
 * any `electron` import, and whose CommonJS cache is checked afterwards. A positive control proves the guard bites.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(`../src/${p}`, import.meta.url));
const guard = fileURLToPath(new URL('../../../scripts/import-guard.mjs', import.meta.url));
const run = (files: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', guard, '--ban', 'electron', ...files], {
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
  });

describe('no Electron outside app/main/src/electron', () => {
  it('loads every service, the router and the web bridge without resolving electron', () => {
    const r = run(
      [
        'services/index.ts',
        'ipc/router.ts',
        'ipc/handlers.ts',
        'ipc/electron-sender.ts',
        'bridge/server.ts',
        'cli/console-command.ts',
        'index.ts',
      ].map(src),
    );
    expect(r.stderr).not.toContain('ELECTRON_IMPORTED');
    expect(r.stdout).toContain('NO_ELECTRON');
    expect(r.status).toBe(0);
  });

  it('catches an electron import (positive control on the Electron adapter)', () => {
    const r = run([src('electron/ipc-main.ts')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('ELECTRON_IMPORTED');
  });
});
