/** `runtime.json` in the data dir: the running listener's pid and broker connection, read by `vessel status`. */
import { writeFileAtomic } from '../identity/files';

export interface RuntimeFile {
  /** Records the connection state (best effort: a failed write never stops the listener). */
  running(connected: boolean, extra?: Record<string, unknown>): void;
  /** Records that the listener stopped. */
  stopped(): Promise<void>;
}

export function runtimeFile(path: string, brokerUrl: string, clock: () => number): RuntimeFile {
  return {
    running(connected, extra = {}) {
      const body = JSON.stringify({ pid: process.pid, connected, since: new Date(clock()).toISOString(), broker: brokerUrl, ...extra });
      writeFileAtomic(path, body, 0o644).catch(() => undefined);
    },
    async stopped() {
      await writeFileAtomic(path, JSON.stringify({ pid: null, connected: false, stoppedAt: new Date(clock()).toISOString() }), 0o644).catch(() => undefined);
    },
  };
}
