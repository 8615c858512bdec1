/** Security settings of the Electron layer: the app origin, the CSP, the window's web preferences. */
import type { WebPreferences } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'helmlink';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** CSP of every page: our own scripts only, no network from the renderer (main does all networking). */
export const ELECTRON_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Mantine injects CSS variables at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Web preferences of the console window (Electron security checklist). */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: !process.env.HELMLINK_DISABLE_DEVTOOLS,
  };
}
