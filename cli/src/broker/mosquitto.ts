/**
 * A Mosquitto process managed by the demo topology: started with a generated config, waited for on its TCP port
 * (its stdout log is block-buffered into a pipe, so a log line is no readiness signal), reloaded with SIGHUP,
 * restarted to cut sessions of revoked clients (SIGHUP alone keeps them open), stopped with SIGTERM.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { HelmlinkError } from '@helmlink/protocol';
import { waitForPort } from './ports';

/** The installed Mosquitto version, or undefined when `mosquitto` is not on PATH. */
export function mosquittoVersion(binary = 'mosquitto'): string | undefined {
  const r = spawnSync(binary, ['-h'], { encoding: 'utf8' });
  if (r.error) return undefined;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.match(/mosquitto version (\S+)/u)?.[1] ?? 'unknown';
}

export interface MosquittoOptions {
  /** Path of the mosquitto.conf to run. */
  configPath: string;
  /** The listener port in that config (readiness is a TCP connect there). */
  port: number;
  host?: string;
  binary?: string;
  /** Receives each stderr/stdout chunk (default: discarded). */
  onOutput?: (text: string) => void;
  startTimeoutMs?: number;
}

export interface MosquittoProcess {
  readonly port: number;
  readonly url: string;
  /** Process id while running. */
  pid(): number | undefined;
  /** SIGHUP: re-reads CRL and ACL; new connections of revoked clients are refused. */
  reload(): void;
  /** Stops and starts again: cuts every open session (clients reconnect; revoked ones are refused). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts Mosquitto; resolves once its listener accepts connections. */
export async function startMosquitto(options: MosquittoOptions): Promise<MosquittoProcess> {
  const host = options.host ?? '127.0.0.1';
  const binary = options.binary ?? 'mosquitto';
  if (!mosquittoVersion(binary)) throw new HelmlinkError('ERR_TOOL_MISSING', `${binary} is not installed (Debian/Ubuntu: sudo apt-get install mosquitto)`);
  let child: ChildProcess | undefined;
  let output = '';

  // Whatever way this process ends (even process.exit from a second Ctrl-C), Mosquitto must not outlive it.
  const killOnExit = (): void => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.on('exit', killOnExit);

  const start = async (): Promise<void> => {
    output = '';
    const c = spawn(binary, ['-c', options.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    const take = (d: Buffer): void => {
      const text = d.toString();
      output = (output + text).slice(-4000);
      options.onOutput?.(text);
    };
    c.stdout?.on('data', take);
    c.stderr?.on('data', take);
    try {
      await waitForPort(options.port, options.startTimeoutMs ?? 10_000, host, () => c.exitCode === null && c.signalCode === null);
    } catch (err) {
      if (c.exitCode === null) c.kill('SIGKILL');
      const inUse = /Address already in use/iu.test(output);
      throw new HelmlinkError(
        inUse ? 'ERR_PORT_IN_USE' : 'ERR_BROKER_START',
        inUse
          ? `port ${options.port} for Mosquitto is already in use`
          : `mosquitto did not start (${(err as Error).message})${output ? `: ${output.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
      );
    }
  };

  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => c.kill('SIGKILL'), 5000);
      c.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      c.kill('SIGTERM');
    });
  };

  try {
    await start();
  } catch (err) {
    process.off('exit', killOnExit);
    throw err;
  }
  return {
    port: options.port,
    url: `mqtts://${host}:${options.port}`,
    pid: () => child?.pid,
    reload() {
      child?.kill('SIGHUP');
    },
    async restart() {
      await stop();
      await start();
    },
    async stop() {
      await stop();
      process.off('exit', killOnExit);
    },
  };
}
