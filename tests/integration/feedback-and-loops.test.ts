/**
 * Tenants apart, through the gateway: the loop guard keys sessions by
 * organisation and forgets a session once ops unfreeze it (at once here, and
 * in an instance that knew it frozen once it reads it active); feedback is
 * one verdict per caller and call, and only moves its own organisation's
 * routing. Migration 0013 keeps each caller's first verdict. `/metrics`
 * shows each organisation's ops its own series only.
 */
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as postFeedback } from '@/app/api/v1/feedback/route';
import { POST as unfreeze } from '@/app/api/v1/sessions/[id]/unfreeze/route';
import { GET as getMetrics } from '@/app/metrics/route';
import { ORG_ID } from '@/db/seed/fixtures';
import { MIGRATIONS_FOLDER } from '@/db/migrate';
import { apiKeyPrefix, hashApiKey } from '@/lib/auth/secrets';
import type { TaskType } from '@/lib/engine/enums';
import { loadQualityHistory } from '@/lib/gateway/quality-history';
import type { GatewayRuntime } from '@/lib/gateway/runtime';
import type { TestDb } from '../support/db';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway';

const AGENT_KEY = 'tg_tenantAgentKey000000000000000000000000000';
const ADMIN_KEY = 'tg_tenantAdminKey000000000000000000000000000';
const OTHER_ORG = 'org_feedback_other';
const OTHER_KEY = 'tg_tenantOtherOrgKey00000000000000000000000';
const OTHER_OPS_KEY = 'tg_tenantOtherOpsKey00000000000000000000000';

let fixture: GatewayFixture;
let db: TestDb;
let rt: GatewayRuntime;
let ours: OpenAI;
let theirs: OpenAI;

beforeAll(async () => {
  fixture = await startGatewayFixture({ seed: 21, agentKey: AGENT_KEY, adminKey: ADMIN_KEY });
  ({ db, rt } = fixture);
  ours = new OpenAI({ apiKey: AGENT_KEY, baseURL: fixture.baseURL, maxRetries: 0 });
  await db.query(`insert into organisations (id, name, slug) values ($1, 'Other Co', 'other-co-feedback')`, [OTHER_ORG]);
  await db.query(`insert into api_keys (id, organisation_id, name, prefix, hash, role, agent) values ('key_other_org_agent', $1, 'Other agent', $2, $3, 'agent', 'other-bot')`, [
    OTHER_ORG,
    apiKeyPrefix(OTHER_KEY),
    hashApiKey(OTHER_KEY),
  ]);
  await db.query(`insert into api_keys (id, organisation_id, name, prefix, hash, role) values ('key_other_org_ops', $1, 'Other ops', $2, $3, 'ops')`, [
    OTHER_ORG,
    apiKeyPrefix(OTHER_OPS_KEY),
    hashApiKey(OTHER_OPS_KEY),
  ]);
  theirs = new OpenAI({ apiKey: OTHER_KEY, baseURL: fixture.baseURL, maxRetries: 0 });
});

