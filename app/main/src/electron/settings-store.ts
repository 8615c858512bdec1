/** Settings inside Electron: electron-store (which wraps conf) in the user data directory. Non-secret data only. */
import ElectronStore from 'electron-store';
import type { SettingsStore } from '../services/settings/settings-service';

/** The electron-store backed settings store. */
export function createElectronSettingsStore(): SettingsStore {
  return new ElectronStore<Record<string, unknown>>({ name: 'settings' }) as unknown as SettingsStore;
}
