import type { Command } from '@helmlink/protocol/node';

export interface Entry {
  summary: string;
  load: () => Promise<Command>;
}

/** Registry of commands. Multi-word commands (`ca init`) are keyed by their words joined with a space. */
export const COMMANDS: Record<string, Entry> = {};

/** Registers a lazily loaded command. */
export function register(name: string, summary: string, load: () => Promise<Command>): void {
  COMMANDS[name] = { summary, load };
}
