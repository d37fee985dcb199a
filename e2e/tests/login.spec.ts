// A citizen with a PIN logs in — with the full PIN or its first 8 characters — sees the
// application's start page, is warned before the session times out, and logs out.
import { type APIRequestContext, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectNoAxeViolations } from './a11y';
import { devOutbox, expectAreaLoaded, postPinRequestAsResident, romanWoman, simplifiedPin } from './people';

test.use({ viewport: { width: 360, height: 780 } });

/** The halves of a PIN requested through the API for `cf`, read from the dev outbox. */
async function requestPin(request: APIRequestContext, cf: string, day: string, sex: 'M' | 'F', name: string) {
  const response = await postPinRequestAsResident(request, {
    headers: { 'Idempotency-Key': `e2e-login-${cf}` },
    data: {
      codice_fiscale: cf,
      residence_country: 'Italia',
      given_name: name,
      surname: sex === 'M' ? 'Rossi' : 'Bianchi',
      sex,
      birth_date: day,
      birth_place: sex === 'M' ? 'Roma' : 'Milano',
      birth_province: sex === 'M' ? 'RM' : 'MI',
      address: 'Via Garibaldi 2',
      postcode: sex === 'M' ? '00184' : '20121',
      municipality: sex === 'M' ? 'Roma' : 'Milano',
      province: sex === 'M' ? 'RM' : 'MI',
      mobile: '+39 347 765 4321',
      email: `${cf.toLowerCase()}@example.it`,
      pec: `${cf.toLowerCase()}@pec.example.it`,
    },
  });
  expect(response.status(), await response.text()).toBe(201);
  const outbox = await devOutbox(
    request,
    cf,
    (all) => ['sms', 'post'].every((channel) => all.some((m) => m.channel === channel)),
    'the SMS and the letter',
  );
  const half = (channel: string, label: RegExp) => {
    const body = outbox.find((m) => m.channel === channel)?.body ?? '';
    const match = label.exec(body);
    expect(match, `${channel}: ${body}`).toBeTruthy();
    return match![1];
  };
  return {
    first: half('sms', /i primi 8 caratteri del tuo PIN sono ([A-HJ-NP-Z2-9]{8})\./),
    second: half('post', /ultimi 8 caratteri del tuo PIN INPS sono ([A-HJ-NP-Z2-9]{8})\./),
  };
}

// Valid codici fiscali consistent with the data above (computed with the domain's rules):
// Mario Rossi born in Rome (H501) on 14-15/12/1985, Anna Bianchi born in Milan (F205) on 3-5/3/1990.
const MARIO_14 = { cf: 'RSSMRA85T14H501W', day: '1985-12-14', sex: 'M', name: 'Mario' } as const;
const MARIO_15 = { cf: 'RSSMRA85T15H501A', day: '1985-12-15', sex: 'M', name: 'Mario' } as const;
const ANNA_3 = { cf: 'BNCNNA90C43F205H', day: '1990-03-03', sex: 'F', name: 'Anna' } as const;
const ANNA_4 = { cf: 'BNCNNA90C44F205J', day: '1990-03-04', sex: 'F', name: 'Anna' } as const;

async function logIn(page: Page, cf: string, pin: string) {
  await page.goto('/accedi');
  await page.getByLabel('Codice fiscale').fill(cf);
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Accedi', exact: true }).click();
}

