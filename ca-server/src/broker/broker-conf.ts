/**
 * What the CA reads back from a generated mosquitto.conf (listener, pid file, dynamic-security file), and who runs
 * it: the pid file names the broker process; `/proc/PID/cmdline` tells whether that process is Mosquitto started
 * with this very configuration (an orphan of an earlier run we may take over) or something else that happens to
 * carry the pid now.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';

export interface BrokerConf {
  conf: string;
  port: number;
  /** Listener address, when the listener names one. */
  listen: string | undefined;
  pidFile: string | undefined;
  /** `plugin_opt_config_file`: where the dynamic-security plugin keeps its state. */
  dynsecFile: string | undefined;
}

/** Parses the lines the CA relies on. @throws TypeError when there is no `listener PORT` line. */
export function readBrokerConf(conf: string): BrokerConf {
  const text = readFileSync(conf, 'utf8');
  const line = (key: string): string | undefined => new RegExp(`^${key} (.+)$`, 'mu').exec(text)?.[1]?.trim();
  const listener = /^listener (\d+)(?: (\S+))?$/mu.exec(text);
  if (!listener) throw new TypeError(`no listener in ${conf}`);
  return {
    conf: resolve(conf),
    port: Number(listener[1]),
    listen: listener[2],
    pidFile: line('pid_file'),
    dynsecFile: line('plugin_opt_config_file'),
  };
}

/** Is a process with this pid alive? `eperm` when it is but belongs to someone we may not signal. */
export function processState(pid: number): 'alive' | 'dead' | 'eperm' {
  try {
    process.kill(pid, 0);
    return 'alive';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'eperm' : 'dead';
  }
}

/** The pid in a pid file, when the file exists and holds one. */
export function readPidFile(pidFile: string | undefined): number | undefined {
  if (!pidFile || !existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

/** True when `pid` runs a `mosquitto` binary with `-c conf` (the resolved path). */
export function runsConf(pid: number, conf: string): boolean {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return false;
  }
  if (!argv[0] || !basename(argv[0]).startsWith('mosquitto')) return false;
  const path = argv[argv.indexOf('-c') + 1];
  return argv.includes('-c') && path !== undefined && resolve(path) === resolve(conf);
}

/**
 * The broker process named by the configuration's pid file: `ours` when it is Mosquitto running this configuration,
 * `foreign` when it runs but is not (or cannot be inspected), undefined when there is none (no file, stale pid).
 */
export function pidFileBroker(
  c: BrokerConf,
): { pid: number; kind: 'ours' | 'foreign'; signalable: boolean } | undefined {
  const pid = readPidFile(c.pidFile);
  if (pid === undefined) return undefined;
  const state = processState(pid);
  if (state === 'dead') return undefined;
  return { pid, kind: runsConf(pid, c.conf) ? 'ours' : 'foreign', signalable: state === 'alive' };
}
