/**
 * Operator console scenarios over the web bridge, as functions of a Playwright page. Every wait is for a condition in
 * the DOM (a data-testid with the expected data-* attribute), never for a fixed time. Test ids come from the
 * renderer package's `@helmlink/app-renderer/testids` export (app/renderer/src/testids.ts).
 */
import type { Page } from 'playwright-core';
import { testIds } from '@helmlink/app-renderer/testids';
import { step, tid } from '../browser';

/** Generous bound for conditions that involve the broker, the vessels and the CA (a loaded 2-core CI machine). */
export const UI_TIMEOUT = 30_000;

/** Waits for an element with the test id and (optionally) attribute values. */
export async function waitFor(
  page: Page,
  id: string,
  attrs: Record<string, string> = {},
  timeout = UI_TIMEOUT,
): Promise<void> {
  const sel =
    tid(id) +
    Object.entries(attrs)
      .map(([k, v]) => `[${k}="${v}"]`)
      .join('');
  await page.waitForSelector(sel, { state: 'attached', timeout });
}

/** The value of a data-* attribute of an element. */
export async function attr(page: Page, id: string, name: string): Promise<string | null> {
  return page.locator(tid(id)).first().getAttribute(name);
}

export interface WizardInput {
  caUrl: string;
  rootFingerprint: string;
  entityId: string;
  token: string;
  brokerUrl: string;
  passphrase: string;
}

/** First run: enrolls the pilot through the wizard (enroll mode, passphrase custody) and waits for "done". */
export async function enrollThroughWizard(page: Page, input: WizardInput): Promise<void> {
  await step(page, 'wizard-start', async () => {
    await waitFor(page, testIds.wizard);
    await page.getByTestId(testIds.wizardModeEnroll).click();
  });
  await step(page, 'wizard-ca', async () => {
    await page.getByTestId(testIds.wizardCaUrl).fill(input.caUrl);
    await page.getByTestId(testIds.wizardFingerprint).fill(input.rootFingerprint);
    await page.getByTestId(testIds.wizardEntityId).fill(input.entityId);
    await page.getByTestId(testIds.wizardToken).fill(input.token);
    await page.getByTestId(testIds.wizardBrokerUrl).fill(input.brokerUrl);
    await page.getByTestId(testIds.wizardNext).click();
  });
  await step(page, 'wizard-custody', async () => {
    await waitFor(page, testIds.wizardKeychainStatus);
    if ((await attr(page, testIds.wizardKeychainStatus, 'data-available')) === 'true') {
      await page.getByTestId(testIds.wizardPassphraseOnly).click({ force: true });
    }
    await page.getByTestId(testIds.wizardPassphrase).fill(input.passphrase);
    await page.getByTestId(testIds.wizardPassphraseConfirm).fill(input.passphrase);
    await page.getByTestId(testIds.wizardSubmit).click();
  });
  await step(page, 'wizard-progress', async () => {
    await waitFor(page, testIds.wizardDone);
    await page.getByTestId(testIds.wizardDone).click();
    await waitFor(page, testIds.appShell);
  });
}

/**
 * Opens the connection tab and waits for `connected`, pressing Connect when the console is not connecting by itself
 * (auto-connect after enrollment or unlock).
 */
export async function connectToBroker(page: Page): Promise<void> {
  await step(page, 'connect', async () => {
    await page.getByTestId(testIds.nav('connection')).click();
    await page.waitForSelector(
      ['connected', 'disconnected', 'error']
        .map((s) => `${tid(testIds.connectionState)}[data-state="${s}"]`)
        .join(', '),
      { state: 'attached', timeout: UI_TIMEOUT },
    );
    if ((await attr(page, testIds.connectionState, 'data-state')) !== 'connected')
      await page.getByTestId(testIds.connectionConnect).click();
    await waitFor(page, testIds.connectionState, { 'data-state': 'connected' });
  });
}

/** Opens the fleet tab and waits for every vessel's row with a verified state. */
export async function openFleet(page: Page, vesselIds: readonly string[]): Promise<void> {
  await step(page, 'fleet', async () => {
    await page.getByTestId(testIds.nav('fleet')).click();
    for (const id of vesselIds) await waitFor(page, testIds.fleetRow(id), { 'data-verified': 'true' });
  });
}

/** Opens a vessel's stream panel from its row in the fleet overview (no-op when it is open). */
export async function openVessel(page: Page, vesselId: string): Promise<void> {
  if ((await page.locator(tid(testIds.streamPanel(vesselId))).count()) > 0) return;
  await page.getByTestId(testIds.fleetRow(vesselId)).click();
  await waitFor(page, testIds.streamPanel(vesselId));
}

/** Waits until the live data indicator of a stream shows data flowing (or not). */
export async function waitForFlow(
  page: Page,
  vesselId: string,
  streamId: string,
  flowing: boolean,
): Promise<void> {
  await step(page, `flow-${vesselId}-${streamId}-${flowing}`, async () => {
    await openVessel(page, vesselId);
    await waitFor(page, testIds.rate(vesselId, streamId), { 'data-flowing': String(flowing) });
  });
}

/** The outcome of one command as the console shows it. */
export interface CommandOutcome {
  status: string;
  commandId: string | null;
  rttMs: number | null;
  reasonCode: string | null;
  reasonText: string | null;
}

