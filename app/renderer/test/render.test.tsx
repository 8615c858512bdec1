import { beforeEach, describe, expect, it } from 'vitest';
import { renderToString } from 'react-dom/server';
import { App } from '../src/App';
import { identityStore } from '../src/stores/identity';
import { applyVessels, fleetStore, selectVessel } from '../src/stores/fleet';
import { applyCommand, commandsStore } from '../src/stores/commands';
import { settingsStore, bindSettingsStorage } from '../src/stores/settings';
import { connectionStore } from '../src/stores/connection';
import { testIds } from '../src/testids';
import { command, connectionStatus, identityStatus, stream, vessel } from './support/test-api';

// zustand's hooks read `getInitialState()` as the server snapshot; a server render should show the seeded
// state instead, so each store's server snapshot is its current state here.
const stores = [identityStore, fleetStore, commandsStore, settingsStore, connectionStore] as const;
const initial = stores.map((s) => s.getInitialState());
beforeEach(() => {
  bindSettingsStorage(undefined);
  stores.forEach((s, i) => {
    (s as { setState(v: unknown, replace: true): void }).setState(initial[i], true);
    (s as { getInitialState: () => unknown }).getInitialState = () => s.getState();
  });
});

const has = (html: string, id: string): boolean => html.includes(`data-testid="${id}"`);

describe('render smoke check (server-side render, no DOM)', () => {
  it('shows the enrollment wizard on first run', () => {
    identityStore.setState({
      status: identityStatus({ state: 'none', entityId: null, roles: [], certificate: null }),
      custody: {
        keychain: { available: false, backend: null, reason: 'No Secret Service on the session bus.' },
        passphraseOnly: true,
      },
    });
    const html = renderToString(<App />);
    expect(has(html, testIds.wizard)).toBe(true);
    expect(has(html, testIds.wizardModeEnroll)).toBe(true);
    expect(has(html, testIds.wizardKeychainStatus)).toBe(true);
    expect(has(html, testIds.appShell)).toBe(false);
  });

  it('shows the fleet with toggles, rates, bandwidth, send and command status for a pilot; no PKI tab', () => {
    identityStore.setState({ status: identityStatus() });
    applyVessels([
      vessel('aurora', [stream('misc', 1, true), stream('tgtd', 2, true)]),
      vessel('borealis', [], {
        verified: false,
        unverified: { code: 'ERR_SIGNATURE_INVALID', message: 'bad', receivedAt: '2026-11-22T02:00:00.000Z' },
      }),
    ]);
    applyCommand(
      command('c1', 'aurora', 'rejected', { reason: { code: 'ERR_STREAM_UNKNOWN', message: 'unknown' } }),
    );
    selectVessel('aurora');
    const html = renderToString(<App />);
    for (const id of [
      testIds.appShell,
      testIds.fleetGrid,
      testIds.fleetRow('aurora'),
      testIds.fleetRow('borealis'),
      testIds.nav('fleet'),
      testIds.nav('settings'),
      testIds.paletteSelect,
      testIds.vesselCard('aurora'),
      testIds.toggle('aurora', 'misc'),
      testIds.toggle('aurora', 'tgtd'),
      testIds.rate('aurora', 'misc'),
      testIds.bandwidth('aurora'),
      testIds.pending('aurora'),
      testIds.send('aurora'),
      testIds.commandStatus('aurora'),
      testIds.commandReason('aurora'),
    ]) {
      expect(has(html, id), id).toBe(true);
    }
    // The stream panel opens for the selected vessel only.
    expect(has(html, testIds.vesselCard('borealis'))).toBe(false);
    selectVessel('borealis');
    expect(has(renderToString(<App />), testIds.vesselUnverified('borealis'))).toBe(true);
    expect(html).toContain('A stream is not in the vessel catalog.');
    expect(has(html, testIds.nav('pki'))).toBe(false);
  });

  it('shows the PKI tab to an admin and renders in the night palette', () => {
    settingsStore.setState({ palette: 'night' });
    identityStore.setState({ status: identityStatus({ roles: ['admin'], isAdmin: true }) });
    const html = renderToString(<App />);
    expect(has(html, testIds.nav('pki'))).toBe(true);
  });
});

describe('the header and the overview never say "connected" or "verified" falsely', () => {
  it('says the service link is lost and makes every row stale when the page loses the console service', () => {
    identityStore.setState({ status: identityStatus() });
    applyVessels([vessel('aurora', [stream('misc', 1, true)])]);
    connectionStore.setState({ transport: 'web', bridge: 'closed' });
    const html = renderToString(<App />);
    expect(html).toContain('Console service link lost');
    expect(html).not.toContain('Broker: connected');
    expect(html).toMatch(/data-testid="fleet-row-aurora"[^>]*data-status="stale"/u);
    expect(has(html, testIds.bridgeOfflineBanner)).toBe(true);
  });

  it('shows no red banner before the broker status is known, and a neutral one when simply disconnected', () => {
    identityStore.setState({ status: identityStatus() });
    applyVessels([vessel('aurora', [stream('misc', 1, true)])]);
    expect(has(renderToString(<App />), testIds.brokerDownBanner)).toBe(false);
    connectionStore.setState({
      broker: connectionStatus({
        state: 'disconnected',
        brokerUrl: null,
        tlsVersion: null,
        mqttVersion: null,
      }),
    });
    const html = renderToString(<App />);
    expect(html).toContain('Not connected to the broker');
    expect(html).not.toContain('the connection failed');
    expect(html).toMatch(/data-testid="connection-badge"[^>]*data-state="disconnected"/u);
  });
});
