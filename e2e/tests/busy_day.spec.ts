// Click day, 1 April 2020, done right (issue 5): 20 citizens, each in their own browser context on
// a phone, file the application at the same moment on two servers having a bad day —
//   • one fails 30 % of API requests with a server error, half before the store is written and
//     half after it (written, but the answer lost: what made 2020's citizens confirm twice);
//   • one admits only 2 requests at a time and sheds the rest at once with 503 + Retry-After.
// The SPA's client retries by itself (same Idempotency-Key), says so in a status region, and offers
// "Riprova" if the service stays down; nobody reloads or retypes. Each server is its own process
// with its own SQLite file (playwright.config.ts), so the count of applications is exact.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { devices, type Browser, type Locator, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { romanWoman, simplifiedPin, untilAnswered, type PinRequestForm } from './people';

const CITIZENS = 20;
const faulty = { url: `http://127.0.0.1:${process.env.E2E_FAULTY_PORT}`, dataDir: process.env.E2E_FAULTY_DATA! };
const bounded = { url: `http://127.0.0.1:${process.env.E2E_BOUNDED_PORT}`, dataDir: process.env.E2E_BOUNDED_DATA! };
type Server = typeof faulty;

// The two servers are shared by the tests below only; one test at a time keeps their clocks theirs.
test.describe.configure({ mode: 'serial' });

/**
 * The citizens of one run: Roman women born on different days, with their own e-mail, and a
 * surname made from the run's id, so that a repeated run against the same server does not meet
 * the codici fiscali of an earlier one.
 */
function citizens(run: string): PinRequestForm[] {
  const consonants = 'BCDFGLMNPRSTVZ';
  const n = Number(run) % consonants.length ** 3;
  const letter = (k: number) => consonants[Math.floor(n / consonants.length ** k) % consonants.length];
  const surname = `${letter(2)}a${letter(1)}a${letter(0)}a`;
  return Array.from({ length: CITIZENS }, (_, i) => {
    const birth = new Date(Date.UTC(1960, 0, 1) + i * 397 * 86_400_000);
    const tag = `busy.${run}.${i}`;
    return romanWoman(surname, 'Lucia', birth.toISOString().slice(0, 10), tag);
  });
}

/** Clicks `name`, then waits for `next`; while the page offers "Riprova" instead, takes it. */
async function press(page: Page, name: string, next: RegExp) {
  await page.getByRole('button', { name, exact: true }).click();
  const retry = page.getByRole('button', { name: 'Riprova', exact: true });
  for (let tries = 0; tries < 10; tries++) {
    const outcome = await Promise.race([
      page.waitForURL(next, { timeout: 90_000 }).then(() => 'arrived', () => 'late'),
      retry.waitFor({ state: 'visible', timeout: 90_000 }).then(() => 'retry', () => 'late'),
    ]);
    if (outcome === 'arrived' || next.test(page.url())) return;
    if (outcome === 'retry') await retry.click();
  }
  throw new Error(`never reached ${next}`);
}

/**
 * Waits until `ready` shows; while the page offers "Riprova" instead (it could not load its data
 * through every automatic retry), takes it.
 */
async function loaded(page: Page, ready: Locator) {
  const retry = page.getByRole('button', { name: 'Riprova', exact: true });
  for (let tries = 0; tries < 10; tries++) {
    await expect(ready.or(retry).first()).toBeVisible({ timeout: 90_000 });
    if (await ready.isVisible()) return;
    await retry.click();
  }
  throw new Error(`${ready} never showed`);
}