afterAll(async () => {
  await fixture?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function status(promise: Promise<unknown>): Promise<{ status: number; type?: string; code?: string }> {
  try {
    await promise;
    return { status: 200 };
  } catch (error) {
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const e = error as InstanceType<typeof OpenAI.APIError>;
    const body = e.error as { type?: string; code?: string };
    return { status: e.status!, type: body.type, code: body.code };
  }
}

function ask(client: OpenAI, session: string, content: string) {
  return client.chat.completions.create(
    { model: 'auto', max_completion_tokens: 200, messages: [{ role: 'user', content }] },
    { headers: { 'x-tollgate-task': 'claims_adjust', 'x-tollgate-session': session, 'x-tollgate-cache': 'off' } },
  );
}

/** Repeats one prompt until the loop guard answers 423 (it freezes on the 5th by default). */
async function loopUntilFrozen(client: OpenAI, session: string): Promise<void> {
  const prompt = 'Poll claim CLM-40404 for new documents and re-plan the next step.';
  for (let i = 0; i < 10; i++) {
    const result = await status(ask(client, session, prompt));
    if (result.status === 423) {
      expect(result.type).toBe('loop_detected');
      return;
    }
    expect(result.status).toBe(200);
  }
  throw new Error(`session ${session} never froze`);
}

const sessionRow = async (organisationId: string, session: string) =>
  (await db.query<{ status: string }>('select status from agent_sessions where organisation_id = $1 and id = $2', [organisationId, session]))[0] ?? null;

const asCaller = (key: string, body: unknown) =>
  new Request('http://localhost/api/v1/feedback', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function feedback(key: string, body: unknown): Promise<{ status: number; body: { id: string; kind: string; duplicate: boolean } }> {
  const res = await postFeedback(asCaller(key, body));
  return { status: res.status, body: (await res.json()) as { id: string; kind: string; duplicate: boolean } };
}

/** Routes a fresh prompt for `task` (`auto` unless a model is named) and says which model answered and which request it was. */
async function routed(client: OpenAI, task: TaskType, content: string, model = 'auto'): Promise<{ model: string; modelId: string; requestId: string }> {
  const { response } = await client.chat.completions
    .create({ model, messages: [{ role: 'user', content }] }, { headers: { 'x-tollgate-task': task, 'x-tollgate-cache': 'off' } })
    .withResponse();
  const requestId = response.headers.get('x-tollgate-request-id')!;
  await rt.writer.flush();
  const [row] = await db.query<{ model_id: string }>('select model_id from ledger_events where id = $1', [requestId]);
  return { model: response.headers.get('x-tollgate-model')!, modelId: row!.model_id, requestId };
}

describe('the loop guard, per organisation', () => {
  it("does not freeze another organisation's session of the same name", async () => {
    await loopUntilFrozen(ours, 'nightly-run');
    expect(await sessionRow(ORG_ID, 'nightly-run')).toEqual({ status: 'frozen' });

    const first = await ask(theirs, 'nightly-run', 'Draft a welcome note for the new adjuster starting on Monday.');
    expect(first.choices[0]!.message.content).toBeTruthy();
    expect(await sessionRow(OTHER_ORG, 'nightly-run')).not.toEqual({ status: 'frozen' });
    // Ours is still refused.
    expect((await status(ask(ours, 'nightly-run', 'Anything else?'))).status).toBe(423);
  });

  it('lets the next call through as soon as ops unfreeze the session, with no cache to wait out', async () => {
    await loopUntilFrozen(ours, 'sess-unfreeze-now');
    const res = await unfreeze(
      new Request('http://localhost/api/v1/sessions/sess-unfreeze-now/unfreeze', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: '{}' }),
      { params: Promise.resolve({ id: 'sess-unfreeze-now' }) },
    );
    expect(res.status).toBe(200);
    const next = await ask(ours, 'sess-unfreeze-now', 'Summarise what the claimant sent yesterday.');
    expect(next.choices[0]!.message.content).toBeTruthy();
    expect(await sessionRow(ORG_ID, 'sess-unfreeze-now')).toEqual({ status: 'active' });
  });

  it('forgets a session it froze once it reads it active again (unfrozen by another instance)', async () => {
    await loopUntilFrozen(ours, 'sess-unfrozen-elsewhere');
    // Another instance unfreezes it: the row changes, this process is not told.
    await db.query(`update agent_sessions set status = 'active', frozen_reason = null, frozen_at = null where organisation_id = $1 and id = 'sess-unfrozen-elsewhere'`, [ORG_ID]);
    await sleep(1_600); // the session-status cache
    const next = await ask(ours, 'sess-unfrozen-elsewhere', 'List the documents still missing from the file.');
    expect(next.choices[0]!.message.content).toBeTruthy();
    expect(await sessionRow(ORG_ID, 'sess-unfrozen-elsewhere')).toEqual({ status: 'active' });
  });
});

describe('feedback', () => {
  it('takes one verdict per caller and call: a repeat is a 200 duplicate that writes and moves nothing', async () => {
    const call = await routed(ours, 'extract', 'Extract the policy number and loss date from the note for Ines Duarte.');
    const estimate = () => rt.quality.lookupFor(ORG_ID)(call.modelId, 'extract');
    const prior = estimate();

    const first = await feedback(AGENT_KEY, { request_id: call.requestId, kind: 'wrong', note: 'missed the date' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ request_id: call.requestId, kind: 'wrong', duplicate: false });
    const afterOne = estimate();
    expect(afterOne).toBeLessThan(prior);

    for (let i = 0; i < 19; i++) {
      const again = await feedback(AGENT_KEY, { request_id: call.requestId, kind: 'wrong' });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: first.body.id, kind: 'wrong', duplicate: true });
    }
    // A change of mind is a repeat too: the first verdict stands.
    const changed = await feedback(AGENT_KEY, { request_id: call.requestId, kind: 'good' });
    expect(changed).toMatchObject({ status: 200, body: { id: first.body.id, kind: 'wrong', duplicate: true } });
    expect(estimate()).toBe(afterOne);
    // Twenty posts moved auto routing no further than one.
    expect((await routed(ours, 'extract', 'Extract the claimant name and address from the attached letter.')).modelId).toBe(call.modelId);

    // Another caller of the same organisation has its own verdict.
    const ops = await feedback(ADMIN_KEY, { request_id: call.requestId, kind: 'good' });
    expect(ops).toMatchObject({ status: 201, body: { kind: 'good', duplicate: false } });
    const rows = await db.query<{ created_by: string; kind: string }>('select created_by, kind from feedback where request_id = $1 order by created_at, id', [call.requestId]);
    expect(rows).toEqual([
      { created_by: 'api_key:key_claims_agent', kind: 'wrong' },
      { created_by: 'api_key:key_ops_admin', kind: 'good' },
    ]);
  });

  it("moves only its own organisation's routing, live and after a rebuild from the store", async () => {
    // Both organisations' `auto` picks GPT-5 for KYC checks; four wrong answers would take it under the threshold.
    const task: TaskType = 'kyc_check';
    const ourCall = await routed(ours, task, 'Check the identity documents of Ines Duarte against the sanctions list.');
    const ourPrior = rt.quality.lookupFor(ORG_ID)(ourCall.modelId, task);

    // The other organisation sends calls to that model and reports every answer wrong.
    for (let i = 0; i < 12; i++) {
      const theirCall = await routed(theirs, task, `Check the identity documents of applicant ${i} against the sanctions list.`, ourCall.model);
      expect(theirCall.modelId).toBe(ourCall.modelId);
      expect((await feedback(OTHER_KEY, { request_id: theirCall.requestId, kind: 'wrong' })).status).toBe(201);
    }
    expect(rt.quality.lookupFor(OTHER_ORG)(ourCall.modelId, task)).toBeLessThan(ourPrior);
    expect(rt.quality.lookupFor(ORG_ID)(ourCall.modelId, task)).toBe(ourPrior);
    expect((await routed(theirs, task, 'Check the passport of applicant 99 against the sanctions list.')).modelId).not.toBe(ourCall.modelId);
    expect((await routed(ours, task, 'Check the passport of Tomas Berg against the sanctions list.')).modelId).toBe(ourCall.modelId);

    // The same after the estimates are rebuilt from stored feedback (start-up, refresh timer).
    rt.refreshQuality(await loadQualityHistory(db));
    expect(rt.quality.lookupFor(ORG_ID)(ourCall.modelId, task)).toBe(ourPrior);
    expect(rt.quality.lookupFor(OTHER_ORG)(ourCall.modelId, task)).toBeLessThan(ourPrior);
    // Nor can it report on our calls: they are not in its ledger.
    expect((await feedback(OTHER_KEY, { request_id: ourCall.requestId, kind: 'wrong' })).status).toBe(404);
  });
});

