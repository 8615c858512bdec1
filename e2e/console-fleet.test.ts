/**
 * The console page at fleet scale and in every palette, over a contract double (a generated fleet pushed as the
 * services push it; the page served by the real web bridge with its CSP): the 500-vessel overview (virtualised
 * grid, sorting, filtering, keyboard), axe-core on every screen in Light, Dark and Night, layouts at 1280×720 and
 * 420 px with nothing cut, the visual grammar, and each formerly silent failure shown where the pilot acted. The
 * full system (CA, Mosquitto, vessels) is console.test.ts.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testIds } from '@helmlink/app-renderer/testids';
import {
  PALETTE_NAMES,
  SCREENS,
  describeViolations,
  fixtureFleet,
  installFixtureApi,
  launchChromium,
  openScreen,
  runAxe,
  serveConsolePage,
  setPalette,
  tid,
  truncatedElements,
  waitFor,
  type FixtureData,
  type ServedPage,
} from './src';

let served: ServedPage;
let browser: Browser;

beforeAll(async () => {
  served = await serveConsolePage();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

/** A fresh page over `data` at a window size, on the fleet overview. */
async function openConsole(data: FixtureData, width = 1280, height = 720): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  await installFixtureApi(page, data);
  await page.goto(served.url());
  await waitFor(page, testIds.fleetGrid);
  return page;
}

const rowIndexOfFocus = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute('aria-rowindex') ?? null);

