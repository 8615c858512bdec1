/**
 * The esbuild bundles of the Electron layer, loaded with a recording stand-in for `electron` (the binary cannot be
 * downloaded here): the sandboxed preload exposes one frozen, feature-grouped object and nothing generic; the main
 * process enables the sandbox, registers the app:// scheme, opens the window with the secure preferences, denies
 * permissions, navigation, new windows and renderer network access, registers exactly the contract's channels (and
 * no library IPC listener), refuses foreign senders and bad payloads, and serves the renderer with the CSP.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { CHANNEL_NAMES, ipcChannel } from '@helmlink/app-preload';
import { DEFAULT_RENDERER_DIR, ensureRendererBuilt } from '../../src/bridge/server';
import { tempDir } from '../helpers/console';

const repo = fileURLToPath(new URL('../../../..', import.meta.url));
const dist = join(repo, 'app', 'main', 'dist');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let out: any;

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(repo, 'app', 'main', 'build.mjs'), '--quiet'], { cwd: repo, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`bundling failed: ${build.stderr}`);
  ensureRendererBuilt(DEFAULT_RENDERER_DIR);
  const run = spawnSync(process.execPath, [fileURLToPath(new URL('../fixtures/electron-stub-run.mjs', import.meta.url)), dist, tempDir()], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, HELMLINK_LOG_LEVEL: 'silent', DBUS_SESSION_BUS_ADDRESS: '' },
    timeout: 60_000,
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`the bundles did not run: ${run.stderr.slice(-2000)}`);
  out = JSON.parse(line.slice(7));
}, 180_000);

describe('preload bundle', () => {
  it('requires only electron and exposes one frozen object grouped by feature, with no generic invoke', () => {
    expect(out.preload).toMatchObject({
      required: ['electron'],
      exposedKeys: ['helmlink'],
      frozen: true,
      groups: ['app', 'audit', 'commands', 'fleet', 'identity', 'pki', 'settings'],
      hasGenericInvoke: false,
    });
  });

  it('maps each method to its own channel and hands listeners the payload only', () => {
    expect(out.preload.invoked).toEqual([
      ['helmlink:commands.send', { vesselId: 'MV-1', on: [], off: [] }],
      ['helmlink:identity.status', {}],
    ]);
    expect(out.preload.eventPayload).toEqual({ commandId: 'c1' });
    expect(out.preload.listenerRemoved).toBe(true);
  });
});

describe('main bundle', () => {
  it('enables the sandbox, registers app:// and loads the app from it into a secure window', () => {
    expect(out.main.sandboxEnabled).toBe(true);
    expect(out.main.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true } }]);
    expect(out.main.loaded).toEqual(['app://helmlink/index.html']);
    expect(out.main.webPreferences).toMatchObject({
      preload: true,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(out.main.menu).toBe(true);
  });

  it('denies permissions, navigation, new windows and renderer network access', () => {
    expect(out.main).toMatchObject({
      permissionGranted: false,
      permissionCheck: false,
      cancelRemote: true,
      cancelApp: false,
      navigationPrevented: true,
      windowOpen: { action: 'deny' },
    });
  });

  it('registers exactly the contract channels and no library IPC listener', () => {
    expect(out.main.channels).toEqual(CHANNEL_NAMES.map(ipcChannel).sort());
    expect(out.main.foreignIpcListeners).toEqual([]);
  });

  it('answers our window, refuses another webContents and a bad payload', () => {
    expect(out.main.ownFrame).toMatchObject({ ok: true, value: { transport: 'electron' } });
    expect(out.main.foreignFrame).toMatchObject({ ok: false, error: { code: 'ERR_IPC_SENDER_FORBIDDEN' } });
    expect(out.main.badPayload).toMatchObject({ ok: false, error: { code: 'ERR_IPC_PAYLOAD_INVALID' } });
  });

  it('serves the renderer over app:// with the CSP, and nothing from other hosts or outside the renderer', () => {
    expect(out.main.index.status).toBe(200);
    expect(out.main.index.csp).toContain("default-src 'none'");
    expect(out.main.index.csp).toContain("connect-src 'none'");
    expect(out.main.otherHost).toBe(404);
    expect(out.main.traversal).toBe(404);
  });
});
