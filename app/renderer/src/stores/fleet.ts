import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type {
  FleetChanges,
  RatesSnapshot,
  StreamRate,
  VesselAlertView,
  VesselView,
} from '@helmlink/app-preload';
import { api, call } from '../api/current';
import { friendlyError, type FriendlyError } from '../logic/errors';
import { pruneDraft, type Draft } from '../logic/fleet';
import { sameVessel } from '../logic/vessel-equal';
import type { Sort } from '../logic/fleet-rows';
import type { TruthState } from '../logic/grammar';

/** Vessels from verified state, the pilot's drafts, live data rates and the critical-stream confirmation. */
export interface FleetStoreState {
  /** Vessel ids in display order (sorted). */
  order: string[];
  vessels: Record<string, VesselView>;
  drafts: Record<string, Draft>;
  /** `${vesselId}/${streamId}` → rate. */
  rates: Record<string, StreamRate>;
  ratesAt: string | null;
  /** A critical stream the pilot asked to switch off, awaiting confirmation. */
  confirm: { vesselId: string; streamId: string } | null;
  /** Recent vessel alerts (verified by the services), newest first. */
  alerts: VesselAlertView[];
  loading: boolean;
  error: FriendlyError | null;
  /** The vessel whose stream panel is open (fleet overview). */
  selected: string | null;
  sort: Sort;
  filter: { text: string; status: TruthState | null };
}

export const fleetStore = createStore<FleetStoreState>(() => ({
  order: [],
  vessels: {},
  drafts: {},
  rates: {},
  ratesAt: null,
  confirm: null,
  alerts: [],
  loading: false,
  error: null,
  selected: null,
  sort: { key: 'name', dir: 'asc' },
  filter: { text: '', status: null },
}));

/** React hook over the fleet store. */
export function useFleet<T>(selector: (s: FleetStoreState) => T): T {
  return useStore(fleetStore, selector);
}

/** Key of a stream in `rates`. */
export const rateKey = (vesselId: string, streamId: string): string => `${vesselId}/${streamId}`;

/** Replaces the vessel list (pushed or loaded); drafts already applied by the vessel are dropped. */
export function applyVessels(list: VesselView[]): void {
  const before = fleetStore.getState();
  const vessels: Record<string, VesselView> = {};
  let changed = list.length !== before.order.length;
  for (const v of list) {
    const prev = before.vessels[v.vesselId];
    // Unchanged vessels keep their object, so only the rows that changed render again.
    if (prev && sameVessel(prev, v)) vessels[v.vesselId] = prev;
    else {
      vessels[v.vesselId] = v;
      changed = true;
    }
  }
  if (!changed) return;
  const old = before.drafts;
  const drafts: Record<string, Draft> = {};
  for (const [id, d] of Object.entries(old)) {
    const v = vessels[id];
    if (!v) continue;
    const pruned = pruneDraft(v, d);
    if (Object.keys(pruned).length > 0) drafts[id] = pruned;
  }
  const ids = Object.keys(vessels).sort();
  const sameOrder = ids.length === before.order.length && ids.every((id, i) => id === before.order[i]);
  fleetStore.setState({ vessels, drafts, order: sameOrder ? before.order : ids });
}

/** Applies batched vessel changes (`fleet.changed`) to the list. */
export function applyFleetChanges(changes: FleetChanges): void {
  const vessels = { ...fleetStore.getState().vessels };
  for (const v of changes.changed) vessels[v.vesselId] = v;
  for (const id of changes.removed) delete vessels[id];
  applyVessels(Object.values(vessels));
}

/** Applies a rates snapshot (messages per second per stream). */
export function applyRates(snapshot: RatesSnapshot): void {
  const rates: Record<string, StreamRate> = {};
  for (const r of snapshot.rates) rates[rateKey(r.vesselId, r.streamId)] = r;
  fleetStore.setState({ rates, ratesAt: snapshot.at });
}

/** Replaces the vessel alerts (pushed or loaded). */
export function applyVesselAlerts(alerts: VesselAlertView[]): void {
  fleetStore.setState({ alerts });
}

