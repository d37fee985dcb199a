// The messages a citizen gets, through real carriers: the first 8 PIN characters and the receipt
// of a filed application reach a real SMTP server, with the protocol number; when INPS staff move
// the application's status with `sportello-admin status`, the citizen is told by e-mail (at the
// SMTP server) and by SMS (the dev outbox), once per move.
//
// The "mail" server (E2E_MAIL_PORT) is this spec's alone: it hands e-mail and PEC to aiosmtpd
// (E2E_SMTP_PORT), which writes each message it receives into the Maildir E2E_MAILDIR; SMS and
// letters stay in the dev outbox. Its clock is moved freely, and the statuses are moved on its
// data directory (E2E_MAIL_DATA) as an administrator does.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type APIRequestContext, type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectNoAxeViolations } from './a11y';
import { devMessage, devOutbox, expectAreaLoaded, romanWoman, simplifiedPin } from './people';

test.use({ baseURL: `http://127.0.0.1:${process.env.E2E_MAIL_PORT}`, viewport: { width: 360, height: 780 } });
// One clock and one mailbox for the whole server: the tests take turns.
test.describe.configure({ mode: 'serial' });

/** One e-mail as the SMTP server received it, decoded. */
type Mail = { to: string; subject: string; messageId: string; body: string };

/** RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) as text. */
function decodeWords(header: string): string {
  return header
    .replace(/\?=\s+=\?/g, '?==?') // the space between two encoded words is not text
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, _charset, encoding: string, text: string) =>
      encoding.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : quotedPrintable(text.replace(/_/g, ' ')),
    );
}

/** Quoted-printable (RFC 2045) as UTF-8 text, soft line breaks joined. */
function quotedPrintable(text: string): string {
  const bytes: number[] = [];
  const joined = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A single-part message as aiosmtpd's Mailbox handler writes it. */
function parseMail(raw: string): Mail {
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' '); // unfolded
  const body = raw.slice(split).trim();
  const header = (name: string) => new RegExp(`^${name}: *(.*)$`, 'mi').exec(head)?.[1].trim() ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  return {
    to: header('To'),
    subject: decodeWords(header('Subject')),
    messageId: header('Message-ID'),
    body:
      encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
        : encoding === 'quoted-printable'
          ? quotedPrintable(body)
          : body,
  };
}

/** Every e-mail the SMTP server has received so far. */
function mailbox(): Mail[] {
  const dir = path.join(process.env.E2E_MAILDIR!, 'new');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).map((file) => parseMail(fs.readFileSync(path.join(dir, file), 'utf8')));
}

/**
 * The e-mails to `to` for which `matches` holds, once there are `count` of them: the server's
 * worker hands a message to the SMTP server a moment after the event that wrote it.
 */
async function mailsTo(to: string, matches: (mail: Mail) => boolean, what: string, count = 1): Promise<Mail[]> {
  const found = () => mailbox().filter((m) => m.to.includes(to) && matches(m));
  await expect.poll(() => found().length, { message: `${what} never reached the SMTP server`, timeout: 15_000 }).toBe(count);
  return found();
}

/** Sets the mail server's clock; `null` gives it back the system's. */
async function setClock(request: APIRequestContext, now: string | null) {
  const response = await request.put('/api/dev/clock', { data: { now } });
  expect(response.ok(), await response.text()).toBeTruthy();
}

/** Moves the application `protocol` to `status` on the mail server's data, as INPS staff do. */
function moveStatus(protocol: string, status: string): string {
  const bin = process.env.SPORTELLO_BIN
    ? path.dirname(process.env.SPORTELLO_BIN)
    : path.resolve(__dirname, '..', '..', 'target', 'debug');
  return execFileSync(path.join(bin, 'sportello-admin'), ['status', protocol, status, '--by', 'e2e.istruttore'], {
    env: { ...process.env, SPORTELLO_DATA_DIR: process.env.E2E_MAIL_DATA, SPORTELLO_DEV_MODE: '1', RUST_LOG: 'warn' },
    encoding: 'utf8',
  });
}

const avanti = (page: Page) => page.getByRole('button', { name: 'Avanti' }).click();

