/** The listener's public types: start options, the handle, its status, events and alerts. */
import type { Clock, ErrorCode, VesselAlertKind } from '@helmlink/protocol';
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { VesselConfig } from '../config';
import type { VesselIdentity } from '../identity/files';
import type { Streams } from '../state';
import type { CommandOutcome } from './process';

export interface StartVesselOptions {
  /** Publish synthetic samples for ON streams. */
  simulate?: boolean;
  /** Redis URL (overrides config.redis.url). */
  redisUrl?: string;
  logger?: Logger;
  /** The key passphrase (default: read as the config says). */
  passphrase?: string;
  /**
   * An identity already unlocked (its root is still checked against the pin). `npm run bench:fleet` starts 500
   * vessels in one process, where 500 PBKDF2 unlocks (600,000 iterations each) would take minutes.
   */
  identity?: VesselIdentity;
  /** Clock, epoch ms (tests freeze or shift it). */
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Random source for jitter. */
  random?: () => number;
}

/** An alert raised by the listener (also logged at warn/error with `alert: true`). */
export interface VesselAlert {
  kind: VesselAlertKind;
  code: ErrorCode;
  message: string;
  at: number;
}

/** Raises an alert (rate-limited per kind). */
export type RaiseAlert = (alert: Omit<VesselAlert, 'at'>) => void;

/** One handled command, as emitted on `command`. */
export interface CommandEvent extends Omit<CommandOutcome, 'verified'> {
  latencyMs: number;
}

export interface VesselStatus {
  vesselId: string;
  connected: boolean;
  protocolVersion: 4 | 5;
  certificate: { serial: string; notBefore: string; notAfter: string; fingerprint: string };
  crl: {
    number: number | undefined;
    thisUpdate: string | undefined;
    nextUpdate: string | undefined;
    ageSeconds: number | undefined;
    stale: boolean;
  };
  state: { on: string[]; off: string[]; seq: number; lastJti: string | null };
  renewal: { dueAt: string; consecutiveFailures: number };
}

export interface VesselHandle {
  readonly config: VesselConfig;
  /** Current stream state. */
  readonly state: Streams & { seq: number; lastJti: string | null };
  readonly connected: boolean;
  /** command, alert, connect, disconnect, state, renewed, crl */
  readonly events: EventEmitter;
  readonly identity: VesselIdentity;
  status(): Promise<VesselStatus>;
  /** Renews the certificate now and swaps it live. */
  renewNow(): Promise<void>;
  /** Fetches the CRL over HTTPS now; returns true when a newer one was accepted. */
  refreshCrl(): Promise<boolean>;
  /** Finishes the command in hand, persists, disconnects. */
  close(): Promise<void>;
}
