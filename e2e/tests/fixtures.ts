// Every spec's `test` and `expect`: Playwright's, with a guard that fails any test in which a
// page panicked or threw an uncaught error — in the test's own page and in every browser context
// the test opens itself (the load specs open twenty). A panic in the wasm leaves a page that looks
// alive and answers nothing, the 2020 "press F5": it must never pass unnoticed.
//
// A test that panics on purpose (the recovery page's) says so with `test.use({ pageErrorsExpected: true })`.
import { test as base, expect, type BrowserContext } from '@playwright/test';

/** What the guard saw in the current test; reset before each test (one test at a time per worker). */
const seen: string[] = [];
const guarded = new WeakSet<BrowserContext>();

/** Records, from now on, every uncaught error and every panic reported by any page of `context`. */
function guard(context: BrowserContext): void {
  if (guarded.has(context)) return;
  guarded.add(context);
  context.on('weberror', (error) => seen.push(`uncaught error in ${error.page()?.url()}: ${error.error().message}`));
  context.on('console', (message) => {
    // The SPA's panic hook (frontend/src/panic_page.rs) logs this before it replaces the page.
    if (message.type() === 'error' && message.text().includes('panicked')) {
      seen.push(`panic in ${message.page()?.url()}: ${message.text()}`);
    }
  });
}

export const test = base.extend<{ pageErrorsExpected: boolean; pageGuard: void }, { contextGuard: void }>({
  pageErrorsExpected: [false, { option: true }],

  // Contexts a test opens with `browser.newContext()` are guarded as they are made.
  contextGuard: [
    async ({ browser }, use) => {
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const context = await newContext(...args);
        guard(context);
        return context;
      };
      await use();
    },
    { scope: 'worker', auto: true },
  ],

  pageGuard: [
    async ({ context, pageErrorsExpected }, use) => {
      seen.length = 0;
      guard(context);
      await use();
      if (!pageErrorsExpected) {
        expect(seen, 'pages panicked or threw uncaught errors').toEqual([]);
      }
    },
    { auto: true },
  ],
});

export { expect };

/** The errors the guard has seen so far in this test (for the test that panics on purpose). */
export function pageErrorsSeen(): readonly string[] {
  return seen;
}
