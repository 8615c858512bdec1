import { describe, expect, it } from 'vitest';
import { EVENT_NAMES } from '@helmlink/app-preload';
import { startStores } from '../../src/stores';
import { fleetStore } from '../../src/stores/fleet';
import { identityStore } from '../../src/stores/identity';
import { commandsStore, latestCommand } from '../../src/stores/commands';
import {
  command,
  createTestApi,
  identityStatus,
  stream,
  vessel,
  connectionStatus,
} from '../support/test-api';

describe('startStores', () => {
  it('loads every store and routes every push event until stopped', async () => {
    const t = createTestApi();
    t.ok('identity.status', identityStatus());
    t.ok('identity.custodyOptions', {
      keychain: { available: true, backend: 'Secret Service', reason: null },
      passphraseOnly: true,
    });
    t.ok('settings.get', {
      brokerUrl: null,
      caUrl: null,
      rootFingerprint: null,
      theme: 'dark',
      commandTimeoutSeconds: 10,
      commandLifetimeSeconds: 30,
      autoRenew: true,
      expiryWarningDays: 14,
      confirmCriticalStreams: true,
      autoConnect: true,
    });
    t.ok('app.info', { version: '0.1.0', contractVersion: 1, transport: 'electron', platform: 'linux' });
    t.ok('fleet.connection', connectionStatus({ brokerUrl: null }));
    t.ok('fleet.vessels', []);
    t.ok('fleet.rates', { at: '', windowSeconds: 5, rates: [] });
    t.ok('commands.list', []);
    const stop = await startStores(t.api);
    for (const e of EVENT_NAMES) expect(t.listenerCount(e)).toBe(1);
    expect(identityStore.getState().status?.entityId).toBe('pilot-7');

    t.emit('fleet.vessels', [vessel('v1', [stream('misc', 1, true)])]);
    expect(fleetStore.getState().order).toEqual(['v1']);
    t.emit('commands.status', command('c1', 'v1', 'applied', { rttMs: 9 }));
    expect(latestCommand(commandsStore.getState(), 'v1')?.rttMs).toBe(9);
    t.emit('identity.changed', identityStatus({ state: 'expired' }));
    expect(identityStore.getState().status?.state).toBe('expired');

    stop();
    for (const e of EVENT_NAMES) expect(t.listenerCount(e)).toBe(0);
  });
});
