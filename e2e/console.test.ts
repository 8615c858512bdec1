/**
 * The full system with real Mosquitto: the demo topology on free ports, and Debian's Chromium driving the operator
 * console through its loopback web bridge. A new pilot (also an admin) enrolls through the wizard, switches streams
 * on two vessels (verified acks with round-trip time, state change, data indicators stop and start), sees a
 * refused command's reason, revokes a vessel (cut off from the broker) and finally revokes itself (its next command
 * cannot be delivered). The steps share one browser session and run in order.
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
  step,
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
    // The broker's ACL follows the CA store; make sure the new pilot is in it before connecting.
    await topology.syncBroker();
    expect(readFileSync(join(dir, 'broker', 'acl'), 'utf8')).toContain(`user ${PILOT}\n`);
    await connectToBroker(page);
    await openFleet(
      page,
      DEMO_VESSELS.map((v) => v.id),
    );
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

  it('shows the reason of a command the vessel rejects, and keeps the state', async () => {
    const r = await sendStreams(page, skagen.id, { VDRD: false });
    expect(r.status).toBe('rejected');
    expect(r.reasonCode).toBe('ERR_HOOK_REJECTED');
    expect(r.reasonText).toBeTruthy();
    await step(page, 'rejected-state-kept', async () => {
      await page.getByTestId(testIds.reset(skagen.id)).click();
      await waitForState(page, skagen.id, 'VDRD', true);
    });
    await waitForFlow(page, skagen.id, 'VDRD', true);
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
      await waitFor(page, testIds.vesselCard(nordic.id));
    });
    const r = await sendStreams(page, nordic.id, { 'CAM-BOW': false });
    expect(r.status).toBe('failed');
    expect(r.reasonText).toMatch(/not connected/iu);
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
