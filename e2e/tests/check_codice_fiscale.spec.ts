// A citizen opens the home page on a phone, reads how to get in, and checks their codice fiscale.
import { expect, test } from './fixtures';
import { expectNoAxeViolations, watchConsole } from './a11y';

test('citizen reads the home page and checks a codice fiscale', async ({ page }, testInfo) => {
  const problems = watchConsole(page);
  await page.goto('/');

  // The page explains the service and the ways in this instance offers: here the PIN, SPID and
  // CIE (the test's OpenID providers), not CNS, which it has not configured.
  await expect(page.getByRole('heading', { level: 1 })).toContainText('600 euro');
  const main = page.getByRole('main');
  for (const way of ['PIN', 'PIN semplificato', 'SPID di livello 2', 'CIE 3.0']) {
    await expect(main).toContainText(way);
  }
  await expect(main).not.toContainText('CNS');
  await expect(main).toContainText('16:00');
  await expectNoAxeViolations(page);

  // WHEN the citizen types a code with a wrong check character and presses Verifica
  const field = page.getByLabel('Codice fiscale', { exact: false });
  await field.fill('RSSMRA85T10A562T');
  await page.getByRole('button', { name: 'Verifica' }).click();

  // THEN the error summary takes focus, links to the field, and the title says "Errore"
  const summary = page.getByRole('alert').filter({ hasText: "C'è un problema" });
  await expect(summary).toBeVisible();
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link')).toContainText('carattere di controllo');
  await expect(page).toHaveTitle(/^Errore: /);
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page);

  // The summary link takes the citizen to the field.
  await summary.getByRole('link').first().click();
  await expect(field).toBeFocused();

  // WHEN the citizen corrects it; THEN the server confirms it, with the normalised code
  await field.fill('rssmra85t10a562s');
  await page.getByRole('button', { name: 'Verifica' }).click();
  const ok = page.getByRole('status').filter({ hasText: 'RSSMRA85T10A562S' });
  await expect(ok).toContainText('formalmente corrett');
  await expect(summary).toHaveCount(0);
  await expect(page).not.toHaveTitle(/^Errore: /);
  await expectNoAxeViolations(page);

  await testInfo.attach('home-mobile', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  expect(problems).toEqual([]);
});

test('the English switch translates the page and its errors', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('600');

  await page.getByLabel('Codice fiscale', { exact: false }).fill('RSSMRA');
  await page.getByRole('button', { name: 'Check' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await expect(summary).toContainText('16 characters');
  await expect(page).toHaveTitle(/^Error: /);
  await expectNoAxeViolations(page);

  // The choice survives a reload.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

test('health endpoint answers through the same server that serves the SPA', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect(response.headers()['cache-control']).toBe('no-store');
  expect(await response.json()).toEqual({ status: 'ok', store: 'sqlite' });
});

test('a connection that resets is reported as a network problem, not as a busy service', async ({ page }) => {
  // GIVEN the network drops every check of the codice fiscale
  await page.route('**/api/codice-fiscale/check', (route) => route.abort('connectionreset'));
  await page.goto('/');
  await page.getByLabel('Codice fiscale', { exact: false }).fill('RSSMRA85T10A562S');
  await page.getByRole('button', { name: 'Verifica' }).click();
  // THEN the page says to check the network while it tries again by itself
  const status = page.getByRole('status').filter({ hasText: 'La connessione non risponde' });
  // (which attempt it is on depends on how busy the machine is; that it says so is the point)
  await expect(status).toContainText(/nuovo tentativo tra \d+ s \(\d di 6\)\. Controlla la rete/);
  await expect(page.getByRole('main')).not.toContainText('molto richiesto');
  await expectNoAxeViolations(page);
});
