/**
 * Non-secret settings (broker URL, CA URL, pinned root fingerprint, theme, timeouts). Kept in `conf` outside
 * Electron and in `electron-store` (which wraps conf) inside it: both satisfy {@link SettingsStore}. Secrets are
 * never settings: the patch schema of the contract has no secret field, and this service rejects unknown keys.
 */
import { settingsPatchSchema, type SettingsView } from '@helmlink/app-preload';
import type { z } from 'zod';
import type { ConsoleEvents } from '../core/events';

/** The part of conf / electron-store the service uses. */
export interface SettingsStore {
  readonly store: Record<string, unknown>;
  set(key: string, value: unknown): void;
}

export const DEFAULT_SETTINGS: SettingsView = {
  brokerUrl: null,
  caUrl: null,
  rootFingerprint: null,
  theme: 'system',
  commandTimeoutSeconds: 15,
  commandLifetimeSeconds: 30,
  autoRenew: true,
  expiryWarningDays: 14,
  confirmCriticalStreams: true,
  autoConnect: true,
  keepaliveSeconds: 30,
};

export type SettingsPatch = z.output<typeof settingsPatchSchema>;

/** Reads and updates settings; emits `settings.changed`. */
export class SettingsService {
  readonly #store: SettingsStore;
  readonly #events: ConsoleEvents | undefined;

  constructor(store: SettingsStore, events?: ConsoleEvents) {
    this.#store = store;
    this.#events = events;
  }

  /** Current settings; stored values that no longer validate fall back to the defaults. */
  get(): SettingsView {
    const stored = settingsPatchSchema.safeParse(
      Object.fromEntries(Object.entries(this.#store.store).filter(([k]) => k in DEFAULT_SETTINGS)),
    );
    return { ...DEFAULT_SETTINGS, ...(stored.success ? stored.data : {}) };
  }

  /** Applies a validated patch and returns the new settings. */
  update(patch: SettingsPatch): SettingsView {
    const parsed = settingsPatchSchema.parse(patch);
    for (const [key, value] of Object.entries(parsed)) {
      if (value !== undefined) this.#store.set(key, value);
    }
    const next = this.get();
    this.#events?.emit('settings.changed', next);
    return next;
  }
}
