/**
 * Governance through the gateway, with the official openai SDK: an approval
 * round trip (refused, approved by ops in the API, admitted once), budget-
 * aware escalation, the loop guard freezing a session and ops unfreezing it,
 * and a hard budget that refuses with the budget's limit, spend and reset,
 * its committed spend never above the cap.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as approve } from '@/app/api/v1/approvals/[id]/approve/route';
import { GET as getApproval } from '@/app/api/v1/approvals/[id]/route';
import { POST as createKey } from '@/app/api/v1/keys/route';
import { POST as createPolicy } from '@/app/api/v1/policies/route';
import { POST as unfreeze } from '@/app/api/v1/sessions/[id]/unfreeze/route';
import { POST as postUsage } from '@/app/api/v1/usage/route';
import type { GatewayRuntime } from '@/lib/gateway/runtime';
import type { TestDb } from '../support/db';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway';

const AGENT_KEY = 'tg_govAgentKey00000000000000000000000000000';
const ADMIN_KEY = 'tg_govAdminKey00000000000000000000000000000';
let db: TestDb;
let rt: GatewayRuntime;
let client: OpenAI;
let baseURL: string;

const asOps = (url: string, body?: unknown) =>
  new Request(`http://localhost${url}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const params = (id: string) => ({ params: Promise.resolve({ id }) });

async function refusal(promise: Promise<unknown>): Promise<{ status: number; error: Record<string, unknown> }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the call should have been refused').toBeInstanceOf(OpenAI.APIError);
  const e = error as InstanceType<typeof OpenAI.APIError>;
  return { status: e.status!, error: e.error as Record<string, unknown> };
}

let fixture: GatewayFixture;

beforeAll(async () => {
  fixture = await startGatewayFixture({ seed: 12, agentKey: AGENT_KEY, adminKey: ADMIN_KEY });
  ({ db, rt, baseURL } = fixture);
  client = new OpenAI({ apiKey: AGENT_KEY, baseURL, maxRetries: 0 });
});

afterAll(async () => {
  await fixture?.close();
});

describe('an approval gate', () => {
  it('refuses, ops approve in the API, and the retried call is admitted once', async () => {
    const policy = await createPolicy(asOps('/api/v1/policies', { kind: 'approval', scope: { type: 'organisation' }, config: { threshold_usd: '0.05', task: 'underwrite' } }));
    expect(policy.status).toBe(201);
    const ask = (approval?: string) =>
      client.chat.completions.create(
        { model: 'auto', max_completion_tokens: 20_000, messages: [{ role: 'user', content: 'Underwrite a bakery with 12 staff and two theft claims in five years.' }] },
        { headers: { 'x-tollgate-task': 'underwrite', 'x-tollgate-session': 'sess-approval', ...(approval ? { 'x-tollgate-approval': approval } : {}) } },
      );

    const first = await refusal(ask());
    expect(first.status).toBe(403);
    expect(first.error.type).toBe('approval_required');
    const approvalId = first.error.approval_id as string;
    expect(approvalId).toBeTruthy();

    const pending = await getApproval(asOps(`/api/v1/approvals/${approvalId}`), params(approvalId));
    expect(((await pending.json()) as { status: string }).status).toBe('pending');
    // Retrying before the sign-off is refused again.
    expect((await refusal(ask(approvalId))).error.type).toBe('approval_required');

    const decided = await approve(asOps(`/api/v1/approvals/${approvalId}/approve`, { note: 'quarterly review, fine' }), params(approvalId));
    expect(decided.status).toBe(200);

    const admitted = await ask(approvalId);
    expect(admitted.choices[0]!.message.content).toBeTruthy();
    const again = await refusal(ask(approvalId));
    expect(again.status).toBe(403);
    expect(again.error.code).toBe('used');
    const audit = await db.query<{ action: string }>(`select action from audit_log where target_id = $1 order by id`, [approvalId]);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining([expect.stringMatching(/open|request/), expect.stringMatching(/approve/), expect.stringMatching(/use/)]));
  });
});

describe('budget-aware escalation', () => {
  it('answers escalate_to_human when confidence is low and the projected cost is high, and opens an inbox task', async () => {
    const policy = await createPolicy(asOps('/api/v1/policies', { kind: 'escalation', scope: { type: 'organisation' }, config: { max_cost_usd: '0.01' } }));
    expect(policy.status).toBe(201);
    const messages = [{ role: 'user' as const, content: 'Decide the payout for claim CLM-77120 with the attached adjuster notes.' }];
    const low = await refusal(
      client.chat.completions.create({ model: 'auto', max_completion_tokens: 8_000, messages }, { headers: { 'x-tollgate-task': 'claims_adjust', 'x-tollgate-confidence': '0.6', 'x-tollgate-session': 'sess-esc' } }),
    );
    expect(low.status).toBe(403);
    expect(low.error.type).toBe('escalate_to_human');
    const task = await getApproval(asOps(`/api/v1/approvals/${String(low.error.approval_id)}`), params(String(low.error.approval_id)));
    expect(task.status).toBe(200);
    // Confident enough: the same call goes through.
    const confident = await client.chat.completions.create({ model: 'auto', max_completion_tokens: 8_000, messages }, { headers: { 'x-tollgate-task': 'claims_adjust', 'x-tollgate-confidence': '0.85' } });
    expect(confident.choices[0]!.message.content).toBeTruthy();
  });
});

describe('an approval that admitted a call', () => {
  it('admits the retry of an approved escalation instead of escalating again', async () => {
    // The escalation policy above (projected cost over $0.01 at low confidence) still holds.
    const messages = [{ role: 'user' as const, content: 'Decide the payout for claim CLM-88410 with the attached surveyor report.' }];
    const ask = (approval?: string) =>
      client.chat.completions.create(
        { model: 'auto', max_completion_tokens: 8_000, messages },
        { headers: { 'x-tollgate-task': 'claims_adjust', 'x-tollgate-confidence': '0.6', 'x-tollgate-session': 'sess-esc-retry', ...(approval ? { 'x-tollgate-approval': approval } : {}) } },
      );
    const escalated = await refusal(ask());
    expect(escalated.error.type).toBe('escalate_to_human');
    const approvalId = String(escalated.error.approval_id);
    expect((await approve(asOps(`/api/v1/approvals/${approvalId}/approve`, { note: 'checked the report' }), params(approvalId))).status).toBe(200);
    const [before] = await db.query<{ n: string }>(`select count(*)::text as n from approval_requests`);
    const admitted = await ask(approvalId);
    expect(admitted.choices[0]!.message.content).toBeTruthy();
    const [after] = await db.query<{ n: string }>(`select count(*)::text as n from approval_requests`);
    expect(after!.n).toBe(before!.n);
  });

  it('is given back when the call gets no answer, so the retry needs no second sign-off', async () => {
    const res = await createKey(
      asOps('/api/v1/keys', { name: 'approved-but-broke', department: 'dep_claims', agent: 'approved-but-broke', budget: { limit_usd: '0.001', window: 'day', enforcement: 'hard' } }),
    );
    expect(res.status).toBe(201);
    const broke = new OpenAI({ apiKey: ((await res.json()) as { key: string }).key, baseURL, maxRetries: 0 });
    // The approval gate above: underwriting projected over $0.05 needs a sign-off.
    const ask = (approval?: string) =>
      broke.chat.completions.create(
        { model: 'auto', max_completion_tokens: 20_000, messages: [{ role: 'user', content: 'Underwrite a florist with 3 staff and no claims.' }] },
        { headers: { 'x-tollgate-task': 'underwrite', ...(approval ? { 'x-tollgate-approval': approval } : {}) } },
      );
    const gated = await refusal(ask());
    expect(gated.error.type).toBe('approval_required');
    const approvalId = String(gated.error.approval_id);
    expect((await approve(asOps(`/api/v1/approvals/${approvalId}/approve`, { note: 'fine' }), params(approvalId))).status).toBe(200);

    // Signed off, but the key's hard budget refuses the call: nothing was answered, so the approval is free again.
    const refused = await refusal(ask(approvalId));
    expect(refused.status).toBe(429);
    expect(refused.error.type).toBe('budget_exceeded');
    const view = (await (await getApproval(asOps(`/api/v1/approvals/${approvalId}`), params(approvalId))).json()) as { status: string };
    expect(view.status).toBe('approved');
    const again = await refusal(ask(approvalId));
    expect(again.error.type).toBe('budget_exceeded');
    const audit = await db.query<{ action: string }>(`select action from audit_log where target_id = $1 order by id`, [approvalId]);
    expect(audit.map((a) => a.action).filter((a) => a === 'approval.use' || a === 'approval.release')).toEqual(['approval.use', 'approval.release', 'approval.use', 'approval.release']);
  });
});

describe('the loop guard', () => {
  it('freezes a session that repeats itself, says why, and ops can unfreeze it', async () => {
    const ask = () =>
      client.chat.completions.create(
        { model: 'auto', max_completion_tokens: 300, messages: [{ role: 'user', content: 'Check again whether claim CLM-30303 has new documents and re-plan the next step.' }] },
        { headers: { 'x-tollgate-task': 'claims_adjust', 'x-tollgate-session': 'sess-loop', 'x-tollgate-cache': 'off' } },
      );
    let frozen: Awaited<ReturnType<typeof refusal>> | null = null;
    for (let i = 0; i < 10 && !frozen; i++) {
      try {
        await ask();
      } catch (error) {
        frozen = await refusal(Promise.reject(error));
      }
    }
    expect(frozen, 'the session should freeze within 10 repeats').not.toBeNull();
    expect(frozen!.status).toBe(423);
    expect(frozen!.error.type).toBe('loop_detected');
    expect((await refusal(ask())).error.type).toBe('loop_detected');
    const [session] = await db.query<{ status: string; frozen_reason: string }>(`select status, frozen_reason from agent_sessions where id = 'sess-loop'`);
    expect(session).toMatchObject({ status: 'frozen', frozen_reason: 'repeated_prompt' });
    const res = await unfreeze(asOps('/api/v1/sessions/sess-loop/unfreeze', {}), params('sess-loop'));
    expect(res.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_600)); // the session-status cache
    expect((await ask()).choices[0]!.message.content).toBeTruthy();
  });
});

describe('a hard budget', () => {
  it('refuses with the budget, its limit, spend and reset, and committed spend never passes the cap', async () => {
    const res = await createKey(
      asOps('/api/v1/keys', { name: 'tight-budget-bot', department: 'dep_claims', agent: 'tight-budget-bot', budget: { limit_usd: '0.02', window: 'day', enforcement: 'hard' } }),
    );
    expect(res.status).toBe(201);
    const created = (await res.json()) as { key: string; id: string };
    const tight = new OpenAI({ apiKey: created.key, baseURL, maxRetries: 0 });
    let refused: Awaited<ReturnType<typeof refusal>> | null = null;
    const calls = Array.from({ length: 30 }, (_, i) =>
      tight.chat.completions
        .create({ model: 'gpt-5', max_completion_tokens: 400, messages: [{ role: 'user', content: `Summarise ticket ${i}: card declined abroad.` }] }, { headers: { 'x-tollgate-cache': 'off' } })
        .catch(async (error: unknown) => {
          refused = await refusal(Promise.reject(error));
        }),
    );
    await Promise.all(calls);
    expect(refused).not.toBeNull();
    expect(refused!.status).toBe(429);
    expect(refused!.error.type).toBe('budget_exceeded');
    const budget = refused!.error.budget as { limit: string; spent: string; resets_at: string; name: string };
    expect(budget.limit).toBe('20000000');
    expect(budget.resets_at).toMatch(/T00:00:00/);
    await rt.writer.flush();
    await rt.admitter.close();
    const [spent] = await db.query<{ c: string }>(`select coalesce(sum(cost_nano), 0)::text as c from ledger_events where api_key_id = $1`, [created.id]);
    expect(BigInt(spent!.c)).toBeGreaterThan(0n);
    expect(BigInt(spent!.c)).toBeLessThanOrEqual(20_000_000n);
  });

  it('counts spend reported through usage ingest, before and after the counter exists', async () => {
    const res = await createKey(asOps('/api/v1/keys', { name: 'direct-caller', department: 'dep_kyc', agent: 'direct-caller', budget: { limit_usd: '1.00', window: 'day', enforcement: 'hard' } }));
    const created = (await res.json()) as { key: string; id: string };
    const direct = new OpenAI({ apiKey: created.key, baseURL, maxRetries: 0 });
    const ask = () => direct.chat.completions.create({ model: 'gpt-5-nano', max_completion_tokens: 100, messages: [{ role: 'user', content: 'Classify: card declined.' }] }, { headers: { 'x-tollgate-cache': 'off' } });
    await ask(); // the counter now exists
    // The agent reports $1.25 of gpt-5 spend it made directly (1,000,000 input tokens at $1.25/Mtok).
    const ingest = await postUsage(
      new Request('http://localhost/api/v1/usage', {
        method: 'POST',
        headers: { authorization: `Bearer ${created.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ id: 'direct-1', timestamp: new Date().toISOString(), provider: 'openai', model: 'gpt-5', usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } }] }),
      }),
    );
    expect(((await ingest.json()) as { accepted: number }).accepted).toBe(1);
    // A lease this process already holds admits for at most its age (5 s); end it as its age would.
    await rt.admitter.close();
    const refused = await refusal(ask());
    expect(refused.status).toBe(429);
    expect(BigInt((refused.error.budget as { spent: string }).spent)).toBeGreaterThanOrEqual(1_250_000_000n);
  });
});
