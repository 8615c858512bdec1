/**
 * The fleet overview's rows: one per vessel, derived from the vessel's verified state, the pilot's drafts and
 * commands, and the console's own links (service link, broker). Pure; no DOM.
 */
import type { CommandView, ConnectionStatus, VesselView } from '@helmlink/app-preload';
import { requestedBitrate, unsentChanges, type Draft } from './fleet';
import type { TruthState } from './grammar';

/** Where the console's own links stand: when one is down, everything it feeds is stale. */
export interface ConsoleLinks {
  /** The page's link to the console service (web bridge); always up under Electron. */
  service: 'open' | 'connecting' | 'closed';
  broker: ConnectionStatus | null;
}

/** Fields the services may add to a vessel (ship particulars and link); read when present. */
interface VesselFacts {
  name?: string | null;
  imo?: string | null;
  mmsi?: string | null;
  flag?: string | null;
  link?: { state: 'connected' | 'down' | 'unknown'; since: string | null; reason?: string | null } | null;
  lastRttMs?: number | null;
}

export type LinkState = 'connected' | 'down' | 'stale' | 'unknown';

export interface FleetRow {
  vesselId: string;
  name: string;
  imo: string;
  mmsi: string;
  flag: string;
  link: LinkState;
  /** When the link state began (ISO), when known. */
  linkSince: string | null;
  /** Epoch ms of the last verified state, null when none. */
  verifiedAt: number | null;
  verified: boolean;
  rttMs: number | null;
  /** Changes not sent yet plus streams of a command still in flight. */
  pending: number;
  streamsOn: number;
  streamsTotal: number;
  requestedBps: number;
  status: TruthState;
  /** Why the status is what it is, in words. */
  reason: string;
}

const facts = (v: VesselView): VesselFacts => v as VesselView & VesselFacts;

/** Why the console's own view is stale, or null when its links are up. */
export function consoleStaleReason(links: ConsoleLinks): string | null {
  if (links.service !== 'open') return 'The console lost its link to the Helmlink service.';
  const b = links.broker;
  if (!b) return null;
  if (b.state === 'connected') return null;
  if (b.lastError) return `Not connected to the broker (${b.lastError.message}).`;
  return 'Not connected to the broker.';
}

/** Derives the vessel's one status: link and trust problems first, then the last command, then verified. */
function statusOf(
  v: VesselView,
  link: LinkState,
  stale: string | null,
  pending: number,
  cmd: CommandView | undefined,
): { status: TruthState; reason: string } {
  if (stale) return { status: 'stale', reason: stale };
  if (link === 'down')
    return { status: 'linkDown', reason: facts(v).link?.reason ?? 'The vessel is offline.' };
  if (v.unverified)
    return { status: 'unverified', reason: `Latest state not verified: ${v.unverified.message}` };
  if (v.streams.length === 0) return { status: 'unverified', reason: 'No verified state yet.' };
  if (pending > 0)
    return { status: 'pending', reason: `${pending} change${pending === 1 ? '' : 's'} pending.` };
  if (cmd?.state === 'rejected') return { status: 'rejected', reason: cmd.reason?.message ?? 'Refused.' };
  if (cmd?.state === 'timed_out') return { status: 'expired', reason: 'The last command got no answer.' };
  if (cmd?.state === 'applied') return { status: 'applied', reason: 'The last command was applied.' };
  return { status: 'verified', reason: 'Verified state.' };
}

/** One vessel's row. */
export function fleetRow(
  v: VesselView,
  draft: Draft | undefined,
  cmd: CommandView | undefined,
  links: ConsoleLinks,
): FleetRow {
  const f = facts(v);
  const stale = consoleStaleReason(links);
  const link: LinkState = stale
    ? 'stale'
    : f.link?.state === 'down'
      ? 'down'
      : f.link?.state === 'connected' || v.verified
        ? 'connected'
        : 'unknown';
  const inFlight = cmd?.state === 'pending' ? 1 : 0;
  const pending = unsentChanges(v, draft, cmd).length + inFlight;
  const verifiedAt = v.stateReceivedAt ? Date.parse(v.stateReceivedAt) : null;
  return {
    vesselId: v.vesselId,
    name: f.name ?? v.vesselId,
    imo: f.imo ?? '',
    mmsi: f.mmsi ?? '',
    flag: f.flag ?? '',
    link,
    linkSince: f.link?.since ?? null,
    verifiedAt: v.streams.length > 0 ? verifiedAt : null,
    verified: v.verified && !v.unverified,
    rttMs: f.lastRttMs ?? cmd?.rttMs ?? null,
    pending,
    streamsOn: v.streams.filter((s) => s.on).length,
    streamsTotal: v.streams.length,
    requestedBps: requestedBitrate(v, draft),
    ...statusOf(v, link, stale, pending, cmd),
  };
}

export const SORT_KEYS = [
  'name',
  'status',
  'link',
  'verifiedAt',
  'pending',
  'streamsOn',
  'rttMs',
  'imo',
  'mmsi',
  'flag',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

// Worst first when sorting by status ascending.
const STATUS_RANK: Record<TruthState, number> = {
  unverified: 0,
  linkDown: 1,
  stale: 2,
  rejected: 3,
  expired: 4,
  pending: 5,
  applied: 6,
  verified: 7,
};
const LINK_RANK: Record<LinkState, number> = { down: 0, stale: 1, unknown: 2, connected: 3 };

function sortValue(r: FleetRow, key: SortKey): string | number {
  switch (key) {
    case 'status':
      return STATUS_RANK[r.status];
    case 'link':
      return LINK_RANK[r.link];
    case 'verifiedAt':
      return r.verifiedAt ?? -Infinity;
    case 'rttMs':
      return r.rttMs ?? Infinity;
    case 'pending':
    case 'streamsOn':
      return r[key];
    default:
      return r[key].toLowerCase();
  }
}

/** Sorts rows (ties by name, then id); each row's sort key is computed once. */
export function sortRows(rows: FleetRow[], sort: Sort): FleetRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const keyed = rows.map((r) => ({ r, v: sortValue(r, sort.key), n: r.name.toLowerCase() }));
  keyed.sort((a, b) => {
    if (a.v < b.v) return -sign;
    if (a.v > b.v) return sign;
    if (a.n !== b.n) return a.n < b.n ? -1 : 1;
    return a.r.vesselId < b.r.vesselId ? -1 : a.r.vesselId > b.r.vesselId ? 1 : 0;
  });
  return keyed.map((k) => k.r);
}

/** True when two rows show the same thing (the grid re-renders a row only then). */
export function sameRow(a: FleetRow, b: FleetRow): boolean {
  if (a === b) return true;
  for (const k of Object.keys(a) as (keyof FleetRow)[]) if (a[k] !== b[k]) return false;
  return true;
}

/** Rows whose name, id, IMO, MMSI, flag or status words contain the text (case-insensitive). */
export function filterRows(rows: FleetRow[], text: string, status: TruthState | null): FleetRow[] {
  const q = text.trim().toLowerCase();
  return rows.filter(
    (r) =>
      (!status || r.status === status) &&
      (!q || [r.name, r.vesselId, r.imo, r.mmsi, r.flag, r.status].some((f) => f.toLowerCase().includes(q))),
  );
}
