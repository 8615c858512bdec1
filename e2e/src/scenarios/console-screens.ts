/**
 * Every screen of the console in every palette, as functions of a Playwright page: reach a screen, switch the
 * palette, run axe-core (injected with `page.evaluate`, since the page's CSP refuses script tags) and take
 * screenshots. Used by the accessibility scenarios and `npm run screenshots`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { testIds } from '@helmlink/app-renderer/testids';
import { tid } from '../browser';
import { waitFor } from './console';

export const PALETTE_NAMES = ['light', 'dark', 'night'] as const;
export type PaletteName = (typeof PALETTE_NAMES)[number];
const PICKER_LABEL: Record<PaletteName, string> = { light: 'Light', dark: 'Dark', night: 'Night' };

/** The screens of the main shell: a tab, optionally with the first vessel's stream panel or a dialog open. */
export const SCREENS = [
  'fleet',
  'fleet-panel',
  'identity',
  'connection',
  'audit',
  'pki',
  'settings',
] as const;
export type ScreenName = (typeof SCREENS)[number];

/** Switches the palette with the header's picker and waits until the page uses it. */
export async function setPalette(page: Page, palette: PaletteName): Promise<void> {
  await page
    .locator(tid(testIds.paletteSelect))
    .first()
    .getByText(PICKER_LABEL[palette], { exact: true })
    .click();
  await page.waitForFunction((p) => document.documentElement.dataset.palette === p, palette);
}

/** Opens a screen of the shell. `fleet-panel` opens the stream panel of the first row. */
export async function openScreen(page: Page, screen: ScreenName): Promise<void> {
  const tab = screen === 'fleet-panel' ? 'fleet' : screen;
  await page.getByTestId(testIds.nav(tab)).click();
  const ready: Record<string, string> = {
    fleet: testIds.fleetScreen,
    identity: testIds.identityView,
    connection: testIds.connectionScreen,
    audit: testIds.auditScreen,
    pki: testIds.pkiTab,
    settings: testIds.settingsScreen,
  };
  await waitFor(page, ready[tab]!);
  if (screen === 'fleet') {
    const close = page.locator(tid(testIds.streamPanelClose));
    if ((await close.count()) > 0) await close.first().click();
  }
  if (screen === 'fleet-panel') {
    const row = page.locator(`${tid(testIds.fleetGrid)} [role="row"][aria-rowindex="2"]`);
    await row.click();
    await page.waitForSelector(`[data-testid^="stream-panel-"]`, { state: 'visible' });
  }
}

let axeSource: string | undefined;

/** One axe-core violation, reduced to what a failure message needs. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is; resolves with the violations. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  // Colours animate (a palette switch, a picker's indicator): a contrast measured mid-transition compares two
  // states' colours. Measure once every finite animation has finished.
  await page.waitForFunction(() =>
    document
      .getAnimations()
      .every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } })
      .axe;
    const r = (await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    })) as {
      violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
    };
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
}

/** A readable list of violations for an assertion message. */
export function describeViolations(where: string, violations: AxeViolation[]): string {
  return violations
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.help} — ${v.targets.join(' | ')}`)
    .join('\n');
}

/**
 * Elements whose text is cut: a badge, a grid cell, a header control or a data indicator whose content is wider
 * than its box (ellipsis or clipping), or a header control that reaches past the viewport. Empty when nothing is.
 */
export async function truncatedElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const vw = document.documentElement.clientWidth;
    const describe = (el: Element): string =>
      `${el.getAttribute('data-testid') ?? el.className.toString().split(' ')[0]}: "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    const checks = document.querySelectorAll(
      '.hl-truth, .mantine-Badge-label, .hl-grid-cell, .hl-cell-tone, [data-testid^="rate-"], .mantine-SegmentedControl-label',
    );
    for (const el of checks) {
      const h = el as HTMLElement;
      if (h.offsetParent === null) continue;
      if (h.scrollWidth > h.clientWidth + 1) out.push(`overflows its box: ${describe(el)}`);
    }
    for (const sel of ['[data-testid="connection-badge"]', '[data-testid="palette-select"]']) {
      const el = document.querySelector(sel);
      if (!el) continue;
      const r = el.getBoundingClientRect();
      if (r.right > vw + 0.5 || r.left < -0.5) out.push(`outside the window: ${describe(el)}`);
    }
    return out;
  });
}
