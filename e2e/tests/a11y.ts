// Accessibility check shared by every scenario: axe-core with the WCAG 2.1 A/AA rules.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** Runs axe on the page as it is now and fails with the list of violations, if any. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, 'axe-core violations').toEqual([]);
  // axe 4.13 no longer checks this: an id used twice makes `aria-describedby` and `label for`
  // point at whichever comes first, and a screen reader then reads another question's help.
  const duplicated = await page.evaluate(() => {
    const counts = new Map<string, number>();
    for (const el of document.querySelectorAll('[id]')) counts.set(el.id, (counts.get(el.id) ?? 0) + 1);
    return [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  });
  expect(duplicated, 'ids used more than once').toEqual([]);
}

/** Collects console errors and failed requests so a test can assert the page ran cleanly. */
export function watchConsole(page: Page, origin?: string): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    // With `origin`, only our own pages count (a spec that passes through a provider's pages
    // does not answer for their missing fonts).
    if (origin && !page.url().startsWith(origin)) return;
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}
