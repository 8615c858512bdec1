/**
 * The native addons shipped beside the one-file executables (a SEA cannot embed a `.node` file):
 * better-sqlite3 (the CA's store; built by `npm ci` for this Node's ABI) and sd-notify (systemd readiness; built here
 * with node-gyp against libsystemd, since `npm ci` does not build it: `allowScripts` keeps a clean install free of
 * the libsystemd-dev requirement).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './paths';

const requireFromCa = createRequire(join(REPO_ROOT, 'ca-server', 'package.json'));
const requireFromProtocol = createRequire(join(REPO_ROOT, 'protocol', 'package.json'));

/** better-sqlite3's compiled addon, as `npm ci` built it. */
export function betterSqliteAddon(): string {
  const file = join(
    dirname(requireFromCa.resolve('better-sqlite3/package.json')),
    'build',
    'Release',
    'better_sqlite3.node',
  );
  if (!existsSync(file))
    throw new Error(`${file} is missing: run npm ci (better-sqlite3 builds from source with node-gyp)`);
  return file;
}

/** The folder holding this Node's headers (`include/node/node_api.h`), for node-gyp without a download. */
export function nodeHeadersDir(nodeBinary = process.execPath): string {
  const dir = dirname(dirname(nodeBinary));
  if (!existsSync(join(dir, 'include', 'node', 'node_api.h')))
    throw new Error(`no Node headers in ${dir}/include/node (node-gyp would download them)`);
  return dir;
}

/**
 * Compiles sd-notify's addon (notify.node, linked to libsystemd) from its npm sources into `workDir`, leaving
 * node_modules untouched; returns the addon's path.
 */
export function buildSdNotifyAddon(workDir: string): string {
  if (!existsSync('/usr/include/systemd/sd-daemon.h'))
    throw new Error('libsystemd-dev is missing (apt-get install libsystemd-dev)');
  const source = dirname(requireFromProtocol.resolve('sd-notify/package.json'));
  const dir = join(workDir, 'sd-notify');
  mkdirSync(dir, { recursive: true });
  for (const f of ['binding.gyp', 'notify.cc', 'noop.cc', 'package.json'])
    copyFileSync(join(source, f), join(dir, f));
  const nodeGyp = join(
    dirname(createRequire(join(REPO_ROOT, 'package.json')).resolve('node-gyp/package.json')),
    'bin',
    'node-gyp.js',
  );
  execFileSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeHeadersDir()}`, '--loglevel=error'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return join(dir, 'build', 'Release', 'notify.node');
}
