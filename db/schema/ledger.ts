import { sql } from 'drizzle-orm';
import { bigint, date, index, integer, pgTable, real, text, timestamp, unique } from 'drizzle-orm/pg-core';
import {
  CALL_STATUSES,
  COST_SOURCES,
  EVENT_SOURCES,
  MODEL_TIERS,
  PRICE_STATUSES,
  SERVICE_TIERS,
} from '@/lib/engine/enums';

/**
 * One row per model call (or cache hit, or refused call). Token columns are
 * disjoint buckets, each priced at its own rate:
 *   inputTokens         prompt tokens that were neither cache reads nor cache writes
 *   cachedInputTokens   cache reads
 *   cacheWrite5m/1h     cache writes by TTL
 *   outputTokens        completion tokens that are not reasoning tokens
 *   reasoningTokens     reasoning tokens
 * Money is integer nano-dollars (1 USD = 1e9).
 *
 * The ledger carries no foreign keys: it is append-only and written at high
 * volume, the writer's callers validate attribution (key, department,
 * project, user) before a row is written, and the entities it names are
 * archived, never deleted. A foreign-key check per column per row cost more
 * than the rest of the insert (see `npm run bench -- ledger`).
 */
export const ledgerEvents = pgTable(
  'ledger_events',
  {
    /**
     * The request id (`x-tollgate-request-id`), and the idempotency check:
     * every writer derives it from (organisation, idempotency key) alone, so a
     * retried write hits this key and is skipped. The gateway uses its random
     * request id as both; usage ingest hashes the two (`ingestedEventId`).
     */
    id: text('id').primaryKey(),
    /** Caller-supplied event id or the gateway's request id, as the caller knows it. */
    idempotencyKey: text('idempotency_key').notNull(),
    organisationId: text('organisation_id').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    source: text('source', { enum: EVENT_SOURCES }).notNull(),

    provider: text('provider').notNull(),
    /** The model as the provider named it. */
    modelName: text('model_name').notNull(),
    /** The catalog model, null when the model is unknown to the catalog. */
    modelId: text('model_id'),
    tier: text('tier', { enum: MODEL_TIERS }).notNull(),
    serviceTier: text('service_tier', { enum: SERVICE_TIERS }).notNull().default('standard'),

    departmentId: text('department_id'),
    projectId: text('project_id'),
    userId: text('user_id'),
    apiKeyId: text('api_key_id'),
    agent: text('agent'),
    sessionId: text('session_id'),
    workflowRunId: text('workflow_run_id'),
    taskType: text('task_type'),

    inputTokens: integer('input_tokens').notNull().default(0),
    cachedInputTokens: integer('cached_input_tokens').notNull().default(0),
    cacheWrite5mTokens: integer('cache_write_5m_tokens').notNull().default(0),
    cacheWrite1hTokens: integer('cache_write_1h_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    reasoningTokens: integer('reasoning_tokens').notNull().default(0),

    /** What the call cost: contracted price where one exists, else list. */
    costNano: bigint('cost_nano', { mode: 'bigint' }).notNull().default(sql`0`),
    /** The same tokens at the public list price. */
    listCostNano: bigint('list_cost_nano', { mode: 'bigint' }).notNull().default(sql`0`),
    /** For cache hits: what the call would have cost upstream. */
    savedNano: bigint('saved_nano', { mode: 'bigint' }).notNull().default(sql`0`),
    priceId: integer('price_id'),
    priceStatus: text('price_status', { enum: PRICE_STATUSES }).notNull(),
    costSource: text('cost_source', { enum: COST_SOURCES }).notNull().default('estimated'),

    status: text('status', { enum: CALL_STATUSES }).notNull().default('ok'),
    httpStatus: integer('http_status'),
    errorType: text('error_type'),
    cacheHit: text('cache_hit'),
    attempt: integer('attempt').notNull().default(1),
    retryOf: text('retry_of'),
    routeReason: text('route_reason'),
    latencyMs: integer('latency_ms'),
    overheadMs: real('overhead_ms'),
  },
  (t) => [
    // No unique index on (organisation, idempotency key): the primary key already is one (see `id`), and a second cost the bulk path 6-18%.
    index('ledger_events_org_time_idx').on(t.organisationId, t.occurredAt),
    // Partial: nothing looks rows up by a null attribution, and every index entry costs the bulk path (`npm run bench -- ledger`).
    index('ledger_events_department_time_idx').on(t.departmentId, t.occurredAt).where(sql`${t.departmentId} is not null`),
    // Hash, not B-tree: sessions and workflow runs are only ever looked up by equality, and a hash entry (a 4-byte
    // hash code, no text comparisons on insert) costs every ledger write less (`npm run bench -- ledger`).
    index('ledger_events_session_idx').using('hash', t.sessionId).where(sql`${t.sessionId} is not null`),
    index('ledger_events_workflow_run_idx').using('hash', t.workflowRunId).where(sql`${t.workflowRunId} is not null`),
    index('ledger_events_api_key_time_idx').on(t.apiKeyId, t.occurredAt).where(sql`${t.apiKeyId} is not null`),
  ],
);
export type LedgerEvent = typeof ledgerEvents.$inferSelect;
export type NewLedgerEvent = typeof ledgerEvents.$inferInsert;

/** The measures every rollup carries: counts, token sums and money sums. */
function rollupMeasures() {
  return {
    /** Calls that ran, upstream or from the cache; refused calls are not requests (as budgets count them). */
    requests: bigint('requests', { mode: 'number' }).notNull().default(0),
    errors: bigint('errors', { mode: 'number' }).notNull().default(0),
    cacheHits: bigint('cache_hits', { mode: 'number' }).notNull().default(0),
    unpriced: bigint('unpriced', { mode: 'number' }).notNull().default(0),
    inputTokens: bigint('input_tokens', { mode: 'number' }).notNull().default(0),
    cachedInputTokens: bigint('cached_input_tokens', { mode: 'number' }).notNull().default(0),
    cacheWriteTokens: bigint('cache_write_tokens', { mode: 'number' }).notNull().default(0),
    outputTokens: bigint('output_tokens', { mode: 'number' }).notNull().default(0),
    reasoningTokens: bigint('reasoning_tokens', { mode: 'number' }).notNull().default(0),
    costNano: bigint('cost_nano', { mode: 'bigint' }).notNull().default(sql`0`),
    listCostNano: bigint('list_cost_nano', { mode: 'bigint' }).notNull().default(sql`0`),
    savedNano: bigint('saved_nano', { mode: 'bigint' }).notNull().default(sql`0`),
  };
}

/**
 * Hourly rollups of the ledger per department, kept in step with every ledger
 * write. Their totals equal the raw rows' totals to the nano-dollar. The live
 * views read them (this hour, today, last 48 hours, trailing burn), always by
 * organisation, department and hour and never by model, project or task, so
 * they keep no finer dimensions: an hour has one row per department, which
 * keeps the rollup upserts of a bulk import small (see `npm run bench -- ledger`).
 */
export const ledgerHourly = pgTable(
  'ledger_hourly',
  {
    organisationId: text('organisation_id').notNull(),
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    departmentId: text('department_id'),
    ...rollupMeasures(),
  },
  (t) => [unique('ledger_hourly_dims_uq').on(t.organisationId, t.hour, t.departmentId).nullsNotDistinct()],
);
export type LedgerHourly = typeof ledgerHourly.$inferSelect;

/**
 * Daily rollups (UTC days) with every dimension: project and task breakdowns,
 * project budgets and the monthly chargeback summary read these.
 */
export const ledgerDaily = pgTable(
  'ledger_daily',
  {
    organisationId: text('organisation_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    departmentId: text('department_id'),
    projectId: text('project_id'),
    modelName: text('model_name').notNull(),
    tier: text('tier', { enum: MODEL_TIERS }).notNull(),
    taskType: text('task_type'),
    ...rollupMeasures(),
    /** The 1-hour part of `cache_write_tokens` (the rest is 5-minute writes): the monthly chargeback reports the two apart. */
    cacheWrite1hTokens: bigint('cache_write_1h_tokens', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    unique('ledger_daily_dims_uq')
      .on(t.organisationId, t.day, t.departmentId, t.projectId, t.modelName, t.tier, t.taskType)
      .nullsNotDistinct(),
    index('ledger_daily_org_day_idx').on(t.organisationId, t.day),
    index('ledger_daily_department_day_idx').on(t.departmentId, t.day),
  ],
);
export type LedgerDaily = typeof ledgerDaily.$inferSelect;

/**
 * Daily rollups per department and model, without the project and task
 * dimensions: about ten times fewer rows than `ledger_daily`. The 90-day
 * charts, department, model and tier breakdowns and organisation and
 * department budgets read these.
 */
export const ledgerDailyModels = pgTable(
  'ledger_daily_models',
  {
    organisationId: text('organisation_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    departmentId: text('department_id'),
    modelName: text('model_name').notNull(),
    tier: text('tier', { enum: MODEL_TIERS }).notNull(),
    ...rollupMeasures(),
  },
  (t) => [
    unique('ledger_daily_models_dims_uq')
      .on(t.organisationId, t.day, t.departmentId, t.modelName, t.tier)
      .nullsNotDistinct(),
  ],
);
export type LedgerDailyModel = typeof ledgerDailyModels.$inferSelect;

/**
 * Daily spend per API key, kept in step with the ledger like the hourly
 * rollups: top-N keys and key budgets read it instead of scanning the ledger.
 * Only rows written with a key are counted here.
 */
export const ledgerDailyKeys = pgTable(
  'ledger_daily_keys',
  {
    organisationId: text('organisation_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    apiKeyId: text('api_key_id').notNull(),
    departmentId: text('department_id'),
    requests: bigint('requests', { mode: 'number' }).notNull().default(0),
    tokens: bigint('tokens', { mode: 'number' }).notNull().default(0),
    costNano: bigint('cost_nano', { mode: 'bigint' }).notNull().default(sql`0`),
  },
  (t) => [
    unique('ledger_daily_keys_dims_uq').on(t.organisationId, t.day, t.apiKeyId, t.departmentId).nullsNotDistinct(),
    index('ledger_daily_keys_org_day_idx').on(t.organisationId, t.day),
  ],
);
export type LedgerDailyKey = typeof ledgerDailyKeys.$inferSelect;

/**
 * Daily use per person, kept in step with the ledger like the per-key
 * rollups: user budgets over whole days read it (at 10M ledger rows a user's
 * month was a 0.7 s scan of the ledger, which has no user index). Only rows
 * attributed to a person are counted.
 */
export const ledgerDailyUsers = pgTable(
  'ledger_daily_users',
  {
    organisationId: text('organisation_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    userId: text('user_id').notNull(),
    requests: bigint('requests', { mode: 'number' }).notNull().default(0),
    tokens: bigint('tokens', { mode: 'number' }).notNull().default(0),
    costNano: bigint('cost_nano', { mode: 'bigint' }).notNull().default(sql`0`),
  },
  (t) => [unique('ledger_daily_users_dims_uq').on(t.organisationId, t.day, t.userId).nullsNotDistinct()],
);
export type LedgerDailyUser = typeof ledgerDailyUsers.$inferSelect;