/** One citizen's whole application on a phone, from the login page to the receipt. */
async function fileApplication(page: Page, person: PinRequestForm, pin: string): Promise<string> {
  await page.goto('/accedi');
  await page.getByLabel('Codice fiscale').fill(person.codice_fiscale);
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await press(page, 'Accedi', /\/domanda$/);
  const start = page.getByRole('link', { name: 'Inizia la domanda' });
  await loaded(page, start);
  await start.click();
  await page.getByLabel('Lavoratori stagionali del turismo e degli stabilimenti termali').check();
  await press(page, 'Avanti', /\/domanda\/dichiarazioni$/);
  for (const confirm of await page.getByLabel('Confermo').all()) await confirm.check();
  const lastJob = page.getByRole('group', { name: /In che data è finito il tuo ultimo rapporto di lavoro stagionale/ });
  await lastJob.getByLabel('Giorno').fill('15');
  await lastJob.getByLabel('Mese').fill('10');
  await lastJob.getByLabel('Anno').fill('2019');
  await page.getByRole('group', { name: 'Sei titolare di una pensione?' }).getByLabel('No').check();
  await page.getByRole('group', { name: /Il 17 marzo 2020 avevi un rapporto di lavoro dipendente/ }).getByLabel('No').check();
  await press(page, 'Avanti', /\/domanda\/pagamento$/);
  await page.getByLabel("Bonifico da riscuotere all'ufficio postale").check();
  await press(page, 'Avanti', /\/domanda\/contatti$/);
  await expect(page.getByLabel('E-mail')).toHaveValue(person.email);
  await press(page, 'Avanti', /\/domanda\/riepilogo$/);
  await press(page, 'Conferma', /\/domanda\/ricevuta\/INPS-COVID-20\d\d-\d+$/);
  await loaded(page, page.getByRole('heading', { level: 1, name: 'Domanda inviata' }));
  return page.url().split('/').pop()!;
}

/** How many applications the server's SQLite file holds, and how many distinct citizens filed. */
function storedApplications(server: Server): { rows: number; citizens: number } {
  const db = path.join(server.dataDir, 'sportello.sqlite3');
  const out = execFileSync('sqlite3', [db, 'SELECT count(*), count(DISTINCT codice_fiscale) FROM applications;']);
  const [rows, citizens] = out.toString().trim().split('|').map(Number);
  return { rows, citizens };
}

/** Runs the 20 citizens at once against `server`; returns each one's page after the receipt. */
async function clickDay(browser: Browser, server: Server, run: string, onPage: (page: Page) => void) {
  const people = citizens(run);
  // Sending is open at 17:00 in Rome; the server's clock is the one that decides.
  const setup = await browser.newContext({ baseURL: server.url });
  const clock = await untilAnswered(() => setup.request.put('/api/dev/clock', { data: { now: '2020-04-01T17:00:00+02:00' } }));
  expect(clock.ok(), await clock.text()).toBeTruthy();
  const pins = await Promise.all(people.map((person) => simplifiedPin(setup.request, person)));
  await setup.close();

  // What the store held before (a repeated run shares the server).
  const before = storedApplications(server);
  const contexts = await Promise.all(
    people.map(() => browser.newContext({ ...devices['Pixel 7'], baseURL: server.url })),
  );
  try {
    const protocols = await Promise.all(
      people.map(async (person, i) => {
        const page = await contexts[i].newPage();
        onPage(page);
        const protocol = await fileApplication(page, person, pins[i]);
        // The receipt is this citizen's: their e-mail, nobody else's.
        const main = page.getByRole('main');
        await expect(main).toContainText(person.email);
        for (const other of people.filter((p) => p !== person)) {
          await expect(main).not.toContainText(other.email);
        }
        // And the server knows exactly one application of theirs, with that protocol.
        const mine = await untilAnswered(() => page.request.get('/api/applications'));
        const body = await mine.json();
        expect(body.applications.map((a: { protocol: string }) => a.protocol)).toEqual([protocol]);
        return protocol;
      }),
    );
    expect(new Set(protocols).size).toBe(CITIZENS);
    const after = storedApplications(server);
    expect({ rows: after.rows - before.rows, citizens: after.citizens - before.citizens }).toEqual({
      rows: CITIZENS,
      citizens: CITIZENS,
    });
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
}

test('20 citizens apply at once while 30 % of requests fail before or after the write: 20 applications, each their own', async ({
  browser,
}) => {
  test.setTimeout(600_000);
  await clickDay(browser, faulty, `${Date.now()}`, () => {});
});

test('with 2 requests admitted at a time, 20 citizens are told to wait and all finish', async ({ browser }) => {
  test.setTimeout(600_000);
  let toldToWait = 0;
  await clickDay(browser, bounded, `${Date.now()}`, (page) => {
    // The status region's words while the client waits to try again.
    void page
      .getByText(/Il servizio è molto richiesto: nuovo tentativo tra \d+ s \(\d di \d\)/)
      .first()
      .waitFor({ timeout: 240_000 })
      .then(() => (toldToWait += 1))
      .catch(() => {});
  });
  expect(toldToWait, 'citizens who saw the wait').toBeGreaterThan(0);
});
