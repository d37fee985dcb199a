// A citizen logged in with the simplified PIN (the first 8 characters) files the application for
// the indemnity on a phone: benefit, its declarations (rendered from the catalogue), payment,
// contacts, check your answers, CONFERMA, receipt, "Le mie domande". The server's clock is moved
// inside or outside the 16:00–08:00 window (Europe/Rome) only where its answer depends on it.
import { type APIRequestContext, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectNoAxeViolations } from './a11y';
import { devOutbox, expectAreaLoaded, romanWoman, simplifiedPin } from './people';

test.use({ viewport: { width: 360, height: 780 } });
// The server's clock is one for the whole server, shared with the specs running alongside (a
// clock moved back makes OpenID tokens look issued in the future; moved forward again, it ends the
// sessions opened meanwhile). So the tests use the real clock when it is already where they need
// it, and otherwise move it to 1 April 2020 only for the requests whose answer depends on it,
// giving it back at once; the tests take turns.
test.describe.configure({ mode: 'serial' });

/** Giulia Verdi, born in Rome (H501) on the given day of May 1990. */
function giulia(day: number) {
  return romanWoman('Verdi', 'Giulia', `1990-05-${String(day).padStart(2, '0')}`, `giulia.verdi.${day}`);
}

/** Sets the server's clock (dev mode only); `null` gives it back the system's. */
async function setClock(request: APIRequestContext, now: string | null) {
  const response = await request.put('/api/dev/clock', { data: { now } });
  expect(response.ok(), await response.text()).toBeTruthy();
}

async function logIn(page: Page, cf: string, pin: string) {
  await page.goto('/accedi');
  await page.getByLabel('Codice fiscale').fill(cf);
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Accedi', exact: true }).click();
  await expectAreaLoaded(page, cf);
}

/** Whether the citizens' window (16:00–08:00 in Rome) is open now on the real clock. */
function windowOpenNow(): boolean {
  const hour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', hour: '2-digit', hourCycle: 'h23' })
    .format(new Date());
  return Number(hour) >= 16 || Number(hour) < 8;
}

const avanti = (page: Page) => page.getByRole('button', { name: 'Avanti' }).click();

/** What this device keeps of the citizen in localStorage and sessionStorage (all but the language). */
async function personalStorage(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const kept: Record<string, string> = {};
    for (const store of [localStorage, sessionStorage]) {
      for (const key of Object.keys(store)) if (key !== 'sportello.lang') kept[key] = store.getItem(key) ?? '';
    }
    return kept;
  });
}
const group = (page: Page, name: string | RegExp) => page.getByRole('group', { name });

