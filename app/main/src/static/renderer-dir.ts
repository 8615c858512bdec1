/**
 * Where the built console page lives. The build makes it (`npm run build`, or `npm run build:renderer` for the
 * page alone); nothing at run time builds it. The web bridge and the demo check for it up front and fail with
 * ERR_RENDERER_NOT_BUILT naming the command to run.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HelmlinkError } from '@helmlink/protocol';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Where `npm run build:renderer` (`vite build app/renderer`) writes the renderer. */
export const DEFAULT_RENDERER_DIR = join(REPO_ROOT, 'app', 'renderer', 'dist');

/** The command that builds the renderer (named in ERR_RENDERER_NOT_BUILT). */
export const RENDERER_BUILD_COMMAND = 'npm run build';

/** Throws ERR_RENDERER_NOT_BUILT when `dir` holds no index.html; returns the absolute directory otherwise. */
export function assertRendererBuilt(dir: string = DEFAULT_RENDERER_DIR): string {
  const abs = resolve(dir);
  if (!existsSync(join(abs, 'index.html'))) {
    throw new HelmlinkError(
      'ERR_RENDERER_NOT_BUILT',
      `the console page is not built (no index.html in ${abs}): run \`${RENDERER_BUILD_COMMAND}\` in the Helmlink checkout first`,
      { details: { rendererDir: abs } },
    );
  }
  return abs;
}
