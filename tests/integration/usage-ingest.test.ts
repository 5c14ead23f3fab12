/**
 * POST /api/v1/usage end to end: per-event validation and errors, pricing at
 * the event's own time, idempotency, group commit under concurrency, and
 * rollups that stay equal to the raw ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDb } from '@/db/client';
import { seedDatabase } from '@/db/seed';
import { DEPARTMENT_IDS, ORG_ID } from '@/db/seed/fixtures';
import { POST as postUsage } from '@/app/api/v1/usage/route';
import { apiKeyPrefix, hashApiKey } from '@/lib/auth/secrets';
import { actorForApiKey, clearApiKeyCache } from '@/lib/http/authenticate';
import { ingestedEventId } from '@/lib/server/ingest-usage';
import { LedgerCopyValueError } from '@/lib/server/ledger-copy';
import { bulkInsertLedgerRows, LedgerBulkWriteError, type LedgerRowInput } from '@/lib/server/ledger-writer';
import { invalidatePriceBook } from '@/lib/server/price-book';
import { invalidateBudgetRules, loadBudgetRules, reserve } from '@/lib/server/governance/quota-store';
import { admissionSlots } from '@/lib/server/governance/slots';
import { failCounterUpdates, openKeyCostCounter, slowCounterOpening } from '../support/budgets';
import { createTestDb, type TestDb } from '../support/db';

const AGENT_KEY = 'tg_ingestAgentKey00000000000000000000000000';
const ADMIN_KEY = 'tg_ingestAdminKey00000000000000000000000000';
let db: TestDb;

beforeAll(async () => {
  db = await createTestDb();
  await seedDatabase(db, { events: 500, days: 10, now: new Date(), seed: 3, demoKey: AGENT_KEY, adminKey: ADMIN_KEY });
  setDb(db);
  clearApiKeyCache();
  invalidatePriceBook();
});

afterAll(async () => {
  await db?.dispose();
});

interface IngestBody {
  accepted: number;
  duplicates: number;
  errors: { index: number; type: string; message: string }[];
  ids: { index: number; id: string }[];
}

function post(body: unknown, options: { key?: string; contentType?: string; raw?: string } = {}) {
  return postUsage(
    new Request('http://localhost/api/v1/usage', {
      method: 'POST',
      headers: { authorization: `Bearer ${options.key ?? AGENT_KEY}`, 'content-type': options.contentType ?? 'application/json' },
      body: options.raw ?? JSON.stringify(body),
    }),
  );
}

async function ingest(events: unknown[], key?: string): Promise<IngestBody> {
  const response = await post({ events }, { key });
  expect(response.status).toBe(200);
  return (await response.json()) as IngestBody;
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
let counter = 0;
const event = (over: Record<string, unknown> = {}) => ({
  id: `ext-${Date.now()}-${counter++}`,
  timestamp: hoursAgo(1),
  provider: 'openai',
  model: 'gpt-5',
  usage: { prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306, prompt_tokens_details: { cached_tokens: 1920 } },
  task: 'summarize',
  ...over,
});

async function ledgerCount() {
  const [row] = await db.query<{ n: string }>('select count(*)::text as n from ledger_events');
  return Number(row!.n);
}

const TOTALS = 'sum(cost_nano)::text as cost, sum(list_cost_nano)::text as list, sum(saved_nano)::text as saved';

/** Every rollup's totals equal the raw ledger's: money, requests and tokens, and per department. */
async function rollupsMatchLedger() {
  const [raw] = await db.query<Record<string, string>>(
    `select ${TOTALS}, count(*)::text as n, count(*) filter (where status = 'error')::text as errors,
            sum(input_tokens + cached_input_tokens + output_tokens + reasoning_tokens)::text as tokens from ledger_events`,
  );
  const rawByDepartment = await db.query<Record<string, string>>(
    `select department_id as d, ${TOTALS}, count(*)::text as n from ledger_events group by 1 order by 1`,
  );
  for (const table of ['ledger_hourly', 'ledger_daily', 'ledger_daily_models']) {
    const [roll] = await db.query<Record<string, string>>(
      `select ${TOTALS}, sum(requests)::text as n, sum(errors)::text as errors,
              sum(input_tokens + cached_input_tokens + output_tokens + reasoning_tokens)::text as tokens from ${table}`,
    );
    expect(roll, table).toEqual(raw);
    const byDepartment = await db.query<Record<string, string>>(
      `select department_id as d, ${TOTALS}, sum(requests)::text as n from ${table} group by 1 order by 1`,
    );
    expect(byDepartment, table).toEqual(rawByDepartment);
  }
  const [rawKeys] = await db.query<{ cost: string; n: string }>(
    'select sum(cost_nano)::text as cost, count(*)::text as n from ledger_events where api_key_id is not null',
  );
  const [keyRoll] = await db.query<{ cost: string; n: string }>('select sum(cost_nano)::text as cost, sum(requests)::text as n from ledger_daily_keys');
  expect(keyRoll).toEqual(rawKeys);
}

