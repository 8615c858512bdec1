/**
 * The one visual grammar, derived: each input decides its status in the documented order, and nothing says
 * "verified" or "connected" when its source is gone (the console's link, the vessel's state, its freshness).
 */
import { describe, expect, it } from 'vitest';
import type { CommandView } from '@helmlink/app-preload';
import {
  deriveLink,
  deriveStatus,
  reasonOf,
  type StatusInputs,
} from '../../../src/services/fleet/vessel-status';

const NOW = Date.parse('2026-11-22T03:00:00Z');
const J0 = '00000000-0000-4000-8000-000000000000';
const J1 = '11111111-1111-4111-8111-111111111111';
const J2 = '22222222-2222-4222-8222-222222222222';

const base = (extra: Partial<StatusInputs> = {}): StatusInputs => ({
  now: NOW,
  consoleLink: { up: true, since: null, reason: null },
  unverified: null,
  hasVerifiedState: true,
  stateExpiresAt: null,
  expiredStateAt: null,
  linkReport: null,
  lastVerifiedAt: '2026-11-22T02:59:50.000Z',
  latest: null,
  baseJti: null,
  currentJti: J0,
  ...extra,
});

const command = (state: CommandView['state'], extra: Partial<CommandView> = {}): CommandView => ({
  commandId: J1,
  vesselId: 'MV',
  vessel: { vesselId: 'MV', name: null, imo: null },
  on: [],
  off: [],
  changes: [],
  state,
  sentAt: '2026-11-22T02:59:55.000Z',
  expiresAt: '2026-11-22T03:00:25.000Z',
  settledAt: null,
  rttMs: null,
  reason: null,
  ackVerified: false,
  ...extra,
});

const derive = (i: StatusInputs) => {
  const link = deriveLink(i);
  return { link, ...deriveStatus(i, link) };
};

