/** `helmlink vessel …` as its own process, exactly as a user or systemd starts it, with its JSON log lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PASSPHRASE, until } from './fleet';

export const CLI = new URL('../../../cli/bin/helmlink.mjs', import.meta.url).pathname;
/** The environment variable test configs name for the key passphrase. */
export const PASSPHRASE_ENV = 'HELMLINK_CLI_TEST_PASS';

export interface CliProcess {
  child: ChildProcess;
  /** Parsed pino lines from stdout. */
  lines: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<number | null>;
  /** Lines with this `msg`. */
  count(msg: string): number;
  /** Waits until `n` lines with this `msg` were logged (or the process exited). */
  waitFor(msg: string, n?: number, timeoutMs?: number): Promise<void>;
}

/** Spawns `helmlink ARGS` with the test passphrase in the environment (never in argv). */
export function spawnCli(args: string[]): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, [PASSPHRASE_ENV]: PASSPHRASE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      lines.push({ msg: l });
    }
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const count = (msg: string) => lines.filter((l) => l.msg === msg).length;
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    count,
    async waitFor(msg, n = 1, timeoutMs = 30_000) {
      await until(() => count(msg) >= n || child.exitCode !== null, `${n}× "${msg}"`, timeoutMs);
      if (count(msg) < n)
        throw new Error(`the process exited (${child.exitCode}) before "${msg}": ${stderr}`);
    },
  };
}
