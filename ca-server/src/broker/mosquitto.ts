/**
 * A Mosquitto process managed by us (`ca serve --manage-broker`, the demo topology, tests): started with a given
 * config and waited for on its TCP port (its log is block-buffered into a pipe, so a log line is no readiness
 * signal), reloaded with SIGHUP (CRL and certificates; the dynamic-security plugin keeps its state), stopped with
 * SIGTERM.
 *
 * Supervised: when the process dies on its own it is started again after a capped, jittered backoff (the streak
 * resets after a minute of uptime). A broker left running by an earlier run that was killed (`kill -9` of
 * `ca serve`) is found through the configuration's pid file: when it is Mosquitto running this very configuration
 * it is taken over (adopted: signalled and watched through its pid, its sessions kept), otherwise start refuses
 * with ERR_BROKER_ORPHAN rather than serving next to a broker it does not control.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { HelmlinkError } from '@helmlink/protocol';
import { backoffDelay, type BackoffPolicy } from '@helmlink/protocol/mqtt';
import { waitForPort } from '@helmlink/protocol/node';
import { pidFileBroker, processState, readBrokerConf } from './broker-conf';

/** Restart delays after the broker died: 0.5 s doubling to 30 s, a fifth random. */
export const BROKER_RESTART_BACKOFF: BackoffPolicy = { initialDelayMs: 500, maxDelayMs: 30_000, jitter: 0.2 };

/** What happened to the managed broker (for logs and alerts). */
export type BrokerEvent =
  | { type: 'adopted'; pid: number }
  | { type: 'exited'; pid: number | undefined; code: number | null; signal: string | null }
  | { type: 'restarting'; attempt: number; delayMs: number }
  | { type: 'restarted'; pid: number | undefined; attempt: number }
  | { type: 'restart-failed'; attempt: number; error: Error };

export interface ManagedMosquittoOptions {
  /** Path of the mosquitto.conf to run. */
  conf: string;
  /** The listener port in that config (readiness is a TCP connect there). */
  port: number;
  host?: string;
  /** mosquitto binary. Default `mosquitto` on PATH. */
  bin?: string;
  /** Receives the broker's log output, line by line. */
  onLog?: (line: string) => void;
  /** Receives each stdout/stderr chunk as read. */
  onOutput?: (text: string) => void;
  /** How long `start` waits for the listener. Default 10 s. */
  startTimeoutMs?: number;
  /** Start the broker again when it dies. Default true. */
  supervise?: boolean;
  restartBackoff?: BackoffPolicy;
  /** Take over a broker an earlier run left running with this configuration. Default true. */
  adoptOrphan?: boolean;
  onEvent?: (event: BrokerEvent) => void;
}

