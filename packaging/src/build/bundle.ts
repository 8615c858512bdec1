/**
 * Bundles a tool's entry (TypeScript, ESM sources) into one CommonJS file with esbuild: Node's single executable
 * applications run exactly one CommonJS script. Native addons cannot live inside it: `bindings('x.node')`
 * (better-sqlite3, sd-notify) is redirected to the file of that name beside the executable.
 */
import { build, type Plugin } from 'esbuild';
import { join } from 'node:path';
import { REPO_ROOT } from './paths';

/**
 * Replaces the `bindings` package with a loader for `NAME.node` in the executable's folder. In a single executable
 * application `__filename` is the executable itself and `require` only knows built-in modules, so the addon is
 * loaded through `createRequire`; run as a plain script (`node bundle.cjs`) the folder is the script's.
 */
export const addonBesideExecutable: Plugin = {
  name: 'helmlink-addon-beside-executable',
  setup(b) {
    b.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'helmlink-addon' }));
    b.onLoad({ filter: /.*/, namespace: 'helmlink-addon' }, () => ({
      loader: 'js',
      contents: `
const { createRequire } = require('node:module');
const { join } = require('node:path');
module.exports = function bindings(opts) {
  const name = String(typeof opts === 'object' && opts !== null ? opts.bindings : opts).replace(/(\\.node)?$/, '.node');
  return createRequire(__filename)(join(__dirname, name));
};`,
    }));
  },
};

/**
 * ws (under mqtt.js) tries the optional native modules bufferutil and utf-8-validate inside try/catch and works
 * without them. Left as a runtime require they make a single executable print a warning at every start; here they
 * are modules that fail the way a missing one does.
 */
export const absentOptionalModules: Plugin = {
  name: 'helmlink-absent-optional-modules',
  setup(b) {
    b.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (args) => ({
      path: args.path,
      namespace: 'helmlink-absent',
    }));
    b.onLoad({ filter: /.*/, namespace: 'helmlink-absent' }, (args) => ({
      loader: 'js',
      contents: `throw Object.assign(new Error(${JSON.stringify(`${args.path} is not bundled`)}), { code: 'MODULE_NOT_FOUND' });`,
    }));
  },
};

export interface BundleOptions {
  /** Entry file (packaging/src/entries/*.ts). */
  entry: string;
  /** Output file (.cjs). */
  outfile: string;
  /** Version printed by `--version` (the Debian package version). */
  version: string;
}

/** Bundles one tool; returns the output path. Fails on any esbuild error (unresolved import, syntax). */
export async function bundleTool(options: BundleOptions): Promise<string> {
  await build({
    entryPoints: [options.entry],
    outfile: options.outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: false,
    sourcemap: false,
    legalComments: 'eof',
    logLevel: 'error',
    tsconfig: join(REPO_ROOT, 'tsconfig.json'),
    plugins: [addonBesideExecutable, absentOptionalModules],
    // Some bundled ESM dependencies read import.meta.url; give them the CJS file URL.
    define: { 'import.meta.url': 'importMetaUrl', HELMLINK_PACKAGE_VERSION: JSON.stringify(options.version) },
    banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  return options.outfile;
}
