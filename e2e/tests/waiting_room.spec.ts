// The click-day waiting room on a phone (issue 15, ADR 0022). The room's page /coda is a bundle of
// its own (queue.html): the other bundles go there by a full page load when the server answers
// 503 `queue.required`, and the room loads the page the citizen was going to once admitted.
//   • A citizen who starts a PIN request before 16:00 is sent to the room, reads that the order
//     among everyone arriving before the opening is drawn at random, keeps the place when the tab
//     is closed and opened again, watches the position fall as the line moves, and is taken back
//     to the PIN request by the page itself, with what was typed still there.
//   • One who logs in before 16:00, in English on a 360 px screen, waits in the room (which
//     switches language in place and never reloads), is taken back to the login page on the turn
//     and reaches the application; the application's bundle, answered `queue.required`, goes to
//     the room and back the same way.
//
// The queue server (E2E_QUEUE_PORT) is this spec's alone: the room is on there, letting in one
// citizen a second, and its clock is moved freely (it runs on from where it is set). Each test has
// an opening of its own (20 and 21 April), so that neither meets the other's line.
import { type APIRequestContext, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';
import { expect, test } from './fixtures';
import { romanWoman, simplifiedPin } from './people';

const queueURL = `http://127.0.0.1:${process.env.E2E_QUEUE_PORT}`;
test.use({ baseURL: queueURL });
test.describe.configure({ mode: 'serial' });

async function setClock(request: APIRequestContext, now: string) {
  const response = await request.put('/api/dev/clock', { data: { now } });
  expect(response.status()).toBe(204);
}

/** `n` other browsers take tickets (no cookies: each is a new browser). */
async function othersArrive(n: number) {
  for (let i = 0; i < n; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, async () => {
        const r = await fetch(`${queueURL}/api/queue/tickets`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        expect(r.status).toBe(200);
      }),
    );
  }
}

/** The room opens: the first request after its opening opens it (a status without a ticket: 404). */
async function openTheRoom() {
  expect((await fetch(`${queueURL}/api/queue/status`)).status).toBe(404);
}

/** The position the room's page shows, if it shows one. */
async function position(page: Page): Promise<number | null> {
  const text = await page.locator('main').innerText();
  const found = /Sei il numero ([\d.]+) in fila/.exec(text);
  return found ? Number(found[1].replace(/\./g, '')) : null;
}

/** Whether the page runs the room's own bundle (its wasm, by its hashed name). */
async function runsTheRoomsBundle(page: Page): Promise<boolean> {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .some((e) => /\/queue_bg\.[0-9a-f]{16}\.wasm$/.test(new URL(e.name).pathname)),
  );
}

