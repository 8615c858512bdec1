/**
 * `npm run bench:console [-- --json] [--vessels 500] [--updates 300] [--loads 5]`: the console's rendering cost at
 * fleet scale, measured in Debian's Chromium (headless, 1280×720) over a generated fleet (the page served by the real
 * web bridge, a contract double in the page pushing `fleet.vessels` as the services do).
 *
 * - page interactive: navigation start → the fleet grid painted with every vessel loaded and the main thread free
 *   (the next task after that frame), median and worst of `--loads` fresh loads;
 * - state update: one vessel's new verified state (a stream switched, a new age) pushed as the services push it
 *   (`fleet.changed`, the changed vessel whole; the store merges it into the fleet of 500). Cost = the script work until React committed the change to the DOM
 *   (MutationObserver) + the frame's style, layout and paint (rAF → the task after the frame); idle time waiting for
 *   the next vsync is not counted. p50/p95/max over `--updates` updates of visible rows, with and without the
 *   stream panel of the updated vessel open.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { testIds } from '@helmlink/app-renderer/testids';
import { fixtureFleet, installFixtureApi, launchChromium, serveConsolePage, waitFor } from '../src';
import type { Page } from 'playwright-core';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    vessels: { type: 'string', default: '500' },
    updates: { type: 'string', default: '300' },
    loads: { type: 'string', default: '5' },
  },
});
const VESSELS = Number(values.vessels);
const UPDATES = Number(values.updates);
const LOADS = Number(values.loads);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const round = (x: number): number => Math.round(x * 100) / 100;

/** Navigation start → grid painted and the main thread free, in ms. */
async function measureLoad(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await waitFor(page, testIds.fleetGrid, { 'data-rows': String(VESSELS) });
  return page.evaluate(
    () =>
      new Promise<number>((resolve) =>
        requestAnimationFrame(() => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => resolve(performance.now());
          ch.port2.postMessage(0);
        }),
      ),
  );
}

/** Pushes `count` single-vessel updates of visible rows; resolves with the per-update cost and wall time (ms). */
async function measureUpdates(
  page: Page,
  count: number,
  selected: boolean,
): Promise<{ cost: number[]; wall: number[]; script: number[] }> {
  return page.evaluate(
    async ({ count, selected }) => {
      type V = {
        vesselId: string;
        stateReceivedAt: string | null;
        lastVerifiedAt: string | null;
        streamsOn: number;
        requestedBitrateBps: number;
        activeBitrateBps: number;
        streams: { on: boolean; bitrateBps: number }[];
      };
      const fx = (window as unknown as { __fixture: { emit(e: string, p: unknown): void; vessels: V[] } })
        .__fixture;
      const grid = document.querySelector('[data-testid="fleet-grid"]')!;
      const byId = new Map(fx.vessels.map((v, i) => [v.vesselId, i]));
      let list = [...fx.vessels];
      const cost: number[] = [];
      const wall: number[] = [];
      const script: number[] = [];
      // No named functions in here: tsx would wrap them in a helper (`__name`) that the page does not have.
      for (let k = 0; k < count; k++) {
        const rows = [...grid.querySelectorAll('[role="row"][data-testid^="fleet-row-"]')];
        const target = selected
          ? document
              .querySelector('[data-testid^="stream-panel-"]')!
              .getAttribute('data-testid')!
              .slice('stream-panel-'.length)
          : rows[k % Math.min(rows.length, 12)]!.getAttribute('data-testid')!.slice('fleet-row-'.length);
        const i = byId.get(target)!;
        const v = list[i]!;
        const streams = v.streams.map((s, n) => (n === k % v.streams.length ? { ...s, on: !s.on } : s));
        list = [...list];
        const at = new Date().toISOString();
        // As the services send it: the new verified state with its derived figures (so the row's text changes).
        const active = streams.reduce((a, x) => (x.on ? a + x.bitrateBps : a), 0);
        list[i] = {
          ...v,
          streams,
          stateReceivedAt: at,
          lastVerifiedAt: at,
          streamsOn: streams.filter((x) => x.on).length,
          requestedBitrateBps: active,
          activeBitrateBps: active,
        };
        await new Promise((r) => setTimeout(r, 20));
        let committed = 0;
        const mo = new MutationObserver(() => {
          committed ||= performance.now();
        });
        mo.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        const t0 = performance.now();
        fx.emit('fleet.changed', { changed: [list[i]], removed: [], at: new Date().toISOString() });
        // React renders in a scheduler task: wait for its commit, then for the frame that paints it.
        while (!committed) await new Promise((r) => setTimeout(r, 0));
        mo.disconnect();
        const [frameStart, painted] = await new Promise<[number, number]>((resolve) =>
          requestAnimationFrame(() => {
            const start = performance.now();
            const ch = new MessageChannel();
            ch.port1.onmessage = () => resolve([start, performance.now()]);
            ch.port2.postMessage(0);
          }),
        );
        cost.push(committed - t0 + (painted - frameStart));
        script.push(committed - t0);
        wall.push(painted - t0);
      }
      return { cost, wall, script };
    },
    { count, selected },
  );
}

