// What a phone really downloads (issue 17): the start page's first load through the local server,
// measured from the browser's own Resource Timing entries (bytes on the wire, headers included),
// within the public bundle's budget; and a second visit, which fetches nothing but the HTML page
// (revalidated: 304), because every other file has a content hash in its name and is kept a year.
// The same for the waiting room's page /coda (its own bundle, ADR 0022), which on click day is
// every citizen's first load, with the same budget.
import { type BrowserContext, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';
import { expect, test } from './fixtures';

/** The public and the queue bundles' budget for a first load (scripts/spa-size.sh): 150 KB. */
const BUDGET = 150 * 1024;

type Transfer = { name: string; type: string; transferred: number; encoded: number; decoded: number };

/** Every request the page made so far, with what crossed the wire for it. */
async function transfers(page: Page): Promise<Transfer[]> {
  return page.evaluate(() =>
    (performance.getEntriesByType('navigation') as PerformanceResourceTiming[])
      .concat(performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .map((e) => ({
        name: new URL(e.name).pathname,
        type: e.initiatorType,
        transferred: e.transferSize,
        encoded: e.encodedBodySize,
        decoded: e.decodedBodySize,
      })),
  );
}

/** Opens the start page and waits until the app has taken it over and the network is quiet. */
async function openStartPage(page: Page) {
  await page.goto('/');
  await expect(page.locator('[data-prerender]')).toHaveCount(0);
  await expect(page.getByLabel('Codice fiscale')).toBeEditable();
  await page.waitForLoadState('networkidle');
}

const isAsset = (t: Transfer) => /\.[0-9a-f]{16}\.(js|wasm|css)$/.test(t.name);

test('the first load of the start page is within 150 KB on the wire, and a second visit fetches only the HTML', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });
  // GIVEN a phone that has never been here
  const first = await context.newPage();
  // WHEN it opens the start page
  await openStartPage(first);
  const firstLoad = await transfers(first);
  const total = firstLoad.reduce((sum, t) => sum + t.transferred, 0);
  console.log(
    'first load:\n' +
      firstLoad.map((t) => `  ${t.name.padEnd(40)} ${String(t.transferred).padStart(7)} B on the wire`).join('\n') +
      `\n  total ${total} B (budget ${BUDGET})`,
  );
  // THEN every asset came compressed and with a hashed name, and the whole is within the budget
  const assets = firstLoad.filter(isAsset);
  expect(assets.map((t) => t.name.split('.').pop()).sort()).toEqual(['css', 'js', 'js', 'wasm']);
  for (const asset of assets) expect(asset.encoded, asset.name).toBeLessThan(asset.decoded);
  expect(total).toBeLessThanOrEqual(BUDGET);
  await expectNoAxeViolations(first);

  // WHEN it comes back to the start page later
  const second = await context.newPage();
  await openStartPage(second);
  const secondLoad = await transfers(second);
  console.log(
    'second visit:\n' +
      secondLoad.map((t) => `  ${t.name.padEnd(40)} ${String(t.transferred).padStart(7)} B on the wire`).join('\n'),
  );
  // THEN the scripts, the wasm, the styles and the list of providers come from the browser's
  // cache, and only the page itself crosses the wire: a revalidation answered 304, headers only
  const fetched = secondLoad.filter((t) => t.transferred > 0);
  expect(fetched.map((t) => t.name)).toEqual(['/']);
  expect(fetched[0].transferred).toBeLessThan(1024);
  expect(secondLoad.filter(isAsset)).toHaveLength(4);
  await context.close();
});

/**
 * Holds the waiting room's first call (its ticket) in every page of `context`, so that the room's
 * page stays: this server's room is off, and its answer ("open") would send the page on at once.
 * The call is never sent, so its answer (a few hundred bytes) is not in the measure. Held in the
 * page's `fetch` rather than with Playwright's routing, which would turn the HTTP cache off.
 */
async function holdTheRoomsTicket(context: BrowserContext) {
  await context.addInitScript(() => {
    const send = window.fetch.bind(window);
    const held = window as unknown as { heldTickets: number };
    held.heldTickets = 0;
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!url.includes('/api/queue/tickets')) return send(input, init);
      held.heldTickets += 1;
      return new Promise<Response>(() => {});
    };
  });
}

/** Opens the waiting room and waits until the app has taken it over and every file of its first load has come. */
async function openRoom(page: Page) {
  await page.goto('/coda?dopo=/accedi');
  await expect(page.locator('[data-prerender]')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Sala d'attesa");
  // The wasm has run: it asked for the ticket.
  await expect.poll(() => page.evaluate(() => (window as unknown as { heldTickets: number }).heldTickets)).toBe(1);
  await expect.poll(async () => (await transfers(page)).filter(isAsset).length).toBe(4);
}

test("the first load of the waiting room is within 150 KB on the wire too, and a second visit fetches only the HTML", async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });
  await holdTheRoomsTicket(context);
  // GIVEN a phone that has never been here WHEN the server sends it to the room
  const first = await context.newPage();
  await openRoom(first);
  const firstLoad = await transfers(first);
  const total = firstLoad.reduce((sum, t) => sum + t.transferred, 0);
  console.log(
    'first load of the room:\n' +
      firstLoad.map((t) => `  ${t.name.padEnd(40)} ${String(t.transferred).padStart(7)} B on the wire`).join('\n') +
      `\n  total ${total} B (budget ${BUDGET})`,
  );
  // THEN it got the room's own bundle, every asset compressed and with a hashed name, within the
  // budget
  const assets = firstLoad.filter(isAsset);
  expect(assets.map((t) => t.name.split('.').pop()).sort()).toEqual(['css', 'js', 'js', 'wasm']);
  expect(assets.map((t) => t.name.split('.')[0]).sort()).toEqual(['/queue', '/queue-boot', '/queue_bg', '/style']);
  for (const asset of assets) expect(asset.encoded, asset.name).toBeLessThan(asset.decoded);
  expect(total).toBeLessThanOrEqual(BUDGET);
  await expectNoAxeViolations(first);

  // WHEN it comes back to the room later THEN only the page is revalidated (304, headers only)
  const second = await context.newPage();
  await openRoom(second);
  const secondLoad = await transfers(second);
  const fetched = secondLoad.filter((t) => t.transferred > 0);
  expect(fetched.map((t) => t.name)).toEqual(['/coda']);
  expect(fetched[0].transferred).toBeLessThan(1024);
  expect(secondLoad.filter(isAsset)).toHaveLength(4);
  await context.close();
});