/**
 * Switches streams of a vessel (`{streamId: on}`), confirms navigation-critical changes when asked, sends, and waits
 * until the command leaves `pending` (applied, rejected, timed out or failed).
 */
export async function sendStreams(
  page: Page,
  vesselId: string,
  changes: Record<string, boolean>,
): Promise<CommandOutcome> {
  return step(page, `send-${vesselId}`, async () => {
    await openVessel(page, vesselId);
    const before = await page
      .locator(tid(testIds.commandStatus(vesselId)))
      .first()
      .getAttribute('data-command-id')
      .catch(() => null);
    for (const [streamId, on] of Object.entries(changes)) {
      const toggle = page.getByTestId(testIds.toggle(vesselId, streamId));
      if ((await toggle.getAttribute('data-on')) === String(on)) continue;
      await toggle.click({ force: true });
      // Either the switch follows at once, or a navigation-critical change asks for confirmation first.
      const switched = `${tid(testIds.toggle(vesselId, streamId))}[data-on="${String(on)}"]`;
      await page.waitForSelector(`${switched}, ${tid(testIds.confirmCriticalDialog)}`, {
        state: 'attached',
        timeout: UI_TIMEOUT,
      });
      if ((await page.locator(switched).count()) === 0)
        await page.getByTestId(testIds.confirmCriticalOk).click();
      await page.waitForSelector(switched, { state: 'attached', timeout: UI_TIMEOUT });
    }
    await page.getByTestId(testIds.send(vesselId)).click();
    // Either a new command id appears and its state leaves pending, or the console could not send it at all.
    await page.waitForFunction(
      ([sel, errSel, prev]) => {
        if (document.querySelector(errSel!)) return true;
        const el = document.querySelector(sel!);
        const id = el?.getAttribute('data-command-id');
        const st = el?.getAttribute('data-status');
        return !!id && id !== prev && st !== 'pending';
      },
      [tid(testIds.commandStatus(vesselId)), tid(testIds.sendError(vesselId)), before ?? ''] as const,
      { timeout: UI_TIMEOUT },
    );
    const sendError = page.locator(tid(testIds.sendError(vesselId)));
    if ((await sendError.count()) > 0) {
      return {
        status: 'failed',
        commandId: null,
        rttMs: null,
        reasonCode: await sendError.first().getAttribute('data-code'),
        reasonText: (await sendError.first().textContent())?.trim() ?? null,
      };
    }
    const status = (await attr(page, testIds.commandStatus(vesselId), 'data-status')) ?? 'none';
    const commandId = await attr(page, testIds.commandStatus(vesselId), 'data-command-id');
    const rttLoc = page.locator(tid(testIds.commandRtt(vesselId)));
    const rttMs = (await rttLoc.count()) > 0 ? Number(await rttLoc.first().getAttribute('data-rtt')) : null;
    const reasonLoc = page.locator(tid(testIds.commandReason(vesselId)));
    const hasReason = (await reasonLoc.count()) > 0;
    return {
      status,
      commandId,
      rttMs,
      reasonCode: hasReason ? await reasonLoc.first().getAttribute('data-code') : null,
      reasonText: hasReason ? ((await reasonLoc.first().textContent())?.trim() ?? null) : null,
    };
  });
}

/** Waits until the vessel's verified state shows the stream on/off (the toggle follows the state, no pending change). */
export async function waitForState(
  page: Page,
  vesselId: string,
  streamId: string,
  on: boolean,
): Promise<void> {
  await step(page, `state-${vesselId}-${streamId}-${on}`, async () => {
    await openVessel(page, vesselId);
    await waitFor(page, testIds.toggle(vesselId, streamId), { 'data-on': String(on) });
    await waitFor(page, testIds.pending(vesselId), { 'data-count': '0' });
  });
}

/**
 * PKI tab (admin): revokes a certificate by serial with the default reason and a description, and waits for the
 * table to show it revoked. `ownCertificate`: the admin revokes itself: the dialog warns and asks for a tick first;
 * the CA then refuses its next request, so only the dialog closing is awaited (check the CA store instead).
 */
export async function revokeInPkiTab(
  page: Page,
  serial: string,
  description: string,
  ownCertificate = false,
): Promise<void> {
  await step(page, `revoke-${serial}`, async () => {
    await page.getByTestId(testIds.nav('pki')).click();
    await waitFor(page, testIds.pkiCertRow(serial));
    await page.getByTestId(testIds.pkiRevoke(serial)).click();
    await waitFor(page, testIds.revokeDialog);
    await page.getByTestId(testIds.revokeDescription).fill(description);
    if (ownCertificate) {
      await waitFor(page, testIds.revokeWarning, { 'data-kind': 'own' });
      await page.getByTestId(testIds.revokeUnderstood).check({ force: true });
    }
    await page.getByTestId(testIds.revokeConfirm).click();
    if (ownCertificate)
      await page.waitForSelector(tid(testIds.revokeDialog), { state: 'detached', timeout: UI_TIMEOUT });
    else await waitFor(page, testIds.pkiCertRow(serial), { 'data-status': 'revoked' });
  });
}
