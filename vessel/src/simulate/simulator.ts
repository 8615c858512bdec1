/** Publishes synthetic samples for the streams that are ON, at a fixed interval per stream. */
import { systemClock, topics, type Clock, type StreamCatalog } from '@helmlink/protocol';
import { sampleFor } from './samples';

export interface SimulatorOptions {
  vesselId: string;
  catalog: StreamCatalog;
  intervalMs: number;
  /** Addresses currently ON. */
  on: () => readonly string[];
  publish: (topic: string, payload: string) => void;
  clock?: Clock;
}

/** Starts the simulator; returns a function that stops it. */
export function startSimulator(o: SimulatorOptions): () => void {
  let n = 0;
  const tick = () => {
    const on = new Set(o.on());
    const now = new Date((o.clock ?? systemClock)());
    n++;
    for (const stream of o.catalog.streams) {
      if (on.has(stream.address)) o.publish(topics.data(o.vesselId, stream.id), sampleFor(stream, n, now));
    }
  };
  const timer = setInterval(tick, o.intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
