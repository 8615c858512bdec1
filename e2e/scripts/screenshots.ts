/**
 * `npm run screenshots`: screenshots of the console in Debian's Chromium over a generated fleet (the page served
 * by the real web bridge, a contract double in the page).
 *
 *   (default)   the fleet overview with a stream panel in Light, Dark and Night at 1280×720 → docs/screenshots/
 *   --all       every screen in every palette at 1280×720 and 420×900 → e2e/artifacts/screens/ (for review)
 *   --axe       also runs axe-core on each and prints the violations (exit 1 when there are any)
 *   --vessels N fleet size (default 12)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ARTIFACTS_DIR,
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
  waitFor,
  type ScreenName,
} from '../src';
import { testIds } from '@helmlink/app-renderer/testids';

const { values } = parseArgs({
  options: {
    all: { type: 'boolean', default: false },
    axe: { type: 'boolean', default: false },
    vessels: { type: 'string', default: '12' },
    out: { type: 'string' },
  },
});
const root = new URL('../..', import.meta.url).pathname;
const out = values.out ?? (values.all ? join(ARTIFACTS_DIR, 'screens') : join(root, 'docs', 'screenshots'));
mkdirSync(out, { recursive: true });
const sizes = values.all
  ? [
      { name: '1280', width: 1280, height: 720 },
      { name: '420', width: 420, height: 900 },
    ]
  : [{ name: '1280', width: 1280, height: 720 }];
const screens: readonly ScreenName[] = values.all ? SCREENS : ['fleet-panel'];

const served = await serveConsolePage();
const browser = await launchChromium();
let violations = 0;
try {
  for (const size of sizes) {
    const page = await browser.newPage({ viewport: { width: size.width, height: size.height } });
    await installFixtureApi(page, fixtureFleet(Number(values.vessels)));
    await page.goto(served.url());
    await waitFor(page, testIds.fleetGrid);
    for (const palette of PALETTE_NAMES) {
      await setPalette(page, palette);
      for (const screen of screens) {
        await openScreen(page, screen);
        const file = values.all ? `${screen}-${palette}-${size.name}.png` : `fleet-${palette}.png`;
        await page.screenshot({ path: join(out, file), fullPage: values.all });
        if (values.axe) {
          const found = await runAxe(page);
          violations += found.length;
          if (found.length) console.log(describeViolations(`${screen} ${palette} ${size.name}`, found));
        }
        console.log(join(out, file));
      }
    }
    await page.close();
  }
} finally {
  await browser.close();
  await served.close();
}
if (values.axe) console.log(`axe: ${violations} violation(s)`);
process.exit(values.axe && violations > 0 ? 1 : 0);