test('a citizen with the simplified PIN files the application and gets a receipt, once', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(120_000);
  const person = giulia(11);
  const pin = await simplifiedPin(request, person);
  await logIn(page, person.codice_fiscale, pin);

  // Start page: who is in, with which access, and the way in.
  const main = page.getByRole('main');
  await expect(main).toContainText(person.codice_fiscale);
  await expect(main).toContainText('PIN semplificato');
  await expectNoAxeViolations(page);
  await page.getByRole('link', { name: 'Inizia la domanda' }).click();

  // Benefit: Avanti without a choice names the problem, linked to the question.
  await expect(page).toHaveURL(/\/domanda\/indennita$/);
  await avanti(page);
  const summary = page.getByRole('alert').filter({ hasText: "C'è un problema" });
  await expect(summary).toBeFocused();
  await expect(page).toHaveTitle(/^Errore: /);
  await expectNoAxeViolations(page);
  await page.getByLabel('Lavoratori stagionali del turismo e degli stabilimenti termali').check();
  await avanti(page);

  // Declarations, from the catalogue: a date, boxes to tick, yes/no questions.
  await expect(page).toHaveURL(/\/domanda\/dichiarazioni$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Le tue dichiarazioni');
  await expectNoAxeViolations(page);
  // WHEN Avanti is pressed with nothing answered THEN every message names its declaration, in the
  // summary and at the question, and no two read the same
  await avanti(page);
  await expect(summary).toBeFocused();
  const messages = await summary.getByRole('link').allInnerTexts();
  expect(messages.length).toBeGreaterThan(3);
  expect(new Set(messages).size, messages.join(' | ')).toBe(messages.length);
  expect(messages).toContain(
    "Fine involontaria del lavoro stagionale: Spunta la casella per confermare questa dichiarazione. Se nel tuo caso non è vera, non hai diritto a questa indennità: torna alla scelta e valuta un'altra indennità.",
  );
  await expect(group(page, 'Sei titolare di una pensione?')).toContainText('Pensione: ');
  await expectNoAxeViolations(page);
  await testInfo.attach('declarations-errors-360', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  for (const confirm of await page.getByLabel('Confermo').all()) await confirm.check();
  const lastJob = group(page, /In che data è finito il tuo ultimo rapporto di lavoro stagionale/);
  await lastJob.getByLabel('Giorno').fill('15');
  await lastJob.getByLabel('Mese').fill('10');
  await lastJob.getByLabel('Anno').fill('2019');
  await group(page, 'Sei titolare di una pensione?').getByLabel('No').check();
  await group(page, /Il 17 marzo 2020 avevi un rapporto di lavoro dipendente/).getByLabel('No').check();

  // A reload before Avanti loses nothing (the answers are kept on the device).
  await page.reload();
  await expect(group(page, 'Sei titolare di una pensione?').getByLabel('No')).toBeChecked();
  await expect(lastJob.getByLabel('Giorno')).toHaveValue('15');
  for (const confirm of await page.getByLabel('Confermo').all()) await expect(confirm).toBeChecked();
  await avanti(page);

  // Payment: an IBAN in the citizen's own name.
  await expect(page).toHaveURL(/\/domanda\/pagamento$/);
  await page.getByLabel('Accredito sul conto (IBAN)').check();
  await page.getByLabel('IBAN', { exact: true }).fill('IT60 X054 2811 1010 0000 0123 456');
  await page.getByLabel('Solo a me').check();
  await expectNoAxeViolations(page);
  await page.reload();
  await expect(page.getByLabel('IBAN', { exact: true })).toHaveValue('IT60 X054 2811 1010 0000 0123 456');
  await expect(page.getByLabel('Solo a me')).toBeChecked();
  await avanti(page);

  // Contacts, prefilled from the PIN request.
  await expect(page).toHaveURL(/\/domanda\/contatti$/);
  await expect(page.getByLabel('E-mail')).toHaveValue(person.email);
  await expect(page.getByLabel('Cellulare')).not.toHaveValue('');
  await expectNoAxeViolations(page);
  await avanti(page);

  // Check your answers, with a "Modifica" link per answer.
  await expect(page).toHaveURL(/\/domanda\/riepilogo$/);
  await expect(main).toContainText('Lavoratori stagionali del turismo');
  await expect(main).toContainText('15/10/2019');
  await expect(main).toContainText('IT60 X054 2811 1010 0000 0123 456');
  await expect(page.getByRole('link', { name: /^Modifica IBAN/ })).toHaveAttribute(
    'href',
    '/domanda/pagamento?da=riepilogo#iban',
  );
  await expectNoAxeViolations(page);

  // (the device holds a copy of the answers until they are sent)
  expect(JSON.stringify(await personalStorage(page))).toContain('X054');

  // WHEN CONFERMA is clicked twice in a row while sending is open (now, or at 17:00 in Rome on
  // 1 April 2020)
  const moveClock = !windowOpenNow();
  const created = page.waitForResponse((r) => r.url().endsWith('/api/application/submit'));
  if (moveClock) await setClock(request, '2020-04-01T17:00:00+02:00');
  try {
    await page.getByRole('button', { name: 'Conferma' }).dblclick();
    expect((await created).status()).toBe(201);
  } finally {
    if (moveClock) await setClock(request, null);
  }

  // THEN one receipt, with its protocol number and the time in Italy
  await expect(page).toHaveURL(/\/domanda\/ricevuta\/INPS-COVID-20\d\d-\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Domanda inviata');
  // AND the device keeps no copy of the answers (IBAN, contacts) nor of the PIN request
  const kept = JSON.stringify(await personalStorage(page));
  for (const secret of ['X054', person.email, 'iban', 'pin_request']) expect(kept).not.toContain(secret);
  const sentAt = moveClock ? 'Inviata il 01/04/2020 alle 17:00 (ora italiana).' : /Inviata il \d\d\/\d\d\/\d{4} alle \d\d:\d\d \(ora italiana\)\./;
  await expect(main).toContainText(sentAt);
  await expect(page.getByRole('button', { name: 'Stampa la ricevuta' })).toBeVisible();
  // AND it says whose it is
  await expect(main).toContainText(`Richiedente${person.given_name} ${person.surname}`);
  await expect(main).toContainText(`Codice fiscale${person.codice_fiscale}`);
  await expectNoAxeViolations(page);
  const protocol = page.url().split('/').pop()!;
  // AND it says where its copy went, and the copy is there, with the protocol number
  await expect(main).toContainText('per e-mail a g***@example.it e per SMS al +39 ***2233');
  const receiptsIn = (messages: { channel: string; body: string }[]) =>
    messages.filter((m) => m.body.includes(protocol)).map((m) => m.channel).sort();
  const outbox = await devOutbox(request, person.codice_fiscale, (m) => receiptsIn(m).length >= 2, 'the receipts');
  expect(receiptsIn(outbox)).toEqual(['email', 'sms']);
  await testInfo.attach('receipt', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });

  // A new login (the clock given back, if it was moved, ended that session) finds the
  // application, its receipt and "Le mie domande".
  await logIn(page, person.codice_fiscale, pin);
  await expect(page.getByRole('link', { name: 'Vedi la ricevuta' })).toHaveAttribute(
    'href',
    `/domanda/ricevuta/${protocol}`,
  );

  // AND exactly one application on the server
  const mine = await (await page.request.get('/api/applications')).json();
  expect(mine.applications).toHaveLength(1);
  expect(mine.applications[0].protocol).toBe(protocol);

  // "Le mie domande" shows it with its status and history.
  await page.getByRole('link', { name: 'Le mie domande' }).click();
  await expect(page).toHaveURL(/\/le-mie-domande$/);
  await expect(main).toContainText(protocol);
  await expect(main).toContainText('Presentata');
  await expectNoAxeViolations(page);

  // The receipt's address works on its own (a reload, a bookmark).
  await page.goto(`/domanda/ricevuta/${protocol}`);
  await expect(main).toContainText(protocol);
  await expect(main).toContainText(sentAt);
});

test('at 10:00 in Rome the pages say when sending opens; a session that ends mid-flow keeps what was saved, and no copy on the device', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const person = giulia(12);
  const pin = await simplifiedPin(request, person);
  await logIn(page, person.codice_fiscale, pin);

  // GIVEN a time when sending is for intermediaries only: now, or 10:00 in Rome on 1 April 2020,
  // when the page is shown what the server answered at that time
  if (windowOpenNow()) {
    await setClock(request, '2020-04-01T10:00:00+02:00');
    let session, state;
    try {
      session = await page.request.get('/api/session');
      state = await page.request.get('/api/application');
    } finally {
      await setClock(request, null);
    }
    expect((await state.json()).window.open).toBe(false);
    await page.route('**/api/session', (route) => route.fulfill({ response: session }));
    await page.route('**/api/application', (route) => route.fulfill({ response: state }));
  }
  await page.reload();
  const notice = page.getByRole('region', { name: 'Importante' });
  await expect(notice).toContainText('16:00');
  await expectNoAxeViolations(page);
  await page.unrouteAll();

  // GIVEN a live session (the clock moved above may have ended the first one), in which the citizen
  // chose the benefit (Avanti saved it on the server), with a copy on the device
  await logIn(page, person.codice_fiscale, pin);
  await page.getByRole('link', { name: 'Inizia la domanda' }).click();
  await page.getByLabel('Operai agricoli a tempo determinato').check();
  await avanti(page);
  await expect(page).toHaveURL(/\/domanda\/dichiarazioni$/);
  expect(JSON.stringify(await personalStorage(page))).toContain('art30');
  // AND back on the benefit's page, the session ends on the server (as an idle one does)
  await page.getByRole('link', { name: 'Indietro' }).click();
  await expect(page.getByLabel('Operai agricoli a tempo determinato')).toBeChecked();
  await page.request.delete('/api/session');
  // WHEN the citizen presses Avanti (the API answers 401)
  await avanti(page);
  // THEN the login page says why, and the device holds no copy of the answers any more
  await expect(page).toHaveURL(/\/accedi\?scaduta=1$/);
  await expect(page.getByRole('region', { name: 'Importante' })).toContainText('non sono andati persi');
  expect(await personalStorage(page)).toEqual({});
  // AND after logging in what the server saved is there
  await logIn(page, person.codice_fiscale, pin);
  await page.getByRole('link', { name: 'Riprendi la domanda' }).click();
  await expect(page).toHaveURL(/\/domanda\/dichiarazioni$/);
  await expect(page.getByRole('main')).toContainText('Operai agricoli a tempo determinato');
  await page.getByRole('link', { name: 'Indietro' }).click();
  await expect(page.getByLabel('Operai agricoli a tempo determinato')).toBeChecked();
  await avanti(page);
  await expect(page).toHaveURL(/\/domanda\/dichiarazioni$/);
  const state = await (await page.request.get('/api/application')).json();
  expect(state.form.benefit).toBe('art30');
});

