/**
 * The vessel runs without the CA server: `@helmlink/vessel` is imported in a fresh Node process in which resolving
 * `@helmlink/ca-server`, `fastify` or `better-sqlite3` fails, and whose CommonJS cache is checked afterwards. It
 * talks to the CA through `@helmlink/ca-client`. A positive control proves the guard bites.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const guard = fileURLToPath(new URL('../../scripts/import-guard.mjs', import.meta.url));
const run = (targets: string[]) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', guard, '--ban', '@helmlink/ca-server,fastify,better-sqlite3', ...targets],
    { encoding: 'utf8', cwd: root },
  );

describe('the vessel package loads without the CA server', () => {
  it('imports @helmlink/vessel and its CLI without fastify, better-sqlite3 or @helmlink/ca-server', () => {
    const r = run(['@helmlink/vessel', '@helmlink/vessel/cli']);
    expect(r.stderr).not.toContain('_IMPORTED');
    expect(r.stdout).toContain('NO_HELMLINK_CA_SERVER');
    expect(r.stdout).toContain('NO_FASTIFY');
    expect(r.stdout).toContain('NO_BETTER_SQLITE3');
    expect(r.status).toBe(0);
  });

  it('catches the server when it loads (positive control on the CA server package)', () => {
    const r = run([fileURLToPath(new URL('../../ca-server/src/http/app.ts', import.meta.url))]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('FASTIFY_IMPORTED');
  });
});