/** The whole application on a phone, from the login page to the receipt; its protocol number. */
async function fileApplication(page: Page, cf: string, pin: string): Promise<string> {
  await page.goto('/accedi');
  await page.getByLabel('Codice fiscale').fill(cf);
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Accedi', exact: true }).click();
  await expectAreaLoaded(page, cf);
  await page.getByRole('link', { name: 'Inizia la domanda' }).click();
  await page.getByLabel('Lavoratori stagionali del turismo e degli stabilimenti termali').check();
  await avanti(page);
  await expect(page).toHaveURL(/\/domanda\/dichiarazioni$/);
  for (const confirm of await page.getByLabel('Confermo').all()) await confirm.check();
  const lastJob = page.getByRole('group', { name: /In che data è finito il tuo ultimo rapporto di lavoro stagionale/ });
  await lastJob.getByLabel('Giorno').fill('15');
  await lastJob.getByLabel('Mese').fill('10');
  await lastJob.getByLabel('Anno').fill('2019');
  await page.getByRole('group', { name: 'Sei titolare di una pensione?' }).getByLabel('No').check();
  await page.getByRole('group', { name: /Il 17 marzo 2020 avevi un rapporto di lavoro dipendente/ }).getByLabel('No').check();
  await avanti(page);
  await expect(page).toHaveURL(/\/domanda\/pagamento$/);
  await page.getByLabel("Bonifico da riscuotere all'ufficio postale").check();
  await avanti(page);
  await expect(page).toHaveURL(/\/domanda\/contatti$/);
  await avanti(page);
  await expect(page).toHaveURL(/\/domanda\/riepilogo$/);
  await page.getByRole('button', { name: 'Conferma' }).click();
  await expect(page).toHaveURL(/\/domanda\/ricevuta\/INPS-COVID-20\d\d-\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Domanda inviata');
  return page.url().split('/').pop()!;
}

test('the receipt reaches the SMTP server with the protocol number, and each status move reaches the citizen once', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const elena = romanWoman('Marrone', 'Elena', '1982-06-09', 'elena.marrone');
  // GIVEN 17:00 in Rome on 1 April 2020, when citizens may send, and Elena's PIN
  await setClock(request, '2020-04-01T17:00:00+02:00');
  const pin = await simplifiedPin(request, elena);
  // The same first 8 characters went by e-mail and by PEC through the SMTP server, not the dev outbox.
  for (const address of [elena.email, elena.pec]) {
    const [mail] = await mailsTo(address, (m) => m.body.includes(pin), `the first half to ${address}`);
    expect(mail.subject).not.toBe('');
  }
  const outbox = await devOutbox(request, elena.codice_fiscale, (all) => all.length >= 2, 'the SMS and the letter');
  expect(outbox.map((m) => m.channel).sort()).toEqual(['post', 'sms']);
  expect(outbox.find((m) => m.channel === 'sms')!.body).toContain(pin);

  // WHEN she files the application on her phone
  const protocol = await fileApplication(page, elena.codice_fiscale, pin);
  const main = page.getByRole('main');
  await expect(main).toContainText('per e-mail a e***@example.it e per SMS al +39 ***2233');
  await expectNoAxeViolations(page);

  // THEN the receipt e-mail reaches the SMTP server, once, with the protocol number, at her address
  const [receipt] = await mailsTo(elena.email, (m) => m.body.includes(protocol), 'the receipt e-mail');
  expect(receipt.subject).toBe('Domanda di indennità ricevuta');
  expect(receipt.body).toContain(`Numero di protocollo: ${protocol}.`);
  expect(receipt.body).toContain(elena.codice_fiscale);
  expect(receipt.messageId).toMatch(/^<[0-9a-f]{32}@/);
  // AND the receipt SMS is in the dev outbox; the PEC got no receipt (the application's contacts
  // are e-mail and mobile)
  await devMessage(request, elena.codice_fiscale, (m) => m.channel === 'sms' && m.body.includes(protocol), 'the receipt SMS');
  expect(mailbox().filter((m) => m.to.includes(elena.pec) && m.body.includes(protocol))).toEqual([]);

  // WHEN staff take it under review, then accept it (on the system's clock again: the command
  // runs on it, and the server's worker hands over what is due on its own)
  await setClock(request, null);
  expect(moveStatus(protocol, 'under_review')).toContain(`${protocol} is now under_review`);
  // THEN the citizen is told by e-mail and by SMS, with the protocol number and the new status
  const [underReview] = await mailsTo(elena.email, (m) => m.body.includes('«In istruttoria»'), 'the status e-mail');
  expect(underReview.subject).toBe('La tua domanda di indennità è cambiata');
  expect(underReview.body).toContain(`la domanda ${protocol} ora è «In istruttoria»`);
  await devMessage(
    request,
    elena.codice_fiscale,
    (m) => m.channel === 'sms' && m.body.includes(`${protocol} ora è «In istruttoria»`),
    'the status SMS',
  );
  expect(moveStatus(protocol, 'accepted')).toContain(`${protocol} is now accepted`);
  await mailsTo(elena.email, (m) => m.body.includes(`${protocol} ora è «Accolta»`), 'the second status e-mail');
  // AND each message came once: the PIN's, the receipt, two status moves
  await expect.poll(() => mailbox().filter((m) => m.to.includes(elena.email)).length).toBe(4);
  const ids = mailbox().map((m) => m.messageId);
  expect(new Set(ids).size, 'a Message-ID seen twice').toBe(ids.length);

  // AND a status move the rules do not allow is refused, and tells nobody
  expect(() => moveStatus(protocol, 'submitted')).toThrow();
  await page.waitForTimeout(1_500); // two polls of the worker: a message would have left by now
  expect(mailbox().filter((m) => m.to.includes(elena.email)).length).toBe(4);
});
