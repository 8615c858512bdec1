/** Settings storage outside Electron: `conf` in the console's data directory (tests, the web bridge). */
import Conf from 'conf';
import type { SettingsStore } from './settings-service';

/** A conf-backed settings store at `<dir>/settings.json`. */
export function createConfStore(dir: string): SettingsStore {
  return new Conf<Record<string, unknown>>({
    cwd: dir,
    configName: 'settings',
    projectName: 'helmlink-console',
  }) as unknown as SettingsStore;
}
