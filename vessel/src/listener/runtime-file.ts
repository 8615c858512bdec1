/** `runtime.json` in the data dir: the running listener's pid and broker connection, read by `vessel status`. */
import type { Clock } from '@helmlink/protocol';
import { writeFileAtomicAsync } from '@helmlink/protocol/node';

export interface RuntimeFile {
  /** Records the connection state (best effort: a failed write never stops the listener). */
  running(connected: boolean, extra?: Record<string, unknown>): void;
  /** Records that the listener stopped; resolves once that is written. */
  stopped(): Promise<void>;
}

export function runtimeFile(path: string, brokerUrl: string, clock: Clock): RuntimeFile {
  // Written off the event loop, one write at a time, the newest content winning: a synchronous write and rename
  // on every connect and disconnect stalled the listener (in a fleet reconnecting at once, ~2 ms per vessel on a
  // busy disk). Not fsynced: it describes the running process, which a power loss ends anyway.
  let writing: Promise<void> | undefined;
  let next: string | undefined;
  const pump = (): void => {
    if (writing || next === undefined) return;
    const body = next;
    next = undefined;
    writing = writeFileAtomicAsync(path, body, { mode: 0o644, durable: false })
      .catch(() => undefined) // best effort: only `vessel status` reads it
      .then(() => {
        writing = undefined;
        pump();
      });
  };
  const write = (body: object) => {
    next = JSON.stringify(body);
    pump();
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
      while (writing) await writing;
    },
  };
}
