/** The IPC router as Electron uses it, driven with fake IpcMainInvokeEvent objects. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, type ChannelName } from '@helmlink/app-preload';
import { IpcRouter, type Handlers } from '../../src/ipc/router';
import { createHandlers } from '../../src/ipc/handlers';
import { electronSenderContext, type IpcEventLike } from '../../src/ipc/electron-sender';
import { silentLogger } from '../../src/services/core/logger';
import { tempDir, testServices } from '../helpers/console';

const APP_ORIGIN = 'app://helmlink';
const WINDOW_ID = 7;
const expected = { webContentsId: () => WINDOW_ID, appOrigin: APP_ORIGIN };
const ownEvent: IpcEventLike = {
  sender: { id: WINDOW_ID },
  senderFrame: { url: 'app://helmlink/index.html', parent: null },
};

let services: Awaited<ReturnType<typeof testServices>>;
let router: IpcRouter;
const calls: string[] = [];

beforeAll(async () => {
  services = await testServices(tempDir(), new Date('2026-11-22T00:00:00Z'));
  const real = createHandlers(services);
  // Count every handler call, to prove refused requests never reach service code.
  const counted = Object.fromEntries(
    Object.entries(real).map(([name, fn]) => [
      name,
      (req: unknown, ctx: unknown) => (
        calls.push(name),
        (fn as (a: unknown, b: unknown) => unknown)(req, ctx)
      ),
    ]),
  ) as unknown as Handlers;
  router = new IpcRouter(counted, silentLogger);
});
afterAll(async () => services?.close());

const invoke = (channel: unknown, payload: unknown, event: IpcEventLike = ownEvent) =>
  router.invoke(channel, payload, electronSenderContext(event, expected));

describe('Electron sender check', () => {
  it('accepts the main frame of our window on the app origin', async () => {
    const r = await invoke('app.info', {});
    expect(r).toMatchObject({ ok: true, value: { transport: 'electron', contractVersion: 1 } });
    expect(calls).toContain('app.info');
  });

  it.each([
    [
      'another webContents',
      { sender: { id: 99 }, senderFrame: { url: 'app://helmlink/index.html', parent: null } },
    ],
    [
      'a subframe',
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'app://helmlink/index.html', parent: {} } },
    ],
    [
      'a page navigated to a remote origin',
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'https://evil.example/', parent: null } },
    ],
    [
      'a file:// page',
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'file:///tmp/x.html', parent: null } },
    ],
    [
      'a look-alike custom origin',
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'app://helmlink.evil/index.html', parent: null } },
    ],
    ['a destroyed frame', { sender: { id: WINDOW_ID }, senderFrame: null }],
  ])('refuses %s before any handler runs', async (_what, event) => {
    const before = calls.length;
    const r = await invoke('identity.status', {}, event as IpcEventLike);
    expect(r).toMatchObject({ ok: false, error: { code: 'ERR_IPC_SENDER_FORBIDDEN' } });
    expect(calls.length).toBe(before);
  });

  it('refuses every request while no window exists', async () => {
    const r = await router.invoke(
      'identity.status',
      {},
      electronSenderContext(ownEvent, { webContentsId: () => undefined, appOrigin: APP_ORIGIN }),
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'ERR_IPC_SENDER_FORBIDDEN' } });
  });
});

describe('payload validation', () => {
  it('refuses unknown channels (no generic invoke)', async () => {
    for (const channel of ['identity.signRaw', 'constructor', '__proto__', 42, null]) {
      expect(await invoke(channel, {})).toMatchObject({
        ok: false,
        error: { code: 'ERR_IPC_CHANNEL_UNKNOWN' },
      });
    }
  });

  it.each<[ChannelName, unknown]>([
    ['commands.send', { vesselId: 'MV-1', on: ['239.192.0.1:60001'] }],
    ['commands.send', { vesselId: 'MV/+', on: [], off: [] }],
    ['commands.send', { vesselId: 'MV-1', on: ['10.0.0.1:60001'], off: [] }],
    ['commands.send', { vesselId: 'MV-1', on: ['239.192.0.1:70000'], off: [] }],
    ['commands.send', { vesselId: 'MV-1', on: [], off: [], extra: true }],
    ['identity.unlock', { passphrase: '' }],
    [
      'identity.enroll',
      {
        caUrl: 'http://ca.example',
        rootFingerprint: 'ab'.repeat(32),
        token: 'tokentoken',
        entityId: 'p',
        custody: 'keychain',
      },
    ],
    [
      'identity.enroll',
      {
        caUrl: 'https://ca.example',
        rootFingerprint: 'xyz',
        token: 'tokentoken',
        entityId: 'p',
        custody: 'keychain',
      },
    ],
    [
      'identity.enroll',
      {
        caUrl: 'https://ca.example',
        rootFingerprint: 'ab'.repeat(32),
        token: 'tokentoken',
        entityId: 'p',
        custody: 'passphrase',
      },
    ],
    ['identity.remove', { confirm: false }],
    ['settings.update', { brokerUrl: 'mqtt://plain.example:1883' }],
    ['settings.update', { privateKey: 'x' }],
    ['pki.revoke', { serial: 'ab12', reasonCode: 8 }],
    ['pki.revoke', { serial: '../etc/passwd', reasonCode: 1 }],
    ['pki.createToken', { entityId: 'root', role: 'ca' }],
    ['audit.search', { limit: 100000 }],
    ['app.info', 'not an object'],
  ])('%s refuses %j with ERR_IPC_PAYLOAD_INVALID before the service runs', async (channel, payload) => {
    const before = calls.length;
    const r = await invoke(channel, payload);
    expect(r).toMatchObject({ ok: false, error: { code: 'ERR_IPC_PAYLOAD_INVALID' } });
    expect(r.ok ? [] : r.error.issues?.length).toBeGreaterThan(0);
    expect(calls.length).toBe(before);
  });

  it('normalises a typed fingerprint and passes coded service errors through', async () => {
    const r = await invoke('commands.send', { vesselId: 'MV-1', on: [], off: ['239.192.0.1:60001'] });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'ERR_NOT_CONNECTED', message: 'Not connected to the broker' },
    });
    const s = await invoke('settings.update', { rootFingerprint: 'AB:'.repeat(31) + 'AB', theme: 'night' });
    expect(s).toMatchObject({ ok: true, value: { rootFingerprint: 'ab'.repeat(32), theme: 'night' } });
  });

  it('answers the calls that used to fail silently with coded words the page can show', async () => {
    // Connect with no identity, and with no broker address set.
    expect(await invoke('fleet.connect', {})).toMatchObject({
      ok: false,
      error: { code: 'ERR_BROKER_NOT_SET', message: 'No broker address is set: enter it in Settings' },
    });
    expect(await invoke('identity.unlock', { passphrase: 'not the passphrase' })).toMatchObject({
      ok: false,
      error: { code: 'ERR_IDENTITY_MISSING', message: 'No identity is enrolled yet' },
    });
    // The app's time zone, so the page can name it next to times.
    const info = await invoke('app.info', {});
    expect(info.ok && info.value).toMatchObject({
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
  });

  it('has a handler for every channel of the contract', () => {
    expect(Object.keys(createHandlers(services)).sort()).toEqual([...CHANNEL_NAMES].sort());
  });
});