describe('fleet overview with 500 vessels', { timeout: 90_000 }, () => {
  let page: Page;
  const data = fixtureFleet(500);
  beforeAll(async () => {
    page = await openConsole(data);
  });
  afterAll(() => page?.close());

  it('lists every vessel in an ARIA grid but keeps only the rows in view in the DOM', async () => {
    await waitFor(page, testIds.fleetGrid, { 'data-rows': '500' });
    expect(await page.getAttribute(tid(testIds.fleetGrid), 'aria-rowcount')).toBe('501');
    const inDom = await page.locator(`${tid(testIds.fleetGrid)} [role="row"]`).count();
    expect(inDom).toBeGreaterThan(5);
    expect(inDom).toBeLessThan(40);
    const first = data.vessels
      .map((v) => v.identity.name!)
      .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))[0];
    await expect(
      page.locator(`${tid(testIds.fleetGrid)} [aria-rowindex="2"]`).textContent(),
    ).resolves.toContain(first);
  });

  it('fits every column at 1280×720 without scrolling sideways (the panel closed)', async () => {
    const [scroll, client] = await page
      .locator(tid(testIds.fleetGrid))
      .evaluate((el) => [el.scrollWidth, el.clientWidth] as const);
    expect(scroll).toBeLessThanOrEqual(client);
  });

  it('moves with the arrow keys, Home/End and Page Down, opens a vessel with Enter and closes it with Esc', async () => {
    await page.locator(`${tid(testIds.fleetGrid)} [aria-rowindex="2"]`).focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    expect(await rowIndexOfFocus(page)).toBe('5');
    await page.keyboard.press('End');
    expect(await rowIndexOfFocus(page)).toBe('501');
    await page.keyboard.press('Home');
    await page.keyboard.press('PageDown');
    expect(Number(await rowIndexOfFocus(page))).toBeGreaterThan(6);
    const id = (await page.evaluate(() => document.activeElement?.getAttribute('data-testid')))!.slice(
      'fleet-row-'.length,
    );
    await page.keyboard.press('Enter');
    await waitFor(page, testIds.streamPanel(id));
    await waitFor(page, testIds.fleetRow(id), { 'aria-selected': 'true' });
    await page.locator(tid(testIds.fleetRow(id))).focus();
    await page.keyboard.press('Escape');
    await page.waitForSelector(tid(testIds.streamPanel(id)), { state: 'detached' });
  });

  it('sorts by status (worst first) and by name both ways, and says so in aria-sort', async () => {
    await page.getByTestId(testIds.fleetSort('status')).click();
    await waitFor(page, testIds.fleetRow(data.vessels.find((v) => v.status === 'unverified')!.vesselId));
    expect(
      await page.locator(`${tid(testIds.fleetGrid)} [aria-rowindex="2"]`).getAttribute('data-status'),
    ).toBe('unverified');
    const header = page.locator(`${tid(testIds.fleetGrid)} [role="columnheader"][aria-sort="ascending"]`);
    expect(await header.textContent()).toContain('Status');
    await page.getByTestId(testIds.fleetSort('name')).click();
    await page.getByTestId(testIds.fleetSort('name')).click();
    expect(await page.locator('[role="columnheader"][aria-sort="descending"]').textContent()).toContain(
      'Vessel',
    );
    await page.getByTestId(testIds.fleetSort('name')).click();
  });

  it('filters by name, IMO, flag or status, and shows an empty state when nothing matches', async () => {
    const v = data.vessels[42]!;
    await page.getByTestId(testIds.fleetFilter).fill(v.identity.imo!);
    await waitFor(page, testIds.fleetGrid, { 'data-rows': '1' });
    await waitFor(page, testIds.fleetRow(v.vesselId));
    await page.getByTestId(testIds.fleetFilter).fill('no such vessel anywhere');
    await waitFor(page, testIds.fleetNoMatch);
    await page.getByRole('button', { name: 'Clear the filter' }).click();
    await waitFor(page, testIds.fleetGrid, { 'data-rows': '500' });
  });

  it('shows every state of the grammar with icon and words, and counts them in the summary', async () => {
    const summary = page.locator(tid(testIds.fleetSummary));
    for (const word of [
      'verified',
      'not verified',
      'link down',
      'pending',
      'applied',
      'rejected',
      'expired',
    ]) {
      await expect(summary.textContent()).resolves.toContain(word);
    }
    const badges = page.locator(`${tid(testIds.fleetSummary)} [data-truth]`);
    for (let i = 0; i < (await badges.count()); i++) {
      expect(await badges.nth(i).locator('svg[data-icon]').count()).toBe(1);
    }
  });

  it("lists the vessels' verified alerts under the overview, naming the vessel as certified", async () => {
    await waitFor(page, testIds.vesselAlerts);
    const rows = page.locator(tid(testIds.vesselAlertRow));
    expect(await rows.count()).toBe(2);
    const first = data.vessels[0]!;
    expect(await rows.nth(0).getAttribute('data-vessel')).toBe(first.vesselId);
    expect(await rows.nth(0).textContent()).toContain(first.identity.name!);
    expect(await rows.nth(0).textContent()).toContain("The vessel's certificate renewal keeps failing");
    expect(await rows.nth(1).getAttribute('data-kind')).toBe('broker-revoked');
    expect(await rows.nth(1).textContent()).toContain('this console');
  });

  it('repaints a row when its vessel changes (fleet.changed) and keeps the others', async () => {
    const row = page.locator(`${tid(testIds.fleetGrid)} [aria-rowindex="2"]`);
    const id = (await row.getAttribute('data-testid'))!.slice('fleet-row-'.length);
    await page.evaluate((vesselId) => {
      const fx = (
        window as unknown as {
          __fixture: { emit(e: string, p: unknown): void; vessels: { vesselId: string }[] };
        }
      ).__fixture;
      const v = fx.vessels.find((x) => x.vesselId === vesselId)!;
      fx.emit('fleet.changed', {
        changed: [
          {
            ...v,
            status: 'link_down',
            link: {
              state: 'link_down',
              since: new Date().toISOString(),
              reason: {
                code: 'ERR_VESSEL_LINK_DOWN',
                message: "The vessel's link to the broker is down.",
              },
            },
            linkReport: {
              state: 'down',
              since: new Date().toISOString(),
              reportedAt: new Date().toISOString(),
            },
          },
        ],
        removed: [],
        at: new Date().toISOString(),
      });
    }, id);
    await waitFor(page, testIds.fleetRow(id), { 'data-status': 'linkDown' });
    await waitFor(page, testIds.fleetGrid, { 'data-rows': '500' });
  });
});

