/**
 * Node single executable applications (https://nodejs.org/api/single-executable-applications.html): the bundle is
 * turned into a preparation blob by `node --experimental-sea-config`, a copy of the Node binary is stripped of its
 * debug symbols, and postject (npm) writes the blob into it and flips the SEA fuse.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './paths';

/** The fuse string Node's binary carries; postject flips its last character to mark the binary as a SEA. */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export interface ExecutableOptions {
  /** The CommonJS bundle (bundleTool's output). */
  bundle: string;
  /** The executable to write. */
  output: string;
  /** The Node binary to embed (the running one by default: the addons beside are built for its ABI). */
  nodeBinary?: string;
}

/** Builds a one-file executable from a bundle; returns its path. */
export function buildExecutable(options: ExecutableOptions): string {
  const node = options.nodeBinary ?? process.execPath;
  if (!readFileSync(node).includes(SEA_FUSE))
    throw new Error(`${node} was built without single executable application support`);
  const blob = `${options.output}.blob`;
  const config = `${options.output}.sea.json`;
  writeFileSync(
    config,
    JSON.stringify({
      main: options.bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
    }),
  );
  quiet(node, ['--experimental-sea-config', config]);
  copyFileSync(node, options.output);
  chmodSync(options.output, 0o755);
  // Debian ships stripped binaries (lintian: unstripped-binary-or-object); the blob goes in after stripping.
  execFileSync('strip', ['--strip-all', options.output]);
  // postject's CLI in its own process: LIEF prints a warning per ELF note section, shown only when it fails.
  const postject = join(
    dirname(createRequire(join(REPO_ROOT, 'package.json')).resolve('postject/package.json')),
    'dist',
    'cli.js',
  );
  quiet(process.execPath, [postject, options.output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);
  return options.output;
}

/** Runs a build step with its output captured; a failure shows it. */
function quiet(file: string, args: string[]): void {
  try {
    execFileSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(
      `${file} ${args.join(' ')} failed: ${e.message}\n${String(e.stdout ?? '')}${String(e.stderr ?? '')}`,
    );
  }
}
