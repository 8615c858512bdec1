/**
 * Pushes vessel changes to the renderers in batches, so a large fleet (hundreds of retained states arriving at
 * once, a CRL re-checking every vessel) costs one event per interval instead of one full list per message:
 * `fleet.changed` carries only the vessels that changed (at most every FLEET_CHANGES_INTERVAL_MS), `fleet.vessels`
 * the whole list at most once a second.
 */
import { FLEET_CHANGES_INTERVAL_MS, type VesselView } from '@helmlink/app-preload';
import type { Clock } from '@helmlink/protocol';
import type { ConsoleEvents } from '../core/events';

export interface FleetPublisherOptions {
  events: ConsoleEvents;
  clock: Clock;
  /** The current view of a vessel, or null when it is no longer known. */
  view: (vesselId: string) => VesselView | null;
  /** Every vessel's view. */
  all: () => VesselView[];
  changesIntervalMs?: number;
  listIntervalMs?: number;
}

/** Collects changed vessel ids and pushes them batched. */
export class FleetPublisher {
  readonly #o: FleetPublisherOptions;
  readonly #dirty = new Set<string>();
  #changesTimer: NodeJS.Timeout | undefined;
  #listTimer: NodeJS.Timeout | undefined;
  #listDue = false;
  #lastList = 0;

  constructor(options: FleetPublisherOptions) {
    this.#o = options;
  }

  /** Marks a vessel changed (or removed: its view is then null). */
  changed(vesselId: string): void {
    this.#dirty.add(vesselId);
    if (!this.#changesTimer) {
      this.#changesTimer = setTimeout(
        () => this.flush(),
        this.#o.changesIntervalMs ?? FLEET_CHANGES_INTERVAL_MS,
      );
      this.#changesTimer.unref();
    }
  }

  /** Pushes the pending changes now (and schedules the full list, or with `list` pushes it, when due, now too). */
  flush(list = false): void {
    if (this.#changesTimer) clearTimeout(this.#changesTimer);
    this.#changesTimer = undefined;
    if (this.#dirty.size === 0) {
      // The timer may have pushed the changes already: a due list still goes now, and no second one later.
      if (list && this.#listDue) this.#pushList();
      return;
    }
    const changed: VesselView[] = [];
    const removed: string[] = [];
    for (const id of this.#dirty) {
      const view = this.#o.view(id);
      if (view) changed.push(view);
      else removed.push(id);
    }
    this.#dirty.clear();
    this.#o.events.emit('fleet.changed', { changed, removed, at: new Date(this.#o.clock()).toISOString() });
    if (list) this.#pushList();
    else this.#scheduleList();
  }

  /** Stops the timers (pending changes are dropped). */
  close(): void {
    if (this.#changesTimer) clearTimeout(this.#changesTimer);
    if (this.#listTimer) clearTimeout(this.#listTimer);
    this.#changesTimer = this.#listTimer = undefined;
    this.#dirty.clear();
  }

  #scheduleList(): void {
    this.#listDue = true;
    if (this.#listTimer) return;
    const interval = this.#o.listIntervalMs ?? 1000;
    const wait = Math.max(0, this.#lastList + interval - Date.now());
    this.#listTimer = setTimeout(() => {
      this.#listTimer = undefined;
      if (this.#listDue) this.#pushList();
    }, wait);
    this.#listTimer.unref();
  }

  #pushList(): void {
    if (this.#listTimer) clearTimeout(this.#listTimer);
    this.#listTimer = undefined;
    this.#listDue = false;
    this.#lastList = Date.now();
    this.#o.events.emit('fleet.vessels', this.#o.all());
  }
}
