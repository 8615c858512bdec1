import { beforeEach, describe, expect, it } from 'vitest';
import type { SettingsView } from '@helmlink/app-preload';
import { bindApi } from '../../src/api/current';
import {
  bindSettingsStorage,
  cyclePalette,
  setPalette,
  settingsStore,
  loadSettings,
} from '../../src/stores/settings';
import { createTestApi, type TestApi } from '../support/test-api';

let t: TestApi;
const settings = (theme: SettingsView['theme']): SettingsView => ({
  brokerUrl: null,
  caUrl: null,
  rootFingerprint: null,
  theme,
  commandTimeoutSeconds: 10,
  commandLifetimeSeconds: 30,
  autoRenew: true,
  expiryWarningDays: 14,
  confirmCriticalStreams: true,
  autoConnect: true,
  keepaliveSeconds: 30,
});

beforeEach(() => {
  t = createTestApi();
  bindApi(t.api);
  settingsStore.setState(settingsStore.getInitialState(), true);
});

describe('settings store', () => {
  it('remembers the palette locally and in main, and cycles light → dark → night', async () => {
    const mem = new Map<string, string>();
    bindSettingsStorage({ getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => void mem.set(k, v) });
    expect(settingsStore.getState().palette).toBe('dark');
    t.handle('settings.update', (req) => ({
      ok: true,
      value: settings((req as { theme: SettingsView['theme'] }).theme),
    }));
    setPalette('night');
    expect(mem.get('helmlink.palette')).toBe('night');
    expect(t.calls.at(-1)).toEqual({ channel: 'settings.update', request: { theme: 'night' } });
    await Promise.resolve();
    expect(cyclePalette()).toBe('light');
    expect(cyclePalette()).toBe('dark');
    expect(() => setPalette('blue' as never)).toThrow(TypeError);
  });

  it('adopts a palette stored in main but keeps the local one for "system"', async () => {
    bindSettingsStorage(undefined);
    setPalette('light');
    t.ok('settings.get', settings('night'));
    await loadSettings();
    expect(settingsStore.getState().palette).toBe('night');
    t.ok('settings.get', settings('system'));
    await loadSettings();
    expect(settingsStore.getState().palette).toBe('night');
    expect(settingsStore.getState().server?.theme).toBe('system');
  });
});
