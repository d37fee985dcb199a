// A citizen without a PIN requests one ("Richiesta PIN") on a phone, page by page, then logs in
// with the first 8 characters received by SMS. Each test uses its own codice fiscale (the server's
// data directory is fresh for each run, shared by the tests of the run).
import { readdirSync } from 'node:fs';
import { type Page } from '@playwright/test';
import { expect, pageErrorsSeen, test } from './fixtures';
import { expectNoAxeViolations } from './a11y';
import { codiceFiscale, devMessage, registerResident } from './people';

// The narrowest phones in use: every page must fit 360 CSS pixels without sideways scrolling.
test.use({ viewport: { width: 360, height: 780 } });

/** Axe finds nothing, and the page fits the screen's width. */
async function expectPageOk(page: Page): Promise<void> {
  await expectNoAxeViolations(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'horizontal overflow at 360 px').toBeLessThanOrEqual(0);
}

/** Mario Rossi, born in Rome (H501) on the given day of December 1985. */
function mario(day: number) {
  const birthDate = `1985-12-${String(day).padStart(2, '0')}`;
  return {
    codice_fiscale: codiceFiscale('Rossi', 'Mario', 'M', birthDate, 'H501'),
    residence_country: 'Italia',
    given_name: 'Mario',
    surname: 'Rossi',
    sex: 'M',
    birth_date: birthDate,
    birth_place: 'Roma',
    birth_province: 'RM',
    address: 'Via Roma 1',
    postcode: '00184',
    municipality: 'Roma',
    province: 'RM',
    mobile: '+39 333 123 4567',
    email: `mario.rossi.${day}@example.it`,
    pec: `mario.rossi.${day}@pec.example.it`,
  };
}

/** The 8 characters of the SMS sent to `cf` (the body is agreed with the API). */
async function firstHalfFromOutbox(page: Page, cf: string): Promise<string> {
  const sms = await devMessage(page.request, cf, (m) => m.channel === 'sms', 'the SMS with the first half');
  const match = /i primi 8 caratteri del tuo PIN sono ([A-HJ-NP-Z2-9]{8})\./.exec(sms.body);
  expect(match, `SMS body: ${sms.body}`).toBeTruthy();
  return match![1];
}

const avanti = (page: Page) => page.getByRole('button', { name: 'Avanti' }).click();