test('a citizen who arrives before 16:00 waits in the room, keeps the place and reaches the PIN request by itself', async ({
  page,
  context,
}) => {
  test.setTimeout(180_000);
  // GIVEN ten seconds before a 16:00 opening, with 30 people already in the pre-queue
  await setClock(page.request, '2020-04-20T15:59:50+02:00');
  await othersArrive(30);

  // WHEN the citizen starts a PIN request
  await page.goto('/richiesta-pin/identita');
  await page.getByLabel('Codice fiscale').fill('RSSMRA85T10H501O');
  await page.getByRole('button', { name: 'Avanti' }).click();

  // THEN the page loads the room's own bundle by itself, to come back to the PIN request, and the
  // room says the order is drawn at the opening
  await expect(page).toHaveURL(`${queueURL}/coda?dopo=/richiesta-pin/identita`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Sala d'attesa");
  await expect(page).toHaveTitle("Sala d'attesa — Sportello");
  expect(await runsTheRoomsBundle(page)).toBe(true);
  await expect(page.getByRole('paragraph').filter({ hasText: 'Il servizio apre alle 16:00 (ora italiana).' })).toBeVisible();
  await expect(
    page.getByText("viene estratto a sorte all'apertura: arrivare prima non dà un posto migliore"),
  ).toBeVisible();
  await expect(page.getByRole('status')).toBeAttached();
  await expectNoAxeViolations(page);

  // WHEN the room opens (here at 16:01, the first request after the opening opens it) and the
  // test holds its clock at 16:00, before anyone is let in
  await setClock(page.request, '2020-04-20T16:01:00+02:00');
  await openTheRoom();
  await setClock(page.request, '2020-04-20T16:00:00+02:00');
  // THEN the citizen's place in line shows, without a reload
  await expect.poll(() => position(page), { timeout: 30_000, intervals: [500] }).not.toBeNull();
  const place = (await position(page))!;
  expect(place).toBeGreaterThanOrEqual(1);
  expect(place).toBeLessThanOrEqual(31);
  await expect(page.getByText(/Persone prima di te: \d+\./)).toBeVisible();
  await expect(page.getByText(/La fila si è mossa l'ultima volta alle \d\d:\d\d:\d\d \(ora italiana\)\./)).toBeVisible();
  await expectNoAxeViolations(page);

  // WHEN the tab is closed and opened again THEN the place is the same one
  const back = page.url();
  await page.close();
  const again = await context.newPage();
  await again.goto(back);
  await expect.poll(() => position(again), { timeout: 30_000, intervals: [500] }).toBe(place);

  // WHEN the line moves (the clock past the opening, to three places before the citizen's turn)
  // THEN the position falls, and on the turn the page loads the PIN request again by itself,
  // with the codice fiscale still typed (the draft is kept on the device)
  const opened = Date.parse('2020-04-20T16:01:00+02:00');
  await setClock(again.request, new Date(opened + Math.max(place - 3, 0) * 1000).toISOString());
  if (place > 3) {
    await expect.poll(() => position(again), { timeout: 30_000, intervals: [300] }).toBeLessThan(place);
  }
  await expect(again).toHaveURL(`${queueURL}/richiesta-pin/identita`, { timeout: 60_000 });
  await expect(again.getByLabel('Codice fiscale')).toHaveValue('RSSMRA85T10H501O');
  // AND the pass lets the step through to the server's own answer
  const step = again.waitForResponse((r) => r.url().includes('/api/pin-requests/steps/'));
  await again.getByRole('button', { name: 'Avanti' }).click();
  expect((await step).status()).not.toBe(503);
});

test('in English on a 360 px phone, a citizen who logs in before 16:00 waits in the room, is taken back to log in and reaches the application', async ({
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  // GIVEN a citizen with a PIN (asked for at noon, when no room stands), on a 360 px phone
  const person = romanWoman('Gallo', 'Teresa', '1979-06-02', 'teresa.gallo');
  await setClock(request, '2020-04-21T12:00:00+02:00');
  const pin = await simplifiedPin(request, person);
  const context = await browser.newContext({
    baseURL: queueURL,
    viewport: { width: 360, height: 780 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  const logIn = async () => {
    await page.getByLabel('Codice fiscale').fill(person.codice_fiscale);
    await page.getByLabel('PIN', { exact: true }).fill(pin);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
  };

  // WHEN, ten seconds before the opening, they log in in English
  await setClock(request, '2020-04-21T15:59:50+02:00');
  await page.goto('/accedi');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log in with the INPS PIN');
  await logIn();

  // (What a browser without a pass is answered now, for later.)
  const refusal = await fetch(`${queueURL}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(refusal.status).toBe(503);
  const queueRequired = await refusal.text();
  expect(JSON.parse(queueRequired)).toMatchObject({ code: 'queue.required', room: '/coda' });

  // THEN the room's page is loaded, in English, to come back to the login
  await expect(page).toHaveURL(`${queueURL}/coda?dopo=/accedi`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Waiting room');
  await expect(page).toHaveTitle('Waiting room — Sportello');
  expect(await runsTheRoomsBundle(page)).toBe(true);
  await expect(page.getByRole('paragraph').filter({ hasText: 'The service opens at 16:00 (Italian time).' })).toBeVisible();
  await expect(
    page.getByText('is drawn at random at the opening: arriving earlier does not give a better place'),
  ).toBeVisible();
  // AND it fits the screen: nothing to scroll sideways
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await expectNoAxeViolations(page);
  // AND the page switches language in place, and back
  await page.getByRole('button', { name: 'Italiano' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Sala d'attesa");
  await expect(page.getByRole('paragraph').filter({ hasText: 'Il servizio apre alle 16:00 (ora italiana).' })).toBeVisible();
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('paragraph').filter({ hasText: 'The service opens at 16:00 (Italian time).' })).toBeVisible();

  // WHEN the room opens, with this citizen alone in its line, letting in one a second
  const loads: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) loads.push(new URL(frame.url()).pathname);
  });
  await setClock(request, '2020-04-21T16:00:01+02:00');
  await openTheRoom();
  // THEN on the turn the room takes the pass and loads the login page again by itself, in
  // English: the room's only page load was that one (it polls, it never reloads)
  await expect(page).toHaveURL(`${queueURL}/accedi`, { timeout: 60_000 });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log in with the INPS PIN');
  expect(loads).toEqual(['/accedi']);
  // AND with the pass, the login goes through to the application
  await logIn();
  await expect(page).toHaveURL(`${queueURL}/domanda`);
  const loggedIn = `You are logged in with codice fiscale ${person.codice_fiscale}`;
  await expect(page.getByRole('main')).toContainText(loggedIn);
  await expectNoAxeViolations(page);

  // WHEN the application's page is answered `queue.required` (the server's own answer from
  // before the opening, given once to the application's read: with a session the server lets
  // the application through, so only a replay makes the area meet it)
  await page.route('**/api/application', (route) =>
    route.fulfill({ status: 503, contentType: 'application/problem+json', body: queueRequired }),
    { times: 1 },
  );
  loads.length = 0;
  await page.reload();
  // THEN the area, too, loads the room to come back to the application, and the room (whose
  // line is empty now) sends the citizen straight back
  await expect(page).toHaveURL(`${queueURL}/domanda`, { timeout: 30_000 });
  await expect(page.getByRole('main')).toContainText(loggedIn);
  expect(loads).toEqual(['/domanda', '/coda', '/domanda']);
  await context.close();
});
