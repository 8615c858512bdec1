/** The listener's alerts: logged with `alert: true`, emitted on `alert`, and rate-limited per kind. */
import type { Clock } from '@helmlink/protocol';
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { AlertLimiter } from './alert-limiter';
import type { RaiseAlert, VesselAlert } from './types';

/** Alerts raised per kind per minute; further ones are counted and summarised (every command is still logged). */
export const ALERTS_PER_MINUTE = 20;

/** Creates the listener's alert function. */
export function createAlerts(log: Logger, events: EventEmitter, clock: Clock): RaiseAlert {
  // A flood of forged tokens must not become a flood of alerts: each kind gets a budget per minute.
  const limiter = new AlertLimiter({ maxPerWindow: ALERTS_PER_MINUTE, windowMs: 60_000, clock });
  return (a) => {
    const decision = limiter.admit(a.kind);
    if (!decision.raise) return;
    const message =
      decision.suppressed > 0 ? `${a.message} (${decision.suppressed} similar alerts suppressed)` : a.message;
    const full: VesselAlert = { ...a, message, at: clock() };
    log.warn({ alert: true, kind: a.kind, code: a.code }, message);
    events.emit('alert', full);
  };
}
