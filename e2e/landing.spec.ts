import fs from 'node:fs';
import { E2E_DEMO_KEY } from '../playwright.config';
import { dollars, expect, ledgerMonthToDate, signIn, test, USERS, type DemoRole } from './fixtures';

const SCREENS = 'reports/screens';

for (const role of Object.keys(USERS) as DemoRole[]) {
  test(`${role} lands on their page with real seeded numbers`, async ({ page, request }) => {
    await signIn(page, role);
    const mtd = page.getByTestId('kpi-mtd-value');
    await expect(mtd).toBeVisible();
    await expect(mtd).not.toHaveText('$0.00');
    const expected = await ledgerMonthToDate(request, role === 'manager' ? 'dep_claims' : undefined);
    expect(expected).toBeGreaterThan(0n);
    await expect(mtd).toHaveText(dollars(expected));
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await page.waitForTimeout(300);
    fs.mkdirSync(SCREENS, { recursive: true });
    await page.screenshot({ path: `${SCREENS}/${role}-landing.png`, fullPage: true });
  });
}

test('the CFO overview shows departments, budgets and the daily chart', async ({ page }) => {
  await signIn(page, 'cfo');
  await expect(page.getByTestId('top-departments-row')).toHaveCount(6);
  await expect(page.getByTestId('budget-row').first()).toBeVisible();
  await expect(page.getByTestId('budget-overshoot-bound')).toContainText('up to 256 calls');
  await expect(page.getByTestId('daily-spend-chart').locator('.recharts-area').first()).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(['Overview', 'Live burn', 'Inbox', 'Departments']);
});

test('ops sees live burn and the latest calls', async ({ page }) => {
  await signIn(page, 'ops');
  await expect(page.getByTestId('hourly-burn-chart')).toBeVisible();
  await expect(page.getByTestId('recent-calls').locator('tbody tr')).toHaveCount(15);
  await page.getByRole('link', { name: 'Departments' }).click();
  await expect(page.getByTestId('department-row')).toHaveCount(6);
  fs.mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: `${SCREENS}/ops-departments.png`, fullPage: true });
});

test('the manager sees only Claims in navigation and breakdowns', async ({ page }) => {
  await signIn(page, 'manager');
  await expect(page.getByRole('heading', { name: 'Claims' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(['My department']);
  const projects = await page.getByTestId('by-project-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
  expect(projects.length).toBeGreaterThan(0);
  for (const p of projects) expect(['prj_motor_claims', 'prj_property_claims', 'prj_fraud_review']).toContain(p);
});

test('an unknown model ingested over HTTP is flagged on the dashboard, never a silent $0', async ({ page, request }) => {
  const response = await request.post('/api/v1/usage', {
    headers: { authorization: `Bearer ${E2E_DEMO_KEY}` },
    data: {
      events: [
        {
          id: `e2e-unknown-${Date.now()}`,
          timestamp: new Date().toISOString(),
          provider: 'openai_compatible',
          model: 'in-house-llm-v0',
          usage: { prompt_tokens: 1200, completion_tokens: 80 },
        },
      ],
    },
  });
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ accepted: 1, duplicates: 0, errors: [] });
  await signIn(page, 'cfo');
  await expect(page.getByTestId('unpriced-warning')).toContainText('1 call this month');
});
