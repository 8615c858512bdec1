import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { RequestOf, SettingsView } from '@helmlink/app-preload';
import { PALETTES, type Palette } from '../theme';
import { api, call } from '../api/current';
import { friendlyError, type FriendlyError } from '../logic/errors';

/** The palette (also remembered in the page's localStorage so the first paint is right) and main's settings. */
export interface SettingsState {
  palette: Palette;
  /** Settings held by main (non-secret), null until loaded. */
  server: SettingsView | null;
  saving: boolean;
  error: FriendlyError | null;
}

const STORAGE_KEY = 'helmlink.palette';

/** Minimal storage interface so tests can pass a Map-backed store. */
export interface PreferenceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

let storage: PreferenceStorage | undefined = typeof localStorage === 'undefined' ? undefined : localStorage;

function initialPalette(): Palette {
  const saved = storage?.getItem(STORAGE_KEY);
  return (PALETTES as readonly string[]).includes(saved ?? '') ? (saved as Palette) : 'dark';
}

export const settingsStore = createStore<SettingsState>(() => ({
  palette: initialPalette(),
  server: null,
  saving: false,
  error: null,
}));

/** React hook over the settings store. */
export function useSettings<T>(selector: (s: SettingsState) => T): T {
  return useStore(settingsStore, selector);
}

/** Uses `s` for persistence (tests) and reloads the saved palette from it. */
export function bindSettingsStorage(s: PreferenceStorage | undefined): void {
  storage = s;
  settingsStore.setState({ palette: initialPalette() });
}

function setLocalPalette(palette: Palette): void {
  settingsStore.setState({ palette });
  storage?.setItem(STORAGE_KEY, palette);
}

/** Switches the palette, remembers it locally and saves it in main's settings. */
export function setPalette(palette: Palette): void {
  if (!PALETTES.includes(palette)) throw new TypeError(`unknown palette: ${String(palette)}`);
  setLocalPalette(palette);
  if (settingsStore.getState().server?.theme !== palette) void updateSettings({ theme: palette });
}

/** Applies settings loaded or pushed from main (a stored light/dark/night theme wins over the local one). */
export function applySettings(server: SettingsView): void {
  settingsStore.setState({ server });
  if ((PALETTES as readonly string[]).includes(server.theme)) setLocalPalette(server.theme as Palette);
}

/** Loads main's settings. */
export async function loadSettings(): Promise<void> {
  try {
    applySettings(await call(api().settings.get()));
  } catch (err) {
    settingsStore.setState({ error: friendlyError(err) });
  }
}

/** Saves a settings change in main. Resolves true on success. */
export async function updateSettings(patch: RequestOf<'settings.update'>): Promise<boolean> {
  settingsStore.setState({ saving: true, error: null });
  try {
    applySettings(await call(api().settings.update(patch)));
    return true;
  } catch (err) {
    settingsStore.setState({ error: friendlyError(err) });
    return false;
  } finally {
    settingsStore.setState({ saving: false });
  }
}

/** Cycles light → dark → night → light (keyboard shortcut). */
export function cyclePalette(): Palette {
  const i = PALETTES.indexOf(settingsStore.getState().palette);
  const next = PALETTES[(i + 1) % PALETTES.length]!;
  setPalette(next);
  return next;
}
