// Bundles the Electron main process and the sandboxed preload with esbuild into app/main/dist/.
// main.cjs: Node/Electron main (electron and the native keyring stay external).
// preload.cjs: the contextBridge glue; a sandboxed preload can only require('electron'), so it is fully bundled.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { cpSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

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

// The one module that stays outside the bundle: the keychain addon (N-API). It is copied next to the bundle with the
// platform package(s) npm installed, so the packaged app resolves it from app/main/dist/node_modules.
const require = createRequire(import.meta.url);
const napiDir = dirname(dirname(require.resolve('@napi-rs/keyring/package.json')));
const target = join(out, 'node_modules', '@napi-rs');

for (const name of readdirSync(napiDir).filter((n) => n === 'keyring' || n.startsWith('keyring-'))) {
  cpSync(join(napiDir, name), join(target, name), { recursive: true, dereference: true });
}

if (!quiet) console.log(`built ${join(out, 'main.cjs')} and ${join(out, 'preload.cjs')}`);