describe('/metrics, per organisation', () => {
  const read = async (key: string) => {
    const res = await getMetrics(new Request('http://localhost/metrics', { headers: { authorization: `Bearer ${key}` } }));
    expect(res.status).toBe(200);
    return res.text();
  };
  /** The sample lines about calls (every family but the instance's own gauge). */
  const callSeries = (text: string) => text.split('\n').filter((line) => line.startsWith('tollgate_') && !line.startsWith('tollgate_ledger_pending_rows'));

  it("shows each organisation's ops its own calls' series, and the instance's gauges, never another organisation's", async () => {
    await ask(ours, 'metrics-ours', 'Adjust claim CLM-5001 for the adjuster.');
    await ask(theirs, 'metrics-theirs', 'Adjust claim CLM-9 for the adjuster.');

    const mine = callSeries(await read(ADMIN_KEY));
    const other = await read(OTHER_OPS_KEY);
    expect(mine.some((line) => line.startsWith(`tollgate_requests_total{organisation="${ORG_ID}"`))).toBe(true);
    expect(callSeries(other).some((line) => line.startsWith(`tollgate_requests_total{organisation="${OTHER_ORG}"`))).toBe(true);
    for (const line of mine) expect(line).toContain(`organisation="${ORG_ID}"`);
    for (const line of callSeries(other)) expect(line).toContain(`organisation="${OTHER_ORG}"`);
    expect(other).toMatch(/^tollgate_ledger_pending_rows \d+$/m);
    // The instance keeps every organisation's series: each reader is shown its own.
    expect(rt.metrics.render()).toContain(`organisation="${OTHER_ORG}"`);
  });
});

