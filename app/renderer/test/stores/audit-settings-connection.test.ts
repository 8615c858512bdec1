import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry, SettingsView } from '@helmlink/app-preload';
import { bindApi } from '../../src/api/current';
import { applyAuditEntry, auditStore, exportAudit, searchAudit } from '../../src/stores/audit';
import { bindSettingsStorage, cyclePalette, setPalette, settingsStore, loadSettings } from '../../src/stores/settings';
import { connectBroker, connectionStore, loadConnection, setBridgeState } from '../../src/stores/connection';
import { createTestApi, type TestApi } from '../support/test-api';

let t: TestApi;
const entry = (id: number, vesselId: string, verdict: string): AuditEntry => ({
  id,
  at: '2026-11-22T02:00:00.000Z',
  kind: 'ack.verified',
  vesselId,
  commandId: `c${id}`,
  actor: 'pilot-7',
  verdict,
  code: null,
  message: null,
  token: null,
  rttMs: 12,
});
const settings = (theme: SettingsView['theme']): SettingsView => ({
  brokerUrl: null,
  caUrl: null,
  rootFingerprint: null,
  theme,
  commandTimeoutSeconds: 10,
  commandLifetimeSeconds: 30,
  autoRenew: true,
  expiryWarningDays: 14,
  confirmCriticalStreams: true,
  autoConnect: true,
});

beforeEach(() => {
  t = createTestApi();
  bindApi(t.api);
  auditStore.setState(auditStore.getInitialState(), true);
  connectionStore.setState(connectionStore.getInitialState(), true);
});

describe('audit store', () => {
  it('searches in main and keeps only the newest answer', async () => {
    const answers: Array<(v: unknown) => void> = [];
    t.handle('audit.search', () => new Promise((resolve) => answers.push(resolve as (v: unknown) => void)));
    const first = searchAudit('aurora');
    const second = searchAudit('borealis');
    answers[1]!({ ok: true, value: { entries: [entry(2, 'borealis', 'applied')], total: 1 } });
    answers[0]!({ ok: true, value: { entries: [entry(1, 'aurora', 'applied')], total: 1 } });
    await Promise.all([first, second]);
    expect(auditStore.getState().entries.map((e) => e.vesselId)).toEqual(['borealis']);
    expect(t.calls.map((c) => c.request)).toEqual([{ text: 'aurora', limit: 500 }, { text: 'borealis', limit: 500 }]);
  });

  it('prepends live entries that match the search', () => {
    auditStore.setState({ query: 'aurora' });
    applyAuditEntry(entry(3, 'aurora', 'rejected'));
    applyAuditEntry(entry(4, 'borealis', 'applied'));
    applyAuditEntry(entry(3, 'aurora', 'rejected'));
    expect(auditStore.getState().entries.map((e) => e.id)).toEqual([3]);
    expect(auditStore.getState().total).toBe(1);
  });

  it('exports the current search as JSON Lines from main', async () => {
    auditStore.setState({ query: ' rejected ' });
    t.ok('audit.export', { filename: 'audit.jsonl', jsonl: '{"id":1}\n', count: 1 });
    expect(await exportAudit()).toEqual({ filename: 'audit.jsonl', jsonl: '{"id":1}\n', count: 1 });
    expect(t.calls.at(-1)?.request).toEqual({ text: 'rejected' });
  });
});

describe('settings store', () => {
  it('remembers the palette locally and in main, and cycles light → dark → night', async () => {
    const mem = new Map<string, string>();
    bindSettingsStorage({ getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => void mem.set(k, v) });
    expect(settingsStore.getState().palette).toBe('dark');
    t.handle('settings.update', (req) => ({ ok: true, value: settings((req as { theme: SettingsView['theme'] }).theme) }));
    setPalette('night');
    expect(mem.get('helmlink.palette')).toBe('night');
    expect(t.calls.at(-1)).toEqual({ channel: 'settings.update', request: { theme: 'night' } });
    await Promise.resolve();
    expect(cyclePalette()).toBe('light');
    expect(cyclePalette()).toBe('dark');
    expect(() => setPalette('blue' as never)).toThrow(TypeError);
  });

  it('adopts a palette stored in main but keeps the local one for "system"', async () => {
    bindSettingsStorage(undefined);
    setPalette('light');
    t.ok('settings.get', settings('night'));
    await loadSettings();
    expect(settingsStore.getState().palette).toBe('night');
    t.ok('settings.get', settings('system'));
    await loadSettings();
    expect(settingsStore.getState().palette).toBe('night');
    expect(settingsStore.getState().server?.theme).toBe('system');
  });
});

describe('connection store', () => {
  it('loads the app info and broker status and connects', async () => {
    t.ok('app.info', { version: '0.1.0', contractVersion: 1, transport: 'web', platform: 'linux' });
    t.ok('fleet.connection', { state: 'disconnected', brokerUrl: 'mqtts://b:8883', since: null, tlsVersion: null, cipher: null, mqttVersion: null, broker: null, lastError: null });
    await loadConnection();
    expect(connectionStore.getState().transport).toBe('web');
    t.ok('fleet.connect', { state: 'connected', brokerUrl: 'mqtts://b:8883', since: null, tlsVersion: 'TLSv1.3', cipher: null, mqttVersion: 5, broker: null, lastError: null });
    await connectBroker();
    expect(connectionStore.getState().broker?.tlsVersion).toBe('TLSv1.3');
    expect(connectionStore.getState().busy).toBe(false);
  });

  it('records the bridge transport state', () => {
    setBridgeState('closed', 'socket closed (1006)');
    expect(connectionStore.getState()).toMatchObject({ transport: 'web', bridge: 'closed', bridgeDetail: 'socket closed (1006)' });
  });
});