/** Loads the recent vessel alerts; a failure leaves the list as it is (the next push refreshes it). */
export async function loadVesselAlerts(): Promise<void> {
  try {
    applyVesselAlerts(await call(api().fleet.alerts()));
  } catch {
    // Alerts are an extra: the fleet itself reports its own errors.
  }
}

/** Loads vessels and rates. */
export async function loadFleet(): Promise<void> {
  fleetStore.setState({ loading: true });
  try {
    const [vessels, rates] = await Promise.all([call(api().fleet.vessels()), call(api().fleet.rates())]);
    applyVessels(vessels);
    applyRates(rates);
    fleetStore.setState({ error: null });
  } catch (err) {
    fleetStore.setState({ error: friendlyError(err) });
  } finally {
    fleetStore.setState({ loading: false });
  }
}

/** Sets the desired state of one stream in the draft (no confirmation). */
export function setDesired(vesselId: string, streamId: string, on: boolean): void {
  const vessel = fleetStore.getState().vessels[vesselId];
  if (!vessel) return;
  const draft = { ...fleetStore.getState().drafts[vesselId], [streamId]: on };
  fleetStore.setState({ drafts: { ...fleetStore.getState().drafts, [vesselId]: pruneDraft(vessel, draft) } });
}

/**
 * A toggle flipped by the pilot. Switching a navigation-critical stream off only opens the confirmation
 * (returns 'confirm') unless `confirmCritical` is false; everything else goes straight into the draft.
 */
export function requestToggle(
  vesselId: string,
  streamId: string,
  on: boolean,
  confirmCritical = true,
): 'set' | 'confirm' | 'ignored' {
  const stream = fleetStore.getState().vessels[vesselId]?.streams.find((s) => s.id === streamId);
  if (!stream) return 'ignored';
  if (!on && stream.critical && confirmCritical) {
    fleetStore.setState({ confirm: { vesselId, streamId } });
    return 'confirm';
  }
  setDesired(vesselId, streamId, on);
  return 'set';
}

/** The pilot confirmed switching the critical stream off. */
export function confirmCriticalOff(): void {
  const c = fleetStore.getState().confirm;
  fleetStore.setState({ confirm: null });
  if (c) setDesired(c.vesselId, c.streamId, false);
}

/** The pilot kept the critical stream on. */
export function cancelCriticalOff(): void {
  fleetStore.setState({ confirm: null });
}

/** Discards the pilot's unsent changes for a vessel. */
export function resetDraft(vesselId: string): void {
  const drafts = { ...fleetStore.getState().drafts };
  delete drafts[vesselId];
  fleetStore.setState({ drafts });
}

/** Opens a vessel's stream panel (null closes it). */
export function selectVessel(vesselId: string | null): void {
  fleetStore.setState({ selected: vesselId });
}

/** Sorts the overview by a column; the same column again flips the direction. */
export function sortFleetBy(key: Sort['key']): void {
  const { sort } = fleetStore.getState();
  fleetStore.setState({
    sort: { key, dir: sort.key === key && sort.dir === 'asc' ? 'desc' : 'asc' },
  });
}

/** Filters the overview by text (name, IMO, MMSI, flag, id) and/or status. */
export function setFleetFilter(patch: Partial<FleetStoreState['filter']>): void {
  fleetStore.setState({ filter: { ...fleetStore.getState().filter, ...patch } });
}

/** Drops the draft entries a settled command asked for, so the toggles snap back to the verified state. */
export function dropDraftOf(vesselId: string, on: readonly string[], off: readonly string[]): void {
  const s = fleetStore.getState();
  const vessel = s.vessels[vesselId];
  const draft = s.drafts[vesselId];
  if (!vessel || !draft) return;
  const asked = new Map<string, boolean>([
    ...on.map((a) => [a, true] as const),
    ...off.map((a) => [a, false] as const),
  ]);
  const kept: Record<string, boolean> = {};
  for (const [streamId, want] of Object.entries(draft)) {
    const address = vessel.streams.find((x) => x.id === streamId)?.address;
    if (address === undefined || asked.get(address) !== want) kept[streamId] = want;
  }
  const drafts = { ...s.drafts };
  if (Object.keys(kept).length > 0) drafts[vesselId] = kept;
  else delete drafts[vesselId];
  fleetStore.setState({ drafts });
}
