// SPID and CIE as they really are: the OpenID Connect Federation, against the Italian reference
// implementation (spid-cie-oidc 1.6.3; e2e/federation/with_sportello.py starts its trust anchor,
// SPID and CIE providers, and our server registered at the anchor). On a phone, a citizen opens
// the SPID button, whose list comes from the federation, picks the provider, logs in on the
// provider's own login and consent pages, and comes back with a full session; a level 1 login
// comes back refused. Every page of ours is axe-clean.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectNoAxeViolations, watchConsole } from './a11y';

const fedURL = `http://127.0.0.1:${process.env.E2E_FED_PORT}`;
test.use({ baseURL: fedURL, viewport: { width: 360, height: 780 } });

/** The provider's login page, then its consent page (the reference implementation's own). */
async function logInAtProvider(page: Page, user: string) {
  await expect(page.getByLabel('Username')).toBeVisible();
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill('password');
  await page.locator('#submit').click();
  await page.locator('#agree').click();
}

/** Opens the SPID button with the keyboard and picks the federation's SPID provider. */
async function chooseSpidProvider(page: Page) {
  await page.goto('/accedi');
  const spid = page.getByText('Entra con SPID', { exact: true });
  await expect(spid).toBeVisible();
  await expectNoAxeViolations(page);
  await spid.focus();
  await page.keyboard.press('Enter');
  // The name the provider publishes in its federation metadata, not one of ours.
  const provider = page.getByRole('link', { name: 'SPID OP di prova' });
  await expect(provider).toBeVisible();
  await expectNoAxeViolations(page);
  await provider.click();
}

test('a SPID level 2 user logs in through the federation and reaches the application', async ({ page }) => {
  // Our pages only: the provider's pages ask for fonts and images the test federation lacks.
  const problems = watchConsole(page, fedURL);
  await chooseSpidProvider(page);
  // The provider resolved our trust chain and read our signed request object: its login page.
  await expect(page).toHaveURL(/\/oidc\/op\/authorization/);
  await logInAtProvider(page, 'mario.rossi');

  await expect(page).toHaveURL(/\/domanda$/);
  // The codice fiscale came from the signed and encrypted UserInfo.
  await expect(page.getByText(/RSSMRA85T14H501W/)).toBeVisible();
  await expectNoAxeViolations(page);
  const session = await (await page.request.get('/api/session')).json();
  expect(session.scope).toBe('full');
  expect(session.method).toBe('spid');
  expect(problems).toEqual([]);
});

test('a SPID level 3 user logs in through the federation too', async ({ page }) => {
  await chooseSpidProvider(page);
  await logInAtProvider(page, 'lucia.verdi');
  await expect(page).toHaveURL(/\/domanda$/);
  await expect(page.getByText(/VRDLCU80A41H501K/)).toBeVisible();
});

test('a SPID level 1 user comes back to the login page with the explanation', async ({ page }) => {
  await chooseSpidProvider(page);
  await logInAtProvider(page, 'anna.bianchi');

  await expect(page).toHaveURL(/\/accedi\?errore=auth\.level_too_low$/);
  await expect(page.getByRole('alert')).toContainText('serve SPID di livello 2 o superiore');
  await expectNoAxeViolations(page);
  expect((await page.request.get('/api/session')).status()).toBe(401);
});

test('a CIE user logs in with the CIE button through the federation', async ({ page }) => {
  await page.goto('/accedi');
  await page.getByRole('link', { name: 'Entra con CIE' }).click();
  await logInAtProvider(page, 'mario.rossi');

  await expect(page).toHaveURL(/\/domanda$/);
  await expect(page.getByText(/RSSMRA85T14H501W/)).toBeVisible();
  const session = await (await page.request.get('/api/session')).json();
  expect(session.method).toBe('cie');
});

test('our entity configuration is served signed at the root of our entity id', async ({ request }) => {
  const response = await request.get('/.well-known/openid-federation');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('application/entity-statement+jwt');
  const [header, payload] = (await response.text())
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  expect(header.typ).toBe('entity-statement+jwt');
  expect(payload.sub).toBe(fedURL);
  expect(payload.metadata.openid_relying_party.redirect_uris).toEqual([`${fedURL}/api/auth/oidc/callback`]);
});
