import { beforeEach, describe, expect, it } from 'vitest';
import { bindApi } from '../../src/api/current';
import { applyVessels, fleetStore, requestToggle } from '../../src/stores/fleet';
import {
  applyCommand,
  commandsStore,
  latestCommand,
  recentCommands,
  sendCommand,
} from '../../src/stores/commands';
import { command, createTestApi, stream, vessel, type TestApi } from '../support/test-api';

let t: TestApi;
const catalog = () => [stream('misc', 1, true), stream('tgtd', 2, true), stream('satd', 3, false)];

beforeEach(() => {
  t = createTestApi();
  bindApi(t.api);
  fleetStore.setState(fleetStore.getInitialState(), true);
  commandsStore.setState(commandsStore.getInitialState(), true);
  applyVessels([vessel('v2', catalog()), vessel('v1', catalog())]);
});

describe('commands store', () => {
  it('sends the complete partition as an intent and tracks the lifecycle pending → applied', async () => {
    requestToggle('v1', 'satd', true);
    t.handle('commands.send', (req) => ({ ok: true, value: command('c1', 'v1', 'pending', req as object) }));
    const sent = await sendCommand('v1');
    expect(t.calls.find((c) => c.channel === 'commands.send')?.request).toEqual({
      vesselId: 'v1',
      on: ['239.192.0.1:60001', '239.192.0.2:60002', '239.192.0.3:60003'],
      off: [],
    });
    expect(sent?.state).toBe('pending');
    expect(latestCommand(commandsStore.getState(), 'v1')?.state).toBe('pending');
    applyCommand(command('c1', 'v1', 'applied', { rttMs: 42, ackVerified: true }));
    const latest = latestCommand(commandsStore.getState(), 'v1');
    expect(latest?.state).toBe('applied');
    expect(latest?.rttMs).toBe(42);
    expect(commandsStore.getState().sending.v1).toBe(false);
  });

  it('keeps the rejection reason and the draft for a rejected command', async () => {
    requestToggle('v1', 'satd', true);
    t.ok('commands.send', command('c2', 'v1', 'pending'));
    await sendCommand('v1');
    applyCommand(
      command('c2', 'v1', 'rejected', { reason: { code: 'ERR_STREAM_UNKNOWN', message: 'unknown stream' } }),
    );
    expect(latestCommand(commandsStore.getState(), 'v1')?.reason?.code).toBe('ERR_STREAM_UNKNOWN');
    expect(fleetStore.getState().drafts.v1).toEqual({ satd: true });
  });

  it('records a send failure per vessel in words', async () => {
    t.fail('commands.send', 'ERR_PASSPHRASE_REQUIRED');
    expect(await sendCommand('v1')).toBeUndefined();
    expect(commandsStore.getState().errors.v1?.title).toBe('Passphrase needed');
    t.ok('commands.send', command('c3', 'v1', 'pending'));
    await sendCommand('v1');
    expect(commandsStore.getState().errors.v1).toBeUndefined();
  });

  it('does not let an older status event replace the latest command', () => {
    applyCommand(command('new', 'v1', 'pending', { sentAt: '2026-11-22T02:00:05.000Z' }));
    applyCommand(command('old', 'v1', 'timed_out', { sentAt: '2026-11-22T02:00:01.000Z' }));
    expect(latestCommand(commandsStore.getState(), 'v1')?.commandId).toBe('new');
    expect(commandsStore.getState().byId.old?.state).toBe('timed_out');
  });

  it('sends nothing for an unknown vessel or one without a verified catalog', async () => {
    applyVessels([vessel('empty', [])]);
    expect(await sendCommand('empty')).toBeUndefined();
    expect(await sendCommand('ghost')).toBeUndefined();
    expect(t.calls.some((c) => c.channel === 'commands.send')).toBe(false);
  });

  it("lists a vessel's recent commands newest first", () => {
    for (let i = 1; i <= 7; i++)
      applyCommand(command(`c${i}`, 'v1', 'applied', { sentAt: `2026-11-22T02:00:0${i}.000Z` }));
    applyCommand(command('other', 'v2', 'applied'));
    expect(recentCommands(commandsStore.getState(), 'v1').map((c) => c.commandId)).toEqual([
      'c7',
      'c6',
      'c5',
      'c4',
      'c3',
    ]);
  });
});

describe('toggles after a settled command', () => {
  const ask = { on: ['239.192.0.1:60001', '239.192.0.2:60002', '239.192.0.3:60003'], off: [] };
  for (const state of ['rejected', 'expired', 'failed'] as const) {
    it(`snap back to the verified state when the command is ${state}`, () => {
      requestToggle('v1', 'satd', true);
      applyCommand(command('c1', 'v1', 'pending', ask));
      expect(fleetStore.getState().drafts.v1).toEqual({ satd: true });
      applyCommand(command('c1', 'v1', state, ask));
      expect(fleetStore.getState().drafts.v1).toBeUndefined();
    });
  }
  it('stay while the command only timed out (a late verified ack may still settle it)', () => {
    requestToggle('v1', 'satd', true);
    applyCommand(command('c1', 'v1', 'timed_out', ask));
    expect(fleetStore.getState().drafts.v1).toEqual({ satd: true });
  });
});
