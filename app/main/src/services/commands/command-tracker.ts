/**
 * The lifecycle of the console's commands: pending → timed_out (no verified ack within the console's timeout; the
 * token is still valid, so a late verified ack still settles it) → applied / rejected (settled by a verified ack) /
 * expired (the token's exp plus clock tolerance passed without a verified ack: the vessel can no longer apply it)
 * / failed (the broker refused the publish). Keeps the most recent RECENT_COMMANDS and pushes every change as
 * `commands.status`; every final state is settled once, so the UI's toggles return to the verified state. When an
 * ack arrived but names a vessel certificate the console has not validated yet (x5t#S256), it is held on the command
 * until a state of the vessel verifies; a timeout or expiry meanwhile says ERR_ACK_UNVERIFIABLE.
 */
import type { CommandView } from '@helmlink/app-preload';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS, describeError, type Clock } from '@helmlink/protocol';
import type { AuditLog } from '../audit/audit-log';
import type { ConsoleEvents } from '../core/events';

/** How many commands are remembered. */
export const RECENT_COMMANDS = 500;
/** setTimeout's limit. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A command this console sent. */
export interface TrackedCommand {
  view: CommandView;
  /** The signed command token (its ack must bind to it). */
  token: string;
  /** The pilot who signed it: the audience of its ack, kept so the ack can be checked while the key is locked. */
  actor: string;
  /** performance.now() at publish, for the round-trip time. */
  sentAtPerf: number;
  timers: NodeJS.Timeout[];
  /**
   * An ack naming a vessel certificate the console has not validated yet (x5t#S256): held until a state of the
   * vessel verifies and teaches it.
   */
  heldAck?: string | undefined;
}

export class CommandTracker {
  readonly #commands = new Map<string, TrackedCommand>();

  constructor(
    private readonly events: ConsoleEvents,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** Remembers a new command (forgetting the oldest beyond RECENT_COMMANDS). */
  track(command: Omit<TrackedCommand, 'timers'>): TrackedCommand {
    const tracked: TrackedCommand = { ...command, timers: [] };
    this.#commands.set(tracked.view.commandId, tracked);
    while (this.#commands.size > RECENT_COMMANDS) {
      const oldest = this.#commands.keys().next().value as string;
      this.#clearTimers(this.#commands.get(oldest));
      this.#commands.delete(oldest);
    }
    return tracked;
  }

  get(commandId: string): TrackedCommand | undefined {
    return this.#commands.get(commandId);
  }

  /** Recent commands, newest first. */
  list(vesselId?: string, limit = 100): CommandView[] {
    return [...this.#commands.values()]
      .map((p) => p.view)
      .filter((v) => !vesselId || v.vesselId === vesselId)
      .reverse()
      .slice(0, limit);
  }

  /** Unsettled commands of `vesselId` holding an ack that waits for the vessel's certificate. */
  heldAcks(vesselId: string): TrackedCommand[] {
    return [...this.#commands.values()].filter(
      (p) =>
        p.heldAck !== undefined &&
        p.view.vesselId === vesselId &&
        (p.view.state === 'pending' || p.view.state === 'timed_out'),
    );
  }

  /** Moves a command to a final state and pushes it. */
  settle(
    p: TrackedCommand,
    state: CommandView['state'],
    reason: CommandView['reason'],
    extra: Partial<CommandView> = {},
  ): void {
    this.#clearTimers(p);
    p.heldAck = undefined;
    p.view = { ...p.view, state, reason, settledAt: new Date(this.clock()).toISOString(), ...extra };
    this.events.emit('commands.status', p.view);
  }

  /**
   * Pushes the command as pending, then times it out (audited) unless a verified ack settles it within `seconds`,
   * and lets it expire (audited, final) once its token's exp plus `toleranceSeconds` has passed.
   */
  expireAfter(p: TrackedCommand, seconds: number, toleranceSeconds = DEFAULT_CLOCK_TOLERANCE_SECONDS): void {
    const timeout = setTimeout(() => {
      if (p.view.state !== 'pending') return;
      // An ack came but its certificate is not known (yet): say so, not "no answer".
      const code = p.heldAck !== undefined ? 'ERR_ACK_UNVERIFIABLE' : 'ERR_COMMAND_TIMEOUT';
      p.view = {
        ...p.view,
        state: 'timed_out',
        settledAt: new Date(this.clock()).toISOString(),
        reason: { code, message: describeError(code) },
      };
      this.events.emit('commands.status', p.view);
      this.#audit(p, 'command.timeout', 'timed_out', code);
    }, seconds * 1000);
    const expiresAt = Date.parse(p.view.expiresAt) + toleranceSeconds * 1000;
    const expiry = setTimeout(
      () => {
        if (p.view.state !== 'pending' && p.view.state !== 'timed_out') return;
        const code = p.heldAck !== undefined ? 'ERR_ACK_UNVERIFIABLE' : 'ERR_COMMAND_EXPIRED';
        this.settle(p, 'expired', { code, message: describeError(code) });
        this.#audit(p, 'command.expired', 'expired', code);
      },
      Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - this.clock())),
    );
    for (const t of [timeout, expiry]) t.unref();
    p.timers = [timeout, expiry];
    this.events.emit('commands.status', p.view);
  }

  /** Stops every timer (service shutdown). */
  close(): void {
    for (const p of this.#commands.values()) this.#clearTimers(p);
  }

  #audit(
    p: TrackedCommand,
    kind: 'command.timeout' | 'command.expired',
    verdict: string,
    code: string,
  ): void {
    this.audit.append({
      kind,
      vessel: p.view.vessel,
      streams: p.view.changes,
      commandId: p.view.commandId,
      verdict,
      code,
      message: describeError(code),
    });
  }

  #clearTimers(p: TrackedCommand | undefined): void {
    for (const t of p?.timers ?? []) clearTimeout(t);
    if (p) p.timers = [];
  }
}
