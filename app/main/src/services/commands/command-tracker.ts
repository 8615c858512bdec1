/**
 * The lifecycle of the console's commands: pending → applied / rejected (settled by a verified ack) / timed_out
 * (no verified ack in time; ERR_ACK_UNVERIFIABLE when an ack was held for a vessel certificate that never became
 * known) / failed (the broker refused the publish). Keeps the most recent RECENT_COMMANDS and
 * pushes every change as `commands.status`.
 */
import type { CommandView } from '@helmlink/app-preload';
import { describeError, type Clock } from '@helmlink/protocol';
import type { AuditLog } from '../audit/audit-log';
import type { ConsoleEvents } from '../core/events';

/** How many commands are remembered. */
export const RECENT_COMMANDS = 500;

/** A command this console sent. */
export interface TrackedCommand {
  view: CommandView;
  /** The signed command token (its ack must bind to it). */
  token: string;
  /** The pilot who signed it: the audience of its ack, kept so the ack can be checked while the key is locked. */
  actor: string;
  /** performance.now() at publish, for the round-trip time. */
  sentAtPerf: number;
  timer: NodeJS.Timeout | undefined;
  /**
   * An ack naming a vessel certificate the console has not validated yet (x5t#S256): held until a state of the
   * vessel verifies and teaches it; the command times out as ERR_ACK_UNVERIFIABLE if none does in time.
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
  track(command: Omit<TrackedCommand, 'timer'>): TrackedCommand {
    const tracked: TrackedCommand = { ...command, timer: undefined };
    this.#commands.set(tracked.view.commandId, tracked);
    while (this.#commands.size > RECENT_COMMANDS) {
      const oldest = this.#commands.keys().next().value as string;
      const o = this.#commands.get(oldest);
      if (o?.timer) clearTimeout(o.timer);
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

  /** Pending commands of `vesselId` holding an ack that waits for the vessel's certificate. */
  heldAcks(vesselId: string): TrackedCommand[] {
    return [...this.#commands.values()].filter(
      (p) => p.heldAck !== undefined && p.view.vesselId === vesselId && p.view.state === 'pending',
    );
  }

  /** Moves a command to a final state and pushes it. */
  settle(
    p: TrackedCommand,
    state: CommandView['state'],
    reason: CommandView['reason'],
    extra: Partial<CommandView> = {},
  ): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = undefined;
    p.heldAck = undefined;
    p.view = { ...p.view, state, reason, settledAt: new Date(this.clock()).toISOString(), ...extra };
    this.events.emit('commands.status', p.view);
  }

  /** Times the command out (audited) unless a verified ack settles it within `seconds`; pushes it as pending. */
  expireAfter(p: TrackedCommand, seconds: number): void {
    p.timer = setTimeout(() => {
      if (p.view.state !== 'pending') return;
      // An ack came but its certificate never became known: say so, not "no answer".
      const code = p.heldAck !== undefined ? 'ERR_ACK_UNVERIFIABLE' : 'ERR_COMMAND_TIMEOUT';
      this.settle(p, 'timed_out', { code, message: describeError(code) });
      this.audit.append({
        kind: 'command.timeout',
        vesselId: p.view.vesselId,
        commandId: p.view.commandId,
        verdict: 'timed_out',
        code,
      });
    }, seconds * 1000);
    p.timer.unref();
    this.events.emit('commands.status', p.view);
  }

  /** Stops every timer (service shutdown). */
  close(): void {
    for (const p of this.#commands.values()) if (p.timer) clearTimeout(p.timer);
  }
}
