/**
 * Electron main process: a thin layer over the plain-Node services. Windows, lifecycle, menu, the app:// scheme,
 * the IPC wiring and the security guards; nothing here has behaviour worth testing outside Electron.
 *
 * Guards: sandboxed renderer with context isolation and no Node; content only from app://helmlink; navigation,
 * redirects, new windows and <webview> denied; every permission request denied; the renderer may not open any
 * network connection (main does all networking); certificate errors are never overridden (no
 * `certificate-error` handler, so Chromium's default rejection stands); a single instance.
 */
import { BrowserWindow, app, session } from 'electron';
import { join } from 'node:path';
import { ipcEventChannel } from '@helmlink/app-preload';
import { createConsoleServices, type ConsoleServices } from '../services';
import { createHandlers } from '../ipc/handlers';
import { IpcRouter } from '../ipc/router';
import { registerIpcHandlers, removeLibraryIpcListeners } from './ipc-main';
import { handleAppScheme, registerAppScheme } from './app-protocol';
import { installMenu } from './menu';
import { createElectronSettingsStore } from './settings-store';
import { APP_ORIGIN } from './security';
import { rendererCsp } from '../static/renderer-assets';

app.setName('Helmlink');
app.enableSandbox();
registerAppScheme();

/** CSP of every page: our own scripts only, no network from the renderer (main does all networking). */
const CSP = rendererCsp([]);

let mainWindow: BrowserWindow | null = null;
let services: ConsoleServices | null = null;

/** Renderer files next to the bundle: app/main/dist/main.cjs → app/renderer/dist. */
const rendererDir = join(__dirname, '..', '..', 'renderer', 'dist');

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Helmlink',
    backgroundColor: '#1f1f1f',
    // Written out literally (not built by a helper) so reviewers and electronegativity see every flag here.
    webPreferences: {
      // The preload is reviewed glue: one frozen contextBridge object, no ipcRenderer exposed (app/preload/src/preload.ts).
      preload: join(__dirname, 'preload.cjs'), // eng-disable PRELOAD_JS_CHECK
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
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

function guardWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

function guardSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // The renderer never talks to the network: only app:// (and devtools) requests pass.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = details.url.startsWith(`${APP_ORIGIN}/`) || details.url.startsWith('devtools://');
    callback({ cancel: !allowed });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
}

async function start(): Promise<void> {
  guardWebContents();
  guardSession();
  handleAppScheme(rendererDir, CSP);
  installMenu();
  services = await createConsoleServices({
    dataDir: app.getPath('userData'),
    settingsStore: createElectronSettingsStore(),
  });
  removeLibraryIpcListeners();
  const router = new IpcRouter(createHandlers(services), services.logger);
  registerIpcHandlers(router, { webContentsId: () => mainWindow?.webContents.id, appOrigin: APP_ORIGIN });
  services.events.subscribe((event, payload) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(ipcEventChannel(event), payload);
  });
  // The services honour the autoConnect setting themselves (at start and whenever the identity becomes ready).
  mainWindow = createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!mainWindow && services) mainWindow = createWindow();
  });
  app.on('before-quit', () => {
    void services?.close();
  });
  app.whenReady().then(start, (err: unknown) => {
    console.error('helmlink: the console failed to start:', err);
    app.exit(1);
  });
}
