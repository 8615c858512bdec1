/** The typed push-event bus from the services to every connected renderer (Electron window or bridge socket). */
import type { EventMap, EventName } from '@helmlink/app-preload';

export type EventSink = <E extends EventName>(event: E, payload: EventMap[E]) => void;

/** A small typed event bus; listeners that throw never break the emitter. */
export class ConsoleEvents {
  readonly #sinks = new Set<EventSink>();

  /** Adds a sink; returns the function that removes it. */
  subscribe(sink: EventSink): () => void {
    this.#sinks.add(sink);
    return () => {
      this.#sinks.delete(sink);
    };
  }

  /** Delivers one event to every sink. */
  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    for (const sink of this.#sinks) {
      try {
        sink(event, payload);
      } catch {
        // A broken window or socket must not stop delivery to the others.
      }
    }
  }
}
