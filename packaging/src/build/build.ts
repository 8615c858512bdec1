/** The whole pipeline for one or both packages: bundle → one-file executable → addons → .deb. */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { betterSqliteAddon, buildSdNotifyAddon } from './addons';
import { bundleTool } from './bundle';
import { buildDeb, type Compression } from './deb';
import { PACKAGES, type Addon, type DebPackage } from './packages';
import { REPO_ROOT } from './paths';
import { buildExecutable } from './sea';

export interface BuildOptions {
  /** Debian version (default: the root package.json version). */
  version?: string;
  /** Where the .deb files go (default: dist/). */
  outDir?: string;
  /** Scratch folder (default: dist/.build), removed first. */
  workDir?: string;
  compression?: Compression;
  packages?: readonly DebPackage[];
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface BuiltPackage {
  pkg: DebPackage;
  deb: string;
  executable: string;
}

/** The workspace version, the default Debian version. */
export function workspaceVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Builds the packages; returns their paths. Needs dpkg-dev, binutils (strip), g++ and libsystemd-dev. */
export async function buildPackages(options: BuildOptions = {}): Promise<BuiltPackage[]> {
  const version = options.version ?? workspaceVersion();
  const outDir = options.outDir ?? join(REPO_ROOT, 'dist');
  const workDir = options.workDir ?? join(outDir, '.build');
  const log = options.log ?? (() => {});
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const addonFiles: Partial<Record<Addon, string>> = {};
  const addon = (name: Addon): string =>
    (addonFiles[name] ??= name === 'better-sqlite3' ? betterSqliteAddon() : buildSdNotifyAddon(workDir));
  const built: BuiltPackage[] = [];
  for (const pkg of options.packages ?? PACKAGES) {
    log(`${pkg.name}: bundling ${pkg.entry}`);
    const bundle = await bundleTool({ entry: pkg.entry, outfile: join(workDir, `${pkg.name}.cjs`), version });
    log(`${pkg.name}: one-file executable`);
    const executable = buildExecutable({ bundle, output: join(workDir, pkg.name) });
    const addons = pkg.addons.map(addon);
    log(`${pkg.name}: dpkg-deb`);
    const deb = buildDeb({
      pkg,
      version,
      executable,
      addons,
      workDir,
      outDir,
      ...(options.compression ? { compression: options.compression } : {}),
    });
    log(`${pkg.name}: ${deb}`);
    built.push({ pkg, deb, executable });
  }
  return built;
}
