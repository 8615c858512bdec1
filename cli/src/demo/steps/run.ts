/**
 * One start of the demo topology: its data folder, log, passphrases, progress sink and the stack of what has been
 * started, stopped in reverse order by {@link TopologyRun.stop} (on failure during start-up, or by the caller).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { assertPortFree, freePort } from '@helmlink/protocol/node';
import type { ProgressEvent, TopologyOptions } from '../topology-types';

/** The names the CA server and the broker answer to on this machine. */
export const LOCAL_HOSTS = ['localhost', '127.0.0.1', '::1'];

export interface Secrets {
  caPassphrase: string;
  vesselPassphrase: string;
  consolePassphrase: string;
}

export interface TopologyRun {
  dataDir: string;
  logger: Logger;
  secrets: Secrets;
  progress: (event: ProgressEvent) => void;
  /** Registers how to stop what was just started. */
  onStop(what: string, fn: () => Promise<void>): void;
  /** Stops everything registered, in reverse order; a failing stop is logged and the others still run. Safe to call twice. */
  stop(): Promise<void>;
}

/** Reads or creates the demo's passphrases (demo convenience: kept 0600 in the data dir; never do this in production). */
function loadSecrets(dir: string): Secrets {
  const path = join(dir, 'secrets.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as Secrets;
  const gen = () => randomBytes(18).toString('base64url');
  const s: Secrets = { caPassphrase: gen(), vesselPassphrase: gen(), consolePassphrase: gen() };
  writeFileSync(path, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  return s;
}

/** Prepares the data folder (deleted first on `reset`), the log file and the passphrases. */
export function openRun(options: TopologyOptions): TopologyRun {
  const dataDir = options.dataDir;
  if (options.reset) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(dataDir, 'logs'), { recursive: true, mode: 0o700 });
  const logger: Logger = pino(
    { level: options.logLevel ?? 'warn' },
    pino.destination({ dest: join(dataDir, 'logs', 'demo.log'), sync: true }),
  );
  const stops: { what: string; fn: () => Promise<void> }[] = [];
  let stopped: Promise<void> | undefined;
  return {
    dataDir,
    logger,
    secrets: loadSecrets(dataDir),
    progress: options.onProgress ?? (() => undefined),
    onStop: (what, fn) => void stops.push({ what, fn }),
    stop() {
      stopped ??= (async () => {
        for (const s of stops.reverse()) {
          try {
            await s.fn();
          } catch (err) {
            logger.error({ err: (err as Error).message }, `stopping ${s.what} failed`);
          }
        }
        logger.flush?.();
      })();
      return stopped;
    },
  };
}

/** Picks the port: explicit ones must be free (ERR_PORT_IN_USE names `what`); 0/absent asks the OS. */
export async function portFor(explicit: number | undefined, what: string): Promise<number> {
  if (explicit) {
    await assertPortFree(explicit, what);
    return explicit;
  }
  return freePort();
}
