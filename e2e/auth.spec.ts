import { expect, signIn, test } from './fixtures';
import { E2E_DEMO_KEY } from '../playwright.config';

test.describe('signing in', () => {
  test('signed-out visitors are sent to the sign-in page', async ({ page }) => {
    await page.goto('/overview');
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Foverview/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  });

  test('a wrong login is refused without saying which part was wrong', async ({ page }) => {
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill('cfo@example.com');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('sign-in-error')).toHaveText('Email or password is incorrect.');

    await page.getByLabel('Email').fill('nobody@example.com');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('sign-in-error')).toHaveText('Email or password is incorrect.');
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test('after five wrong passwords for one account the form says to wait', async ({ page }) => {
    await page.goto('/sign-in');
    // Its own email each run: a retried run must start with no failures on record.
    const email = `guessed-at-${Date.now()}@example.com`;
    const attempt = async () => {
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('a-guess');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    };
    for (let i = 0; i < 5; i++) {
      await attempt();
      await expect(page.getByTestId('sign-in-error')).toHaveText('Email or password is incorrect.');
    }
    await attempt();
    await expect(page.getByTestId('sign-in-error')).toHaveText('Too many wrong passwords for this account. Wait a minute, then try again.');
  });

  test('sign-out ends the session', async ({ page }) => {
    await signIn(page, 'cfo');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await page.goto('/overview');
    await expect(page).toHaveURL(/\/sign-in/);
  });
});

test.describe('the manager boundary', () => {
  test('another department by URL is a 403 page', async ({ page }) => {
    await signIn(page, 'manager');
    const response = await page.goto('/departments/dep_underwriting');
    expect(response?.status()).toBe(403);
    await expect(page.getByTestId('forbidden')).toBeVisible();
    // Org-wide pages send the manager back to their own department.
    await page.goto('/overview');
    await expect(page).toHaveURL(/\/departments\/dep_claims$/);
  });

  test('another department through the API is a 403, in JSON and CSV', async ({ page }) => {
    await signIn(page, 'manager');
    for (const path of [
      '/api/v1/spend?view=department&department=dep_underwriting',
      '/api/v1/ledger?department=dep_kyc',
      '/api/v1/ledger?department=dep_kyc&format=csv',
    ]) {
      const response = await page.request.get(path);
      expect(response.status(), path).toBe(403);
      const body = (await response.json()) as { error: { type: string } };
      expect(body.error.type).toBe('permission_error');
    }
    const csv = await page.request.get('/api/v1/ledger?format=csv&limit=1000');
    const lines = (await csv.text()).trim().split('\r\n');
    const column = lines[0]!.split(',').indexOf('departmentId');
    expect(lines.length).toBeGreaterThan(1);
    expect(new Set(lines.slice(1).map((l) => l.split(',')[column]))).toEqual(new Set(['dep_claims']));
  });
});

test.describe('API keys', () => {
  test('an unknown key gets 401 in OpenAI error shape', async ({ request }) => {
    const response = await request.get('/api/v1/ledger', { headers: { authorization: 'Bearer tg_unknown' } });
    expect(response.status()).toBe(401);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
  });

  test('the seeded agent key cannot read the ledger', async ({ request }) => {
    const response = await request.get('/api/v1/ledger', { headers: { authorization: `Bearer ${E2E_DEMO_KEY}` } });
    expect(response.status()).toBe(403);
  });

  test('health names the database', async ({ request }) => {
    const body = (await (await request.get('/api/health')).json()) as { status: string; database: string };
    expect(body).toEqual({ status: 'ok', database: process.env.E2E_DATABASE_URL ? 'postgres' : 'pglite' });
  });
});