describe('every screen in Light, Dark and Night: axe-core and layouts', { timeout: 180_000 }, () => {
  for (const size of [
    { width: 1280, height: 720 },
    { width: 420, height: 900 },
  ]) {
    it(`${size.width} px: 0 axe violations and nothing cut on ${SCREENS.length} screens × 3 palettes`, async () => {
      const page = await openConsole(fixtureFleet(24), size.width, size.height);
      const problems: string[] = [];
      try {
        for (const palette of PALETTE_NAMES) {
          await setPalette(page, palette);
          for (const screen of SCREENS) {
            await openScreen(page, screen);
            problems.push(describeViolations(`${screen}/${palette}`, await runAxe(page)));
            problems.push(...(await truncatedElements(page)).map((t) => `${screen}/${palette}: ${t}`));
          }
        }
      } finally {
        await page.close();
      }
      expect(problems.filter(Boolean)).toEqual([]);
    });
  }

  it('the dialogs (disconnect, revoking one’s own and the CA’s certificate, critical stream) pass axe in each palette', async () => {
    const data = fixtureFleet(12);
    const page = await openConsole(data);
    const problems: string[] = [];
    try {
      for (const palette of PALETTE_NAMES) {
        await setPalette(page, palette);
        await openScreen(page, 'connection');
        await page.getByTestId(testIds.connectionDisconnect).click();
        await waitFor(page, testIds.disconnectDialog);
        problems.push(describeViolations(`disconnect/${palette}`, await runAxe(page)));
        await page.getByTestId(testIds.disconnectCancel).click();
        await openScreen(page, 'pki');
        for (const serial of ['5a17', '1001']) {
          await page.getByTestId(testIds.pkiRevoke(serial)).click();
          await waitFor(page, testIds.revokeWarning);
          problems.push(describeViolations(`revoke ${serial}/${palette}`, await runAxe(page)));
          await page.getByTestId(testIds.revokeCancel).click();
        }
        await openScreen(page, 'fleet-panel');
        const toggle = page
          .locator('[data-testid$="-TGTD"][data-on="true"], [data-testid$="-NAVD"][data-on="true"]')
          .first();
        await toggle.click({ force: true });
        await waitFor(page, testIds.confirmCriticalDialog);
        problems.push(describeViolations(`critical/${palette}`, await runAxe(page)));
        await page.getByTestId(testIds.confirmCriticalCancel).click();
      }
    } finally {
      await page.close();
    }
    expect(problems.filter(Boolean)).toEqual([]);
  });

  it('the first-run wizard passes axe in each palette', async () => {
    const data = fixtureFleet(0);
    data.identity = {
      ...data.identity,
      state: 'none',
      entityId: null,
      roles: [],
      certificate: null,
      isAdmin: false,
    };
    data.settings = { ...data.settings, theme: 'system' };
    const problems: string[] = [];
    for (const palette of PALETTE_NAMES) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      await page.addInitScript((p) => localStorage.setItem('helmlink.palette', p), palette);
      await installFixtureApi(page, data);
      await page.goto(served.url());
      await waitFor(page, testIds.wizard);
      await page.waitForFunction((p) => document.documentElement.dataset.palette === p, palette);
      problems.push(describeViolations(`wizard/${palette}`, await runAxe(page)));
      await page.close();
    }
    expect(problems.filter(Boolean)).toEqual([]);
  });
});

/** Pushes an event into the page as the services would. */
const emit = (page: Page, event: string, payload: unknown) =>
  page.evaluate(
    ([e, p]) =>
      (window as unknown as { __fixture: { emit(e: string, p: unknown): void } }).__fixture.emit(e!, p),
    [event, payload] as const,
  );
/** Replaces a channel's answer. */
const respond = (page: Page, channel: string, value: unknown) =>
  page.evaluate(
    ([c, v]) =>
      (window as unknown as { __fixture: { respond(c: string, v: unknown): void } }).__fixture.respond(c!, v),
    [channel, value] as const,
  );

