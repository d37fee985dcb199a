// PIN requests checked against the population registry (issue 13), on a phone: a resident gets
// a PIN and is shown where the letter goes — the registered residence, masked, whatever address
// was typed — and a person the registry does not know gets one clear refusal.
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectNoAxeViolations } from './a11y';
import { devMessage, registerResident, romanWoman } from './people';

test.use({ viewport: { width: 360, height: 780 } });

/** GIVEN the whole form filled in on this device (a saved draft), on the summary page. */
async function summaryWith(page: Page, form: ReturnType<typeof romanWoman>) {
  await page.goto('/');
  await page.evaluate((draft) => localStorage.setItem('sportello.pin_request', JSON.stringify(draft)), form);
  await page.goto('/richiesta-pin/riepilogo');
}

test('a resident requests a PIN and sees that the letter goes to the registered address, masked', async ({ page }) => {
  // GIVEN Giulia Serra, registered as resident in Via Giulia 25, 00186 Roma, who types an old address
  const giulia = romanWoman('Serra', 'Giulia', '1984-06-21', 'giulia.serra');
  await registerResident(page.request, giulia, { address: 'Via Giulia 25', postcode: '00186' });

  // The address page says where the letter really goes.
  await page.goto('/');
  await page.evaluate((draft) => localStorage.setItem('sportello.pin_request', JSON.stringify(draft)), giulia);
  await page.goto('/richiesta-pin/residenza');
  await expect(page.getByRole('main')).toContainText("registrato nell'anagrafe della popolazione");
  await expectNoAxeViolations(page);

  // WHEN she confirms the request
  await page.goto('/richiesta-pin/riepilogo');
  await page.getByRole('button', { name: 'CONFERMA' }).click();

  // THEN the confirmation shows the registered residence, masked, and what to do if it is old
  await expect(page).toHaveURL(/\/richiesta-pin\/conferma$/);
  const main = page.getByRole('main');
  await expect(main).toContainText('Via G***, 00186 Roma');
  await expect(main).not.toContainText('Via Appia');
  await expect(main).toContainText('Se questo indirizzo non è aggiornato, chiama il Contact Center');
  await expectNoAxeViolations(page);

  // AND the letter with the second half is addressed there
  const letter = await devMessage(page.request, giulia.codice_fiscale, (m) => m.channel === 'post', 'the letter');
  expect(letter.recipient).toContain('Via Giulia 25, 00186 Roma');
  expect(letter.recipient).not.toContain('Via Appia');
});

test('a person the registry does not know is refused with one clear message', async ({ page }) => {
  // GIVEN a consistent request for someone nobody registered
  const nobody = romanWoman('Sole', 'Irene', '1991-02-14', 'irene.sole');
  await summaryWith(page, nobody);

  // WHEN she confirms THEN the refusal is the page's problem, focused, saying what to do
  await page.getByRole('button', { name: 'CONFERMA' }).click();
  const summary = page.getByRole('alert').filter({ hasText: "C'è un problema" });
  await expect(summary).toBeFocused();
  await expect(summary).toContainText("non corrispondono a quelli registrati nell'anagrafe della popolazione");
  await expect(summary).toContainText('Contact Center');
  await expect(page).toHaveURL(/\/richiesta-pin\/riepilogo$/);
  await expect(page).toHaveTitle(/^Errore: /);
  await expectNoAxeViolations(page);
});
