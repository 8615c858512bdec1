/**
 * The fleet overview's rows: one per vessel, derived from the vessel's verified state, the pilot's drafts and
 * commands, and the console's own links (service link, broker). Pure; no DOM.
 */
import type { CommandView, ConnectionStatus, VesselStatus, VesselView } from '@helmlink/app-preload';
import { requestedBitrate, unsentChanges, type Draft } from './fleet';
import type { TruthState } from './grammar';

/** Where the console's own links stand: when one is down, everything it feeds is stale. */
export interface ConsoleLinks {
  /** The page's link to the console service (web bridge; `ended`: its session is over); always up under Electron. */
  service: 'open' | 'connecting' | 'closed' | 'ended';
  broker: ConnectionStatus | null;
}

export type LinkState = 'connected' | 'down' | 'unverified' | 'stale';

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
  /** Streams the command in flight switches plus the pilot's changes not sent yet. */
  pending: number;
  streamsOn: number;
  streamsTotal: number;
  requestedBps: number;
  status: TruthState;
  /** Why the status is what it is, in words. */
  reason: string;
}

/** Why the console's own view is stale, or null when its links are up. */
export function consoleStaleReason(links: ConsoleLinks): string | null {
  if (links.service === 'ended') return 'This console session has ended: open a new console link.';
  if (links.service !== 'open') return 'The console lost its link to the Helmlink service.';
  const b = links.broker;
  if (!b || b.state === 'connected') return null;
  if (b.lastError) return `Not connected to the broker (${b.lastError.message}).`;
  return 'Not connected to the broker.';
}

const STATUS_TRUTH: Record<VesselStatus, TruthState> = {
  verified: 'verified',
  unverified: 'unverified',
  stale: 'stale',
  link_down: 'linkDown',
  pending: 'pending',
  applied: 'applied',
  rejected: 'rejected',
  expired: 'expired',
};

const LINK: Record<VesselView['link']['state'], LinkState> = {
  connected: 'connected',
  link_down: 'down',
  unverified: 'unverified',
  stale: 'stale',
};

const DEFAULT_REASON: Record<TruthState, string> = {
  verified: 'Verified state.',
  unverified: 'The latest state did not verify.',
  stale: 'Nothing is live.',
  linkDown: "The vessel's link to the broker is down.",
  pending: 'A command awaits its verified acknowledgement.',
  applied: 'The last command was applied.',
  rejected: 'The vessel refused the last command.',
  expired: 'The last command expired without an answer.',
};

/**
 * One vessel's row: the services' derived status, made stale here when the page lost its own link to the
 * services (which they cannot report), and pending when the pilot has changes not sent yet.
 */
export function fleetRow(
  v: VesselView,
  draft: Draft | undefined,
  cmd: CommandView | undefined,
  links: ConsoleLinks,
): FleetRow {
  const stale = consoleStaleReason(links);
  const unsent = unsentChanges(v, draft, cmd).length;
  let status = STATUS_TRUTH[v.status];
  let reason = v.statusReason
    ? `${v.statusReason.message}${v.statusReason.vesselText ? ` The vessel says: “${v.statusReason.vesselText}”` : ''}`
    : DEFAULT_REASON[status];
  if (stale && status !== 'stale') {
    status = 'stale';
    reason = stale;
  } else if (
    unsent > 0 &&
    (status === 'verified' || status === 'applied' || status === 'rejected' || status === 'expired')
  ) {
    status = 'pending';
    reason = `${unsent} change${unsent === 1 ? '' : 's'} not sent yet.`;
  }
  return {
    vesselId: v.vesselId,
    name: v.identity.name ?? v.vesselId,
    imo: v.identity.imo ?? '',
    mmsi: v.identity.mmsi ?? '',
    flag: v.identity.flag ?? '',
    link: stale ? 'stale' : LINK[v.link.state],
    linkSince: v.link.since,
    verifiedAt: v.lastVerifiedAt ? Date.parse(v.lastVerifiedAt) : null,
    verified: v.verified && !v.unverified,
    rttMs: v.lastRttMs,
    pending: v.pendingChanges + unsent,
    streamsOn: v.streamsOn,
    streamsTotal: v.streams.length,
    requestedBps: unsent > 0 ? requestedBitrate(v, draft) : v.requestedBitrateBps,
    status,
    reason,
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
const LINK_RANK: Record<LinkState, number> = { down: 0, unverified: 1, stale: 2, connected: 3 };

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
