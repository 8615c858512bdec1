import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { CommandView } from '@helmlink/app-preload';
import { api, call } from '../api/current';
import { friendlyError, type FriendlyError } from '../logic/errors';
import { buildIntent } from '../logic/fleet';
import { dropDraftOf, fleetStore } from './fleet';

/** Commands the pilot sent and their lifecycle: pending → applied / rejected / timed_out (or failed). */
export interface CommandsStoreState {
  byId: Record<string, CommandView>;
  /** Most recent command per vessel. */
  latestByVessel: Record<string, string>;
  /** Vessels whose send is in flight (signing + publishing in main). */
  sending: Record<string, boolean>;
  /** Send errors per vessel (could not sign or publish). */
  errors: Record<string, FriendlyError>;
}

export const commandsStore = createStore<CommandsStoreState>(() => ({
  byId: {},
  latestByVessel: {},
  sending: {},
  errors: {},
}));

/** React hook over the commands store. */
export function useCommands<T>(selector: (s: CommandsStoreState) => T): T {
  return useStore(commandsStore, selector);
}

const newer = (a: CommandView, b: CommandView | undefined): boolean => !b || a.sentAt >= b.sentAt;

/** Applies a command view (returned by send or pushed as `commands.status`). */
export function applyCommand(cmd: CommandView): void {
  const s = commandsStore.getState();
  const before = s.byId[cmd.commandId]?.state;
  // A refused, expired or unsent command leaves the verified state as it was: its toggles snap back. A command
  // that only timed out may still apply (a late verified ack settles it), so its toggles stay.
  if (before !== cmd.state && (cmd.state === 'rejected' || cmd.state === 'expired' || cmd.state === 'failed'))
    dropDraftOf(cmd.vesselId, cmd.on, cmd.off);
  const latestId = s.latestByVessel[cmd.vesselId];
  const latest = latestId ? s.byId[latestId] : undefined;
  commandsStore.setState({
    byId: { ...s.byId, [cmd.commandId]: cmd },
    latestByVessel:
      newer(cmd, latest) || latestId === cmd.commandId
        ? { ...s.latestByVessel, [cmd.vesselId]: cmd.commandId }
        : s.latestByVessel,
  });
}

/** Loads recent commands (e.g. after a reload). */
export async function loadCommands(limit = 200): Promise<void> {
  try {
    const list = await call(api().commands.list({ limit }));
    for (const c of [...list].sort((a, b) => a.sentAt.localeCompare(b.sentAt))) applyCommand(c);
  } catch (err) {
    console.warn('could not load commands', err);
  }
}

/**
 * Sends the vessel's draft as a streams.set intent (the complete catalog partition). Main signs and publishes;
 * the returned command is pending until its verified ack, a rejection or the timeout arrives as an event.
 * Resolves with the command, or undefined when it could not be sent (the error is kept per vessel).
 */
export async function sendCommand(vesselId: string): Promise<CommandView | undefined> {
  const fleet = fleetStore.getState();
  const vessel = fleet.vessels[vesselId];
  if (!vessel || vessel.streams.length === 0) return undefined;
  if (commandsStore.getState().sending[vesselId]) return undefined;
  const intent = buildIntent(vessel, fleet.drafts[vesselId]);
  const { [vesselId]: _dropped, ...errors } = commandsStore.getState().errors;
  commandsStore.setState({ sending: { ...commandsStore.getState().sending, [vesselId]: true }, errors });
  try {
    const cmd = await call(api().commands.send(intent));
    applyCommand(cmd);
    return cmd;
  } catch (err) {
    commandsStore.setState({
      errors: { ...commandsStore.getState().errors, [vesselId]: friendlyError(err) },
    });
    return undefined;
  } finally {
    commandsStore.setState({ sending: { ...commandsStore.getState().sending, [vesselId]: false } });
  }
}

/** The latest command for a vessel, if any. */
export function latestCommand(state: CommandsStoreState, vesselId: string): CommandView | undefined {
  const id = state.latestByVessel[vesselId];
  return id ? state.byId[id] : undefined;
}

/** The vessel's most recent commands, newest first. */
export function recentCommands(state: CommandsStoreState, vesselId: string, limit = 5): CommandView[] {
  return Object.values(state.byId)
    .filter((c) => c.vesselId === vesselId)
    .sort((a, b) => b.sentAt.localeCompare(a.sentAt))
    .slice(0, limit);
}
