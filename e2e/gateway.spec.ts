/**
 * The Done-means of the gateway: the official `openai` package pointed at
 * Tollgate's /api/v1 works, plain and streaming, with `model: "auto"`; an
 * easy task lands on a small model and a hard one on a frontier model, and
 * the ledger says why; ops see the call on the live page. Runs after the
 * dashboard journeys (its calls add spend) — see playwright.config.ts.
 */
import OpenAI from 'openai';
import { E2E_ADMIN_KEY, E2E_DEMO_KEY } from '../playwright.config';
import { expect, signIn, test } from './fixtures';

interface LedgerJson {
  data: { id: string; tier: string; modelName: string; routeReason: string | null; taskType: string | null; inputTokens: number; outputTokens: number; costNano: string }[];
}

test('the openai SDK gets routed answers, plain and streaming, and the ledger says why', async ({ page, request, baseURL }) => {
  const client = new OpenAI({ apiKey: E2E_DEMO_KEY, baseURL: `${baseURL}/api/v1`, maxRetries: 0 });
  const ledgerRow = async (id: string) => {
    const res = await request.get(`/api/v1/ledger?request_id=${id}`, { headers: { authorization: `Bearer ${E2E_ADMIN_KEY}` } });
    expect(res.status()).toBe(200);
    return ((await res.json()) as LedgerJson).data[0]!;
  };

  const easy = await client.chat.completions
    .create({ model: 'auto', messages: [{ role: 'user', content: 'Summarise in one sentence: the customer asks for a copy of their no-claims certificate.' }] })
    .withResponse();
  expect(easy.data.choices[0]!.message.content).toBeTruthy();
  expect(easy.response.headers.get('x-tollgate-tier')).toBe('small');
  const easyId = easy.response.headers.get('x-tollgate-request-id')!;
  await expect.poll(async () => (await ledgerRow(easyId))?.tier, { timeout: 5_000 }).toBe('small');
  const easyRow = await ledgerRow(easyId);
  expect(easyRow.routeReason).toContain('summarize');
  expect(easyRow.inputTokens).toBe(easy.data.usage!.prompt_tokens);

  const hard = await client.chat.completions
    .create(
      { model: 'auto', messages: [{ role: 'user', content: 'Adjust motor claim CLM-48213: repair estimate £6,400, excess £250, courtesy car 9 days against a 7-day limit. Work out the settlement.' }], stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-tollgate-task': 'claims_adjust', 'x-tollgate-session': 'e2e-session-1' } },
    )
    .withResponse();
  expect(hard.response.headers.get('x-tollgate-tier')).toBe('frontier');
  let text = '';
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of hard.data) {
    text += chunk.choices[0]?.delta.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  expect(text.length).toBeGreaterThan(20);
  const hardId = hard.response.headers.get('x-tollgate-request-id')!;
  await expect.poll(async () => (await ledgerRow(hardId))?.tier, { timeout: 5_000 }).toBe('frontier');
  const hardRow = await ledgerRow(hardId);
  expect(hardRow.routeReason).toContain('claims_adjust');
  expect(hardRow.outputTokens).toBe(usage!.completion_tokens);
  expect(BigInt(hardRow.costNano)).toBeGreaterThan(BigInt((await ledgerRow(easyId)).costNano));

  // Ops see both calls on the live page, with the route reason on hover.
  await signIn(page, 'ops');
  const recent = page.getByTestId('recent-calls');
  await expect(recent.locator(`tr[data-request-id="${hardId}"]`)).toBeVisible({ timeout: 20_000 });
  await expect(recent.locator(`tr[data-request-id="${hardId}"] td[title*="claims_adjust"]`)).toHaveCount(1);
  await page.screenshot({ path: 'reports/screens/ops-live-after-gateway.png', fullPage: true });
});
