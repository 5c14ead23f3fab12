/**
 * The ops inbox journey: an approval gate stops an agent's call, the request
 * waits in the inbox, the CFO sees it but cannot decide, ops approve it there
 * and the agent's retry with the approval id is admitted; a decision someone
 * else made first shows the API's own message; managers never reach the
 * inbox. Runs in the `gateway` project, after the dashboard journeys (its
 * calls add spend) — see playwright.config.ts.
 */
import fs from 'node:fs';
import type { APIRequestContext, Page } from '@playwright/test';
import { E2E_ADMIN_KEY, E2E_DEMO_KEY } from '../playwright.config';
import { expect, signIn, test } from './fixtures';

const OPS_KEY = { authorization: `Bearer ${E2E_ADMIN_KEY}` };
const PROMPT = 'Underwrite a bakery with 12 staff, a wood-fired oven and two theft claims in five years; set the premium loading.';

/** The agent's underwriting call: over the gate's $0.05 unless it carries an approval. */
function underwritingCall(request: APIRequestContext, approvalId?: string) {
  return request.post('/api/v1/chat/completions', {
    headers: { authorization: `Bearer ${E2E_DEMO_KEY}`, 'x-tollgate-task': 'underwrite', ...(approvalId ? { 'x-tollgate-approval': approvalId } : {}) },
    data: { model: 'auto', max_completion_tokens: 20_000, messages: [{ role: 'user', content: PROMPT }] },
  });
}

async function gatedCall(request: APIRequestContext): Promise<string> {
  const response = await underwritingCall(request);
  expect(response.status()).toBe(403);
  const body = (await response.json()) as { error: { type: string; code: string; approval_id: string } };
  expect(body.error).toMatchObject({ type: 'approval_required', code: 'approval_required' });
  expect(body.error.approval_id).toBeTruthy();
  return body.error.approval_id;
}

const approvalRow = (page: Page, id: string) => page.getByTestId('approval-row').and(page.locator(`[data-approval-id="${id}"]`));
const decidedRow = (page: Page, id: string) => page.getByTestId('decided-row').and(page.locator(`[data-approval-id="${id}"]`));

test.describe.serial('the ops inbox', () => {
  let api: APIRequestContext;
  let policyId: string | null = null;
  let approvalId = '';

  test.beforeAll(async ({ playwright }, testInfo) => {
    api = await playwright.request.newContext({ baseURL: testInfo.project.use.baseURL });
    const response = await api.post('/api/v1/policies', {
      headers: OPS_KEY,
      data: { kind: 'approval', scope: { type: 'organisation' }, config: { threshold_usd: '0.05', task: 'underwrite' } },
    });
    expect(response.status()).toBe(201);
    policyId = ((await response.json()) as { id: string }).id;
  });

  test.afterAll(async () => {
    // The gate stops applying, whatever happened above.
    if (policyId) expect((await api.delete(`/api/v1/policies/${policyId}`, { headers: OPS_KEY })).status()).toBe(200);
    await api.dispose();
  });

  test('a gated call waits in the inbox; the CFO sees it but cannot decide', async ({ page, request }) => {
    approvalId = await gatedCall(request);
    await signIn(page, 'cfo');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await expect(page.getByRole('heading', { name: 'Inbox', level: 1 })).toBeVisible();
    const row = approvalRow(page, approvalId);
    await expect(row).toBeVisible();
    await expect(row).toContainText('approval threshold for underwrite');
    await expect(page.getByTestId('inbox-count-approvals-value')).not.toHaveText('0');
    await expect(page.getByTestId('approve-button')).toHaveCount(0);
    await expect(page.getByTestId('reject-button')).toHaveCount(0);
    await expect(page.getByTestId('unfreeze-button')).toHaveCount(0);
    // Hiding the buttons is a convenience; the API refuses the CFO too.
    expect((await page.request.post(`/api/v1/approvals/${approvalId}/approve`, { data: {} })).status()).toBe(403);
  });

  test('ops approve it from the inbox and the retried call is admitted once', async ({ page, request }) => {
    await signIn(page, 'ops');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    const row = approvalRow(page, approvalId);
    await expect(row).toBeVisible();
    await expect(row).toContainText('claims-triage-bot');
    await expect(page.getByTestId('alert-row').first()).toBeVisible();
    fs.mkdirSync('reports/screens', { recursive: true });
    await page.screenshot({ path: 'reports/screens/ops-inbox.png', fullPage: true });

    await row.getByRole('textbox').fill('e2e: underwriting review, fine');
    await row.getByTestId('approve-button').click();
    await expect(row).toHaveCount(0);
    const decided = decidedRow(page, approvalId);
    await expect(decided).toContainText('Approved');
    await expect(decided).toContainText('e2e: underwriting review, fine');
    await expect(decided).toContainText('Omar Patel');
    await expect(page.getByTestId('inbox-notice')).toContainText(`Approved ${approvalId}`);

    const admitted = await underwritingCall(request, approvalId);
    expect(admitted.status()).toBe(200);
    // The next refresh (every 10 s) shows the approval spent.
    await expect(decided).toContainText('used by the call', { timeout: 20_000 });
  });

  test("a decision someone else made first shows the API's message", async ({ page, request }) => {
    const id = await gatedCall(request);
    await signIn(page, 'ops');
    await page.goto('/inbox');
    const row = approvalRow(page, id);
    await expect(row).toBeVisible();
    // Hold the page's refreshes so the row is still there when ops click, after someone else has decided.
    await page.route('**/api/v1/inbox', (route) => route.abort());
    expect((await request.post(`/api/v1/approvals/${id}/reject`, { headers: OPS_KEY, data: { note: 'rejected elsewhere' } })).status()).toBe(200);
    await row.getByTestId('approve-button').click();
    await expect(page.getByTestId('inbox-notice')).toContainText('only a pending request can be approved');
    await page.unroute('**/api/v1/inbox');
    await page.reload();
    await expect(approvalRow(page, id)).toHaveCount(0);
    await expect(decidedRow(page, id)).toContainText('Rejected');
  });

  test('a manager never reaches the inbox', async ({ page }) => {
    await signIn(page, 'manager');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' })).toHaveCount(0);
    // Org-wide pages send a department-confined person back to their own department (requireOrgPage).
    await page.goto('/inbox');
    await expect(page).toHaveURL(/\/departments\/dep_claims$/);
    await expect(page.getByRole('heading', { name: 'Inbox' })).toHaveCount(0);
    expect((await page.request.get('/api/v1/inbox')).status()).toBe(403);
  });
});
