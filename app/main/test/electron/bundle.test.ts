/**
 * Built and packaged, without the Electron binary (it cannot be downloaded here). One build shared by both parts,
 * since they read the same app/main/dist.
 *
 * Bundles: the esbuild bundles of the Electron layer, loaded with a recording stand-in for `electron` (the binary cannot be
 * downloaded here): the sandboxed preload exposes one frozen, feature-grouped object and nothing generic; the main
 * process enables the sandbox, registers the app:// scheme, opens the window with the secure preferences, denies
 * permissions, navigation, new windows and renderer network access, registers exactly the contract's channels (and
 * no library IPC listener), refuses foreign senders and bad payloads, and serves the renderer with the CSP.
 *
 * Packaging: electron-builder.yml exercised offline — electron-builder packs `--linux dir` with a stand-in Electron
 * binary carrying a fuse wire. Checks what ships in app.asar (bundles, renderer, the keychain addon; no sources, no
 * maps) and that the fuses come out flipped as configured.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { CHANNEL_NAMES, ipcChannel } from '@helmlink/app-preload';
import { assertRendererBuilt } from '../../src/static/renderer-dir';
import { tempDir } from '../helpers/console';

const repo = fileURLToPath(new URL('../../../..', import.meta.url));
const dist = join(repo, 'app', 'main', 'dist');
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// @electron/fuses FuseV1Options order.
const FUSES = [
  'RunAsNode',
  'EnableCookieEncryption',
  'EnableNodeOptionsEnvironmentVariable',
  'EnableNodeCliInspectArguments',
  'EnableEmbeddedAsarIntegrityValidation',
  'OnlyLoadAppFromAsar',
  'LoadBrowserProcessSpecificV8Snapshot',
  'GrantFileProtocolExtraPrivileges',
];
let out: string;
let files: string[];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let run_: any;

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(repo, 'app', 'main', 'build.mjs'), '--quiet'], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`bundling failed: ${build.stderr}`);
  // The renderer comes from the build (`npm test` runs `npm run build:renderer` first).
  assertRendererBuilt();
  const run = spawnSync(
    process.execPath,
    [fileURLToPath(new URL('../fixtures/electron-stub-run.mjs', import.meta.url)), dist, tempDir()],
    {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, HELMLINK_LOG_LEVEL: 'silent', DBUS_SESSION_BUS_ADDRESS: '' },
      timeout: 60_000,
    },
  );
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`the bundles did not run: ${run.stderr.slice(-2000)}`);
  run_ = JSON.parse(line.slice(7));
  const fake = tempDir('helmlink-fake-electron-');
  // Every fuse starts in Electron's default state (RunAsNode, NODE_OPTIONS, --inspect on; ASAR checks off).
  writeFileSync(
    join(fake, 'electron'),
    Buffer.concat([
      Buffer.from('#!/bin/sh\n'),
      Buffer.from(SENTINEL),
      Buffer.from([1, 9]),
      Buffer.from('101100101'),
      Buffer.alloc(8),
    ]),
  );
  chmodSync(join(fake, 'electron'), 0o755);
  writeFileSync(join(fake, 'version'), '41.7.1');
  writeFileSync(join(fake, 'LICENSE'), '');
  mkdirSync(join(fake, 'resources'));
  out = tempDir('helmlink-eb-out-');
  const r = spawnSync(
    process.execPath,
    [
      join(repo, 'node_modules/electron-builder/cli.js'),
      '--linux',
      'dir',
      '--config',
      'electron-builder.yml',
      '--publish',
      'never',
      `-c.electronDist=${fake}`,
      `-c.directories.output=${out}`,
    ],
    { cwd: repo, encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0)
    throw new Error(`electron-builder failed: ${r.stdout.slice(-1500)} ${r.stderr.slice(-1500)}`);
  const asar = createRequire(import.meta.url)('@electron/asar') as { listPackage(p: string): string[] };
  files = asar.listPackage(join(out, 'linux-unpacked/resources/app.asar'));
}, 240_000);

describe('preload bundle', () => {
  it('requires only electron and exposes one frozen object grouped by feature, with no generic invoke', () => {
    expect(run_.preload).toMatchObject({
      required: ['electron'],
      exposedKeys: ['helmlink'],
      frozen: true,
      groups: ['app', 'audit', 'commands', 'fleet', 'identity', 'pki', 'settings'],
      hasGenericInvoke: false,
    });
  });

  it('maps each method to its own channel and hands listeners the payload only', () => {
    expect(run_.preload.invoked).toEqual([
      ['helmlink:commands.send', { vesselId: 'MV-1', on: [], off: [] }],
      ['helmlink:identity.status', {}],
    ]);
    expect(run_.preload.eventPayload).toEqual({ commandId: 'c1' });
    expect(run_.preload.listenerRemoved).toBe(true);
  });
});

describe('main bundle', () => {
  it('enables the sandbox, registers app:// and loads the app from it into a secure window', () => {
    expect(run_.main.sandboxEnabled).toBe(true);
    expect(run_.main.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true } }]);
    expect(run_.main.loaded).toEqual(['app://helmlink/index.html']);
    expect(run_.main.webPreferences).toMatchObject({
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
    expect(run_.main.menu).toBe(true);
  });

  it('denies permissions, navigation, new windows and renderer network access', () => {
    expect(run_.main).toMatchObject({
      permissionGranted: false,
      permissionCheck: false,
      cancelRemote: true,
      cancelApp: false,
      navigationPrevented: true,
      windowOpen: { action: 'deny' },
    });
  });

  it('registers exactly the contract channels and no library IPC listener', () => {
    expect(run_.main.channels).toEqual(CHANNEL_NAMES.map(ipcChannel).sort());
    expect(run_.main.foreignIpcListeners).toEqual([]);
  });

  it('answers our window, refuses another webContents and a bad payload', () => {
    expect(run_.main.ownFrame).toMatchObject({ ok: true, value: { transport: 'electron' } });
    expect(run_.main.foreignFrame).toMatchObject({ ok: false, error: { code: 'ERR_IPC_SENDER_FORBIDDEN' } });
    expect(run_.main.badPayload).toMatchObject({ ok: false, error: { code: 'ERR_IPC_PAYLOAD_INVALID' } });
  });

  it('serves the renderer over app:// with the CSP, and nothing from other hosts or outside the renderer', () => {
    expect(run_.main.index.status).toBe(200);
    expect(run_.main.index.csp).toContain("default-src 'none'");
    expect(run_.main.index.csp).toContain("connect-src 'none'");
    expect(run_.main.otherHost).toBe(404);
    expect(run_.main.traversal).toBe(404);
  });
});

describe('electron-builder packaging', () => {
  it('ships the bundles, the renderer and the keychain addon, and nothing else of the repository', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '/package.json',
        '/app/main/dist/main.cjs',
        '/app/main/dist/preload.cjs',
        '/app/renderer/dist/index.html',
      ]),
    );
    expect(files.some((f) => /\/app\/main\/dist\/node_modules\/@napi-rs\/keyring\/index\.js$/u.test(f))).toBe(
      true,
    );
    expect(files.some((f) => f.endsWith('.node'))).toBe(true);
    expect(
      files.filter((f) => /\.(ts|tsx|map)$/u.test(f) || f.includes('/src/') || f.includes('/test/')),
    ).toEqual([]);
    const asar = createRequire(import.meta.url)('@electron/asar') as {
      extractFile(a: string, f: string): Buffer;
    };
    const pkg = JSON.parse(
      asar.extractFile(join(out, 'linux-unpacked/resources/app.asar'), 'package.json').toString(),
    ) as { main: string };
    expect(pkg.main).toBe('app/main/dist/main.cjs');
  });

  it('flips the Electron fuses as configured', () => {
    const bin = readFileSync(join(out, 'linux-unpacked/helmlink'));
    const at = bin.indexOf(SENTINEL) + SENTINEL.length;
    const wire = bin.subarray(at + 2, at + 2 + FUSES.length).toString('latin1');
    const state = Object.fromEntries(FUSES.map((name, i) => [name, wire[i] === '1']));
    expect(state).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      LoadBrowserProcessSpecificV8Snapshot: false,
      GrantFileProtocolExtraPrivileges: false,
    });
  });

  it('declares the Linux installers, desktop entry and package metadata that only the online build produces', () => {
    const yaml = createRequire(join(repo, 'node_modules', 'electron-builder', 'package.json'))('js-yaml') as {
      load(t: string): unknown;
    };
    const config = yaml.load(readFileSync(join(repo, 'electron-builder.yml'), 'utf8')) as {
      appId: string;
      productName: string;
      directories: { buildResources: string };
      linux: { target: string[]; category: string; icon: string; synopsis: string; maintainer: string };
      deb: { depends: string[] };
      win: { target: string[] };
      mac: { target: string[]; hardenedRuntime: boolean };
    };
    expect(config.appId).toBe('org.helmlink.console');
    expect(config.productName).toBe('Helmlink');
    // The .desktop entry electron-builder writes for deb and AppImage: Name, Comment, Categories, Icon.
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Utility');
    expect(config.linux.synopsis.length).toBeGreaterThan(10);
    expect(config.linux.maintainer).toMatch(/<[^@>]+@[^>]+>/u);
    expect(config.linux.icon).toBe('resources/icons');
    expect(config.deb.depends).toEqual(expect.arrayContaining(['libsecret-1-0']));
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac).toMatchObject({ target: ['dmg'], hardenedRuntime: true });
  });

  it('generates the icon set electron-builder takes (square PNGs from one description)', async () => {
    const { renderPng, renderSvg } = (await import(join(repo, 'resources', 'generate-icons.mjs'))) as {
      renderPng(size: number): Buffer;
      renderSvg(): string;
    };
    for (const size of [16, 48, 256]) {
      const png = renderPng(size);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      // IHDR: width and height, big-endian, at bytes 16 and 20.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
    expect(renderSvg()).toMatch(/<svg[^>]+viewBox/u);
    expect(readFileSync(join(repo, 'resources', 'icon.svg'), 'utf8')).toBe(renderSvg());
  });
});
