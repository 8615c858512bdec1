/**
 * The full system with real Mosquitto: the demo topology on free ports, and Debian's Chromium driving the operator
 * console through its loopback web bridge. A new pilot (also an admin) enrolls through the wizard, sees the fleet
 * overview with the ships as certified, switches streams on two vessels (verified acks with round-trip time, state
 * change, data indicators stop and start), runs axe-core on live data in every palette, sees a refused command's
 * reason in the ship's own words once (toggle snapped back; history and audit name vessel, streams and zone), sees
 * a locked key and a wrong passphrase where it acted and the console reconnect after unlocking, revokes a vessel
 * (cut off from the broker) and finally revokes itself (warned first; then everything is stale and nothing can be
 * sent). The steps share one browser session and run in order.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateToPem, certificatesToPem } from '@helmlink/protocol';
import { DEMO_VESSELS, startTopology, type Topology } from '@helmlink/cli/demo';
import { testIds } from '@helmlink/app-renderer/testids';
import {
  brokerAdmits,
  connectToBroker,
  enrollThroughWizard,
  launchChromium,
  openFleet,
  revokeInPkiTab,
  sendStreams,
  PALETTE_NAMES,
  describeViolations,
  openVessel,
  runAxe,
  setPalette,
  step,
  tid,
  until,
  waitFor,
  waitForFlow,
  waitForState,
} from './src';

const [nordic, skagen, wadden] = DEMO_VESSELS as [
  (typeof DEMO_VESSELS)[number],
  (typeof DEMO_VESSELS)[number],
  (typeof DEMO_VESSELS)[number],
];
const PILOT = 'pilot-e2e';

let dir: string;
let topology: Topology;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'helmlink-e2e-console-'));
  topology = await startTopology({
    dataDir: dir,
    broker: 'mosquitto',
    console: { enroll: false },
    simulateIntervalMs: 200,
    aclPollMs: 200,
  });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(topology.urls.console!);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await topology?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('operator console over the web bridge, real Mosquitto', { timeout: 90_000 }, () => {
  it('runs Mosquitto and serves the console on loopback', () => {
    expect(topology.broker.kind).toBe('mosquitto');
    expect(topology.urls.console).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/u);
  });

  it('enrolls a pilot (also an admin) through the wizard and connects to the broker', async () => {
    const { token } = topology.createToken({ entityId: PILOT, roles: ['pilot', 'admin'], ttlSeconds: 600 });
    await enrollThroughWizard(page, {
      caUrl: topology.urls.ca,
      rootFingerprint: topology.identities.rootFingerprint,
      entityId: PILOT,
      token,
      brokerUrl: topology.urls.mqtt,
      passphrase: 'correct horse battery staple',
    });
    // The broker's access control follows the CA store (its dynamic-security state): the new pilot is in it
    // before connecting.
    await topology.syncBroker();
    const dynsec = JSON.parse(readFileSync(join(dir, 'broker', 'dynamic-security.json'), 'utf8')) as {
      clients: { username: string }[];
    };
    expect(dynsec.clients.map((c) => c.username)).toContain(PILOT);
    await connectToBroker(page);
    await openFleet(
      page,
      DEMO_VESSELS.map((v) => v.id),
    );
    // The header says connected only now, with the TLS version; the overview names the ships as certified.
    await waitFor(page, testIds.connectionBadge, { 'data-state': 'connected' });
    expect(await page.getByTestId(testIds.connectionBadge).textContent()).toMatch(/connected · TLSv1\.3/u);
    for (const v of DEMO_VESSELS) {
      const row = (await page.getByTestId(testIds.fleetRow(v.id)).textContent()) ?? '';
      for (const fact of [v.name, v.imo, v.mmsi, v.flag]) expect(row).toContain(fact);
    }
  });

  it('switches a camera off and on again: verified acks with round-trip time, state and data indicators follow', async () => {
    await waitForFlow(page, nordic.id, 'CAM-BOW', true);
    const off = await sendStreams(page, nordic.id, { 'CAM-BOW': false });
    expect(off.status).toBe('applied');
    expect(off.rttMs).toBeGreaterThan(0);
    await waitForState(page, nordic.id, 'CAM-BOW', false);
    await waitForFlow(page, nordic.id, 'CAM-BOW', false);
    expect(topology.vessels.get(nordic.id)!.state.off).toContain(
      nordic.catalog.streams.find((s) => s.id === 'CAM-BOW')!.address,
    );

    const on = await sendStreams(page, nordic.id, { 'CAM-BOW': true });
    expect(on.status).toBe('applied');
    await waitForState(page, nordic.id, 'CAM-BOW', true);
    await waitForFlow(page, nordic.id, 'CAM-BOW', true);
  });

  it('switches several streams on a second vessel, confirming a navigation-critical one', async () => {
    await waitForFlow(page, skagen.id, 'CAM-BRIDGE', true);
    const r = await sendStreams(page, skagen.id, { 'CAM-BRIDGE': false, TGTD: false });
    expect(r.status).toBe('applied');
    await waitForState(page, skagen.id, 'CAM-BRIDGE', false);
    await waitForState(page, skagen.id, 'TGTD', false);
    await waitForFlow(page, skagen.id, 'CAM-BRIDGE', false);
    await waitForFlow(page, skagen.id, 'TGTD', false);
    // Untouched streams keep flowing.
    await waitForFlow(page, skagen.id, 'NAVD', true);
  });

  it('the overview and a stream panel pass axe-core in Light, Dark and Night with live data', async () => {
    await openVessel(page, skagen.id);
    const problems: string[] = [];
    for (const palette of PALETTE_NAMES) {
      await setPalette(page, palette);
      problems.push(describeViolations(`fleet/${palette}`, await runAxe(page)));
    }
    await setPalette(page, 'dark');
    expect(problems.filter(Boolean)).toEqual([]);
  });

  it('shows the reason of a command the vessel rejects, and keeps the state', async () => {
    const r = await sendStreams(page, skagen.id, { VDRD: false });
    expect(r.status).toBe('rejected');
    expect(r.reasonCode).toBe('ERR_HOOK_REJECTED');
    expect(r.reasonText).toBeTruthy();
    // The ship's own words, once in the card.
    const words = 'the voyage data recorder feed (VDRD) must stay on';
    expect(r.reasonText).toContain(words);
    await step(page, 'rejected-state-kept', async () => {
      // The toggle snaps back to the verified state by itself: nothing left to send or discard.
      await waitForState(page, skagen.id, 'VDRD', true);
      expect(await page.getByTestId(testIds.reset(skagen.id)).isDisabled()).toBe(true);
      expect(await page.getByTestId(testIds.send(skagen.id)).isDisabled()).toBe(true);
      const card = await page.getByTestId(testIds.streamPanel(skagen.id)).evaluate((el) => {
        const copy = el.cloneNode(true) as HTMLElement;
        copy.querySelector('details')?.remove();
        return copy.textContent ?? '';
      });
      expect(card.split(words).length - 1).toBe(1);
      await waitFor(page, testIds.fleetRow(skagen.id), { 'data-status': 'rejected' });
    });
    await waitForFlow(page, skagen.id, 'VDRD', true);
    await step(page, 'rejected-in-history-and-audit', async () => {
      const history = page.getByTestId(testIds.history(skagen.id));
      await history.locator('summary').click();
      expect(await history.textContent()).toContain('VDRD off');
      await page.getByTestId(testIds.nav('audit')).click();
      await page.getByTestId(testIds.auditSearch).fill('ERR_HOOK_REJECTED');
      const row = page.locator(`${tid(testIds.auditRow)}[data-verdict="rejected"]`).first();
      await row.waitFor({ state: 'attached', timeout: 30_000 });
      const text = (await row.textContent()) ?? '';
      for (const part of [skagen.name, 'VDRD off', words]) expect(text).toContain(part);
      expect(text).toMatch(/UTC[+-]\d\d:\d\d/u);
      await page.getByTestId(testIds.auditSearch).fill('no-such-entry-anywhere');
      await waitFor(page, testIds.auditEmpty);
      await page.getByTestId(testIds.nav('fleet')).click();
    });
  });

  it('shows formerly silent failures where the pilot acted: locked key, wrong passphrase; auto-connect after unlock', async () => {
    await step(page, 'lock-and-disconnect', async () => {
      await page.getByTestId(testIds.nav('identity')).click();
      await page.getByRole('button', { name: 'Lock key' }).click();
      await waitFor(page, testIds.unlockCard);
      expect(await page.locator(tid(testIds.unlockCard)).count()).toBe(1);
      await page.getByTestId(testIds.nav('connection')).click();
      await page.getByTestId(testIds.connectionDisconnect).click();
      await waitFor(page, testIds.disconnectDialog);
      await page.getByTestId(testIds.disconnectConfirm).click();
      await waitFor(page, testIds.connectionState, { 'data-state': 'disconnected' });
    });
    await step(page, 'connect-while-locked', async () => {
      await page.getByTestId(testIds.nav('fleet')).click();
      await waitFor(page, testIds.fleetRow(nordic.id), { 'data-status': 'stale' });
      expect(await page.getByTestId(testIds.connectionBadge).textContent()).not.toMatch(/: connected/u);
      await page.getByTestId(testIds.brokerDownBanner).getByRole('button', { name: 'Connect' }).click();
      await waitFor(page, testIds.brokerConnectError, { 'data-code': 'ERR_IDENTITY_LOCKED' });
    });
    await step(page, 'wrong-passphrase-on-fleet-tab', async () => {
      await page.getByTestId(testIds.unlockPassphrase).fill('not the passphrase');
      await page.getByTestId(testIds.unlockSubmit).click();
      await waitFor(page, testIds.unlockPassphrase, { 'data-error-code': 'ERR_KEY_DECRYPT' });
    });
    await step(page, 'unlock-auto-connects', async () => {
      await page.getByTestId(testIds.unlockPassphrase).fill('correct horse battery staple');
      await page.getByTestId(testIds.unlockSubmit).click();
      await page.waitForSelector(tid(testIds.unlockCard), { state: 'detached', timeout: 30_000 });
      await waitFor(page, testIds.connectionBadge, { 'data-state': 'connected' });
      await openFleet(page, [nordic.id, skagen.id]);
    });
  });

  it('revokes a vessel in the PKI tab: the broker cuts it off and refuses it', async () => {
    const handle = topology.vessels.get(wadden.id)!;
    const serial = handle.identity.certificate.serialNumber.toLowerCase();
    const id = {
      keyPem: handle.identity.tlsKeyPem,
      chainPem: certificatesToPem(handle.identity.chain),
      rootPem: certificateToPem(handle.identity.root),
    };
    await revokeInPkiTab(page, serial, 'e2e: vessel key compromised');
    await topology.syncBroker();
    await until(() => !handle.connected, 'the revoked vessel to be disconnected');
    expect(await brokerAdmits(topology.urls.mqtt, id, 'probe-revoked-vessel', 5)).toBe(false);
    // The console learns the new CRL (retained on the broker) and says so where the pilot looks: the vessel's row
    // is no longer verified, its panel names the revocation, and nothing can be sent to it.
    await step(page, 'vessel-revoked-words', async () => {
      await page.getByTestId(testIds.nav('fleet')).click();
      await waitFor(page, testIds.fleetRow(wadden.id), { 'data-status': 'unverified' });
      await openVessel(page, wadden.id);
      await waitFor(page, testIds.vesselUnverified(wadden.id), { 'data-code': 'ERR_CHAIN_REVOKED' });
      expect(await page.getByTestId(testIds.vesselUnverified(wadden.id)).innerText()).toMatch(/revoked/iu);
      expect(await page.getByTestId(testIds.send(wadden.id)).isDisabled()).toBe(true);
    });
  });

  it('revokes the pilot itself: the broker refuses it and its next command is not delivered', async () => {
    const serial = topology.ca.authority
      .listCertificates({ role: 'pilot', status: 'valid' })
      .find((c) => c.entityId === PILOT)!.serial;
    await revokeInPkiTab(page, serial, 'e2e: pilot left the company', true);
    expect(topology.ca.authority.getCertificate(serial).status).toBe('revoked');
    await topology.syncBroker();
    await step(page, 'pilot-cut-off', async () => {
      await page.getByTestId(testIds.nav('connection')).click();
      await page.waitForSelector(`${'[data-testid="connection-state"]'}:not([data-state="connected"])`, {
        timeout: 30_000,
      });
      await page.getByTestId(testIds.nav('fleet')).click();
      await waitFor(page, testIds.fleetRow(nordic.id));
    });
    // Nothing stays "Connected" or "verified": the rows are stale with the reason, and nothing can be sent.
    await step(page, 'pilot-stale', async () => {
      await waitFor(page, testIds.fleetRow(nordic.id), { 'data-status': 'stale' });
      expect(await page.getByTestId(testIds.connectionBadge).getAttribute('data-state')).not.toBe(
        'connected',
      );
      await page.getByTestId(testIds.fleetRow(nordic.id)).click();
      await waitFor(page, testIds.staleBanner);
      expect(await page.getByTestId(testIds.send(nordic.id)).isDisabled()).toBe(true);
      expect(await page.getByTestId(testIds.toggle(nordic.id, 'CAM-BOW')).isDisabled()).toBe(true);
    });
    expect(topology.vessels.get(nordic.id)!.state.on).toContain(
      nordic.catalog.streams.find((s) => s.id === 'CAM-BOW')!.address,
    );
  });

  it('logs out: the session ends everywhere, a reload finds no session, and only a new link opens the console', async () => {
    await step(page, 'logout', async () => {
      await page.getByTestId(testIds.logoutButton).click();
      await waitFor(page, testIds.bridgeEndedBanner);
    });
    expect(await page.evaluate(() => sessionStorage.getItem('helmlink.bridgeSession'))).toBeNull();
    // The page path of the ended session is closed too.
    const response = await page.reload();
    expect(response?.status()).toBe(403);
    await page.goto(topology.console!.newTokenUrl());
    await step(page, 'new link', () => waitFor(page, testIds.appShell));
  });
});
