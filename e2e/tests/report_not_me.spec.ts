// "Non sono stato io" on a phone (issue 13, item 4; docs/adr/0017): a stranger who knows Giorgio
// Bruno's personal data requested a PIN in his name with their own contacts and logged in with it.
// Giorgio, logged in with SPID, sees that request (when, where its halves went, masked) on
// "Richieste e domande a tuo nome" and reports it: the PIN is revoked, the stranger's session and
// login end. Every page is axe-clean.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectNoAxeViolations } from './a11y';
import { romanWoman, simplifiedPin } from './people';

test.use({ viewport: { width: 360, height: 780 } });

/** Giorgio Bruno, born in Rome on 10 March 1980: the SPID test user `giorgio.bruno` (e2e/oidc). */
const GIORGIO = 'BRNGRG80C10H501Z';

async function logInWithSpid(page: Page, user: string) {
  await page.goto('/accedi');
  const spid = page.getByText('Entra con SPID', { exact: true });
  await spid.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('link', { name: 'SPID di prova' }).click();
  await page.getByLabel('Nome utente').fill(user);
  await page.getByLabel('Password').fill('password');
  await page.getByRole('button', { name: 'Entra', exact: true }).click();
  await expect(page).toHaveURL(/\/domanda$/);
}

test('a citizen with SPID sees a PIN request made in his name and reports it', async ({ page, browser, request }) => {
  // GIVEN a stranger requested a PIN in Giorgio's name, with their own mobile and e-mail
  const byStranger = {
    ...romanWoman('Bruno', 'Giorgio', '1980-03-10', 'sconosciuto'),
    codice_fiscale: GIORGIO,
    sex: 'M',
    mobile: '+39 347 999 0042',
  };
  const first = await simplifiedPin(request, byStranger);
  // AND logged in with its first 8 characters in another browser
  const strangers = await browser.newContext();
  const stranger = await strangers.request.post('/api/session', { data: { codice_fiscale: GIORGIO, pin: first } });
  expect(stranger.status()).toBe(200);

  // WHEN Giorgio logs in with SPID and opens the list of what was made in his name
  await logInWithSpid(page, 'giorgio.bruno');
  await expectNoAxeViolations(page);
  await page.getByRole('link', { name: 'Richieste e domande a tuo nome' }).click();
  await expect(page).toHaveURL(/\/le-mie-domande\/a-mio-nome$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Richieste e domande a tuo nome');
  await expect(page).toHaveTitle('A tuo nome — Sportello');
  // THEN he sees the request, where its halves went, masked, and that it was used
  const main = page.getByRole('main');
  await expect(main).toContainText('Richiesta del PIN del');
  await expect(main).toContainText('+39 ***0042');
  await expect(main).toContainText('s***@example.it');
  await expect(main).toContainText('Via A***, 00183 Roma');
  await expect(main).toContainText('Usato per accedere');
  await expect(main).not.toContainText('sconosciuto@example.it');
  await expectNoAxeViolations(page);

  // WHEN he reports it
  await page.getByRole('button', { name: 'Non sono stato io: revoca questo PIN' }).click();
  // THEN the page says what happened, the request reads revoked and cannot be reported again
  const outcome = page.getByRole('status').filter({ hasText: 'il PIN è revocato' });
  await expect(outcome).toBeVisible();
  await expect(main).toContainText('Revocato');
  await expect(page.getByRole('button', { name: 'Non sono stato io: revoca questo PIN' })).toHaveCount(0);
  await expectNoAxeViolations(page);

  // AND the stranger's session has ended and the PIN no longer logs in
  expect((await strangers.request.get('/api/application')).status()).toBe(401);
  const again = await request.post('/api/session', { data: { codice_fiscale: GIORGIO, pin: first } });
  expect(again.status()).toBe(401);
  await strangers.close();
});
