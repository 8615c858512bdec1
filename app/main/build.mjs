// Bundles the Electron main process and the sandboxed preload with esbuild into app/main/dist/.
// main.cjs: Node/Electron main (electron and the native keyring stay external).
// preload.cjs: the contextBridge glue; a sandboxed preload can only require('electron'), so it is fully bundled.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const out = join(here, 'dist');
// --quiet: no summary line (tests).
const quiet = process.argv.includes('--quiet');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  tsconfig: join(here, '..', '..', 'tsconfig.json'),
};

await build({
  ...common,
  entryPoints: [join(here, 'src', 'electron', 'main.ts')],
  outfile: join(out, 'main.cjs'),
  external: ['electron', '@napi-rs/keyring', '@napi-rs/keyring-*'],
  // Some bundled ESM dependencies read import.meta.url; give them the CJS file URL.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
});

await build({
  ...common,
  platform: 'browser',
  entryPoints: [join(here, '..', 'preload', 'src', 'preload.ts')],
  outfile: join(out, 'preload.cjs'),
  external: ['electron'],
});

if (!quiet) console.log(`built ${join(out, 'main.cjs')} and ${join(out, 'preload.cjs')}`);
