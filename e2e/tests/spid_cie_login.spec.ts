// A citizen logs in with SPID or CIE through the local OpenID provider (e2e/oidc/provider.mjs):
// level 2 reaches the application with a full session; level 1 comes back to the login page with
// the explanation; a tampered state or a replayed code opens nothing. The provider list opens with
// the keyboard, and every page of ours is axe-clean.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectNoAxeViolations, watchConsole } from './a11y';

test.use({ viewport: { width: 360, height: 780 } });

async function logInAtProvider(page: Page, user: string) {
  await page.getByLabel('Nome utente').fill(user);
  await page.getByLabel('Password').fill('password');
  await page.getByRole('button', { name: 'Entra', exact: true }).click();
}

/** Opens the SPID list with the keyboard and picks the test provider. */
async function chooseSpidProvider(page: Page) {
  await page.goto('/accedi');
  const spid = page.getByText('Entra con SPID', { exact: true });
  await expect(spid).toBeVisible();
  await expectNoAxeViolations(page);
  await spid.focus();
  await page.keyboard.press('Enter');
  const provider = page.getByRole('link', { name: 'SPID di prova' });
  await expect(provider).toBeVisible();
  await expectNoAxeViolations(page);
  await provider.click();
}

test('a SPID level 2 user logs in with the SPID button and reaches the application', async ({ page }) => {
  const problems = watchConsole(page);
  await chooseSpidProvider(page);
  await logInAtProvider(page, 'mario.rossi');

  await expect(page).toHaveURL(/\/domanda$/);
  await expect(page.getByText(/RSSMRA85T14H501W/)).toBeVisible();
  await expectNoAxeViolations(page);
  const session = await (await page.request.get('/api/session')).json();
  expect(session.scope).toBe('full');
  expect(session.method).toBe('spid');
  expect(problems).toEqual([]);
});

test('a SPID level 1 user is sent back to the login page with the explanation', async ({ page }) => {
  await chooseSpidProvider(page);
  await logInAtProvider(page, 'anna.bianchi');

  await expect(page).toHaveURL(/\/accedi\?errore=auth\.level_too_low$/);
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('serve SPID di livello 2 o superiore');
  await expect(page).toHaveTitle(/^Errore: /);
  await expectNoAxeViolations(page);
  expect((await page.request.get('/api/session')).status()).toBe(401);
});

test('a CIE user logs in with the CIE button and reaches the application', async ({ page }) => {
  await page.goto('/accedi');
  await page.getByRole('link', { name: 'Entra con CIE' }).click();
  await logInAtProvider(page, 'lucia.verdi');

  await expect(page).toHaveURL(/\/domanda$/);
  await expect(page.getByText(/VRDLCU80A41H501K/)).toBeVisible();
});

test('the login page offers SPID, CIE in English too', async ({ page }) => {
  await page.goto('/accedi');
  await expect(page.getByText('Entra con SPID', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByText('Log in with SPID', { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Log in with CIE' })).toBeVisible();
});

test('a tampered state and a replayed authorisation code are refused', async ({ page, browser }) => {
  // GIVEN a login started at the provider, whose state this browser's flow cookie holds
  const authorize = page.waitForRequest((r) => r.url().startsWith('http://127.0.0.1:') && r.url().includes('state='));
  await chooseSpidProvider(page);
  const state = new URL((await authorize).url()).searchParams.get('state');
  expect(state).toBeTruthy();
  // WHEN the answer comes back with that state changed
  await page.goto(`/api/auth/oidc/callback?code=any&state=${state}x`);
  // THEN no session, and the login page says the sign-in did not complete
  await expect(page).toHaveURL(/\/accedi\?errore=auth\.flow_invalid$/);
  await expect(page.getByRole('alert')).toBeVisible();
  await expectNoAxeViolations(page);
  expect((await page.request.get('/api/session')).status()).toBe(401);

  // GIVEN a login that succeeds, whose flow cookie and callback address (with its code) are
  // copied on the way: everything an eavesdropper on that browser could have
  const callback = page.waitForRequest((r) => r.url().includes('/api/auth/oidc/callback?'));
  await chooseSpidProvider(page);
  const flowCookie = (await page.context().cookies()).find((c) => c.name === 'sportello_oidc');
  expect(flowCookie, 'the flow cookie set when the login started').toBeTruthy();
  await logInAtProvider(page, 'mario.rossi');
  await expect(page).toHaveURL(/\/domanda$/);
  const used = (await callback).url();

  // WHEN another browser replays the code with that cookie
  const other = await browser.newContext();
  await other.addCookies([flowCookie!]);
  const replay = await other.newPage();
  await replay.goto(used);
  // THEN the service refuses the finished flow before the code goes anywhere, and nothing opens
  await expect(replay).toHaveURL(/\/accedi\?errore=auth\.flow_invalid$/);
  expect((await replay.request.get('/api/session')).status()).toBe(401);
  await other.close();
});