test('a wrong PIN is named in the error summary, linked to the PIN', async ({ page, request }) => {
  const { first } = await requestPin(request, MARIO_14.cf, MARIO_14.day, MARIO_14.sex, MARIO_14.name);
  const wrong = first.startsWith('A') ? 'BBBBBBBB' : 'AAAAAAAA';

  // A PIN of the wrong length is caught in the page.
  await logIn(page, MARIO_14.cf, 'ABC');
  const summary = page.getByRole('alert').filter({ hasText: "C'è un problema" });
  await expect(summary).toBeFocused();
  await expect(summary).toContainText('primi 8');
  await expectNoAxeViolations(page);

  // A well-formed but wrong PIN is refused by the server, and the summary links to the PIN.
  await page.getByLabel('PIN', { exact: true }).fill(wrong);
  await page.getByRole('button', { name: 'Accedi', exact: true }).click();
  await expect(summary).toContainText('Codice fiscale o PIN non corretti');
  await expect(summary).toBeFocused();
  await expect(page).toHaveTitle(/^Errore: /);
  await expect(page.getByLabel('PIN', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page);
  await summary.getByRole('link').click();
  await expect(page.getByLabel('PIN', { exact: true })).toBeFocused();

  // The PIN can be shown to check it, and hidden again.
  const pin = page.getByLabel('PIN', { exact: true });
  await expect(pin).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Mostra il PIN' }).click();
  await expect(pin).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Nascondi il PIN' }).click();
  await expect(pin).toHaveAttribute('type', 'password');
  await expect(page).toHaveURL(/\/accedi$/);
});

test('the full PIN logs in with full access, by keyboard alone', async ({ page, request }) => {
  const { first, second } = await requestPin(request, ANNA_3.cf, ANNA_3.day, ANNA_3.sex, ANNA_3.name);
  await page.goto('/accedi');
  // Tab order: codice fiscale, PIN, its show/hide button, Accedi; Enter sends the form.
  await page.getByLabel('Codice fiscale').focus();
  await page.keyboard.type(ANNA_3.cf.toLowerCase());
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('PIN', { exact: true })).toBeFocused();
  await page.keyboard.type(`${first}-${second}`.toLowerCase());
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Mostra il PIN' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Accedi', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/domanda$/);
  await expect(page.getByRole('main')).toContainText('PIN completo');
  await expect(page.getByRole('main')).not.toContainText('PIN semplificato');
  // A reload asks the server who is in (the cookie cannot be read by the page).
  await page.reload();
  await expect(page.getByRole('main')).toContainText(ANNA_3.cf);
  await expectNoAxeViolations(page);
});

