/**
 * Debian's Chromium driven by playwright-core (never `npx playwright install`: it downloads a browser), and the
 * failure screenshots kept in e2e/artifacts/ (gitignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where failure screenshots go. */
export const ARTIFACTS_DIR = join(new URL('..', import.meta.url).pathname, 'artifacts');

/** Chromium flags for headless runs in containers and CI. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches headless Chromium (`HELMLINK_CHROMIUM` overrides the path). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.HELMLINK_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * Runs one scenario step; when it throws, a full-page screenshot named after the step is saved in
 * {@link ARTIFACTS_DIR} and the error is rethrown with the screenshot's path.
 */
export async function step<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const file = join(
      ARTIFACTS_DIR,
      `${new Date().toISOString().replace(/[:.]/gu, '-')}-${name.replace(/[^a-z0-9]+/giu, '-')}.png`,
    );
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`step "${name}" failed (screenshot: ${file}): ${message}`, { cause: err });
  }
}

/** `[data-testid="…"]` */
export const tid = (id: string): string => `[data-testid="${id}"]`;