describe('truth at a glance and failures where the pilot acted', { timeout: 90_000 }, () => {
  it('no red "Not connected" on load; a refused Connect shows its reason in the fleet banner', async () => {
    const data = fixtureFleet(6);
    data.connection = {
      ...data.connection,
      state: 'disconnected',
      tlsVersion: null,
      cipher: null,
      since: null,
    };
    const page = await openConsole(data);
    try {
      await waitFor(page, testIds.brokerDownBanner, { 'data-state': 'disconnected' });
      expect(await page.locator(tid(testIds.brokerDownBanner)).getAttribute('role')).toBe('status');
      expect(await page.locator(`${tid(testIds.brokerDownBanner)} [role="alert"]`).count()).toBe(0);
      expect(await page.locator(tid(testIds.connectionBadge)).getAttribute('data-state')).toBe(
        'disconnected',
      );
      expect(await page.locator(tid(testIds.connectionBadge)).textContent()).not.toMatch(/: connected/u);
      for (const [code, words] of [
        ['ERR_IDENTITY_LOCKED', /passphrase/iu],
        ['ERR_BROKER_NOT_SET', /broker address/iu],
      ] as const) {
        await respond(page, 'fleet.connect', { __error: code });
        await page.locator(tid(testIds.brokerDownBanner)).getByRole('button', { name: 'Connect' }).click();
        await waitFor(page, testIds.brokerConnectError, { 'data-code': code });
        expect(await page.locator(tid(testIds.brokerConnectError)).textContent()).toMatch(words);
      }
      // Rows are stale, not verified, while the broker is down; the panel says why and refuses to send.
      const first = page.locator(`${tid(testIds.fleetGrid)} [aria-rowindex="2"]`);
      expect(await first.getAttribute('data-status')).toBe('stale');
      await first.click();
      await waitFor(page, testIds.staleBanner);
      expect(await page.locator('[data-testid^="send-"]').first().isDisabled()).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('a wrong passphrase on the Fleet tab is shown in the one unlock card', async () => {
    const data = fixtureFleet(3);
    data.identity = { ...data.identity, state: 'locked', unlocked: false };
    const page = await openConsole(data);
    try {
      await respond(page, 'identity.unlock', { __error: 'ERR_KEY_DECRYPT' });
      await page.getByTestId(testIds.unlockPassphrase).fill('not the passphrase');
      await page.getByTestId(testIds.unlockSubmit).click();
      await waitFor(page, testIds.unlockPassphrase, { 'data-error-code': 'ERR_KEY_DECRYPT' });
      expect(
        await page.locator('[role="alert"], .mantine-InputWrapper-error').first().textContent(),
      ).toBeTruthy();
      await openScreen(page, 'identity');
      expect(await page.locator(tid(testIds.unlockCard)).count()).toBe(1);
    } finally {
      await page.close();
    }
  });

  it('toggles snap back after a rejection, with the vessel’s words once; new changes replace the old "Applied"', async () => {
    const data = fixtureFleet(12);
    const page = await openConsole(data);
    try {
      const applied = data.vessels.find((v) => v.status === 'applied')!;
      await page.getByTestId(testIds.fleetFilter).fill(applied.identity.imo!);
      await page.getByTestId(testIds.fleetRow(applied.vesselId)).click();
      await waitFor(page, testIds.commandStatus(applied.vesselId), { 'data-status': 'applied' });
      const stream = applied.streams.find((s) => s.on && !s.critical)!;
      await page.getByTestId(testIds.toggle(applied.vesselId, stream.id)).click({ force: true });
      await waitFor(page, testIds.commandChanges(applied.vesselId), { 'data-count': '1' });
      expect(
        await page.locator(`[data-truth="applied"]${tid(testIds.commandStatus(applied.vesselId))}`).count(),
      ).toBe(0);
      await waitFor(page, testIds.fleetRow(applied.vesselId), { 'data-status': 'pending' });

      // Send: the command is pending, then the vessel rejects it with its own words.
      const cmd = {
        ...data.commands[0]!,
        commandId: 'cmd-e2e-1',
        vesselId: applied.vesselId,
        on: applied.streams.filter((s) => s.on && s.id !== stream.id).map((s) => s.address),
        off: applied.streams.filter((s) => !s.on || s.id === stream.id).map((s) => s.address),
        changes: [{ id: stream.id, name: stream.name, address: stream.address, on: false }],
        state: 'pending',
        sentAt: new Date().toISOString(),
        settledAt: null,
        rttMs: null,
        reason: null,
      };
      await respond(page, 'commands.send', cmd);
      await page.getByTestId(testIds.send(applied.vesselId)).click();
      await waitFor(page, testIds.commandStatus(applied.vesselId), { 'data-status': 'pending' });
      const words = 'the voyage data recorder feed (VDRD) must stay on';
      await emit(page, 'commands.status', {
        ...cmd,
        state: 'rejected',
        rttMs: 80,
        settledAt: new Date().toISOString(),
        reason: { code: 'ERR_HOOK_REJECTED', message: 'Refused by the ship systems.', vesselText: words },
      });
      await waitFor(page, testIds.commandStatus(applied.vesselId), { 'data-status': 'rejected' });
      await waitFor(page, testIds.toggle(applied.vesselId, stream.id), { 'data-on': 'true' });
      await waitFor(page, testIds.pending(applied.vesselId), { 'data-count': '0' });
      expect(await page.getByTestId(testIds.send(applied.vesselId)).isDisabled()).toBe(true);
      // Once in the card (the collapsed history lists it again, in its own place).
      const panelText = await page.getByTestId(testIds.streamPanel(applied.vesselId)).evaluate((el) => {
        const copy = el.cloneNode(true) as HTMLElement;
        copy.querySelector('details')?.remove();
        return copy.textContent ?? '';
      });
      expect(panelText.split(words).length - 1).toBe(1);
      expect(await page.getByTestId(testIds.commandReason(applied.vesselId)).textContent()).toContain(words);
    } finally {
      await page.close();
    }
  });

  it('data indicators: stopped at once when off, on-but-silent flagged, by shape and words', async () => {
    const data = fixtureFleet(12);
    const page = await openConsole(data);
    try {
      await openScreen(page, 'fleet-panel');
      const stopped = page.locator('[data-data="stopped"]').first();
      expect(await stopped.textContent()).toContain('stopped');
      expect(await stopped.locator('rect').count()).toBe(1);
      const silent = page.locator('[data-data="silent"]').first();
      expect(await silent.textContent()).toContain('on, no data');
      expect(await silent.locator('path').count()).toBe(1);
      expect(await page.locator('[data-data="flowing"] circle').count()).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  it('Disconnect asks first; revoking one’s own or the CA’s certificate warns and needs a tick; roles and audit', async () => {
    const data = fixtureFleet(6);
    const page = await openConsole(data);
    try {
      await openScreen(page, 'connection');
      await page.getByTestId(testIds.connectionDisconnect).click();
      await waitFor(page, testIds.disconnectDialog);
      await page.getByTestId(testIds.disconnectCancel).click();
      await page.getByTestId(testIds.connectionDisconnect).click();
      await page.getByTestId(testIds.disconnectConfirm).click();
      await page.waitForFunction(() =>
        (window as unknown as { __fixture: { calls: string[] } }).__fixture.calls.includes(
          'fleet.disconnect',
        ),
      );

      await openScreen(page, 'pki');
      const own = page.locator(tid(testIds.pkiCertRow('5a17')));
      expect(await own.textContent()).toMatch(/pilot.*admin/u);
      for (const [serial, kind] of [
        ['5a17', 'own'],
        ['1001', 'infrastructure'],
        ['1002', 'infrastructure'],
      ] as const) {
        await page.getByTestId(testIds.pkiRevoke(serial)).click();
        await waitFor(page, testIds.revokeWarning, { 'data-kind': kind });
        expect(await page.getByTestId(testIds.revokeConfirm).isDisabled()).toBe(true);
        await page.getByTestId(testIds.revokeUnderstood).check({ force: true });
        expect(await page.getByTestId(testIds.revokeConfirm).isDisabled()).toBe(false);
        await page.getByTestId(testIds.revokeCancel).click();
      }
      await page.getByTestId(testIds.pkiRevoke('1003')).click();
      await waitFor(page, testIds.revokeDialog);
      expect(await page.locator(tid(testIds.revokeWarning)).count()).toBe(0);
      await page.getByTestId(testIds.revokeCancel).click();

      await openScreen(page, 'audit');
      const row = page.locator(tid(testIds.auditRow)).first();
      const text = (await row.textContent()) ?? '';
      expect(text).toMatch(/MV /u);
      expect(text).toMatch(/streams: \S+ (on|off)/u);
      expect(text).toMatch(/UTC[+-]\d\d:\d\d/u);
      expect(text).toMatch(/ago/u);
      await page.getByTestId(testIds.auditSearch).fill('zzz-nothing-matches');
      await waitFor(page, testIds.auditEmpty);
    } finally {
      await page.close();
    }
  });
});
