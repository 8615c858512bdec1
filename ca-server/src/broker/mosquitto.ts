/** A Mosquitto process managed by us (tests, the demo, `ca serve --manage-broker`): start, reload, restart, stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

export interface ManagedMosquittoOptions {
  conf: string;
  port: number;
  host?: string;
  /** mosquitto binary. Default `mosquitto` on PATH. */
  bin?: string;
  /** Receives the broker's log output. */
  onLog?: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when a TCP connect to host:port succeeds (Mosquitto's stdout is block-buffered: wait for the port). */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port}`);
    await sleep(10);
  }
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

  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(this.options.bin ?? 'mosquitto', ['-c', this.options.conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const onData = (d: Buffer) => {
      const text = d.toString('utf8');
      this.log = (this.log + text).slice(-20_000);
      for (const line of text.split('\n')) if (line) this.options.onLog?.(line);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${this.log.trim()}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitForPort(this.options.port, this.options.host ?? '127.0.0.1'), exited]);
    child.removeAllListeners('exit');
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
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

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null) return;
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
