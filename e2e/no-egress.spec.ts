// Journey: nothing leaves the browser. The served page's Content-Security-Policy blocks a request to another
// origin, and the origin guard used by the other specs sees it (RELIABILITY X5) — a control for those specs.
import { expect, test } from '@playwright/test';
import { guardOrigin } from './support/origin-guard';

test('a request to another origin is blocked and reported', async ({ page, baseURL }) => {
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  await page.goto('/');
  const outcome = await page.evaluate(() =>
    fetch('https://example.com/').then(
      () => 'sent',
      () => 'blocked',
    ),
  );
  expect(outcome).toBe('blocked');
  await expect.poll(() => origin.cspViolations.length).toBeGreaterThan(0);
  expect(origin.foreignRequests).toEqual([]);
});
