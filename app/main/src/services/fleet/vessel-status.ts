/**
 * The one visual grammar, derived: how the console hears from a vessel (`link`: its own signed link status and
 * its state's freshness, under the console's own link) and the vessel's status
 * (`verified / unverified / stale / link_down / pending / applied / rejected / expired`), from what the services
 * know (see VESSEL_STATUSES in the contract for the order). Pure: every input is passed in, time included.
 */
import { describeError } from '@helmlink/protocol';
import type {
  ApiErrorInfo,
  CommandReason,
  CommandView,
  VesselLinkReport,
  VesselLinkView,
  VesselStatus,
} from '@helmlink/app-preload';

/** The console's own link to the fleet: up, or gone since `since` for `reason`. */
export interface ConsoleLink {
  up: boolean;
  since: string | null;
  reason: ApiErrorInfo | null;
}

export interface StatusInputs {
  now: number;
  consoleLink: ConsoleLink;
  /** The last state received did not verify (null: it did). */
  unverified: { code: string; message: string; receivedAt: string } | null;
  /** A state verified at some point (the view shows its data). */
  hasVerifiedState: boolean;
  /** When the held state expires (exp + clock tolerance), epoch ms; null: it does not. */
  stateExpiresAt: number | null;
  /** A genuine but expired state arrived at this time (the vessel has gone quiet), or null. */
  expiredStateAt: string | null;
  /** The vessel's own signed link status (its Last Will when the broker lost it), null before the first. */
  linkReport: VesselLinkReport | null;
  /** When something verified was last heard from the vessel. */
  lastVerifiedAt: string | null;
  /** This console's latest command to the vessel. */
  latest: CommandView | null;
  /** The verified state's last applied command id when that command was first seen, and now. */
  baseJti: string | null;
  currentJti: string | null;
}

/** The words of a code as the contract carries them. */
export function reasonOf(code: ApiErrorInfo['code'], detail?: string): ApiErrorInfo {
  return detail ? { code, message: describeError(code), detail } : { code, message: describeError(code) };
}

/** True when the vessel has gone quiet: its held state expired, or an expired state is all it sent. */
function silent(i: StatusInputs): boolean {
  return i.expiredStateAt !== null || (i.stateExpiresAt !== null && i.now >= i.stateExpiresAt);
}

/** How the console hears from the vessel. */
export function deriveLink(i: StatusInputs): VesselLinkView {
  if (!i.consoleLink.up)
    return {
      state: 'stale',
      since: i.consoleLink.since ?? i.lastVerifiedAt,
      reason: i.consoleLink.reason ?? reasonOf('ERR_NOT_CONNECTED'),
    };
  if (i.unverified)
    return {
      state: 'unverified',
      since: i.unverified.receivedAt,
      reason: {
        ...reasonOf(i.unverified.code as ApiErrorInfo['code']),
        detail: i.unverified.message,
      },
    };
  // The vessel's signed word decides "link down" (the protocol's link status), not a guess from silence.
  if (i.linkReport?.state === 'down')
    return { state: 'link_down', since: i.linkReport.since, reason: reasonOf('ERR_VESSEL_LINK_DOWN') };
  // An expired state with no report of a lost link: nothing current, so nothing shown is live.
  if (silent(i)) return { state: 'stale', since: i.lastVerifiedAt, reason: reasonOf('ERR_VESSEL_SILENT') };
  return { state: 'connected', since: i.lastVerifiedAt, reason: null };
}

const OUTCOME: Partial<Record<CommandView['state'], VesselStatus>> = {
  applied: 'applied',
  rejected: 'rejected',
  failed: 'rejected',
  expired: 'expired',
};

/** The vessel's status in the one visual grammar, with its reason. */
export function deriveStatus(
  i: StatusInputs,
  link: VesselLinkView,
): { status: VesselStatus; statusReason: CommandReason | null } {
  if (link.state === 'stale') return { status: 'stale', statusReason: link.reason };
  if (link.state === 'unverified') return { status: 'unverified', statusReason: link.reason };
  if (link.state === 'link_down') return { status: 'link_down', statusReason: link.reason };
  const latest = i.latest;
  if (latest && (latest.state === 'pending' || latest.state === 'timed_out'))
    return { status: 'pending', statusReason: latest.reason };
  // An outcome holds until the verified state moves on without that command (another command applied since).
  const outcome = latest ? OUTCOME[latest.state] : undefined;
  if (latest && outcome && (i.currentJti === i.baseJti || i.currentJti === latest.commandId))
    return { status: outcome, statusReason: latest.reason };
  return { status: i.hasVerifiedState ? 'verified' : 'unverified', statusReason: null };
}
