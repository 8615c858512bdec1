/** The command lifecycle on its own: pending → timed_out (audited), settling, the recent-commands window. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandView } from '@helmlink/app-preload';
import { AuditLog } from '../../../src/services/audit/audit-log';
import { describeError, frozenClock } from '@helmlink/protocol';
import { ConsoleEvents } from '../../../src/services/core/events';
import { CommandTracker, RECENT_COMMANDS } from '../../../src/services/commands/command-tracker';
import { tempDir } from '../../helpers/console';
import { eventually } from '../../helpers/net';

function setup() {
  const clock = frozenClock(new Date('2026-05-01T12:00:00Z'));
  const events = new ConsoleEvents();
  const pushed: CommandView[] = [];
  events.subscribe((e, p) => e === 'commands.status' && pushed.push(p as CommandView));
  const audit = new AuditLog(join(tempDir(), 'audit.jsonl'), clock, events);
  return { tracker: new CommandTracker(events, audit, clock), audit, pushed, clock };
}

function view(commandId: string, vesselId = 'MV-A'): CommandView {
  const at = '2026-05-01T12:00:00.000Z';
  return {
    commandId,
    vesselId,
    vessel: { vesselId, name: null, imo: null },
    on: [],
    off: [],
    changes: [],
    state: 'pending',
    sentAt: at,
    expiresAt: '2026-05-01T12:00:30.000Z',
    settledAt: null,
    rttMs: null,
    reason: null,
    ackVerified: false,
  };
}

describe('CommandTracker', () => {
  it('times a pending command out, audits it, and keeps the pilot who signed it', async () => {
    const { tracker, audit, pushed } = setup();
    const p = tracker.track({ view: view('c1'), token: 't', actor: 'pilot-anna', sentAtPerf: 0 });
    expect(p.actor).toBe('pilot-anna');
    tracker.expireAfter(p, 0.05);
    expect(pushed.map((v) => v.state)).toEqual(['pending']);
    const done = await eventually(
      () => (tracker.get('c1')!.view.state === 'timed_out' ? tracker.get('c1')!.view : undefined),
      'timeout',
    );
    expect(done).toMatchObject({
      state: 'timed_out',
      reason: { code: 'ERR_COMMAND_TIMEOUT' },
      settledAt: '2026-05-01T12:00:00.000Z',
    });
    expect(audit.search({ commandId: 'c1' }).entries.map((e) => e.kind)).toEqual(['command.timeout']);
  });

  it('a timed-out command still settles on a late verified ack, else it expires: final, audited with vessel and streams', async () => {
    const { tracker, audit, pushed } = setup();
    const late = tracker.track({ view: view('c5'), token: 't', actor: 'pilot-anna', sentAtPerf: 0 });
    tracker.expireAfter(late, 0.02, 0);
    await eventually(() => tracker.get('c5')!.view.state === 'timed_out', 'timed out');
    tracker.settle(late, 'applied', null, { ackVerified: true, rttMs: 40 });
    expect(tracker.get('c5')!.view).toMatchObject({ state: 'applied', ackVerified: true });

    const changes = [{ id: 'VDRD', name: 'VDR data', address: '239.192.0.5:60005', on: false }];
    const expiring = tracker.track({
      view: {
        ...view('c6'),
        vessel: { vesselId: 'MV-A', name: 'MV Tern', imo: '9074729' },
        changes,
        // The token expires 60 ms after it was sent (frozen clock), with no tolerance.
        expiresAt: '2026-05-01T12:00:00.060Z',
      },
      token: 't',
      actor: 'pilot-anna',
      sentAtPerf: 0,
    });
    tracker.expireAfter(expiring, 0.02, 0);
    const done = await eventually(
      () => (tracker.get('c6')!.view.state === 'expired' ? tracker.get('c6')!.view : undefined),
      'expired',
    );
    expect(done).toMatchObject({
      state: 'expired',
      reason: { code: 'ERR_COMMAND_EXPIRED', message: describeError('ERR_COMMAND_EXPIRED') },
    });
    expect(pushed.filter((v) => v.commandId === 'c6').map((v) => v.state)).toEqual([
      'pending',
      'timed_out',
      'expired',
    ]);
    const entries = audit.search({ commandId: 'c6' }).entries;
    expect(entries.map((e) => e.kind)).toEqual(['command.expired', 'command.timeout']);
    expect(entries[0]).toMatchObject({
      vessel: { vesselId: 'MV-A', name: 'MV Tern', imo: '9074729' },
      vesselId: 'MV-A',
      streams: changes,
      code: 'ERR_COMMAND_EXPIRED',
    });
  });

  it('a settled command never times out', async () => {
    const { tracker, audit } = setup();
    const p = tracker.track({ view: view('c2'), token: 't', actor: 'pilot-anna', sentAtPerf: 0 });
    tracker.expireAfter(p, 0.05);
    tracker.settle(p, 'applied', null, { ackVerified: true, rttMs: 1 });
    await new Promise((r) => setTimeout(r, 120));
    expect(tracker.get('c2')!.view.state).toBe('applied');
    expect(audit.search({ commandId: 'c2' }).total).toBe(0);
  });

  it('lists newest first, per vessel, and remembers only the most recent commands', () => {
    const { tracker } = setup();
    for (let i = 0; i < RECENT_COMMANDS + 3; i++)
      tracker.track({ view: view(`c${i}`, i % 2 ? 'MV-B' : 'MV-A'), token: 't', actor: 'a', sentAtPerf: 0 });
    expect(tracker.get('c0')).toBeUndefined();
    expect(tracker.get('c3')).toBeDefined();
    expect(tracker.list(undefined, 1000)).toHaveLength(RECENT_COMMANDS);
    expect(tracker.list('MV-B', 2).map((v) => v.commandId)).toEqual([
      `c${RECENT_COMMANDS + 1}`,
      `c${RECENT_COMMANDS - 1}`,
    ]);
    tracker.close();
  });
});
