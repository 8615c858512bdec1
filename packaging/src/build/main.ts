/**
 * `npm run package`: builds dist/helmlink-vessel_VERSION_ARCH.deb and dist/helmlink-ca_VERSION_ARCH.deb offline.
 * Options: --version V (Debian version, default the workspace version), --out DIR, --only vessel|ca, --fast
 * (gzip -1 instead of xz, for quick local iterations).
 */
import { parseArgs } from 'node:util';
import { buildPackages } from './build';
import { PACKAGES } from './packages';

const { values } = parseArgs({
  options: {
    version: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
    fast: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write('Usage: npm run package -- [--version V] [--out DIR] [--only vessel|ca] [--fast]\n');
  process.exit(0);
}
const only = values.only ? PACKAGES.filter((p) => p.name === `helmlink-${values.only}`) : PACKAGES;
if (only.length === 0) {
  process.stderr.write(`--only must be vessel or ca\n`);
  process.exit(2);
}
const started = Date.now();
try {
  const built = await buildPackages({
    ...(values.version ? { version: values.version } : {}),
    ...(values.out ? { outDir: values.out } : {}),
    ...(values.fast ? { compression: { type: 'gzip', level: 1 } as const } : {}),
    packages: only,
    log: (l) => process.stdout.write(`[package] ${l}\n`),
  });
  process.stdout.write(
    `built ${built.map((b) => b.deb).join(' ')} in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
} catch (err) {
  process.stderr.write(`[package] failed: ${(err as Error).message}\n`);
  process.exit(1);
}
