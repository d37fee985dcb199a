// The click-day waiting room on a phone (issue 15): a citizen who starts a PIN request before
// 16:00 is sent to the room by the server's 503 `queue.required`, reads that the order among
// everyone arriving before the opening is drawn at random, keeps the place when the tab is closed
// and opened again, watches the position fall as the line moves, and is taken back to the PIN
// request by the page itself, with what was typed still there.
//
// The queue server (E2E_QUEUE_PORT) is this spec's alone: the room is on there, letting in one
// citizen a second, and its clock is moved freely.
import { type APIRequestContext, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './a11y';
import { expect, test } from './fixtures';

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

/** The position the room's page shows, if it shows one. */
async function position(page: Page): Promise<number | null> {
  const text = await page.locator('main').innerText();
  const found = /Sei il numero ([\d.]+) in fila/.exec(text);
  return found ? Number(found[1].replace(/\./g, '')) : null;
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

  // THEN the SPA goes to the room by itself, which says the order is drawn at the opening
  await expect(page).toHaveURL(/\/coda\?dopo=/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Sala d'attesa");
  await expect(page.getByText("viene estratto a sorte all'apertura: arrivare prima non dà un posto migliore")).toBeVisible();
  await expect(page.getByRole('status')).toBeAttached();
  await expectNoAxeViolations(page);

  // WHEN the room opens (here at 16:01, the first request after the opening opens it) and the
  // test holds its clock at 16:00, before anyone is let in
  await setClock(page.request, '2020-04-20T16:01:00+02:00');
  expect((await fetch(`${queueURL}/api/queue/status`)).status).toBe(404);
  await setClock(page.request, '2020-04-20T16:00:00+02:00');
  // THEN the citizen's place in line shows, without a reload
  await expect.poll(() => position(page), { timeout: 30_000, intervals: [500] }).not.toBeNull();
  const place = (await position(page))!;
  expect(place).toBeGreaterThanOrEqual(1);
  expect(place).toBeLessThanOrEqual(31);
  await expect(page.getByText(/Persone prima di te: \d+\./)).toBeVisible();
  await expectNoAxeViolations(page);

  // WHEN the tab is closed and opened again THEN the place is the same one
  const back = page.url();
  await page.close();
  const again = await context.newPage();
  await again.goto(back);
  await expect.poll(() => position(again), { timeout: 30_000, intervals: [500] }).toBe(place);

  // WHEN the line moves (the clock past the opening, to three places before the citizen's turn)
  // THEN the position falls, and on the turn the page takes the citizen back to the PIN request,
  // with the codice fiscale still typed
  const opened = Date.parse('2020-04-20T16:01:00+02:00');
  await setClock(again.request, new Date(opened + Math.max(place - 3, 0) * 1000).toISOString());
  if (place > 3) {
    await expect.poll(() => position(again), { timeout: 30_000, intervals: [300] }).toBeLessThan(place);
  }
  await expect(again).toHaveURL(/\/richiesta-pin\/identita$/, { timeout: 60_000 });
  await expect(again.getByLabel('Codice fiscale')).toHaveValue('RSSMRA85T10H501O');
  // AND the pass lets the step through to the server's own answer
  const step = again.waitForResponse((r) => r.url().includes('/api/pin-requests/steps/'));
  await again.getByRole('button', { name: 'Avanti' }).click();
  expect((await step).status()).not.toBe(503);
});