describe('vessel status', () => {
  it('verified and connected when its state verified, is current, and the console is connected', () => {
    expect(derive(base())).toMatchObject({
      link: { state: 'connected', reason: null },
      status: 'verified',
      statusReason: null,
    });
  });

  it("stale, with the console's reason and since when, whatever the vessel's own state", () => {
    const consoleLink = {
      up: false,
      since: '2026-11-22T02:58:00.000Z',
      reason: reasonOf('ERR_IDENTITY_REVOKED'),
    };
    for (const extra of [{}, { latest: command('pending') }, { stateExpiresAt: NOW - 1 }]) {
      expect(derive(base({ consoleLink, ...extra }))).toMatchObject({
        link: { state: 'stale', since: '2026-11-22T02:58:00.000Z', reason: { code: 'ERR_IDENTITY_REVOKED' } },
        status: 'stale',
        statusReason: { code: 'ERR_IDENTITY_REVOKED' },
      });
    }
    // Without a coded reason: not connected, since the last verified state.
    expect(derive(base({ consoleLink: { up: false, since: null, reason: null } })).link).toEqual({
      state: 'stale',
      since: '2026-11-22T02:59:50.000Z',
      reason: reasonOf('ERR_NOT_CONNECTED'),
    });
  });

  it('unverified with the verification code (a revoked vessel says revoked)', () => {
    const unverified = {
      code: 'ERR_CHAIN_REVOKED',
      message: 'the vessel certificate is revoked',
      receivedAt: '2026-11-22T02:59:59.000Z',
    };
    expect(derive(base({ unverified, latest: command('pending') }))).toMatchObject({
      link: {
        state: 'unverified',
        since: unverified.receivedAt,
        reason: { code: 'ERR_CHAIN_REVOKED', detail: 'the vessel certificate is revoked' },
      },
      status: 'unverified',
    });
  });

  it('stale once its signed state expired (or only an expired one arrived), since the last verified state', () => {
    expect(derive(base({ stateExpiresAt: NOW + 1 })).status).toBe('verified');
    for (const extra of [{ stateExpiresAt: NOW }, { expiredStateAt: '2026-11-22T02:59:58.000Z' }])
      expect(derive(base(extra))).toMatchObject({
        link: {
          state: 'stale',
          since: '2026-11-22T02:59:50.000Z',
          reason: { code: 'ERR_VESSEL_SILENT' },
        },
        status: 'stale',
        statusReason: { code: 'ERR_VESSEL_SILENT' },
      });
  });

  it("link down from the vessel's signed link status (its Last Will), since when the console learnt it", () => {
    const down = {
      state: 'down' as const,
      since: '2026-11-22T02:59:57.000Z',
      reportedAt: '2026-11-22T01:00:00.000Z',
    };
    const up = {
      state: 'up' as const,
      since: '2026-11-22T02:59:59.000Z',
      reportedAt: '2026-11-22T02:59:59.000Z',
    };
    expect(derive(base({ linkReport: up }))).toMatchObject({
      link: { state: 'connected' },
      status: 'verified',
    });
    expect(derive(base({ linkReport: down }))).toMatchObject({
      link: { state: 'link_down', since: down.since, reason: { code: 'ERR_VESSEL_LINK_DOWN' } },
      status: 'link_down',
      statusReason: { code: 'ERR_VESSEL_LINK_DOWN' },
    });
    // A down retained from before this console subscribed: when it happened is unknown.
    expect(derive(base({ linkReport: { ...down, since: null } })).link).toMatchObject({
      state: 'link_down',
      since: null,
    });
    // Down is the more telling word when the state has expired too; a pending command still shows link down.
    expect(derive(base({ linkReport: down, stateExpiresAt: NOW })).status).toBe('link_down');
    expect(derive(base({ linkReport: down, latest: command('pending'), baseJti: J0 })).status).toBe(
      'link_down',
    );
    // The console's own link and an unverified state come first.
    const gone = { up: false, since: '2026-11-22T02:59:00.000Z', reason: reasonOf('ERR_NOT_CONNECTED') };
    expect(derive(base({ linkReport: down, consoleLink: gone })).status).toBe('stale');
    const forged = { code: 'ERR_SIGNATURE_INVALID', message: 'bad', receivedAt: '2026-11-22T02:59:59.000Z' };
    expect(derive(base({ linkReport: down, unverified: forged })).status).toBe('unverified');
  });

  it('pending while a command awaits its verified ack, timed out included', () => {
    expect(derive(base({ latest: command('pending'), baseJti: J0 })).status).toBe('pending');
    const late = command('timed_out', {
      reason: { code: 'ERR_COMMAND_TIMEOUT', message: 'No verified acknowledgement arrived in time' },
    });
    expect(derive(base({ latest: late, baseJti: J0 }))).toMatchObject({
      status: 'pending',
      statusReason: { code: 'ERR_COMMAND_TIMEOUT' },
    });
  });

  it('the outcome of the last command until the verified state moves on without it', () => {
    const rejected = command('rejected', {
      reason: { code: 'ERR_HOOK_REJECTED', message: 'refused', vesselText: 'VDR must stay on' },
    });
    expect(derive(base({ latest: rejected, baseJti: J0 }))).toMatchObject({
      status: 'rejected',
      statusReason: { code: 'ERR_HOOK_REJECTED', vesselText: 'VDR must stay on' },
    });
    expect(derive(base({ latest: command('expired'), baseJti: J0 })).status).toBe('expired');
    expect(derive(base({ latest: command('failed'), baseJti: J0 })).status).toBe('rejected');
    // Applied: the state names the command (or still the one before it, the new state not yet in).
    expect(derive(base({ latest: command('applied'), baseJti: J0, currentJti: J1 })).status).toBe('applied');
    expect(derive(base({ latest: command('applied'), baseJti: J0, currentJti: J0 })).status).toBe('applied');
    // Another command (another console) applied since: back to verified.
    for (const state of ['applied', 'rejected', 'expired'] as const)
      expect(derive(base({ latest: command(state), baseJti: J0, currentJti: J2 })).status).toBe('verified');
  });
});
