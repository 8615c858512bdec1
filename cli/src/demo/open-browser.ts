/**
 * Opening the console in the desktop's browser without putting a secret on a command line: a console link carries a
 * one-time token, and whatever runs `xdg-open LINK` exposes its arguments to every local user (`/proc/PID/cmdline`)
 * for as long as it runs. The opener gets the path of a launcher page instead, written with mode 0600 in the demo's
 * own folder: only this user can read the link it forwards to (a fresh one-time link, not the printed one).
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@helmlink/protocol/node';

/** The launcher page's file name in the folder it is written to. */
export const LAUNCHER_FILE = 'open-console.html';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/gu, (c) => `&#${c.charCodeAt(0)};`);

/** The desktop's opener command on this platform when there is a desktop, else undefined. */
function opener(env: NodeJS.ProcessEnv): string | undefined {
  if (process.platform === 'darwin') return 'open';
  if (process.platform === 'win32') return undefined;
  return env.DISPLAY || env.WAYLAND_DISPLAY ? 'xdg-open' : undefined;
}

/**
 * Writes the launcher page for `link` into `dir` (mode 0600) and opens it with the desktop's opener; returns what
 * it ran, or undefined when there is no desktop or no opener (then nothing is written). The opener's arguments hold
 * only the file path.
 */
export function openInBrowser(link: string, dir: string, env: NodeJS.ProcessEnv): string | undefined {
  const command = opener(env);
  if (!command || spawnSync('which', [command], { env }).status !== 0) return undefined;
  const file = join(dir, LAUNCHER_FILE);
  const href = escapeHtml(link);
  writeFileAtomic(
    file,
    `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer">` +
      `<meta http-equiv="refresh" content="0;url=${href}"><title>Helmlink console</title>` +
      `<p>Opening the Helmlink console… <a href="${href}">continue</a></p>\n`,
    { mode: 0o600 },
  );
  const child = spawn(command, [file], { stdio: 'ignore', detached: true, env });
  child.on('error', () => undefined);
  child.unref();
  return command;
}

/** Removes the launcher page from `dir` (on stop: its link is spent or expires anyway). */
export function removeLauncher(dir: string): void {
  rmSync(join(dir, LAUNCHER_FILE), { force: true });
}