/** Percentiles of one series of updates (ms). */
function summarize(m: { cost: number[]; wall: number[]; script: number[] }) {
  return {
    p50: round(pct(m.cost, 50)),
    p95: round(pct(m.cost, 95)),
    max: round(Math.max(...m.cost)),
    wallP95: round(pct(m.wall, 95)),
    scriptP50: round(pct(m.script, 50)),
    scriptP95: round(pct(m.script, 95)),
    updates: m.cost.length,
  };
}

const served = await serveConsolePage();
const browser = await launchChromium();
try {
  const data = fixtureFleet(VESSELS);
  const loads: number[] = [];
  for (let n = 0; n < LOADS; n++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await installFixtureApi(page, data);
    loads.push(await measureLoad(page, served.url()));
    await page.close();
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await installFixtureApi(page, data);
  await measureLoad(page, served.url());
  const grid = await measureUpdates(page, UPDATES, false);
  await page.locator('[data-testid="fleet-grid"] [role="row"][aria-rowindex="2"]').click();
  await page.waitForSelector('[data-testid^="stream-panel-"]');
  const panel = await measureUpdates(page, UPDATES, true);
  const domRows = await page.locator('[data-testid="fleet-grid"] [role="row"]').count();
  const result = {
    vessels: VESSELS,
    viewport: '1280x720',
    chromium: browser.version(),
    loadAverage1m: Math.round(loadavg()[0]! * 10) / 10,
    domRowsRendered: domRows,
    interactiveMs: { median: round(pct(loads, 50)), max: round(Math.max(...loads)), loads: loads.map(round) },
    updateRepaintMs: summarize(grid),
    updateRepaintWithPanelMs: summarize(panel),
    targets: { interactiveMs: 1000, updateRepaintP95Ms: 16 },
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(
      `console rendering, ${VESSELS} vessels, Chromium ${result.chromium}, 1280×720 (${domRows} grid rows in the DOM), load average ${result.loadAverage1m}`,
    );
    console.log(
      `  page interactive        median ${result.interactiveMs.median} ms, worst ${result.interactiveMs.max} ms (target ≤ 1000)`,
    );
    console.log(
      `  state update → painted  p50 ${result.updateRepaintMs.p50} ms, p95 ${result.updateRepaintMs.p95} ms, max ${result.updateRepaintMs.max} ms (target p95 ≤ 16; wall p95 incl. vsync wait ${result.updateRepaintMs.wallP95} ms)`,
    );
    console.log(
      `  … with its stream panel p50 ${result.updateRepaintWithPanelMs.p50} ms, p95 ${result.updateRepaintWithPanelMs.p95} ms, max ${result.updateRepaintWithPanelMs.max} ms`,
    );
  }
} finally {
  await browser.close();
  await served.close();
}
