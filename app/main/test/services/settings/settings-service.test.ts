import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, SettingsService } from '../../../src/services/settings/settings-service';
import { createConfStore } from '../../../src/services/settings/conf-store';
import { ConsoleEvents } from '../../../src/services/core/events';
import { tempDir } from '../../helpers/console';

describe('settings (conf outside Electron)', () => {
  it('starts from defaults, persists validated patches and announces them', () => {
    const dir = tempDir();
    const events = new ConsoleEvents();
    const seen: unknown[] = [];
    events.subscribe((e, p) => e === 'settings.changed' && seen.push(p));
    const s = new SettingsService(createConfStore(dir), events);
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    s.update({ brokerUrl: 'mqtts://broker.example:8883', theme: 'night', commandTimeoutSeconds: 20 });
    expect(seen).toHaveLength(1);
    const again = new SettingsService(createConfStore(dir));
    expect(again.get()).toMatchObject({
      brokerUrl: 'mqtts://broker.example:8883',
      theme: 'night',
      commandTimeoutSeconds: 20,
    });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toMatchObject({ theme: 'night' });
  });

  it('refuses unknown keys (no secret can be smuggled into settings) and ignores damaged stored values', () => {
    const store = {
      store: { theme: 'neon', commandTimeoutSeconds: 30 } as Record<string, unknown>,
      set() {},
    };
    const s = new SettingsService(store);
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    expect(() => s.update({ passphrase: 'x' } as never)).toThrow();
  });

  it('keeps the broker keepalive within 2..600 s (30 by default): 1 s would flap on a satellite link', () => {
    const s = new SettingsService(createConfStore(tempDir()));
    expect(s.get().keepaliveSeconds).toBe(30);
    for (const keepaliveSeconds of [1, 601, 2.5]) expect(() => s.update({ keepaliveSeconds })).toThrow();
    expect(s.update({ keepaliveSeconds: 2 }).keepaliveSeconds).toBe(2);
  });
});