describe('migration 0013', () => {
  it("keeps each caller's first verdict on a call, then refuses a second", async () => {
    const sql = fs.readFileSync(path.join(MIGRATIONS_FOLDER, fs.readdirSync(MIGRATIONS_FOLDER).find((f) => f.startsWith('0013_'))!), 'utf8');
    // The table as it was before the rule, holding repeats.
    await db.query('alter table feedback drop constraint feedback_caller_uq');
    const rows: [string, string, string | null, string, string][] = [
      ['fb_m1', 'req_m', 'api_key:k1', 'wrong', '2026-01-01T00:00:00Z'],
      ['fb_m2', 'req_m', 'api_key:k1', 'good', '2026-01-01T00:01:00Z'],
      ['fb_m0', 'req_m', 'api_key:k1', 'wrong', '2026-01-01T00:01:00Z'],
      ['fb_m3', 'req_m', 'user:u1', 'good', '2026-01-01T00:02:00Z'],
      ['fb_m4', 'req_m', null, 'wrong', '2026-01-01T00:03:00Z'],
      ['fb_m5', 'req_m', null, 'wrong', '2026-01-01T00:04:00Z'],
      ['fb_m6', 'req_n', 'api_key:k1', 'corrected', '2026-01-01T00:05:00Z'],
    ];
    for (const [id, requestId, createdBy, kind, at] of rows) {
      await db.query('insert into feedback (id, organisation_id, request_id, kind, created_at, created_by) values ($1, $2, $3, $4, $5, $6)', [id, ORG_ID, requestId, kind, at, createdBy]);
    }
    await db.query('insert into feedback (id, organisation_id, request_id, kind, created_at, created_by) values ($1, $2, $3, $4, $5, $6)', ['fb_m7', OTHER_ORG, 'req_m', 'wrong', '2026-01-01T00:06:00Z', 'api_key:k1']);

    for (const statement of sql.split('--> statement-breakpoint')) await db.query(statement);

    const kept = await db.query<{ id: string }>(`select id from feedback where id like 'fb_m%' order by id`);
    expect(kept.map((r) => r.id)).toEqual(['fb_m1', 'fb_m3', 'fb_m4', 'fb_m6', 'fb_m7']);
    await expect(
      db.query('insert into feedback (id, organisation_id, request_id, kind, created_by) values ($1, $2, $3, $4, $5)', ['fb_m8', ORG_ID, 'req_m', 'good', 'user:u1']),
    ).rejects.toThrow();
  });
});