/** Row counts and totals of the ledger and every rollup: equal before and after a write that must change nothing. */
async function ledgerState() {
  const state: Record<string, unknown> = {};
  for (const table of ['ledger_events', 'ledger_hourly', 'ledger_daily', 'ledger_daily_models', 'ledger_daily_keys']) {
    [state[table]] = await db.query(`select count(*)::text as rows, sum(cost_nano)::text as cost from ${table}`);
  }
  return state;
}

describe('POST /api/v1/usage', () => {
  it('accepts an event, prices it exactly and attributes it to the key', async () => {
    const e = event({ session: 'ses_ingest_1', workflow_run: 'run_ingest_1', project: 'prj_motor_claims' });
    const body = await ingest([e]);
    expect(body).toMatchObject({ accepted: 1, duplicates: 0, errors: [] });
    const [row] = await db.query<Record<string, string | number | null>>(
      `select id, model_id, department_id, project_id, api_key_id, session_id, workflow_run_id, task_type, input_tokens,
              cached_input_tokens, output_tokens, cost_nano::text as cost, price_status, source from ledger_events where idempotency_key = $1`,
      [e.id],
    );
    expect(row).toMatchObject({
      id: ingestedEventId(ORG_ID, e.id),
      model_id: 'openai/gpt-5',
      department_id: DEPARTMENT_IDS.claims,
      project_id: 'prj_motor_claims',
      api_key_id: 'key_claims_agent',
      session_id: 'ses_ingest_1',
      workflow_run_id: 'run_ingest_1',
      task_type: 'summarize',
      input_tokens: 86,
      cached_input_tokens: 1920,
      output_tokens: 300,
      cost: '3347500', // 86 × $1.25 + 1920 × $0.125 + 300 × $10 per 1M = $0.0033475
      price_status: 'priced',
      source: 'ingest',
    });
    expect(body.ids).toEqual([{ index: 0, id: row!.id }]);
    await rollupsMatchLedger();
  });

  it('re-sending a batch changes nothing and reports duplicates', async () => {
    const batch = [event(), event({ provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 2095, output_tokens: 503 } })];
    expect(await ingest(batch)).toMatchObject({ accepted: 2, duplicates: 0 });
    const before = await ledgerCount();
    const [costBefore] = await db.query<{ c: string }>('select sum(cost_nano)::text as c from ledger_hourly');
    expect(await ingest(batch)).toMatchObject({ accepted: 0, duplicates: 2, errors: [] });
    expect(await ledgerCount()).toBe(before);
    const [costAfter] = await db.query<{ c: string }>('select sum(cost_nano)::text as c from ledger_hourly');
    expect(costAfter).toEqual(costBefore);
    // The same id twice in one batch is one row and one duplicate.
    const twin = event();
    expect(await ingest([twin, twin])).toMatchObject({ accepted: 1, duplicates: 1 });
    await rollupsMatchLedger();
  });

  it('counts an event sent twice in one batch once against the budgets, as on the ledger', async () => {
    const key = (await actorForApiKey(db, AGENT_KEY))!;
    const committed = await openKeyCostCounter(db, key, 'bud_ingest_twins');
    const start = await committed();
    const twin = event();
    expect(await ingest([twin, twin])).toMatchObject({ accepted: 1, duplicates: 1 });
    const [row] = await db.query<{ c: string }>('select cost_nano::text as c from ledger_events where id = $1', [ingestedEventId(ORG_ID, twin.id)]);
    expect((await committed()) - start).toBe(BigInt(row!.c));
  });

  it('counts ingested spend in the ledger write\'s own transaction: if counting fails, the event is not written, and its retry counts once', async () => {
    const key = (await actorForApiKey(db, AGENT_KEY))!;
    const committed = await openKeyCostCounter(db, key, 'bud_ingest_atomic');
    const start = await committed();
    const sent = event();
    const undo = await failCounterUpdates(db, 'bud_ingest_atomic');
    try {
      const refused = await post({ events: [sent] });
      expect(refused.status).toBe(500);
    } finally {
      await undo();
    }
    const id = ingestedEventId(ORG_ID, sent.id);
    expect(await db.query('select 1 from ledger_events where id = $1', [id])).toHaveLength(0);
    expect(await committed()).toBe(start);
    expect(await ingest([sent])).toMatchObject({ accepted: 1, duplicates: 0 });
    const [row] = await db.query<{ c: string }>('select cost_nano::text as c from ledger_events where id = $1', [id]);
    expect((await committed()) - start).toBe(BigInt(row!.c));
    expect(await ingest([sent])).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await committed()) - start).toBe(BigInt(row!.c));
  });

  it('a counter opened from the ledger while an ingest commits counts the ingested spend exactly once', async () => {
    const key = (await actorForApiKey(db, AGENT_KEY))!;
    await db.query(
      `insert into budgets (id, organisation_id, name, scope_type, scope_id, "window", metric, limit_value, enforcement, alert_thresholds)
       values ('bud_ingest_race', $1, 'race', 'api_key', $2, 'total', 'cost', 1000000000000, 'hard', '[]'::jsonb)`,
      [key.organisationId, key.id],
    );
    invalidateBudgetRules();
    const rules = (await loadBudgetRules(db, key.organisationId)).filter((r) => r.id === 'bud_ingest_race');
    const attribution = { organisationId: key.organisationId, departmentId: key.departmentId, projectId: key.projectId, userId: null, apiKeyId: key.id, sessionId: null };
    // The counter's opening read happens, then its row waits 0.4 s to be written; the ingest lands in between.
    const undo = await slowCounterOpening(db, 'bud_ingest_race', 0.4);
    try {
      const opening = reserve(db, {
        organisationId: key.organisationId,
        requestId: 'req_open_race',
        slots: admissionSlots(rules, attribution, { costNano: 0n, tokens: 0n, requests: 0n }, new Date()),
        ttlMs: 60_000,
        now: new Date(),
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [written] = await Promise.all([ingest([event(), event()]), opening]);
      expect(written.accepted).toBe(2);
    } finally {
      await undo();
    }
    const [counterRow] = await db.query<{ c: string }>("select committed::text as c from budget_usage where budget_id = 'bud_ingest_race'");
    const [ledger] = await db.query<{ c: string }>("select sum(cost_nano)::text as c from ledger_events where api_key_id = $1 and status <> 'refused'", [key.id]);
    expect(BigInt(counterRow!.c)).toBe(BigInt(ledger!.c));
  });

  it('keys idempotency on the primary key: an event id names one row per organisation, and no other unique index is paid for', async () => {
    expect(ingestedEventId(ORG_ID, 'evt-1')).toBe(ingestedEventId(ORG_ID, 'evt-1'));
    expect(ingestedEventId(ORG_ID, 'evt-1')).not.toBe(ingestedEventId('org_other', 'evt-1'));
    // A re-sent event with a different body is still the same event: the id, not the content, decides.
    const first = event();
    expect(await ingest([first])).toMatchObject({ accepted: 1 });
    expect(await ingest([{ ...first, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }])).toMatchObject({ accepted: 0, duplicates: 1 });
    const unique = await db.query<{ name: string }>(
      "select indexname as name from pg_indexes where tablename = 'ledger_events' and indexdef like 'CREATE UNIQUE%'",
    );
    expect(unique.map((u) => u.name)).toEqual(['ledger_events_pkey']);
  });

  it('prices a dated model snapshot as its catalog model', async () => {
    const e = event({ provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 2095, output_tokens: 503 } });
    await ingest([e]);
    const [row] = await db.query<{ cost: string; model_id: string }>('select cost_nano::text as cost, model_id from ledger_events where idempotency_key = $1', [e.id]);
    expect(row).toEqual({ cost: '13830000', model_id: 'anthropic/claude-sonnet-4-5' });
  });

  it('bills the service tier the call ran on: batch, priority, or standard where a tier has no price', async () => {
    const batch = event({ provider: 'anthropic', model: 'claude-sonnet-4-5', service_tier: 'batch', usage: { input_tokens: 2095, output_tokens: 503 } });
    const priority = event({ service_tier: 'priority' });
    const flexWithoutPrice = event({ provider: 'anthropic', model: 'claude-haiku-4-5', service_tier: 'flex', usage: { input_tokens: 1000, output_tokens: 100 } });
    expect(await ingest([batch, priority, flexWithoutPrice])).toMatchObject({ accepted: 3 });
    const cost = async (id: string) =>
      (await db.query<{ c: string }>('select cost_nano::text as c from ledger_events where idempotency_key = $1', [id]))[0]!.c;
    // Batch is half: 2095 × $1.50 + 503 × $7.50 = 3142.5 + 3772.5 = 6915 µ$
    expect(await cost(batch.id)).toBe('6915000');
    // Priority gpt-5: 86 × $2.50 + 1920 × $0.25 + 300 × $20 = 215 + 480 + 6000 = 6695 µ$
    expect(await cost(priority.id)).toBe('6695000');
    // Haiku has no flex price: standard, 1000 × $1 + 100 × $5 = 1500 µ$
    expect(await cost(flexWithoutPrice.id)).toBe('1500000');
  });

  it('flags an unknown model as unpriced instead of silently costing $0', async () => {
    const e = event({ provider: 'openai_compatible', model: 'mystery-model-7b' });
    expect(await ingest([e])).toMatchObject({ accepted: 1 });
    const [row] = await db.query<{ price_status: string; model_id: string | null }>('select price_status, model_id from ledger_events where idempotency_key = $1', [e.id]);
    expect(row).toEqual({ price_status: 'unpriced', model_id: null });
    const [roll] = await db.query<{ n: string }>("select sum(unpriced)::text as n from ledger_daily_models where model_name = 'mystery-model-7b'");
    expect(roll!.n).toBe('1');
  });

  it('prices a backfill older than the catalog at the earliest known price, and marks it', async () => {
    const e = event({ timestamp: '2024-02-01T10:00:00Z' });
    await ingest([e]);
    const [row] = await db.query<{ price_status: string; cost: string }>('select price_status, cost_nano::text as cost from ledger_events where idempotency_key = $1', [e.id]);
    expect(row).toEqual({ price_status: 'earliest_known', cost: '3347500' });
  });

  it('gives each bad event its own error and index, writes none of them, and keeps the good ones', async () => {
    const before = await ledgerCount();
    const good = event({ user: 'usr_manager' });
    const body = await ingest([
      event({ usage: { prompt_tokens: -5, completion_tokens: 1 } }),
      event({ usage: { prompt_tokens: 1.5, completion_tokens: 1 } }),
      event({ usage: { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 11 } } }),
      event({ provider: 'acme-ai' }),
      event({ timestamp: new Date(Date.now() + 86_400_000).toISOString() }),
      event({ provider: 'anthropic', usage: { prompt_tokens: 10, completion_tokens: 2 } }),
      good,
      event({ project: 'prj_sme_underwriting' }),
      event({ project: 'prj_nope' }),
      event({ timestamp: 'yesterday' }),
      { id: 'x' },
      event({ surprise: true }),
      event({ user: 'usr_cfo' }),
      event({ user: 'usr_nobody' }),
      event({ model: 'gpt-4o\u0000mini' }),
      event({ session: 'sess-\ud800' }),
    ]);
    expect(body.accepted).toBe(1);
    expect(body.errors.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const messages = body.errors.map((e) => e.message);
    expect(messages[0]).toMatch(/prompt_tokens must not be negative/);
    expect(messages[1]).toMatch(/whole number/);
    expect(messages[2]).toMatch(/cached_tokens \(11\) is larger than prompt_tokens/);
    expect(messages[3]).toMatch(/unknown provider "acme-ai"/);
    expect(messages[4]).toMatch(/in the future/);
    expect(messages[5]).toMatch(/not an Anthropic usage object/);
    expect(body.errors[6]).toMatchObject({ type: 'permission_error' });
    expect(messages[7]).toMatch(/unknown project/);
    expect(messages[10]).toMatch(/unknown field "surprise"/);
    // The key is Claims': it may not charge the CFO (Finance), whose budgets would count the spend.
    expect(body.errors[11]).toMatchObject({ type: 'permission_error', message: expect.stringMatching(/user "usr_cfo" is not in this key's department/) });
    expect(messages[12]).toMatch(/unknown user "usr_nobody"/);
    // PostgreSQL cannot store a NUL and would rewrite a lone surrogate: refused per event, not a 500 for the batch.
    expect(messages[13]).toMatch(/model.*NUL character/);
    expect(messages[14]).toMatch(/session.*unpaired surrogate/);
    expect(await ledgerCount()).toBe(before + 1);
  });

  it('charges the person a key acts for, and refuses events naming anyone else', async () => {
    const key = 'tg_ingestPersonalKey0000000000000000000000';
    await db.query(
      `insert into api_keys (id, organisation_id, name, prefix, hash, role, department_id, user_id, agent) values ('key_personal', $1, 'Maya''s assistant', $2, $3, 'agent', 'dep_claims', 'usr_manager', 'maya-assistant')`,
      [ORG_ID, apiKeyPrefix(key), hashApiKey(key)],
    );
    await db.query(`insert into users (id, organisation_id, email, name, role, department_id) values ('usr_claims_analyst', $1, 'analyst@example.com', 'Ana Lyst', 'manager', 'dep_claims')`, [ORG_ID]);
    const named = event();
    const body = await ingest([named, event({ user: 'usr_manager' }), event({ user: 'usr_manager_underwriting' }), event({ user: 'usr_claims_analyst' })], key);
    expect(body.accepted).toBe(2);
    expect(body.errors).toEqual([
      { index: 2, type: 'permission_error', message: expect.stringMatching(/user "usr_manager_underwriting" is not in this key's department/) },
      { index: 3, type: 'permission_error', message: expect.stringMatching(/this key acts for user "usr_manager"/) },
    ]);
    const [row] = await db.query<{ user_id: string | null }>('select user_id from ledger_events where idempotency_key = $1', [named.id]);
    expect(row!.user_id).toBe('usr_manager');
  });

  it('refuses whole requests that are not a valid batch, writing nothing', async () => {
    const before = await ledgerCount();
    const expectError = async (response: Response, status: number) => {
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    };
    await expectError(await post(null, { raw: '{"events": [' }), 400);
    await expectError(await post({ events: [] }), 400);
    await expectError(await post({ nope: 1 }), 400);
    await expectError(await post({ events: [event()] }, { contentType: 'text/plain' }), 400);
    await expectError(await post({ events: Array.from({ length: 1001 }, () => event()) }), 400);
    await expectError(await post(null, { raw: JSON.stringify({ events: [event({ model: 'x'.repeat(150), pad: 'y'.repeat(6 * 1024 * 1024) })] }) }), 413);
    expect(await ledgerCount()).toBe(before);
  });

  it('keeps ops keys and unknown keys out', async () => {
    expect((await post({ events: [event()] }, { key: ADMIN_KEY })).status).toBe(403);
    expect((await post({ events: [event()] }, { key: 'tg_bogus' })).status).toBe(401);
  });

  it('group-commits concurrent batches: every accepted event is written once, rollups stay exact', async () => {
    const before = await ledgerCount();
    const batches = Array.from({ length: 40 }, (_, b) =>
      Array.from({ length: 25 }, (_, i) =>
        event({ id: `conc-${b}-${i}`, timestamp: hoursAgo((b * 25 + i) % 30), model: i % 2 ? 'gpt-5' : 'gpt-4.1-mini' }),
      ),
    );
    // Each batch sent twice, all at once: half the sends must come back as duplicates.
    const results = await Promise.all([...batches, ...batches].map((batch) => ingest(batch)));
    const accepted = results.reduce((n, r) => n + r.accepted, 0);
    const duplicates = results.reduce((n, r) => n + r.duplicates, 0);
    expect(accepted).toBe(1000);
    expect(duplicates).toBe(1000);
    expect(await ledgerCount()).toBe(before + 1000);
    await rollupsMatchLedger();
  });

  const bulkRow = (i: number, prefix = 'bulk'): LedgerRowInput => ({
    id: `${prefix}_${i}`,
    idempotencyKey: `${prefix}-${i}`,
    organisationId: ORG_ID,
    occurredAt: new Date(Date.now() - (i % 72) * 3_600_000),
    source: 'import',
    provider: 'openai',
    modelName: i % 3 ? 'gpt-4.1-mini' : 'gpt-5',
    modelId: i % 3 ? 'openai/gpt-4.1-mini' : 'openai/gpt-5',
    tier: i % 3 ? 'small' : 'frontier',
    departmentId: i % 5 ? DEPARTMENT_IDS.claims : DEPARTMENT_IDS.kyc,
    projectId: i % 5 ? 'prj_motor_claims' : null,
    apiKeyId: i % 2 ? 'key_claims_agent' : null,
    taskType: i % 4 ? 'summarize' : null,
    status: i % 50 ? 'ok' : 'error',
    routeReason: i === 7 ? 'tab\there, newline\nthere, back\\slash' : null,
    inputTokens: 100 + i,
    outputTokens: 10,
    costNano: BigInt(40_000 + i * 400 + 16_000),
    listCostNano: BigInt(40_000 + i * 400 + 16_000),
    priceStatus: 'priced',
  });

  it('bulk path: binary COPY into the ledger, same idempotency and rollup rules', async () => {
    const before = await ledgerCount();
    const rows = Array.from({ length: 3_000 }, (_, i) => bulkRow(i));
    expect(await bulkInsertLedgerRows(db, rows)).toBe(3_000);
    await rollupsMatchLedger();
    const state = await ledgerState();
    expect(await bulkInsertLedgerRows(db, rows.slice(0, 500))).toBe(0);
    expect(await ledgerState()).toEqual(state);
    expect(await ledgerCount()).toBe(before + 3_000);
    const [odd] = await db.query<{ route_reason: string }>("select route_reason from ledger_events where id = 'bulk_7'");
    expect(odd!.route_reason).toBe('tab\there, newline\nthere, back\\slash');
  });

  it('bulk path in chunks: concurrent chunks, and chunks mixing new rows with duplicates, count each row once', async () => {
    const before = await ledgerCount();
    const fresh = Array.from({ length: 1_000 }, (_, i) => bulkRow(i, 'chunked'));
    expect(await bulkInsertLedgerRows(db, fresh.slice(0, 400), { chunkRows: 97, concurrency: 3 })).toBe(400);
    await rollupsMatchLedger();
    // Rows 0-399 are in already, and row 500 comes twice: only the 599 others are new, in any chunking.
    const mixed = [...fresh, fresh[500]!];
    expect(await bulkInsertLedgerRows(db, mixed, { chunkRows: 150, concurrency: 2 })).toBe(600);
    expect(await ledgerCount()).toBe(before + 1_000);
    await rollupsMatchLedger();
    const state = await ledgerState();
    expect(await bulkInsertLedgerRows(db, mixed, { chunkRows: 333 })).toBe(0);
    expect(await ledgerState()).toEqual(state);
  });

  it('bulk path: a failing chunk leaves every chunk either fully in or fully out, and says which', async () => {
    const before = await ledgerCount();
    const rows = Array.from({ length: 600 }, (_, i) => bulkRow(i, 'failing'));
    rows[250] = { ...rows[250]!, tier: null as unknown as LedgerRowInput['tier'] }; // violates not-null
    const error = await bulkInsertLedgerRows(db, rows, { chunkRows: 100, concurrency: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerBulkWriteError);
    const { committed, failed } = error as LedgerBulkWriteError;
    expect(committed.map((c) => [c.from, c.to, c.inserted])).toEqual([
      [0, 100, 100],
      [100, 200, 100],
    ]);
    expect([failed.from, failed.to]).toEqual([200, 300]);
    expect(await ledgerCount()).toBe(before + 200);
    await rollupsMatchLedger();
    // Re-sending the whole batch once fixed writes exactly the rows that were left out.
    rows[250] = bulkRow(250, 'failing');
    expect(await bulkInsertLedgerRows(db, rows, { chunkRows: 100 })).toBe(400);
    await rollupsMatchLedger();
  });

  it('bulk path: a value the column cannot hold fails its chunk before it is sent, and the connection stays usable', async () => {
    const before = await ledgerCount();
    const rows = Array.from({ length: 300 }, (_, i) => bulkRow(i, 'badvalue'));
    rows[150] = { ...rows[150]!, inputTokens: 1.5 };
    const error = await bulkInsertLedgerRows(db, rows, { chunkRows: 100, concurrency: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerBulkWriteError);
    expect((error as LedgerBulkWriteError).cause).toBeInstanceOf(LedgerCopyValueError);
    expect((error as LedgerBulkWriteError).committed.map((c) => c.from)).toEqual([0]);
    expect(await ledgerCount()).toBe(before + 100);
    rows[150] = bulkRow(150, 'badvalue');
    expect(await bulkInsertLedgerRows(db, rows, { chunkRows: 100, concurrency: 2 })).toBe(200);
    await rollupsMatchLedger();
  });

  it('bulk path: text, large amounts and old timestamps come back from the database exactly', async () => {
    const row = {
      ...bulkRow(0, 'exact'),
      routeReason: 'naïve — 日本 🚀\ttab',
      costNano: 2n ** 60n + 1n,
      listCostNano: 2n ** 60n + 1n,
      occurredAt: new Date('2001-02-03T04:05:06.789Z'),
      overheadMs: 2.25,
    };
    expect(await bulkInsertLedgerRows(db, [row])).toBe(1);
    const [back] = await db.query<{ route_reason: string; cost_nano: string; occurred_at: Date | string; overhead_ms: number }>(
      'select route_reason, cost_nano::text, occurred_at, overhead_ms from ledger_events where id = $1',
      [row.id],
    );
    expect(back!.route_reason).toBe(row.routeReason);
    expect(back!.cost_nano).toBe(String(2n ** 60n + 1n));
    expect(new Date(back!.occurred_at).toISOString()).toBe('2001-02-03T04:05:06.789Z');
    expect(Number(back!.overhead_ms)).toBe(2.25);
    await rollupsMatchLedger();
  });
});