/** The installed Mosquitto version, or undefined when `binary` is not on PATH. */
export function mosquittoVersion(binary = 'mosquitto'): string | undefined {
  const r = spawnSync(binary, ['-h'], { encoding: 'utf8' });
  if (r.error) return undefined;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.match(/mosquitto version (\S+)/u)?.[1] ?? 'unknown';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ManagedMosquitto extends EventEmitter<{ event: [BrokerEvent] }> {
  private child: ChildProcess | undefined;
  private adopted: number | undefined;
  private watch: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private log = '';
  /** True between start() and stop(): an exit in between is a death to recover from. */
  private wanted = false;
  private streak = 0;
  private startedAt = 0;

  constructor(private readonly options: ManagedMosquittoOptions) {
    super();
  }

  /** The broker's pid (our child or the adopted orphan) while it runs. */
  get pid(): number | undefined {
    return this.child?.pid ?? this.adopted;
  }

  /** True when the running broker was taken over from an earlier run. */
  get isAdopted(): boolean {
    return this.adopted !== undefined;
  }

  /** Recent log output (for diagnostics). */
  get output(): string {
    return this.log;
  }

  /**
   * Starts Mosquitto (or takes over the one an earlier run left with this configuration); resolves once its listener
   * accepts connections. Throws ERR_BROKER_ORPHAN when the pid file names a broker we may not take over,
   * ERR_PORT_IN_USE when the port is taken, ERR_BROKER_START when the process exits or never listens.
   */
  async start(): Promise<void> {
    if (this.child || this.adopted) return;
    this.wanted = true;
    if (this.adoptExisting()) return;
    try {
      await this.spawnOnce();
    } catch (err) {
      this.wanted = false;
      throw err;
    }
  }

  /** SIGHUP: reloads the CRL and certificates; open sessions stay. */
  reload(): void {
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGHUP');
    } catch {
      // Gone: the supervisor starts it again with the files as they are now.
    }
  }

  /** Stops and starts again: cuts every open session (tests use it to cut links; the CA never does). */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. No restart follows. */
  async stop(): Promise<void> {
    this.wanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const adopted = this.adopted;
    if (adopted !== undefined) {
      this.unwatch();
      this.adopted = undefined;
      await this.terminatePid(adopted);
    }
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  // ---------------------------------------------------------------------------------------------------------

  private notify(event: BrokerEvent): void {
    this.options.onEvent?.(event);
    this.emit('event', event);
  }

  /** Takes over the broker of the pid file when it is ours; throws ERR_BROKER_ORPHAN when it may not. */
  private adoptExisting(): boolean {
    let found: ReturnType<typeof pidFileBroker>;
    let pidFile: string | undefined;
    try {
      pidFile = readBrokerConf(this.options.conf).pidFile;
      found = pidFileBroker(readBrokerConf(this.options.conf));
    } catch {
      return false;
    }
    if (!found || found.kind === 'foreign') {
      // Stale (its broker is gone, the pid reused): Mosquitto, having dropped privileges, may not overwrite it.
      if (pidFile) rmSync(pidFile, { force: true });
      return false;
    }
    if (!found.signalable || this.options.adoptOrphan === false) {
      this.wanted = false;
      throw new HelmlinkError(
        'ERR_BROKER_ORPHAN',
        `Mosquitto (pid ${found.pid}) already runs ${this.options.conf} and ${found.signalable ? 'taking it over is disabled' : 'belongs to another user'}: stop it (kill ${found.pid}) and start again`,
      );
    }
    this.adopted = found.pid;
    this.watchAdopted(found.pid);
    this.notify({ type: 'adopted', pid: found.pid });
    return true;
  }

  private watchAdopted(pid: number): void {
    this.watch = setInterval(() => {
      if (processState(pid) !== 'dead') return;
      this.unwatch();
      this.adopted = undefined;
      this.notify({ type: 'exited', pid, code: null, signal: null });
      this.scheduleRestart();
    }, 1000);
    this.watch.unref();
  }

  private unwatch(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
  }

  private async terminatePid(pid: number): Promise<void> {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 500 && processState(pid) !== 'dead'; i++) await sleep(10);
    if (processState(pid) !== 'dead') process.kill(pid, 'SIGKILL');
  }

  private async spawnOnce(): Promise<void> {
    const child = spawn(this.options.bin ?? 'mosquitto', ['-c', this.options.conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let attempt = '';
    const onData = (d: Buffer) => {
      const text = d.toString('utf8');
      attempt = (attempt + text).slice(-4000);
      this.log = (this.log + text).slice(-20_000);
      this.options.onOutput?.(text);
      for (const line of text.split('\n')) if (line) this.options.onLog?.(line);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    const host = this.options.host ?? '127.0.0.1';
    try {
      await waitForPort(
        this.options.port,
        this.options.startTimeoutMs ?? 10_000,
        host,
        () => child.exitCode === null && child.signalCode === null,
      );
      this.startedAt = Date.now();
    } catch (err) {
      if (this.child === child) this.child = undefined;
      if (child.exitCode === null) child.kill('SIGKILL');
      const inUse = /Address already in use/iu.test(attempt);
      throw new HelmlinkError(
        inUse ? 'ERR_PORT_IN_USE' : 'ERR_BROKER_START',
        inUse
          ? `port ${this.options.port} for Mosquitto is already in use`
          : `mosquitto did not start (${(err as Error).message})${attempt ? `: ${attempt.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
      );
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.notify({ type: 'exited', pid: child.pid, code, signal });
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (!this.wanted || this.options.supervise === false || this.restartTimer) return;
    // A broker that ran for a minute died of something new: start the backoff over.
    if (this.startedAt && Date.now() - this.startedAt > 60_000) this.streak = 0;
    const attempt = ++this.streak;
    const delayMs = backoffDelay(attempt - 1, this.options.restartBackoff ?? BROKER_RESTART_BACKOFF);
    this.notify({ type: 'restarting', attempt, delayMs });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.wanted || this.child || this.adopted) return;
      this.spawnOnce().then(
        () => this.notify({ type: 'restarted', pid: this.pid, attempt }),
        (error: Error) => {
          this.notify({ type: 'restart-failed', attempt, error });
          this.scheduleRestart();
        },
      );
    }, delayMs);
    this.restartTimer.unref();
  }
}
