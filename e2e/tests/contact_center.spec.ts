// A Contact Center operator, at a desk, logs in with password and TOTP code, validates a PIN
// request whose first part did not arrive within 12 hours (and is told why a fresh one must
// wait), and files the application for a citizen who reads out the first 8 PIN characters; the
// citizen then sees on the phone, in "Le mie domande", that the Contact Center filed it, and when.
//
// The console server (E2E_CONSOLE_PORT) is this spec's alone: its clock is moved freely, and
// operators are created on its data directory with `sportello-admin operator create`.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import * as path from 'node:path';
import { devices, type APIRequestContext, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectNoAxeViolations, watchConsole } from './a11y';
import { devMessage, devOutbox, romanWoman, simplifiedPin } from './people';

const consoleURL = `http://127.0.0.1:${process.env.E2E_CONSOLE_PORT}`;
const desktop = devices['Desktop Chrome'];
test.use({
  baseURL: consoleURL,
  viewport: desktop.viewport,
  userAgent: desktop.userAgent,
  deviceScaleFactor: desktop.deviceScaleFactor,
  isMobile: false,
  hasTouch: false,
});
// One clock for the whole server: the tests take turns.
test.describe.configure({ mode: 'serial' });

/** What `sportello-admin operator create` printed. */
type Operator = { username: string; password: string; secret: Buffer };

/** Creates an operator (an agent unless said otherwise) on the console server's data, as an administrator does. */
function createOperator(username: string, role: 'agent' | 'supervisor' = 'agent'): Operator {
  const bin = process.env.SPORTELLO_BIN
    ? path.dirname(process.env.SPORTELLO_BIN)
    : path.resolve(__dirname, '..', '..', 'target', 'debug');
  const out = execFileSync(path.join(bin, 'sportello-admin'), ['operator', 'create', username, '--name', 'Maria Rossi', '--role', role], {
    env: { ...process.env, SPORTELLO_DATA_DIR: process.env.E2E_CONSOLE_DATA, SPORTELLO_DEV_MODE: '1', RUST_LOG: 'warn' },
    encoding: 'utf8',
  });
  const line = (label: string) => {
    const match = new RegExp(`^${label}: *(\\S+)`, 'm').exec(out);
    expect(match, out).toBeTruthy();
    return match![1];
  };
  return { username, password: line('initial password'), secret: base32(line('TOTP secret \\(base32\\)')) };
}

