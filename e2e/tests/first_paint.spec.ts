// The start page on a mid-range phone's profile (Lighthouse's mobile profile: 1.6 Mbps down,
// 750 kbps up, 150 ms round trip, CPU 4× slower), through the Chrome DevTools Protocol: first
// contentful paint and layout shift, with the targets as the gate (paint within a second, shift
// at most 0.05). It measures time, so it runs in the Lighthouse project, alone, after every other
// spec, and the median of five loads counts: one load beside another spec's browser once took
// 1.18 s on a 2-core machine, which says nothing about the page.
import { type Browser } from '@playwright/test';
import { expect, test } from './fixtures';

type Measured = { fcp: number; cls: number; load: number };

/** One cold load of the start page on the throttled phone profile, until the app has taken it over. */
async function loadOnce(browser: Browser): Promise<Measured> {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.addInitScript(() => {
    (window as unknown as { __shifts: number }).__shifts = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
        if (!entry.hadRecentInput) (window as unknown as { __shifts: number }).__shifts += entry.value;
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto('/', { waitUntil: 'load' });
  await expect(page.locator('[data-prerender]')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByLabel('Codice fiscale')).toBeEditable();
  await page.waitForTimeout(1000); // the providers' answer, and anything else late
  const measured = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Infinity,
    cls: (window as unknown as { __shifts: number }).__shifts,
    load: performance.getEntriesByType('navigation')[0]?.duration ?? 0,
  }));
  await context.close();
  return measured;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1];

test('on a mid-range phone the start page paints within a second and nothing shifts', async ({ browser }) => {
  test.setTimeout(300_000);
  // GIVEN five cold loads on the phone profile
  const runs: Measured[] = [];
  for (let i = 1; i <= 5; i++) {
    const m = await loadOnce(browser);
    console.log(
      `first view, load ${i}: first contentful paint ${Math.round(m.fcp)} ms, ` +
        `layout shift ${m.cls.toFixed(3)}, load ${Math.round(m.load)} ms`,
    );
    runs.push(m);
  }
  // WHEN the median counts (the worst shift: a shift is the page's doing, not the machine's)
  const fcp = median(runs.map((m) => m.fcp));
  const cls = Math.max(...runs.map((m) => m.cls));
  console.log(`first view, median first contentful paint ${Math.round(fcp)} ms (target ≤ 1000), worst layout shift ${cls.toFixed(3)} (target ≤ 0.05)`);
  // THEN the targets hold
  expect(fcp).toBeLessThanOrEqual(1000);
  expect(cls).toBeLessThanOrEqual(0.05);
});