test('keyboard only: Enter sends every page of the application like Avanti, up to the receipt', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const person = giulia(13);
  const pin = await simplifiedPin(request, person);
  await page.goto('/accedi');
  await page.getByLabel('Codice fiscale').fill(person.codice_fiscale);
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByLabel('PIN', { exact: true }).press('Enter');
  await expectAreaLoaded(page, person.codice_fiscale);
  await page.getByRole('link', { name: 'Inizia la domanda' }).press('Enter');

  // A page of choices: Space chooses, Enter sends.
  await expect(page).toHaveURL(/\/domanda\/indennita$/);
  const seasonal = page.getByLabel('Lavoratori stagionali del turismo e degli stabilimenti termali');
  await seasonal.press('Space');
  await expect(seasonal).toBeChecked();
  await seasonal.press('Enter');

  // Declarations: boxes ticked with Space, Enter in the last text field.
  await expect(page).toHaveURL(/\/domanda\/dichiarazioni$/);
  for (const confirm of await page.getByLabel('Confermo').all()) await confirm.press('Space');
  await group(page, 'Sei titolare di una pensione?').getByLabel('No').press('Space');
  await group(page, /Il 17 marzo 2020 avevi un rapporto di lavoro dipendente/).getByLabel('No').press('Space');
  const lastJob = group(page, /In che data è finito il tuo ultimo rapporto di lavoro stagionale/);
  await lastJob.getByLabel('Giorno').fill('15');
  await lastJob.getByLabel('Mese').fill('10');
  await lastJob.getByLabel('Anno').fill('2019');
  await lastJob.getByLabel('Anno').press('Enter');

  // Payment: Enter in the IBAN.
  await expect(page).toHaveURL(/\/domanda\/pagamento$/);
  await page.getByLabel('Accredito sul conto (IBAN)').press('Space');
  await page.getByLabel('Solo a me').press('Space');
  await page.getByLabel('IBAN', { exact: true }).fill('IT60 X054 2811 1010 0000 0123 456');
  await page.getByLabel('IBAN', { exact: true }).press('Enter');

  // Contacts, prefilled: Enter in the e-mail.
  await expect(page).toHaveURL(/\/domanda\/contatti$/);
  await page.getByLabel('E-mail').press('Enter');

  // Check your answers: Conferma with the keyboard, inside the window (now, or at 17:00 in Rome).
  await expect(page).toHaveURL(/\/domanda\/riepilogo$/);
  const moveClock = !windowOpenNow();
  const created = page.waitForResponse((r) => r.url().endsWith('/api/application/submit'));
  if (moveClock) await setClock(request, '2020-04-01T17:00:00+02:00');
  try {
    await page.getByRole('button', { name: 'Conferma' }).press('Enter');
    expect((await created).status()).toBe(201);
  } finally {
    if (moveClock) await setClock(request, null);
  }
  await expect(page).toHaveURL(/\/domanda\/ricevuta\/INPS-COVID-20\d\d-\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Domanda inviata');
});
