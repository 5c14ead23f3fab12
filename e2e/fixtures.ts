import { expect, test as base, type APIRequestContext, type Page } from '@playwright/test';
import { E2E_ADMIN_KEY, E2E_DEMO_PASSWORD } from '../playwright.config';

export const USERS = {
  cfo: { email: 'cfo@example.com', landing: '/overview' },
  ops: { email: 'ops@example.com', landing: '/live' },
  manager: { email: 'manager@example.com', landing: '/departments/dep_claims' },
} as const;
export type DemoRole = keyof typeof USERS;

export async function signIn(page: Page, role: DemoRole, password = E2E_DEMO_PASSWORD) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(USERS[role].email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**${USERS[role].landing}`);
}

/** Sums month-to-date cost from the ledger API, page by page, as an independent check on the dashboard. */
export async function ledgerMonthToDate(request: APIRequestContext, departmentId?: string): Promise<bigint> {
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
  let total = 0n;
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ from, limit: '1000' });
    if (departmentId) params.set('department', departmentId);
    if (cursor) params.set('cursor', cursor);
    const response = await request.get(`/api/v1/ledger?${params}`, { headers: { authorization: `Bearer ${E2E_ADMIN_KEY}` } });
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { data: { costNano: string }[]; next_cursor: string | null };
    for (const row of body.data) total += BigInt(row.costNano);
    cursor = body.next_cursor;
  } while (cursor);
  return total;
}

/** The dashboard formats dollars with the engine's formatter; the sum above is what is checked. */
export { formatUsd as dollars } from '../lib/engine/money';

export const test = base;
export { expect };
