/**
 * The demo topology's Mosquitto: the CA's ManagedMosquitto (one supervised process runner for the CA, the demo and
 * the tests), plus a check that Mosquitto is installed and a guard that it never outlives this process.
 */
import { HelmlinkError } from '@helmlink/protocol';
import { ManagedMosquitto, mosquittoVersion, type ManagedMosquittoOptions } from '@helmlink/ca-server/broker';

export { mosquittoVersion };

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
  /** SIGHUP: re-reads the CRL; new connections of revoked clients are refused, open sessions stay. */
  reload(): void;
  /** Stops and starts again: cuts every open session (tests use it to cut links). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A supervised Mosquitto for this process (not started yet): ERR_TOOL_MISSING when the binary is missing, and a
 * guard that kills it when this process exits (even through process.exit from a second Ctrl-C). `release` removes
 * the guard once the broker is stopped.
 */
export function guardedMosquitto(options: MosquittoOptions & Pick<ManagedMosquittoOptions, 'onEvent'>): {
  broker: ManagedMosquitto;
  release: () => void;
} {
  const host = options.host ?? '127.0.0.1';
  const binary = options.binary ?? 'mosquitto';
  if (!mosquittoVersion(binary))
    throw new HelmlinkError(
      'ERR_TOOL_MISSING',
      `${binary} is not installed (Debian/Ubuntu: sudo apt-get install mosquitto)`,
    );
  const broker = new ManagedMosquitto({
    conf: options.configPath,
    port: options.port,
    host,
    bin: binary,
    onOutput: options.onOutput,
    startTimeoutMs: options.startTimeoutMs,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  const killOnExit = (): void => {
    const pid = broker.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.on('exit', killOnExit);
  return { broker, release: () => void process.off('exit', killOnExit) };
}

/** Starts Mosquitto; resolves once its listener accepts connections. */
export async function startMosquitto(options: MosquittoOptions): Promise<MosquittoProcess> {
  const host = options.host ?? '127.0.0.1';
  const { broker, release } = guardedMosquitto(options);
  try {
    await broker.start();
  } catch (err) {
    release();
    throw err;
  }
  return {
    port: options.port,
    url: `mqtts://${host}:${options.port}`,
    pid: () => broker.pid,
    reload: () => broker.reload(),
    restart: () => broker.restart(),
    async stop() {
      await broker.stop();
      release();
    },
  };
}