test('a new citizen requests a PIN through every page and logs in with the first 8 characters', async ({
  page,
}, testInfo) => {
  test.setTimeout(60_000);
  const data = mario(10);
  expect(data.codice_fiscale).toBe('RSSMRA85T10H501O'); // the generator agrees with a known code
  await registerResident(page.request, data);

  // The start page leads to the request.
  await page.goto('/');
  await page.getByRole('link', { name: 'Richiedi il PIN' }).first().click();
  await expect(page).toHaveURL(/\/richiesta-pin\/identita$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Codice fiscale e Stato di residenza');
  await expect(page.getByLabel('Stato di residenza')).toHaveValue('Italia');
  await expectPageOk(page);

  // WHEN Avanti is pressed with nothing typed THEN the error summary takes focus and links to the field
  await avanti(page);
  const summary = page.getByRole('alert').filter({ hasText: "C'è un problema" });
  await expect(summary).toBeFocused();
  await expect(page).toHaveTitle(/^Errore: /);
  await expectPageOk(page);
  await summary.getByRole('link', { name: 'Codice fiscale: Questo campo è obbligatorio.' }).click();
  await expect(page.getByLabel('Codice fiscale')).toBeFocused();

  // Step 1: codice fiscale; Italy stays the country.
  await page.getByLabel('Codice fiscale').fill(data.codice_fiscale.toLowerCase());
  await avanti(page);

  // Step 2: personal data.
  await expect(page).toHaveURL(/\/richiesta-pin\/dati-anagrafici$/);
  await expect(page).not.toHaveTitle(/^Errore: /);
  await expect(page.getByText('Richiesta PIN, passo 2 di 4')).toBeVisible();
  await expectPageOk(page);
  // What the codice fiscale says is offered, to confirm rather than to type.
  await expect(page.getByRole('radio', { name: 'Maschio' })).toBeChecked();
  await expect(page.getByRole('group', { name: 'Data di nascita' }).getByLabel('Giorno')).toHaveValue('10');
  await expect(page.getByRole('group', { name: 'Data di nascita' }).getByLabel('Anno')).toHaveValue('1985');
  await expect(page.getByLabel('Comune o Stato estero di nascita')).toHaveValue('Roma');
  await expect(page.getByLabel('Provincia di nascita')).toHaveValue('RM');
  await page.getByLabel('Nome', { exact: true }).fill(data.given_name);
  await page.getByLabel('Cognome', { exact: true }).fill(data.surname);
  await page.getByRole('radio', { name: 'Maschio' }).check();
  const dateOfBirth = page.getByRole('group', { name: 'Data di nascita' });
  await dateOfBirth.getByLabel('Giorno').fill('10');
  await dateOfBirth.getByLabel('Mese').fill('12');
  await dateOfBirth.getByLabel('Anno').fill('1985');

  // Indietro is a link, and going back keeps what was typed on both pages.
  await page.getByRole('link', { name: 'Indietro' }).click();
  await expect(page).toHaveURL(/\/richiesta-pin\/identita$/);
  await expect(page.getByLabel('Codice fiscale')).toHaveValue(data.codice_fiscale.toLowerCase());
  await avanti(page);
  await expect(page).toHaveURL(/\/richiesta-pin\/dati-anagrafici$/);
  await expect(page.getByLabel('Nome', { exact: true })).toHaveValue('Mario');
  await expect(page.getByRole('radio', { name: 'Maschio' })).toBeChecked();

  // A reload keeps it too.
  await page.getByLabel('Comune o Stato estero di nascita').fill(data.birth_place);
  await page.getByLabel('Provincia di nascita').fill('rm');
  await page.reload();
  await expect(page.getByLabel('Comune o Stato estero di nascita')).toHaveValue('Roma');
  await expect(dateOfBirth.getByLabel('Anno')).toHaveValue('1985');
  await expect(page.getByLabel('Cognome', { exact: true })).toHaveValue('Rossi');

  // A date of birth that disagrees with the codice fiscale is caught in the page, on the day input.
  await dateOfBirth.getByLabel('Giorno').fill('11');
  await avanti(page);
  await expect(summary).toBeFocused();
  await summary.getByRole('link', { name: /data di nascita non corrisponde/ }).click();
  await expect(dateOfBirth.getByLabel('Giorno')).toBeFocused();
  await expectPageOk(page);
  await dateOfBirth.getByLabel('Giorno').fill('10');
  await avanti(page);

  // Step 3: residence in Italy.
  await expect(page).toHaveURL(/\/richiesta-pin\/residenza$/);
  await expectPageOk(page);
  await page.getByLabel('Indirizzo', { exact: true }).fill(data.address);
  await page.getByLabel('CAP').fill(data.postcode);
  await page.getByLabel('Comune', { exact: true }).fill(data.municipality);
  await page.getByLabel('Provincia', { exact: true }).fill(data.province);
  await avanti(page);

  // Step 4: contacts, all three required, with the right keyboards and autofill.
  await expect(page).toHaveURL(/\/richiesta-pin\/contatti$/);
  await expect(page.getByRole('main')).toContainText('Servono tutti e tre');
  await expect(page.getByLabel('Cellulare')).toHaveAttribute('type', 'tel');
  await expect(page.getByLabel('E-mail')).toHaveAttribute('autocomplete', 'email');
  await expectPageOk(page);
  await page.getByLabel('Cellulare').fill('333 123 4567');
  await page.getByLabel('E-mail').fill(data.email);
  await page.getByLabel('PEC').fill(data.pec);
  await avanti(page);
  await expect(summary.getByRole('link')).toContainText(['prefisso +39']);
  await page.getByLabel('Cellulare').fill(data.mobile);
  await avanti(page);

  // Check your answers, with a Modifica link per answer that says what it changes.
  await expect(page).toHaveURL(/\/richiesta-pin\/riepilogo$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Controlla le tue risposte');
  const main = page.getByRole('main');
  for (const shown of [data.codice_fiscale, 'Maschio', '10/12/1985', 'Via Roma 1', data.pec]) {
    await expect(main).toContainText(shown);
  }
  await expectPageOk(page);
  await page.getByRole('link', { name: 'Modifica nome', exact: true }).click();
  await expect(page).toHaveURL(/\/richiesta-pin\/dati-anagrafici\?da=riepilogo#given_name$/);
  await expect(page.getByLabel('Nome', { exact: true })).toBeFocused();
  await avanti(page);
  await expect(page).toHaveURL(/\/richiesta-pin\/riepilogo$/);

  // CONFERMA sends it once.
  await page.getByRole('button', { name: 'CONFERMA' }).click();
  await expect(page).toHaveURL(/\/richiesta-pin\/conferma$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Richiesta del PIN inviata');
  for (const shown of [data.codice_fiscale, 'per posta', '12 ore', '803 164', '06 164164']) {
    await expect(main).toContainText(shown);
  }
  // It says which messages were queued with the request, where each goes (masked), and how it
  // stands: written with the request, delivered a moment after the answer.
  await expect(main).toContainText("Abbiamo preparato l'invio dei primi 8 caratteri del PIN e della lettera");
  const queued = main.getByRole('list').filter({ hasText: '+39 ***4567' }).getByRole('listitem');
  await expect(queued).toHaveText([
    'SMS al numero +39 ***4567: in coda',
    'e-mail a m***@example.it: in coda',
    'PEC a m***@pec.example.it: in coda',
    'lettera a Via R***, 00184 Roma: in coda',
  ]);
  await expectPageOk(page);
  expect(await page.evaluate(() => localStorage.getItem('sportello.pin_request'))).toBeNull();
  // AND a reload keeps it (this tab only), in English too
  await page.reload();
  await expect(queued).toHaveCount(4);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(queued.first()).toHaveText('text message to +39 ***4567: queued');
  await expect(queued.last()).toHaveText('letter to Via R***, 00184 Roma: queued');
  await expectPageOk(page);
  await page.getByRole('button', { name: 'Italiano' }).click();
  await expect(queued.first()).toHaveText('SMS al numero +39 ***4567: in coda');

  // The first 8 characters arrive by SMS; they are the simplified PIN.
  const firstHalf = await firstHalfFromOutbox(page, data.codice_fiscale);
  await page.getByRole('link', { name: 'Accedi con il PIN' }).click();
  await expect(page).toHaveURL(/\/accedi$/);
  await expect(page.getByLabel('Codice fiscale')).toHaveValue(data.codice_fiscale);
  await expect(page.getByLabel('PIN', { exact: true })).toHaveAttribute('autocomplete', 'off');
  await page.getByLabel('PIN', { exact: true }).fill(firstHalf);
  await page.getByRole('button', { name: 'Accedi', exact: true }).click();

  await expect(page).toHaveURL(/\/domanda$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('La tua domanda di indennità');
  await expect(main).toContainText('PIN semplificato');
  await expect(main).toContainText(data.codice_fiscale);
  await expect(main).toContainText('16:00');
  await expectPageOk(page);
  await testInfo.attach('domanda-mobile', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
});

test('the server has the last word: a place of birth it does not know stops the step', async ({ page }) => {
  const data = mario(11);
  await page.goto('/richiesta-pin/identita');
  await page.getByLabel('Codice fiscale').fill(data.codice_fiscale);
  await avanti(page);
  await page.getByLabel('Nome', { exact: true }).fill(data.given_name);
  await page.getByLabel('Cognome', { exact: true }).fill(data.surname);
  await page.getByRole('radio', { name: 'Maschio' }).check();
  await page.getByLabel('Giorno').fill('11');
  await page.getByLabel('Mese').fill('12');
  await page.getByLabel('Anno').fill('1985');
  // The page cannot know every municipality; the server's table can.
  await page.getByLabel('Comune o Stato estero di nascita').fill('Atlantide');
  await page.getByLabel('Provincia di nascita').fill('RM');
  await avanti(page);

  const summary = page.getByRole('alert').filter({ hasText: "C'è un problema" });
  await expect(summary).toBeFocused();
  await expect(summary).toContainText('Non troviamo questo luogo di nascita');
  await expect(page).toHaveURL(/\/richiesta-pin\/dati-anagrafici$/);
  await expectPageOk(page);
});

test('a page cannot be reached before the pages before it are done', async ({ page }) => {
  await page.goto('/richiesta-pin/contatti');
  await expect(page).toHaveURL(/\/richiesta-pin\/identita$/);
  await page.goto('/richiesta-pin/riepilogo');
  await expect(page).toHaveURL(/\/richiesta-pin\/identita$/);
});

test('abroad the address asks for a city and no province', async ({ page }) => {
  const data = { ...mario(12), residence_country: 'Germania', postcode: '', municipality: '', province: '' };
  // GIVEN the first two pages done (a draft saved on the device, as after a reload)
  await page.goto('/');
  await page.evaluate((form) => localStorage.setItem('sportello.pin_request', JSON.stringify(form)), data);
  await page.goto('/richiesta-pin/residenza');
  await expect(page.getByLabel('Città')).toBeVisible();
  await expect(page.getByLabel('Codice postale (facoltativo)')).toBeVisible();
  await expect(page.getByLabel('Provincia', { exact: true })).toHaveCount(0);
  await expectPageOk(page);
  await page.getByLabel('Città').fill('Berlin');
  await avanti(page);
  await expect(page).toHaveURL(/\/richiesta-pin\/contatti$/);
});

test('a second request for the same codice fiscale is refused on the summary page', async ({ page }) => {
  const data = mario(13);
  // GIVEN a PIN already requested for this codice fiscale
  await registerResident(page.request, data);
  const first = await page.request.post('/api/pin-requests', {
    data,
    headers: { 'Idempotency-Key': 'e2e-second-request-1' },
  });
  expect(first.status()).toBe(201);
  // WHEN the same person fills the form again (saved on the device) and confirms
  await page.goto('/');
  await page.evaluate((form) => localStorage.setItem('sportello.pin_request', JSON.stringify(form)), data);
  await page.goto('/richiesta-pin/riepilogo');
  await page.getByRole('button', { name: 'CONFERMA' }).click();
  // THEN the refusal shows as a problem of the page, with what to do
  const summary = page.getByRole('alert').filter({ hasText: "C'è un problema" });
  await expect(summary).toBeFocused();
  await expect(summary).toContainText('già stato richiesto un PIN');
  await expect(summary).toContainText('Contact Center');
  await expect(page).toHaveURL(/\/richiesta-pin\/riepilogo$/);
  await expectPageOk(page);
});

test('keyboard only: Enter sends every page like Avanti, and the page after works (no dead page)', async ({
  page,
}) => {
  const data = mario(20);
  await registerResident(page.request, data);
  const summary = page.getByRole('alert').filter({ hasText: "C'è un problema" });
  const enterIn = async (label: string) => page.getByLabel(label, { exact: true }).press('Enter');

  // Step 1, Enter in either field (the phone keyboard's "Vai" is the same key): 2020's dead page
  // came right after this.
  await page.goto('/richiesta-pin/identita');
  await page.getByLabel('Codice fiscale').fill(data.codice_fiscale);
  await enterIn('Codice fiscale');
  await expect(page).toHaveURL(/\/richiesta-pin\/dati-anagrafici$/);
  await page.getByRole('link', { name: 'Indietro' }).press('Enter');
  await expect(page).toHaveURL(/\/richiesta-pin\/identita$/);
  await enterIn('Stato di residenza');
  await expect(page).toHaveURL(/\/richiesta-pin\/dati-anagrafici$/);

  // Step 2 is alive: Enter with nothing typed shows the problems, then typing and Enter go on.
  await enterIn('Nome');
  await expect(summary).toBeFocused();
  await expect(page).toHaveTitle(/^Errore: /);
  await expectPageOk(page);
  await page.getByLabel('Nome', { exact: true }).fill(data.given_name);
  await page.getByLabel('Cognome', { exact: true }).fill(data.surname);
  await page.getByRole('radio', { name: 'Maschio' }).press('Space');
  await expect(page.getByRole('radio', { name: 'Maschio' })).toBeChecked();
  const dateOfBirth = page.getByRole('group', { name: 'Data di nascita' });
  await dateOfBirth.getByLabel('Giorno').fill('20');
  await dateOfBirth.getByLabel('Mese').fill('12');
  await dateOfBirth.getByLabel('Anno').fill('1985');
  await page.getByLabel('Comune o Stato estero di nascita').fill(data.birth_place);
  await page.getByLabel('Provincia di nascita').fill(data.birth_province);
  await page.getByLabel('Provincia di nascita').press('Enter');

  // Step 3: the postcode opens the numeric keyboard; Enter in the last field.
  await expect(page).toHaveURL(/\/richiesta-pin\/residenza$/);
  await expect(page.getByLabel('CAP')).toHaveAttribute('inputmode', 'numeric');
  await page.getByLabel('Indirizzo', { exact: true }).fill(data.address);
  await page.getByLabel('CAP').fill(data.postcode);
  await page.getByLabel('Comune', { exact: true }).fill(data.municipality);
  await page.getByLabel('Provincia', { exact: true }).fill(data.province);
  await enterIn('Provincia');

  // Step 4: Enter in the first field sends the page too.
  await expect(page).toHaveURL(/\/richiesta-pin\/contatti$/);
  await page.getByLabel('Cellulare').fill(data.mobile);
  await page.getByLabel('E-mail').fill(data.email);
  await page.getByLabel('PEC').fill(data.pec);
  await enterIn('Cellulare');

  // Check your answers: CONFERMA reached and pressed with the keyboard.
  await expect(page).toHaveURL(/\/richiesta-pin\/riepilogo$/);
  await page.getByRole('button', { name: 'CONFERMA' }).press('Enter');
  await expect(page).toHaveURL(/\/richiesta-pin\/conferma$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Richiesta del PIN inviata');

  // Login: Enter in the PIN field.
  const firstHalf = await firstHalfFromOutbox(page, data.codice_fiscale);
  await page.getByRole('link', { name: 'Accedi con il PIN' }).press('Enter');
  await expect(page).toHaveURL(/\/accedi$/);
  await page.getByLabel('PIN', { exact: true }).fill(firstHalf);
  await page.getByLabel('PIN', { exact: true }).press('Enter');
  await expect(page).toHaveURL(/\/domanda$/);
  await expect(page.getByRole('main')).toContainText(data.codice_fiscale);
});

test.describe('when the code breaks', () => {
  // This test's page panics on purpose: the guard's verdict is checked below instead.
  test.use({ pageErrorsExpected: true });

  test('a page that panics shows how to recover, reports it, and reloads into a working page', async ({ page }) => {
  test.skip(!process.env.E2E_PROBE_SPA_DIR, 'needs the panic-probe build (scripts/test.sh makes it)');
  // GIVEN the public bundle of the panic-probe test build, which panics on purpose at #panico-di-prova
  // (each build names its files by their content: the release's bindings are answered with the
  // probe's, which fetch the probe's wasm by its own name)
  const probe = process.env.E2E_PROBE_SPA_DIR!;
  for (const [pattern, name] of [
    ['**/frontend.*.js', /^frontend\.[0-9a-f]{16}\.js$/],
    ['**/frontend_bg.*.wasm', /^frontend_bg\.[0-9a-f]{16}\.wasm$/],
  ] as const) {
    const file = readdirSync(probe).find((f) => name.test(f));
    expect(file, `${probe} holds ${name}`).toBeDefined();
    await page.route(pattern, (route) => route.fulfill({ path: `${probe}/${file}` }));
  }
  const report = page.waitForRequest((r) => r.url().endsWith('/api/client-errors') && r.method() === 'POST');
  // WHEN a page of the PIN request panics after it started
  // (it panics just after the app starts: how soon is the machine's, so the page before it is not
  // waited for)
  await page.goto('/richiesta-pin/identita#panico-di-prova');
  // THEN it is replaced by the recovery message, which takes focus, and the server hears of it
  const heading = page.getByRole('heading', { level: 1, name: 'Qualcosa non ha funzionato' });
  await expect(heading).toBeFocused();
  await expect(page.getByRole('alert')).toContainText('Le risposte sono salvate: ricarica la pagina.');
  await expect(page).toHaveTitle('Qualcosa non ha funzionato');
  const sent = JSON.parse((await report).postData() ?? '{}');
  expect(sent).toEqual({ bundle: 'public', location: expect.stringMatching(/panic_page\.rs:\d+:\d+$/) });
  expect(Object.keys(sent)).toEqual(['bundle', 'location']); // where it broke, nothing the page held
  await expectPageOk(page);
  // AND the link reloads the page, which works again
  await page.getByRole('link', { name: 'Ricarica la pagina' }).click();
  await expect(page).toHaveURL(/\/richiesta-pin\/identita$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Codice fiscale e Stato di residenza');
  await page.getByLabel('Codice fiscale').press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: "C'è un problema" })).toBeFocused();
  // AND the guard every other test runs under saw the panic (so it would have failed them)
  expect(pageErrorsSeen().some((e) => e.includes('panicked'))).toBe(true);
  });
});
