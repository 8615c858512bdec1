/**
 * The one visual grammar of truth: every vessel, stream panel and command shows one of these states by icon,
 * words and colour (never colour alone).
 */
import type { Tone } from '../palette/tokens';

export const TRUTH_STATES = [
  'verified',
  'unverified',
  'stale',
  'linkDown',
  'pending',
  'applied',
  'rejected',
  'expired',
] as const;
export type TruthState = (typeof TRUTH_STATES)[number];

export interface TruthWords {
  /** Short word(s) for badges. */
  label: string;
  /** One sentence for tooltips and screen readers. */
  meaning: string;
  tone: Tone;
  icon: 'shieldCheck' | 'shieldX' | 'clock' | 'linkOff' | 'hourglass' | 'checkDouble' | 'ban' | 'timerOff';
}

export const TRUTH: Record<TruthState, TruthWords> = {
  verified: {
    label: 'Verified',
    meaning: 'The state shown is signed by the vessel and verified.',
    tone: 'ok',
    icon: 'shieldCheck',
  },
  unverified: {
    label: 'Not verified',
    meaning: 'The latest state could not be verified; it is not shown as truth.',
    tone: 'danger',
    icon: 'shieldX',
  },
  stale: {
    label: 'Stale',
    meaning: 'The source of this state is gone; it shows the last verified state.',
    tone: 'stale',
    icon: 'clock',
  },
  linkDown: {
    label: 'Link down',
    meaning: 'The vessel is not reachable through the broker.',
    tone: 'linkDown',
    icon: 'linkOff',
  },
  pending: {
    label: 'Pending',
    meaning: 'Changes are waiting to be sent or for the vessel to answer.',
    tone: 'info',
    icon: 'hourglass',
  },
  applied: {
    label: 'Applied',
    meaning: 'The vessel applied the last command (verified acknowledgement).',
    tone: 'ok',
    icon: 'checkDouble',
  },
  rejected: {
    label: 'Rejected',
    meaning: 'The vessel refused the last command; its state is unchanged.',
    tone: 'danger',
    icon: 'ban',
  },
  expired: {
    label: 'Expired',
    meaning: 'The last command got no answer in time (or a certificate expired).',
    tone: 'warning',
    icon: 'timerOff',
  },
};
