import type { CommandIntent, CommandView, StreamStateView, VesselView } from '@helmlink/app-preload';

/** The pilot's unsent wishes for one vessel: stream id → desired on/off. */
export type Draft = Readonly<Record<string, boolean>>;

/** One pending change: a stream whose desired state differs from the verified state. */
export interface PendingChange {
  stream: StreamStateView;
  on: boolean;
}

/** The on/off a toggle shows: the draft when the pilot changed it, otherwise the verified state. */
export function desiredOn(stream: StreamStateView, draft: Draft | undefined): boolean {
  return draft?.[stream.id] ?? stream.on;
}

/** Streams whose desired state differs from the vessel's verified state, in catalog order. */
export function pendingChanges(vessel: VesselView, draft: Draft | undefined): PendingChange[] {
  return vessel.streams
    .filter((s) => desiredOn(s, draft) !== s.on)
    .map((s) => ({ stream: s, on: desiredOn(s, draft) }));
}

/**
 * Pending changes the latest command does not already carry (in flight or applied, its new state not yet
 * received): these are the changes still to send.
 */
export function unsentChanges(
  vessel: VesselView,
  draft: Draft | undefined,
  cmd: CommandView | undefined,
): PendingChange[] {
  const carried = cmd && (cmd.state === 'pending' || cmd.state === 'applied') ? cmd : undefined;
  return pendingChanges(vessel, draft).filter(
    (c) => !carried || !(c.on ? carried.on : carried.off).includes(c.stream.address),
  );
}

/** Total nominal bitrate (bit/s) of the streams the pilot is requesting on. */
export function requestedBitrate(vessel: VesselView, draft: Draft | undefined): number {
  return vessel.streams.reduce((sum, s) => (desiredOn(s, draft) ? sum + s.bitrateBps : sum), 0);
}

/** Navigation-critical streams the draft would switch off (verified on, desired off). */
export function criticalSwitchOffs(vessel: VesselView, draft: Draft | undefined): StreamStateView[] {
  return vessel.streams.filter((s) => s.critical && s.on && !desiredOn(s, draft));
}

/** Drops draft entries that already equal the verified state (after the vessel applied them). */
export function pruneDraft(vessel: VesselView, draft: Draft | undefined): Draft {
  const out: Record<string, boolean> = {};
  for (const s of vessel.streams) {
    const want = draft?.[s.id];
    if (want !== undefined && want !== s.on) out[s.id] = want;
  }
  return out;
}

/**
 * The intent for `commands.send`: the complete partition of the vessel's catalog into `on` and `off` stream
 * addresses (the command spec requires every catalog stream; main signs it).
 */
export function buildIntent(vessel: VesselView, draft: Draft | undefined): CommandIntent {
  const on: string[] = [];
  const off: string[] = [];
  for (const s of vessel.streams) (desiredOn(s, draft) ? on : off).push(s.address);
  return { vesselId: vessel.vesselId, on, off };
}
