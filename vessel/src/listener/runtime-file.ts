/** `runtime.json` in the data dir: the running listener's pid and broker connection, read by `vessel status`. */
import type { Clock } from '@helmlink/protocol';
import { writeFileAtomic } from '@helmlink/protocol/node';

export interface RuntimeFile {
  /** Records the connection state (best effort: a failed write never stops the listener). */
  running(connected: boolean, extra?: Record<string, unknown>): void;
  /** Records that the listener stopped. */
  stopped(): Promise<void>;
}

export function runtimeFile(path: string, brokerUrl: string, clock: Clock): RuntimeFile {
  const write = (body: object) => {
    try {
      // Not fsynced: it describes the running process, which a power loss ends anyway; a synchronous fsync on
      // every (re)connect would stall the listener's event loop.
      writeFileAtomic(path, JSON.stringify(body), { mode: 0o644, durable: false });
    } catch {
      // Best effort: only `vessel status` reads it.
    }
  };
  return {
    running(connected, extra = {}) {
      write({
        pid: process.pid,
        connected,
        since: new Date(clock()).toISOString(),
        broker: brokerUrl,
        ...extra,
      });
    },
    async stopped() {
      write({ pid: null, connected: false, stoppedAt: new Date(clock()).toISOString() });
    },
  };
}