/** RFC 4648 base32, as the TOTP secret is printed. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes: number[] = [];
  let value = 0;
  let bits = 0;
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** The RFC 6238 code (HMAC-SHA1, 6 digits, 30-second steps) of `secret` at `at`. */
function totp(secret: Buffer, at: Date): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at.getTime() / 30_000)));
  const hmac = createHmac('sha1', secret).update(counter).digest();
  const offset = hmac[hmac.length - 1] & 0x0f;
  return String((hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** Sets the console server's clock (it runs on from there). */
async function setClock(request: APIRequestContext, now: string) {
  const response = await request.put('/api/dev/clock', { data: { now } });
  expect(response.ok(), await response.text()).toBeTruthy();
}

/** The console server's time now. */
async function serverNow(request: APIRequestContext): Promise<Date> {
  return new Date((await (await request.get('/api/dev/clock')).json()).now);
}

/**
 * What went wrong in the page, but the answers the console expects and handles: Chromium logs
 * every 4xx (the session probe's 401 before login, a refusal's 409 or 422).
 */
function unexpected(problems: string[]): string[] {
  return problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
}

/** Logs the operator in through the console's login page, with the code of the server's time. */
async function logIn(page: Page, request: APIRequestContext, operator: Operator) {
  await page.goto('/operatore');
  await expect(page).toHaveURL(/\/operatore\/accesso$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accesso operatori');
  await expectNoAxeViolations(page);
  await page.getByLabel('Nome utente').fill(operator.username);
  await page.getByLabel('Password', { exact: true }).fill(operator.password);
  await page.getByLabel('Codice temporaneo').fill(totp(operator.secret, await serverNow(request)));
  // Enter sends the form, as the button does (an operator on a call keeps to the keyboard).
  await page.getByLabel('Codice temporaneo').press('Enter');
  await expect(page).toHaveURL(/\/operatore$/);
  await expect(page.getByRole('banner')).toContainText(`Operatore: Maria Rossi (${operator.username})`);
}

/** Opens a call for `cf`; the call's address names the call, never the citizen. */
async function openCall(page: Page, cf: string) {
  await page.getByLabel('Codice fiscale').fill(cf);
  await page.getByLabel('Codice fiscale').press('Enter');
  await expect(page).toHaveURL(/\/operatore\/chiamata\/[0-9a-f]{32}$/);
  expect(page.url()).not.toContain(cf);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Chiamata con ${cf}`);
}

test('an operator validates a PIN request pending for 12 hours and is told why a fresh one must wait', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  const operator = createOperator('e2e.convalida');
  // GIVEN Anna asked for her PIN at 07:00 in Rome on 1 April 2020, and its first part never came
  await setClock(request, '2020-04-01T07:00:00+02:00');
  const anna = romanWoman('Neri', 'Anna', '1985-03-12', 'anna.neri');
  await simplifiedPin(request, anna);
  // AND Bruna asked for hers 12 hours and 5 minutes later, a moment ago
  await setClock(request, '2020-04-01T19:05:00+02:00');
  const bruna = romanWoman('Gialli', 'Bruna', '1988-07-21', 'bruna.gialli');
  await simplifiedPin(request, bruna);

  // WHEN the operator first types a wrong one-time code
  await page.goto('/operatore');
  const code = page.getByLabel('Codice temporaneo');
  // (a phone or tablet at the desk opens its number pad, and offers the code it received)
  await expect(code).toHaveAttribute('inputmode', 'numeric');
  await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
  await page.getByLabel('Nome utente').fill(operator.username);
  await page.getByLabel('Password', { exact: true }).fill(operator.password);
  const right = totp(operator.secret, await serverNow(request));
  await code.fill(right === '000000' ? '111111' : '000000');
  await code.press('Enter');
  // THEN the summary says so, only the code is emptied: the password is not typed again
  await expect(page.getByRole('alert').filter({ hasText: "C'è un problema" })).toBeFocused();
  await expect(code).toHaveValue('');
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue(operator.password);
  await expectNoAxeViolations(page);

  // WHEN the operator logs in and opens a call for Anna
  await logIn(page, request, operator);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Trova il cittadino');
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: 'Apri la chiamata' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "C'è un problema" })).toBeFocused();
  await expect(page).toHaveTitle(/^Errore: /);
  await openCall(page, anna.codice_fiscale);
  const main = page.getByRole('main');
  await expect(main).toContainText('In attesa di consegna');
  await expect(main).toContainText('01/04/2020 alle 07:00');
  await expect(main).toContainText('puoi convalidare la richiesta');
  await expectNoAxeViolations(page);
  // AND the messages sent to her, each with how it went and when: the operator can tell her that
  // the SMS left at 07:00 and what was done with the letter
  const sent = page.getByRole('table', { name: /^Messaggi al cittadino, dal più recente: 4$/ });
  const firstPart = sent.getByRole('row').filter({ hasText: 'PIN, prima parte' });
  await expect(firstPart).toHaveCount(3);
  await expect(firstPart.filter({ hasText: 'SMS' }).getByRole('cell')).toHaveText([
    'SMS',
    'PIN, prima parte',
    '+39 ***2233',
    'invio effettuato',
    '01/04/2020 alle 07:00',
    '01/04/2020 alle 07:00',
    '1',
  ]);
  await expect(firstPart.filter({ hasText: 'E-mail' })).toContainText('a***@example.it');
  await expect(firstPart.filter({ hasText: 'PEC' })).toContainText('a***@pec.example.it');
  await expect(sent.getByRole('row').filter({ hasText: 'PIN, seconda parte (lettera)' })).toContainText(
    'Via A***, 00183 Roma',
  );

  // THEN validating re-sends a new first part to the request's own contacts, masked here
  await page.getByRole('button', { name: 'Convalida e invia i nuovi primi 8 caratteri' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Richiesta convalidata' })).toContainText('+39 ***2233');
  // AND focus goes to what was done, not to the page's body
  await expect(page.locator('#validated-notice')).toBeFocused();
  await expect(main).toContainText('Convalidata dal Contact Center');
  await expect(page.getByRole('button', { name: /^Convalida/ })).toHaveCount(0);
  await expectNoAxeViolations(page);
  const newest = await devMessage(
    request,
    anna.codice_fiscale,
    (m) => m.channel === 'sms' && m.body.includes('nuovi primi'),
    'the SMS with the new first half',
  );
  expect(newest.body).toMatch(/i nuovi primi 8 caratteri del tuo PIN sono [A-HJ-NP-Z2-9]{8}\./);
  // AND the call lists the new first part among the messages, newest first, sent once the worker
  // has handed it over (a reload reads the call again)
  const validation = page.getByRole('table', { name: /^Messaggi al cittadino, dal più recente: 7$/ });
  await expect(async () => {
    await page.reload();
    await expect(validation.getByRole('row').nth(1)).toContainText('PIN, nuova prima parte', { timeout: 1_000 });
    await expect(validation.getByRole('row').filter({ hasText: 'invio effettuato' })).toHaveCount(7, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(validation.getByRole('row').filter({ hasText: 'PIN, nuova prima parte' })).toHaveCount(3);
  await expectNoAxeViolations(page);
  // AND in English too
  await page.getByRole('button', { name: 'English' }).click();
  const inEnglish = page.getByRole('table', { name: /^Messages to the citizen, newest first: 7$/ });
  await expect(inEnglish.getByRole('row').filter({ hasText: 'PIN, new first part' }).filter({ hasText: 'Text message' })).toContainText('sent');
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: 'Italiano' }).click();

  // WHEN a new call is for Bruna, whose request is 5 minutes old
  await page.getByRole('link', { name: 'Nuova chiamata' }).click();
  await openCall(page, bruna.codice_fiscale);
  // THEN the console says why it cannot be validated yet, and from when
  await expect(main).toContainText('Non puoi ancora convalidarla');
  await expect(main).toContainText('dal 02/04/2020 alle 07:05');
  // AND offers no button that could only be refused
  await expect(page.getByRole('button', { name: /^Convalida/ })).toHaveCount(0);
  // AND the server's own refusal, asked anyway, writes the time the same way
  const callId = new URL(page.url()).pathname.split('/').pop();
  const early = await page.request.post(`/api/operator/calls/${callId}/pin-validation`, { data: {} });
  expect(early.status()).toBe(409);
  expect((await early.json()).message).toContain('Convalida possibile dal 02/04/2020 alle 07:05.');
  await expect(main).toContainText('In attesa di consegna');
  await expectNoAxeViolations(page);
  expect(unexpected(problems)).toEqual([]);
});

test('an operator files the application for a citizen who reads out the PIN, and the citizen sees who filed it', async ({
  page,
  request,
  browser,
}) => {
  test.setTimeout(150_000);
  const problems = watchConsole(page);
  const operator = createOperator('e2e.domanda');
  // GIVEN 10:00 in Rome, inside the Contact Center's window (08:00-16:00), and Carla's PIN
  await setClock(request, '2020-04-02T10:00:00+02:00');
  const carla = romanWoman('Blu', 'Carla', '1979-11-30', 'carla.blu');
  const pin = await simplifiedPin(request, carla);
  await logIn(page, request, operator);
  await openCall(page, carla.codice_fiscale);
  const main = page.getByRole('main');
  await expect(main).toContainText('non ha ancora presentato la domanda');
  // The form is not offered before the identity check.
  await expect(page.getByRole('link', { name: 'Compila la domanda per il cittadino' })).toHaveCount(0);

  // WHEN the citizen misreads the characters
  await page.getByLabel('Primi 8 caratteri del PIN').fill('AAAA2222');
  await page.getByRole('button', { name: 'Verifica' }).click();
  const summary = page.getByRole('alert').filter({ hasText: "C'è un problema" });
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link', { name: /non corrispondono/ })).toHaveAttribute('href', '#pin_first8');
  // AND says that after a validation only the newest SMS counts, and how many checks are left
  await expect(summary).toContainText("valgono solo gli 8 caratteri dell'SMS più recente");
  await expect(summary).toContainText('Puoi fare ancora 4 verifiche, poi dovrai attendere prima di riprovare.');
  await expect(page.locator('#pin_first8-error')).toContainText('Puoi fare ancora 4 verifiche');
  await expectNoAxeViolations(page);
  // AND then reads them right
  await page.getByLabel('Primi 8 caratteri del PIN').fill(pin);
  await page.getByLabel('Primi 8 caratteri del PIN').press('Enter');
  await expect(main).toContainText('Identità verificata su questa chiamata');
  await page.getByRole('link', { name: 'Compila la domanda per il cittadino' }).click();

  // THEN the whole form is on one page, checked step by step, every problem listed
  await expect(page).toHaveURL(/\/operatore\/chiamata\/[0-9a-f]{32}\/domanda$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Domanda per conto del cittadino');
  await expect(page.getByLabel('E-mail')).toHaveValue(carla.email);
  await page.getByRole('button', { name: 'Avanti' }).click();
  await expect(summary).toBeFocused();
  await expect(page).toHaveTitle(/^Errore: /);
  await expect(summary.getByRole('link')).not.toHaveCount(0);
  await expectNoAxeViolations(page);
  // Each indemnity carries its article, as operators name them.
  const indemnity = page.getByRole('group', { name: 'Quale indennità chiedi?' });
  for (const article of ['27', '28', '29', '30', '38']) {
    await expect(indemnity.getByLabel(new RegExp(`^Art\\. ${article} D\\.L\\. 18/2020 — `))).toHaveCount(1);
  }
  await page.getByLabel('Art. 29 D.L. 18/2020 — Lavoratori stagionali del turismo e degli stabilimenti termali').check();
  // The declarations stay in the citizen's words, to be read aloud.
  await expect(page.getByRole('heading', { name: 'Le dichiarazioni del cittadino' })).toBeVisible();
  for (const confirm of await page.getByLabel('Confermo').all()) await confirm.check();
  const group = (name: string | RegExp) => page.getByRole('group', { name });
  const lastJob = group(/In che data è finito il tuo ultimo rapporto di lavoro stagionale/);
  await lastJob.getByLabel('Giorno').fill('15');
  await lastJob.getByLabel('Mese').fill('10');
  await lastJob.getByLabel('Anno').fill('2019');
  await group('Sei titolare di una pensione?').getByLabel('No').check();
  await group(/Il 17 marzo 2020 avevi un rapporto di lavoro dipendente/).getByLabel('No').check();
  // The mobile number, typed without spaces, reads grouped on the summary.
  await page.getByLabel('Cellulare').fill('+393471112233');
  // An IBAN that is not one is refused at its field.
  await page.getByLabel('Accredito sul conto (IBAN)').check();
  await page.getByLabel('IBAN', { exact: true }).fill('IT00 0000');
  await page.getByLabel('Intestato solo al cittadino').check();
  await page.getByLabel('IBAN', { exact: true }).press('Enter');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link')).toHaveCount(1);
  await expect(summary.getByRole('link')).toHaveAttribute('href', '#iban');
  await expectNoAxeViolations(page);
  await page.getByLabel('IBAN', { exact: true }).fill('IT60X0542811101000000123456');
  await page.getByRole('button', { name: 'Avanti' }).click();

  // Check the answers, read back to the citizen in the operator's voice, then CONFERMA (twice,
  // quickly: one application).
  await expect(page).toHaveURL(/\/riepilogo$/);
  await expect(main).toContainText('Art. 29 D.L. 18/2020 — Lavoratori stagionali del turismo');
  await expect(main).toContainText('15/10/2019');
  const answer = (key: string) =>
    main.locator('.summary-list__row').filter({ has: page.locator('dt', { hasText: key }) }).locator('.summary-list__value');
  await expect(answer('A chi è intestato il conto?')).toHaveText('Conto intestato solo al cittadino');
  await expect(answer('Cellulare')).toHaveText('+39 347 111 2233');
  await expect(main).not.toContainText('Solo a me');
  await expect(page.getByRole('heading', { name: 'Le dichiarazioni del cittadino' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Le tue dichiarazioni' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: /^Modifica modalità di pagamento/ })).toHaveAttribute(
    'href',
    /\/domanda#payment_method$/,
  );
  await expectNoAxeViolations(page);
  const created = page.waitForResponse((r) => r.url().endsWith('/application/submit'));
  await page.getByRole('button', { name: 'Conferma' }).dblclick();
  expect((await created).status()).toBe(201);

  // THEN the receipt, with the protocol number to tell the citizen
  await expect(page).toHaveURL(/\/ricevuta$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Domanda inviata');
  const protocol = (await main.locator('.panel__body strong').textContent())!.trim();
  expect(protocol).toMatch(/^INPS-COVID-2020-\d+$/);
  await expect(main).toContainText('02/04/2020 alle 10:0');
  // AND what was declared, in the operator's voice too, with a way to print it
  await expect(answer('A chi è intestato il conto?')).toHaveText('Conto intestato solo al cittadino');
  await expect(main).toContainText('Art. 29 D.L. 18/2020 — Lavoratori stagionali del turismo');
  await expect(page.getByRole('heading', { name: 'Riepilogo della domanda del cittadino' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Stampa la ricevuta' })).toBeVisible();
  await expectNoAxeViolations(page);
  // AND the call shows it, filed by the Contact Center
  await page.getByRole('link', { name: 'Torna alla chiamata' }).click();
  await expect(main).toContainText(protocol);
  await expect(main).toContainText('Il Contact Center, per conto del cittadino');
  // AND the receipt, with the protocol number, reaches the contacts given on the call
  const receipts = await devOutbox(
    request,
    carla.codice_fiscale,
    (all) => all.filter((m) => m.body.includes(protocol)).length >= 2,
    'the receipt by e-mail and SMS',
  );
  expect(receipts.filter((m) => m.body.includes(protocol)).map((m) => m.channel).sort()).toEqual(['email', 'sms']);
  expect(unexpected(problems)).toEqual([]);

  // WHEN the citizen logs in on her phone with the first 8 characters
  const phone = await browser.newContext({ ...devices['Pixel 7'], baseURL: consoleURL });
  try {
    const citizen = await phone.newPage();
    await citizen.goto('/accedi');
    await citizen.getByLabel('Codice fiscale').fill(carla.codice_fiscale);
    await citizen.getByLabel('PIN', { exact: true }).fill(pin);
    await citizen.getByRole('button', { name: 'Accedi', exact: true }).click();
    await expect(citizen).toHaveURL(/\/domanda$/);
    await citizen.goto('/le-mie-domande');
    // THEN "Le mie domande" says the Contact Center filed it for her, and when
    const area = citizen.getByRole('main');
    await expect(area).toContainText(protocol);
    await expect(area).toContainText(/Dal Contact Center INPS per tuo conto, il 02\/04\/2020 alle 10:0\d \(ora italiana\)/);
    await expectNoAxeViolations(citizen);
  } finally {
    await phone.close();
  }
});

test('out of the Contact Center\'s hours the console says the citizen may send online now, and CONFERMA waits', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  const operator = createOperator('e2e.chiuso');
  // GIVEN 17:00 in Rome: the Contact Center's window (08:00-16:00) is closed, the citizens' open
  await setClock(request, '2020-04-07T17:00:00+02:00');
  const gina = romanWoman('Neri', 'Gina', '1984-06-09', 'gina.neri');
  const pin = await simplifiedPin(request, gina);
  await logIn(page, request, operator);
  await openCall(page, gina.codice_fiscale);
  // THEN the call's notice says when the Contact Center opens, and that the citizen may send it
  // online now, with the citizens' hours as the server has them configured
  const notice = page.getByRole('region', { name: 'Importante' });
  await expect(notice).toContainText("Il servizio per l'invio apre alle 08:00 di domani");
  await expect(notice).toContainText(
    'Il cittadino può invece inviare la domanda online adesso, da solo: il sito è aperto ai cittadini dalle 16:00 alle 08:00.',
  );
  await expectNoAxeViolations(page);
  // WHEN the operator checks the PIN and fills in the form all the same
  await page.getByLabel('Primi 8 caratteri del PIN').fill(pin);
  await page.getByLabel('Primi 8 caratteri del PIN').press('Enter');
  await page.getByRole('link', { name: 'Compila la domanda per il cittadino' }).click();
  await expect(page).toHaveURL(/\/domanda$/);
  await expect(notice).toContainText('online adesso');
  await page.getByLabel(/Lavoratori stagionali del turismo e degli stabilimenti termali/).check();
  for (const confirm of await page.getByLabel('Confermo').all()) await confirm.check();
  const group = (name: string | RegExp) => page.getByRole('group', { name });
  const lastJob = group(/In che data è finito il tuo ultimo rapporto di lavoro stagionale/);
  await lastJob.getByLabel('Giorno').fill('15');
  await lastJob.getByLabel('Mese').fill('10');
  await lastJob.getByLabel('Anno').fill('2019');
  await group('Sei titolare di una pensione?').getByLabel('No').check();
  await group(/Il 17 marzo 2020 avevi un rapporto di lavoro dipendente/).getByLabel('No').check();
  await page.getByLabel("Bonifico da riscuotere all'ufficio postale").check();
  await page.getByRole('button', { name: 'Avanti' }).click();
  // THEN the summary says the same, and CONFERMA cannot be pressed for a refusal
  await expect(page).toHaveURL(/\/riepilogo$/);
  await expect(notice).toContainText('online adesso');
  await expect(page.getByRole('button', { name: 'Conferma' })).toBeDisabled();
  await expectNoAxeViolations(page);
  // AND in English too
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('button', { name: 'Confirm' })).toBeDisabled();
  await page.getByRole('button', { name: 'Italiano' }).click();
  expect(unexpected(problems)).toEqual([]);
});

test('a caller reports "non sono stato io" only by reading the letter; the first half is not enough', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  const operator = createOperator('e2e.segnalazione');
  // GIVEN a PIN request in Elena's name: its first half went to the contacts typed, its letter to
  // the residence the registry knows
  await setClock(request, '2020-04-03T10:00:00+02:00');
  const elena = romanWoman('Viola', 'Elena', '1983-02-14', 'elena.viola');
  const first = await simplifiedPin(request, elena);
  const letter = await devMessage(request, elena.codice_fiscale, (m) => m.channel === 'post', 'the letter');
  const second = (letter.body.match(/sono ([A-Z0-9]{8})\./) ?? [])[1];
  expect(second).toMatch(/^[A-Z0-9]{8}$/);
  await logIn(page, request, operator);
  await openCall(page, elena.codice_fiscale);
  const report = page.getByRole('region', { name: '«Non sono stato io»' });
  await expect(report).toContainText('8 caratteri della lettera');
  await expectNoAxeViolations(page);

  // WHEN the caller reads the first half (what whoever made the request holds)
  await report.getByLabel('Caratteri della lettera').fill(first);
  await report.getByLabel('Caratteri della lettera').press('Enter');
  // THEN nothing is reported, and the summary says why
  const summary = page.getByRole('alert').filter({ hasText: "C'è un problema" });
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link', { name: /lettera non corrispondono/ })).toHaveAttribute('href', '#letter');
  await expectNoAxeViolations(page);

  // WHEN the caller reads the letter THEN the PIN is revoked
  await report.getByLabel('Caratteri della lettera').fill(second);
  await report.getByRole('button', { name: 'Segnala: non è stato il cittadino' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Segnalazione registrata: PIN revocato' })).toBeVisible();
  await expectNoAxeViolations(page);
  const login = await request.post('/api/session', { data: { codice_fiscale: elena.codice_fiscale, pin: first } });
  expect(login.status()).toBe(401);
  expect(unexpected(problems)).toEqual([]);
});

test('a supervisor reads in the console what operators did; an agent is refused by the server, on record', async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  const agent = createOperator('e2e.agente');
  const supervisor = createOperator('e2e.capoturno', 'supervisor');
  // GIVEN an agent took a call for Dora at 11:00 in Rome
  await setClock(request, '2020-04-03T11:00:00+02:00');
  const dora = romanWoman('Viola', 'Dora', '1990-01-17', 'dora.viola');
  await simplifiedPin(request, dora);
  await logIn(page, request, agent);
  await expect(page.getByRole('link', { name: 'Registro delle attività' })).toHaveCount(0);
  await openCall(page, dora.codice_fiscale);
  // AND the agent opens the log's address: the console asks the server, which refuses and
  // records the attempt; the page says what the server said
  const refused = page.waitForResponse((r) => r.url().includes('/api/operator/audit?'));
  await page.goto('/operatore/registro');
  expect((await refused).status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Registro delle attività');
  await expect(page.getByRole('alert')).toHaveText(
    'Il registro delle attività del Contact Center può essere consultato solo da un supervisore.',
  );
  await expect(page.getByRole('textbox')).toHaveCount(0);
  await expectNoAxeViolations(page);
  await testInfo.attach('audit-page-agent', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  await page.getByRole('button', { name: 'Esci' }).click();
  await expect(page).toHaveURL(/\/operatore\/accesso$/);

  // WHEN the supervisor opens the log
  await logIn(page, request, supervisor);
  await page.getByRole('link', { name: 'Registro delle attività' }).click();
  await expect(page).toHaveURL(/\/operatore\/registro$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Registro delle attività');
  await expectNoAxeViolations(page);
  // AND searches for nothing, then for something that is neither a codice fiscale nor a username
  const summary = page.getByRole('alert').filter({ hasText: "C'è un problema" });
  await page.getByRole('button', { name: 'Cerca' }).click();
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link')).toHaveAttribute('href', '#subject');
  await expect(page).toHaveTitle(/^Errore: /);
  await expectNoAxeViolations(page);
  const subject = page.getByLabel('Codice fiscale o nome utente');
  await subject.fill('Dora Viola');
  await page.getByRole('button', { name: 'Cerca' }).click();
  await expect(summary).toContainText('codice fiscale del cittadino (16 caratteri)');

  // AND the refused search left nothing of an earlier one on screen
  await expect(page.getByRole('table')).toHaveCount(0);

  // THEN Dora's codice fiscale, typed in lower case and in groups as on a call, shows the agent's
  // call and the agent's refused attempt at the log, newest first, with seconds
  const cf = dora.codice_fiscale.toLowerCase();
  await subject.fill(`${cf.slice(0, 6)} ${cf.slice(6, 11)} ${cf.slice(11)}`);
  await page.getByRole('button', { name: 'Cerca' }).click();
  const table = page.getByRole('table');
  await expect(table.getByRole('caption')).toHaveText(new RegExp(`^Azioni su ${dora.codice_fiscale}, dalla più recente: \\d+$`));
  const opened = table.getByRole('row').filter({ hasText: 'Chiamata aperta' });
  await expect(opened).toHaveCount(1);
  await expect(opened).toContainText('e2e.agente');
  await expect(opened.getByRole('cell').first()).toHaveText(/^03\/04\/2020 alle 11:0\d:\d\d$/);
  await expect(opened).toContainText('Eseguita');
  await expect(opened).toContainText(/Chiamata [0-9a-f]{32}/);
  const attempt = table.getByRole('row').filter({ hasText: 'Registro consultato' }).filter({ hasText: 'e2e.agente' });
  await expect(attempt).toHaveCount(0); // the agent asked about themselves, not about Dora
  // AND the agent's attempt is on the agent's own record, refused, with the reason in words
  await subject.fill('e2e.agente');
  await page.getByLabel('Solo questa azione').selectOption({ label: 'Registro consultato' });
  await page.getByLabel('Dal giorno (facoltativo)').fill('2020-04-03');
  await page.getByLabel('Al giorno, compreso (facoltativo)').fill('2020-04-03');
  await page.getByRole('button', { name: 'Cerca' }).click();
  await expect(table.getByRole('caption')).toHaveText(
    'Azioni dell\'operatore e2e.agente, dalla più recente: 1 (solo «Registro consultato», dal 03/04/2020, al 03/04/2020)',
  );
  const refusedRow = table.getByRole('row').filter({ hasText: 'Rifiutata' });
  await expect(refusedRow).toHaveCount(1);
  await expect(refusedRow).toContainText('Riservato ai supervisori');
  await expectNoAxeViolations(page);
  await testInfo.attach('audit-page-supervisor', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  // AND a range that ends before it starts is refused at its field, and nothing stays on screen
  await page.getByLabel('Dal giorno (facoltativo)').fill('2020-04-04');
  await page.getByRole('button', { name: 'Cerca' }).click();
  await expect(summary.getByRole('link')).toHaveAttribute('href', '#to');
  await expect(page.getByRole('table')).toHaveCount(0);
  await expectNoAxeViolations(page);
  await page.getByLabel('Dal giorno (facoltativo)').fill('');
  await page.getByLabel('Al giorno, compreso (facoltativo)').fill('');
  await page.getByLabel('Solo questa azione').selectOption({ label: 'Tutte le azioni' });
  await subject.fill(dora.codice_fiscale);
  await page.getByRole('button', { name: 'Cerca' }).click();
  await expect(opened).toHaveCount(1);
  expect(page.url()).not.toContain(dora.codice_fiscale);
  await expect(page).not.toHaveTitle(/^Errore: /);
  await expectNoAxeViolations(page);
  // AND the agent's username shows their own login and logout, and the English page reads too
  await subject.fill('e2e.agente');
  await page.getByRole('button', { name: 'Cerca' }).click();
  await expect(table.getByRole('row').filter({ hasText: 'Uscita' })).toHaveCount(1);
  await expect(table.getByRole('row').filter({ hasText: 'Accesso' })).toHaveCount(1);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(table.getByRole('row').filter({ hasText: 'Logout' })).toHaveCount(1);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Activity log');
  await expectNoAxeViolations(page);
  expect(unexpected(problems)).toEqual([]);
});

/** The operator's session as the server has it, read without extending it. */
async function sessionEnd(page: Page): Promise<Date> {
  const response = await page.request.get('/api/operator/session/status');
  expect(response.status(), await response.text()).toBe(200);
  return new Date((await response.json()).expires_at);
}

/** Logs in again on the login page a session ended on. */
async function logInAgain(page: Page, request: APIRequestContext, operator: Operator) {
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await page.getByLabel('Nome utente').fill(operator.username);
  await expect(page.getByLabel('Nome utente')).toHaveValue(operator.username);
  await page.getByLabel('Password', { exact: true }).fill(operator.password);
  await page.getByLabel('Codice temporaneo').fill(totp(operator.secret, await serverNow(request)));
  await page.getByLabel('Codice temporaneo').press('Enter');
}

test('a filing interrupted by the idle timeout resumes after a new login on the same call, with every answer; two calls in two tabs each show their citizen', async ({
  page,
  request,
  context,
}, testInfo) => {
  test.setTimeout(180_000);
  const problems = watchConsole(page);
  const operator = createOperator('e2e.scadenza');
  // GIVEN 10:00 in Rome, and Elisa's PIN
  await setClock(request, '2020-04-06T10:00:00+02:00');
  const elisa = romanWoman('Rosa', 'Elisa', '1982-05-14', 'elisa.rosa');
  const pin = await simplifiedPin(request, elisa);
  await logIn(page, request, operator);
  await openCall(page, elisa.codice_fiscale);

  // THEN the call's banner names her codice fiscale, and her name only once she is checked
  const banner = page.getByRole('region', { name: 'Chiamata in corso' });
  await expect(banner).toContainText(elisa.codice_fiscale);
  await expect(banner).toContainText('nome dopo la verifica dei primi 8 caratteri del PIN');
  await expect(banner).not.toContainText('Elisa Rosa');
  await page.getByLabel('Primi 8 caratteri del PIN').fill(pin);
  await page.getByLabel('Primi 8 caratteri del PIN').press('Enter');
  const checked = page.getByText('Identità verificata su questa chiamata');
  await expect(checked).toBeVisible();
  // AND focus goes to what was done, not to the page's body
  await expect(page.locator('#checked-notice')).toBeFocused();
  await expect(banner).toContainText('Elisa Rosa');
  await expect(page).toHaveTitle(new RegExp(`^${elisa.codice_fiscale} · Chiamata`));
  await expectNoAxeViolations(page);
  await testInfo.attach('call-banner', { body: await page.screenshot(), contentType: 'image/png' });

  // WHEN the operator fills in the form, each answer saved as it changes
  await page.getByRole('link', { name: 'Compila la domanda per il cittadino' }).click();
  await expect(page).toHaveURL(/\/domanda$/);
  const formURL = page.url();
  await expect(banner).toContainText(elisa.codice_fiscale);
  await expect(banner).toContainText('Elisa Rosa');
  const saved = () =>
    page.waitForResponse((r) => r.url().endsWith('/application/draft') && r.request().method() === 'PUT');
  let save = saved();
  await page.getByLabel('Lavoratori stagionali del turismo e degli stabilimenti termali').check();
  expect((await save).status()).toBe(200);
  for (const confirm of await page.getByLabel('Confermo').all()) await confirm.check();
  const group = (name: string | RegExp) => page.getByRole('group', { name });
  const lastJob = group(/In che data è finito il tuo ultimo rapporto di lavoro stagionale/);
  await lastJob.getByLabel('Giorno').fill('15');
  await lastJob.getByLabel('Mese').fill('10');
  await lastJob.getByLabel('Anno').fill('2019');
  await group('Sei titolare di una pensione?').getByLabel('No').check();
  save = saved();
  await group(/Il 17 marzo 2020 avevi un rapporto di lavoro dipendente/).getByLabel('No').check();
  expect((await save).status()).toBe(200);

  // AND a save that fails says so at once, in the banner that stays in view
  await page.route('**/application/draft', (route) =>
    route.fulfill({
      status: 409,
      contentType: 'application/json',
      body: JSON.stringify({ code: 'conflict', message: 'Il server non ha accettato il salvataggio.', fields: {} }),
    }),
  );
  await page.getByLabel("Bonifico da riscuotere all'ufficio postale").check();
  const failed = banner.getByRole('alert');
  await expect(failed).toContainText('Le ultime risposte non sono state salvate sul server');
  await expectNoAxeViolations(page);
  await testInfo.attach('draft-save-failed', { body: await page.screenshot(), contentType: 'image/png' });
  await page.unroute('**/application/draft');
  // (the post-office choice is now only in this tab: the server never had it)

  // WHEN the call goes quiet (the declarations read aloud) until 90 seconds before the end
  const end = await sessionEnd(page);
  await setClock(request, new Date(end.getTime() - 90_000).toISOString());
  // THEN the warning says so, and "Resta connesso" keeps the session
  const warning = page.getByRole('alertdialog', { name: 'La sessione sta per scadere' });
  await expect(warning).toBeVisible({ timeout: 20_000 });
  await expect(warning).toContainText(/termina tra 1 minut[oi]/);
  await expect(warning.getByRole('button', { name: 'Resta connesso' })).toBeFocused();
  await expectNoAxeViolations(page);
  await testInfo.attach('timeout-warning', { body: await page.screenshot(), contentType: 'image/png' });
  await warning.getByRole('button', { name: 'Resta connesso' }).click();
  await expect(warning).toBeHidden();
  const extended = await sessionEnd(page);
  expect(extended.getTime() - (await serverNow(request)).getTime()).toBeGreaterThan(9 * 60_000);

  // WHEN nobody answers the next warning and the session ends
  await setClock(request, new Date(extended.getTime() - 100_000).toISOString());
  await expect(warning).toBeVisible({ timeout: 20_000 });
  await setClock(request, new Date(extended.getTime() + 5_000).toISOString());
  // THEN the login page says the answers are kept, and the new login is back on the same page
  await expect(page).toHaveURL(/\/operatore\/accesso/, { timeout: 20_000 });
  await expect(page.getByRole('main')).toContainText('Le risposte della chiamata sono conservate in questa scheda');
  await expectNoAxeViolations(page);
  await logInAgain(page, request, operator);
  await expect(page).toHaveURL(formURL);
  // AND with every answer, the one the server never had included
  await expect(page.getByLabel('Lavoratori stagionali del turismo e degli stabilimenti termali')).toBeChecked();
  for (const confirm of await page.getByLabel('Confermo').all()) await expect(confirm).toBeChecked();
  await expect(lastJob.getByLabel('Giorno')).toHaveValue('15');
  await expect(lastJob.getByLabel('Anno')).toHaveValue('2019');
  await expect(group('Sei titolare di una pensione?').getByLabel('No')).toBeChecked();
  await expect(page.getByLabel("Bonifico da riscuotere all'ufficio postale")).toBeChecked();
  await expect(page.getByLabel('E-mail')).toHaveValue(elisa.email);
  await expect(banner).toContainText('Elisa Rosa');
  await expect(banner.getByRole('alert')).toHaveCount(0);
  await expectNoAxeViolations(page);
  // AND the summary has them too, under the same banner
  await page.getByRole('button', { name: 'Avanti' }).click();
  await expect(page).toHaveURL(/\/riepilogo$/);
  await expect(page.getByRole('main')).toContainText('15/10/2019');
  await expect(page.getByRole('main')).toContainText("Bonifico da riscuotere all'ufficio postale");
  await expect(banner).toContainText(elisa.codice_fiscale);

  // WHEN a second call, for Franca, opens in another tab
  const franca = romanWoman('Verde', 'Franca', '1975-09-03', 'franca.verde');
  await simplifiedPin(request, franca);
  const other = await context.newPage();
  await other.goto('/operatore');
  await openCall(other, franca.codice_fiscale);
  // THEN each tab names its own citizen, in its banner and its title
  const otherBanner = other.getByRole('region', { name: 'Chiamata in corso' });
  await expect(otherBanner).toContainText(franca.codice_fiscale);
  await expect(otherBanner).not.toContainText(elisa.codice_fiscale);
  await expect(other).toHaveTitle(new RegExp(`^${franca.codice_fiscale} · `));
  await expectNoAxeViolations(other);
  await testInfo.attach('second-call-banner', { body: await other.screenshot(), contentType: 'image/png' });
  await page.bringToFront();
  await expect(banner).toContainText(elisa.codice_fiscale);
  await expect(banner).not.toContainText(franca.codice_fiscale);
  await expect(page).toHaveTitle(new RegExp(`^${elisa.codice_fiscale} · `));
  // AND the filing still goes to Elisa
  const created = page.waitForResponse((r) => r.url().endsWith('/application/submit'));
  await page.getByRole('button', { name: 'Conferma' }).click();
  expect((await created).status()).toBe(201);
  await expect(page).toHaveURL(/\/ricevuta$/);
  await expect(banner).toContainText(elisa.codice_fiscale);
  await expect(banner).toContainText('Elisa Rosa');
  await expect(page.getByRole('button', { name: 'Stampa la ricevuta' })).toBeVisible();
  await expectNoAxeViolations(page);
  await other.close();
  expect(unexpected(problems)).toEqual([]);
});
