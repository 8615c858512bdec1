/** Where the packaging sources, the repository and the Node binary to embed are. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (two levels above packaging/src/build). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** packaging/ itself. */
export const PACKAGING_DIR = join(REPO_ROOT, 'packaging');

/** The per-package Debian material (control templates, maintainer scripts, units, default config). */
export const DEBIAN_DIR = join(PACKAGING_DIR, 'debian');