test('Esci ends the session from any page behind login: the signed-out page, nothing left on the device', async ({
  page,
  request,
}, testInfo) => {
  await page.setViewportSize({ width: 360, height: 780 });
  const { first } = await requestPin(request, MARIO_15.cf, MARIO_15.day, MARIO_15.sex, MARIO_15.name);
  await logIn(page, MARIO_15.cf, first);
  await expectAreaLoaded(page, MARIO_15.cf);
  // Esci is in the header of every page behind login, "Le mie domande" included.
  await page.getByRole('link', { name: 'Inizia la domanda' }).click();
  await expect(page.getByRole('banner').getByRole('button', { name: 'Esci' })).toBeVisible();
  await page.getByLabel('Operai agricoli a tempo determinato').check();
  await page.goto('/le-mie-domande');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.getByRole('banner').getByRole('button', { name: 'Esci' }).click();
  // THEN the signed-out page says so, and the device keeps no copy of the answers
  await expect(page).toHaveURL(/\/uscito$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sei uscito dal servizio');
  await expect(page).toHaveTitle('Sei uscito dal servizio');
  await expect(page.getByRole('banner').getByRole('button', { name: 'Esci' })).toHaveCount(0);
  const kept = await page.evaluate(() =>
    [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k !== 'sportello.lang'),
  );
  expect(kept).toEqual([]);
  await expectNoAxeViolations(page);
  await testInfo.attach('signed-out-360', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  await page.getByRole('link', { name: 'Accedi di nuovo' }).click();
  await expect(page).toHaveURL(/\/accedi$/);
  await page.goto('/domanda');
  await expect(page).toHaveURL(/\/accedi$/);
  expect((await page.request.get('/api/session')).status()).toBe(401);
});

test('Esci while the page is still loading goes to the signed-out page, not to the login page', async ({ page, request }) => {
  const person = romanWoman('Rosa', 'Elena', '1987-09-18', 'elena.rosa');
  const pin = await simplifiedPin(request, person);
  // GIVEN the application is answered only once the logout has been answered (a slow network)
  let loggedOut = () => {};
  const out = new Promise<void>((resolve) => (loggedOut = resolve));
  page.on('response', (r) => {
    if (r.url().endsWith('/api/session') && r.request().method() === 'DELETE') loggedOut();
  });
  await page.route('**/api/application', async (route) => {
    await out;
    await route.continue().catch(() => {}); // the page may have gone by then
  });
  await logIn(page, person.codice_fiscale, pin);
  await expect(page).toHaveURL(/\/domanda$/);
  await expect(page.getByRole('status')).toContainText('Caricamento');
  // WHEN the citizen presses Esci before the page has loaded
  await page.getByRole('button', { name: 'Esci' }).click();
  // THEN they are on the signed-out page, and stay there (the application's late 401 does not move them)
  await expect(page).toHaveURL(/\/uscito$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expect(page).toHaveURL(/\/uscito$/);
  expect((await page.request.get('/api/session')).status()).toBe(401);
});

test('the timeout warning comes two minutes before the end: Resta collegato extends, Esci logs out', async ({
  page,
  request,
}) => {
  const { first } = await requestPin(request, ANNA_4.cf, ANNA_4.day, ANNA_4.sex, ANNA_4.name);
  // The page's clock is under the test's control; the server's is not (sessions last 20 minutes).
  await page.clock.install();
  await logIn(page, ANNA_4.cf, first);
  await expectAreaLoaded(page, ANNA_4.cf);
  const dialog = page.getByRole('alertdialog', { name: 'Stai per uscire dal servizio' });
  await expect(dialog).toBeHidden();

  // WHEN 18 minutes and a half pass without activity THEN the warning takes focus
  await page.clock.fastForward('18:30');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('I dati inseriti non andranno persi');
  await expect(dialog.getByRole('button', { name: 'Resta collegato' })).toBeFocused();
  await expectNoAxeViolations(page);

  // "Resta collegato" asks the server for more time, and the warning goes away.
  const extended = page.waitForResponse((r) => r.url().endsWith('/api/session/extend') && r.status() === 200);
  await dialog.getByRole('button', { name: 'Resta collegato' }).click();
  await extended;
  await expect(dialog).toBeHidden();
  await page.clock.fastForward('10:00');
  await expect(dialog).toBeHidden();

  // Later, "Esci" in the warning logs out.
  await page.clock.fastForward('09:00');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Esci' }).click();
  await expect(page).toHaveURL(/\/$/);
  expect((await page.request.get('/api/session')).status()).toBe(401);
});

test('an unanswered warning ends the session on the login page, with a message', async ({ page, request }) => {
  const person = { cf: 'BNCNNA90C45F205N', day: '1990-03-05', sex: 'F', name: 'Anna' } as const;
  const { first } = await requestPin(request, person.cf, person.day, person.sex, person.name);
  await page.clock.install();
  await logIn(page, person.cf, first);
  await expectAreaLoaded(page, person.cf);
  await page.clock.fastForward('18:30');
  await expect(page.getByRole('alertdialog')).toBeVisible();
  // Only the page's clock runs fast: the server's session is still alive until the page's own
  // logout lands, so wait for that answer rather than racing it.
  const loggedOut = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/api/session' && r.request().method() === 'DELETE',
  );
  await page.clock.fastForward('02:00');
  await expect(page).toHaveURL(/\/accedi\?scaduta=1$/);
  expect((await loggedOut).status()).toBe(204);
  const notice = page.getByRole('region', { name: 'Importante' });
  await expect(notice).toContainText('i dati inseriti non sono andati persi');
  await expect(page.getByRole('alertdialog')).toBeHidden();
  await expectNoAxeViolations(page);
  expect((await page.request.get('/api/session')).status()).toBe(401);
});
