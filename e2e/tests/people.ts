// People for the end-to-end tests: codici fiscali computed as the Agenzia delle Entrate does,
// registered in the server's synthetic population registry (a PIN is issued only to a registered
// person), and PIN requests made through the API, reading the first 8 characters from the dev outbox.
// The server's worker delivers each message a moment after the API has answered: what a test reads
// from the dev outbox it reads with `devOutbox`, which asks again until the message is there.
import { expect, type APIRequestContext, type APIResponse, type Page } from '@playwright/test';

/** The codice fiscale of a person born in Italy, as the Agenzia delle Entrate computes it. */
export function codiceFiscale(surname: string, name: string, sex: 'M' | 'F', date: string, belfiore: string): string {
  const letters = (s: string) => s.toUpperCase().replace(/[^A-Z]/g, '');
  const part = (s: string, isName: boolean) => {
    const consonants = letters(s).replace(/[AEIOU]/g, '');
    const vowels = letters(s).replace(/[^AEIOU]/g, '');
    if (isName && consonants.length >= 4) return consonants[0] + consonants[2] + consonants[3];
    return (consonants + vowels + 'XXX').slice(0, 3);
  };
  const [year, month, day] = date.split('-').map(Number);
  const body =
    part(surname, false) +
    part(name, true) +
    String(year % 100).padStart(2, '0') +
    'ABCDEHLMPRST'[month - 1] +
    String(day + (sex === 'F' ? 40 : 0)).padStart(2, '0') +
    belfiore;
  const odd: Record<string, number> = {
    0: 1, 1: 0, 2: 5, 3: 7, 4: 9, 5: 13, 6: 15, 7: 17, 8: 19, 9: 21, A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15,
    H: 17, I: 19, J: 21, K: 2, L: 4, M: 18, N: 20, O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22,
    X: 25, Y: 24, Z: 23,
  };
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = body[i];
    sum += i % 2 === 0 ? odd[c] : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
  }
  return body + String.fromCharCode(65 + (sum % 26));
}

/** A PIN request's form for a woman born in Rome (H501) on `birthDate`, with her own contacts. */
export function romanWoman(surname: string, givenName: string, birthDate: string, tag: string) {
  return {
    codice_fiscale: codiceFiscale(surname, givenName, 'F', birthDate, 'H501'),
    residence_country: 'Italia',
    given_name: givenName,
    surname,
    sex: 'F',
    birth_date: birthDate,
    birth_place: 'Roma',
    birth_province: 'RM',
    address: 'Via Appia 10',
    postcode: '00183',
    municipality: 'Roma',
    province: 'RM',
    mobile: '+39 347 111 2233',
    email: `${tag}@example.it`,
    pec: `${tag}@pec.example.it`,
  };
}

export type PinRequestForm = ReturnType<typeof romanWoman>;

/**
 * `call` again, after a pause, while the server answers 5xx or 429 (a server with injected faults
 * or shedding load); the final answer. Tests set up their data through the API with this, as the
 * SPA's client would retry.
 */
export async function untilAnswered(call: () => Promise<APIResponse>): Promise<APIResponse> {
  for (let attempt = 1; ; attempt++) {
    const response = await call();
    const busy = response.status() >= 500 || response.status() === 429;
    if (!busy || attempt === 40) return response;
    const retryAfter = Number(response.headers()['retry-after'] ?? 0) * 1000;
    await new Promise((resolve) => setTimeout(resolve, retryAfter + Math.random() * 250 * Math.min(attempt, 8)));
  }
}

/**
 * The population registry's row for the person of a PIN request, resident where the request says
 * (unless `residence` says otherwise). The birth place's code is the one in the codice fiscale.
 */
export function residentRow(person: PinRequestForm, residence: Partial<PinRequestForm> = {}) {
  const at = { ...person, ...residence };
  return {
    codice_fiscale: person.codice_fiscale,
    given_name: person.given_name,
    surname: person.surname,
    sex: person.sex,
    birth_date: person.birth_date,
    birth_place_code: person.codice_fiscale.slice(11, 15),
    address: at.address,
    postcode: at.postcode,
    municipality: at.municipality,
    province: at.province,
    country: at.residence_country,
  };
}

