// Content before the wasm: the start page's HTML carries its real first view (written at build
// time by frontend/src/prerender.rs), so that a phone paints it at once and the wasm takes over
// with nothing moving. How fast that paint comes on a mid-range phone is measured in
// first_paint.spec.ts, which runs alone, after every other spec.
import { type Locator, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';
import { expect, test } from './fixtures';

test.use({ viewport: { width: 360, height: 780 } });

/** Where each of `places` stands on the page and what it says: what must not move when the app takes over. */
async function whereTheyStand(places: [string, Locator][]) {
  const found = [];
  for (const [name, locator] of places) {
    const b = await locator.boundingBox();
    found.push({ name, text: (await locator.innerText()).trim(), x: b?.x, y: b?.y, height: b?.height });
  }
  return found;
}

/** The start page's landmarks. */
const landmarks = (page: Page) =>
  whereTheyStand([
    ['h1', page.getByRole('heading', { level: 1 })],
    ['banner', page.getByRole('banner')],
    ['request pin', page.getByRole('link', { name: 'Richiedi il PIN' }).first()],
    ['login', page.getByRole('link', { name: 'Accedi', exact: true })],
    ['access heading', page.getByRole('heading', { name: 'Come accedere' })],
  ]);

test('the start page shows its text before the wasm, and the app takes it over where it stands', async ({
  browser,
}) => {
  // GIVEN the page as the HTML alone shows it (no JavaScript at all)
  const bare = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 780 } });
  const htmlOnly = await bare.newPage();
  await htmlOnly.goto('/');
  const before = await landmarks(htmlOnly);
  await expect(htmlOnly).toHaveTitle('Sportello — Indennità 600 euro');
  await bare.close();

  // WHEN the app has started
  const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.locator('[data-prerender]')).toHaveCount(0);
  await expect(page.getByLabel('Codice fiscale')).toBeEditable();
  // THEN the same words stand at the same places, down to the list of ways in, which the app
  // completes with the SPID and CIE lines once the API has said they are offered (below the
  // first screen of a phone, so nothing in view moves)
  expect(await landmarks(page)).toEqual(before);
  await expectNoAxeViolations(page);
  await context.close();
});

test("the PIN request's first page also shows its questions before the wasm, where the app keeps them", async ({
  browser,
}) => {
  const where = async (page: Page) => ({
    places: await whereTheyStand([
      ['h1', page.getByRole('heading', { level: 1 })],
      ['caption', page.getByText('Richiesta PIN, passo 1 di 4')],
      ['cf', page.getByLabel('Codice fiscale')],
      ['country', page.getByLabel('Stato di residenza')],
      ['avanti', page.getByRole('button', { name: 'Avanti' })],
    ]),
    country: await page.getByLabel('Stato di residenza').inputValue(),
    title: await page.title(),
  });
  // GIVEN the page from its address, without JavaScript
  const bare = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 780 } });
  const htmlOnly = await bare.newPage();
  await htmlOnly.goto('/richiesta-pin/identita');
  const before = await where(htmlOnly);
  expect(before.country).toBe('Italia');
  await bare.close();
  // WHEN the app has taken it over THEN everything stands where it stood
  const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
  const page = await context.newPage();
  await page.goto('/richiesta-pin/identita');
  await expect(page.locator('[data-prerender]')).toHaveCount(0);
  await expect(page.getByLabel('Codice fiscale')).toBeEditable();
  expect(await where(page)).toEqual(before);
  await expectNoAxeViolations(page);
  await context.close();
});
