/**
 * A Mosquitto process managed by us (tests, the demo topology, `ca serve --manage-broker`): started with a given
 * config, waited for on its TCP port (its stdout log is block-buffered into a pipe, so a log line is no readiness
 * signal), reloaded with SIGHUP, restarted to cut sessions of revoked clients (SIGHUP alone keeps them open),
 * stopped with SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { HelmlinkError } from '@helmlink/protocol';
import { waitForPort } from '@helmlink/protocol/node';

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
}

/** The installed Mosquitto version, or undefined when `binary` is not on PATH. */
export function mosquittoVersion(binary = 'mosquitto'): string | undefined {
  const r = spawnSync(binary, ['-h'], { encoding: 'utf8' });
  if (r.error) return undefined;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.match(/mosquitto version (\S+)/u)?.[1] ?? 'unknown';
}

export class ManagedMosquitto {
  private child: ChildProcess | undefined;
  private log = '';

  constructor(private readonly options: ManagedMosquittoOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Recent log output (for diagnostics). */
  get output(): string {
    return this.log;
  }

  /**
   * Starts Mosquitto; resolves once its listener accepts connections. Throws ERR_PORT_IN_USE when the port is
   * taken, ERR_BROKER_START when the process exits or never listens (the process is killed then).
   */
  async start(): Promise<void> {
    if (this.child) return;
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
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    const host = this.options.host ?? '127.0.0.1';
    try {
      await waitForPort(
        this.options.port,
        this.options.startTimeoutMs ?? 10_000,
        host,
        () => child.exitCode === null && child.signalCode === null,
      );
    } catch (err) {
      if (child.exitCode === null) child.kill('SIGKILL');
      if (this.child === child) this.child = undefined;
      const inUse = /Address already in use/iu.test(attempt);
      throw new HelmlinkError(
        inUse ? 'ERR_PORT_IN_USE' : 'ERR_BROKER_START',
        inUse
          ? `port ${this.options.port} for Mosquitto is already in use`
          : `mosquitto did not start (${(err as Error).message})${attempt ? `: ${attempt.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
      );
    }
  }

  /** SIGHUP: reloads CRL and ACL; refuses new connections of revoked clients but keeps open sessions. */
  reload(): void {
    this.child?.kill('SIGHUP');
  }

  /** Stops and starts again: cuts every open session (clients reconnect; revoked ones are refused). */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  async stop(): Promise<void> {
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
}