/**
 * Registers the person of a PIN request in the server's synthetic population registry (a dev-mode
 * endpoint; these are made-up people), resident where the request says unless `residence` says
 * otherwise. Without it the server refuses their PIN request.
 */
export async function registerResident(
  request: APIRequestContext,
  person: PinRequestForm,
  residence: Partial<PinRequestForm> = {},
): Promise<void> {
  const response = await untilAnswered(() =>
    request.put(`/api/dev/registry/${person.codice_fiscale}`, { data: residentRow(person, residence) }),
  );
  expect(response.status(), await response.text()).toBe(204);
}

/**
 * `POST /api/pin-requests` with `options` (headers, data) for a person registered first (see
 * `registerResident`): the request as a resident's.
 */
export async function postPinRequestAsResident(
  request: APIRequestContext,
  options: { headers?: Record<string, string>; data: PinRequestForm },
): Promise<APIResponse> {
  await registerResident(request, options.data);
  return request.post('/api/pin-requests', options);
}

/** One message the dev sink received (`GET /api/dev/outbox`): what a phone or a mailbox would get. */
export type DevMessage = {
  /** `sms`, `email`, `pec` or `post`. */
  channel: string;
  /** The phone number, the address, or for a letter the name and postal address. */
  recipient: string;
  subject: string;
  body: string;
  sent_at: string;
};

/**
 * The dev outbox of `cf` (newest first) once `until` holds for it. Messages are written with the
 * event that causes them and delivered by the server's worker a little after the API has answered,
 * so the dev outbox read right after a request may not have them yet: it is read again until
 * `until` holds (10 s at most, then the test fails saying `what` it waited for). A server with
 * injected faults is asked again too (`untilAnswered`).
 */
export async function devOutbox(
  request: APIRequestContext,
  cf: string,
  until: (messages: DevMessage[]) => boolean,
  what = 'the expected messages',
): Promise<DevMessage[]> {
  let messages: DevMessage[] = [];
  await expect
    .poll(
      async () => {
        const response = await untilAnswered(() => request.get(`/api/dev/outbox?codice_fiscale=${cf}`));
        expect(response.status(), await response.text()).toBe(200);
        messages = await response.json();
        return until(messages);
      },
      { message: `the dev outbox of ${cf} never held ${what}`, timeout: 10_000, intervals: [50, 100, 250, 500] },
    )
    .toBe(true);
  return messages;
}

/** The newest message of `cf` in the dev outbox for which `matches` holds, once delivered (see `devOutbox`). */
export async function devMessage(
  request: APIRequestContext,
  cf: string,
  matches: (message: DevMessage) => boolean,
  what: string,
): Promise<DevMessage> {
  const messages = await devOutbox(request, cf, (all) => all.some(matches), what);
  return messages.find(matches)!;
}

/** Registers `person` (see `registerResident`), requests a PIN through the API and returns the first 8 characters sent by SMS. */
export async function simplifiedPin(request: APIRequestContext, person: PinRequestForm): Promise<string> {
  await registerResident(request, person);
  const response = await untilAnswered(() =>
    request.post('/api/pin-requests', {
      headers: { 'Idempotency-Key': `e2e-pin-${person.codice_fiscale}` },
      data: person,
    }),
  );
  expect([200, 201], await response.text()).toContain(response.status());
  const firstHalf = (m: DevMessage) => m.channel === 'sms' && m.body.includes('i primi 8 caratteri');
  const sms = await devMessage(request, person.codice_fiscale, firstHalf, 'the SMS with the first half');
  const match = /i primi 8 caratteri del tuo PIN sono ([A-HJ-NP-Z2-9]{8})\./.exec(sms.body);
  expect(match, `SMS: ${sms.body}`).toBeTruthy();
  return match![1];
}

/**
 * Waits until the citizen's area has loaded at /domanda: its page says who is logged in once the
 * session and the application have been read. The address changes before the area's code runs, so
 * a test that then moves the page's clock or routes the API's answers waits for this first.
 */
export async function expectAreaLoaded(page: Page, cf: string) {
  await expect(page).toHaveURL(/\/domanda$/);
  await expect(page.getByRole('main')).toContainText(`Hai effettuato l'accesso con il codice fiscale ${cf}`);
}
