// `npm start`: builds the renderer and the Electron bundles (`npm run build`), then launches Electron when its binary
// is installed.
// Here the electron package is installed for its types only (allowScripts blocks the binary download), so this
// prints one clear line and exits 1 instead of failing deep inside Electron's launcher.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);

/** The Electron executable, or null when the package's binary was never downloaded. */
function electronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

const bin = electronBinary();
if (!bin) {
  console.error(
    'helmlink: the Electron binary is not installed (its download is disabled here via allowScripts); run `node node_modules/electron/install.js` on a machine with internet access, or use `npx helmlink console --web`.',
  );
  process.exit(1);
}

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
// The one build step (package.json "build"): the renderer with Vite, main and preload with esbuild.
run('npm', ['run', '-s', 'build']);
const child = spawn(bin, [join(root, 'app', 'main', 'dist', 'main.cjs'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
child.on('exit', (code) => process.exit(code ?? 0));
