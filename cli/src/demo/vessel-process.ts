/**
 * A demo vessel as the CLI runs it: `helmlink vessel run --config DIR/vessel.json --simulate` in its own process,
 * its JSON log lines (stdout) appended to `logs/VESSEL.log` and turned into `command` and `alert` events. What the
 * process knows is read from its data folder: the connection from `runtime.json`, the stream state from its state
 * file (the vessel's own read-only reader), the CRL number from its CRL cache.
 *
 * Supervised: a listener that exits on its own is started again with capped, jittered backoff — unless the caller
 * says it must not be (its certificate was revoked: restarting it would only retry a refused connection forever).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StreamCatalog } from '@helmlink/protocol';
import { backoffDelay, type BackoffPolicy } from '@helmlink/protocol/mqtt';
import { identityPaths, loadCachedCrls, StateStore, type Streams } from '@helmlink/vessel';

const CLI = fileURLToPath(new URL('../../bin/helmlink.mjs', import.meta.url));

/** Restart delays of a listener that exited: 1 s doubling to 30 s, a fifth random. */
export const VESSEL_RESTART_BACKOFF: BackoffPolicy = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  jitter: 0.2,
};

export interface VesselProcessOptions {
  id: string;
  dataDir: string;
  configPath: string;
  catalog: StreamCatalog;
  logFile: string;
  /** Environment of the listener (its key passphrase variable). */
  env: NodeJS.ProcessEnv;
  /** Asked before each restart: false keeps the listener stopped (e.g. its certificate is revoked). */
  mayRestart: () => boolean;
  restartBackoff?: BackoffPolicy;
}

/** What `status()` reports. */
export interface VesselProcessStatus {
  connected: boolean;
  crl: { number: number | undefined };
  state: Streams & { seq: number; lastJti: string | null };
}

/** One handled command as the listener logs it. */
export interface VesselCommandLine {
  jti?: string;
  signer?: string;
  verdict: string;
  reason?: string;
  latencyMs?: number;
}

/** Life events: `exited` (code, signal), `restarting` (delayMs), `started` (pid), `given-up`. */
export class VesselProcess extends EventEmitter {
  #child: ChildProcess | undefined;
  #log: WriteStream;
  #wanted = false;
  #restarts = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: VesselProcessOptions) {
    super();
    this.#log = createWriteStream(o.logFile, { flags: 'a', mode: 0o600 });
  }

  get id(): string {
    return this.o.id;
  }

  /** The listener's pid while it runs. */
  get pid(): number | undefined {
    return this.#child?.exitCode === null ? this.#child.pid : undefined;
  }

  /** True when the running listener reports a broker connection (runtime.json). */
  get connected(): boolean {
    const pid = this.pid;
    if (pid === undefined) return false;
    const r = this.#runtime();
    return r?.pid === pid && r.connected === true;
  }

  /** The listener's current stream state (its state file, read without writing it). */
  get state(): VesselProcessStatus['state'] {
    const store = StateStore.read(identityPaths(this.o.dataDir).state, this.o.catalog);
    return { ...store.streams, seq: store.seq, lastJti: store.lastJti };
  }

  async status(): Promise<VesselProcessStatus> {
    const numbers = (await loadCachedCrls(this.o.dataDir)).map((c) => Number(c.number ?? 0n));
    return {
      connected: this.connected,
      crl: { number: numbers.length ? Math.max(...numbers) : undefined },
      state: this.state,
    };
  }

  /** Starts the listener; resolves once it runs (its runtime.json names it), rejects when it exits first. */
  async start(timeoutMs = 60_000): Promise<void> {
    this.#wanted = true;
    await this.#spawn(timeoutMs);
  }

  /** Stops the listener (SIGTERM: it finishes the command in hand), then SIGKILL after 10 s. No restart follows. */
  async stop(): Promise<void> {
    this.#wanted = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
  }

  /** Stops for good and closes the log. */
  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((r) => this.#log.end(() => r()));
  }

  #runtime(): { pid?: number | null; connected?: boolean } | undefined {
    const path = identityPaths(this.o.dataDir).runtime;
    if (!existsSync(path)) return undefined;
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as { pid?: number | null; connected?: boolean };
    } catch {
      return undefined;
    }
  }

  async #spawn(timeoutMs: number): Promise<void> {
    const child = spawn(
      process.execPath,
      [CLI, 'vessel', 'run', '--config', this.o.configPath, '--simulate'],
      {
        env: this.o.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.#child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => this.#line(line));
    child.stderr!.on('data', (d: Buffer) => this.#log.write(d));
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        this.#log.write(`${JSON.stringify({ demo: 'exited', code, signal })}\n`);
        this.emit('exited', { code, signal });
        if (this.#child === child) this.#scheduleRestart();
        resolve();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    while (this.#runtime()?.pid !== child.pid) {
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
        throw new Error(`the listener of ${this.o.id} did not start (see ${this.o.logFile})`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.emit('started', { pid: child.pid });
  }

  #line(line: string): void {
    this.#log.write(`${line}\n`);
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof entry.verdict === 'string') this.emit('command', entry as unknown as VesselCommandLine);
    if (entry.alert === true) this.emit('alert', entry);
  }

  #scheduleRestart(): void {
    if (!this.#wanted || this.#timer) return;
    if (!this.o.mayRestart()) {
      this.#wanted = false;
      this.emit('given-up');
      return;
    }
    const delayMs = backoffDelay(this.#restarts++, this.o.restartBackoff ?? VESSEL_RESTART_BACKOFF);
    this.emit('restarting', { delayMs });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#wanted) return;
      this.#spawn(60_000).catch(() => undefined);
    }, delayMs);
    this.#timer.unref();
  }
}
