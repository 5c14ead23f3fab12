/**
 * Rollups of the ledger: hourly per department (`ledger_hourly`), daily with
 * every dimension (`ledger_daily`), daily per department and model
 * (`ledger_daily_models`) and daily per key (`ledger_daily_keys`). They are
 * derived data, defined once here in `ROLLUPS`: the ledger writer adds every
 * inserted row to each of them in the same transaction (`rollupUpsertSql`),
 * and for any range each can be rebuilt from `ledger_events` with one DELETE
 * and one INSERT ... SELECT, in a transaction, so their totals always equal
 * the raw rows' totals to the nano-dollar. Works on PGlite and postgres.js
 * alike.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db, DbHandle } from './client';

export interface RefreshRollupsOptions {
  organisationId: string;
  /** Start of the range; floored to its hour. Omit (with `to`) to rebuild every hour. */
  from?: Date;
  /** End of the range, exclusive; rounded up to the next hour boundary. */
  to?: Date;
}

/** A drizzle database or an open transaction on one. */
export type Executor = Pick<Db, 'execute'>;

const HOUR_MS = 3_600_000;

/** Floors a time to its UTC hour. */
export function floorHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

const DAY_MS = 24 * HOUR_MS;

export function floorDay(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

export function ceilDay(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / DAY_MS) * DAY_MS);
}

/** Rounds a time up to a UTC hour boundary (an exact boundary stays). */
export function ceilHour(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / HOUR_MS) * HOUR_MS);
}

/** One rollup table: a row per organisation, UTC bucket and dimension values, holding summed measures. */
export interface Rollup {
  table: 'ledger_hourly' | 'ledger_daily' | 'ledger_daily_models' | 'ledger_daily_keys';
  grain: 'hour' | 'day';
  /** Ledger columns grouped by, after the organisation and the bucket (the order of the unique constraint). */
  dimensions: readonly string[];
  /** Each rollup column and its aggregate over ledger rows. */
  measures: readonly (readonly [column: string, aggregate: string])[];
  /** Ledger rows outside this condition are not counted. */
  filter?: string;
}

const GRAINS = {
  hour: {
    column: 'hour',
    bucket: "date_trunc('hour', occurred_at, 'UTC')",
    floor: floorHour,
    ceil: ceilHour,
    literal: (at: Date) => sql`${at.toISOString()}::timestamptz`,
  },
  day: {
    column: 'day',
    bucket: "(occurred_at at time zone 'UTC')::date",
    floor: floorDay,
    ceil: ceilDay,
    literal: (at: Date) => sql`${at.toISOString().slice(0, 10)}::date`,
  },
} as const;

const LEDGER_MEASURES = [
  ['requests', 'count(*)'],
  ['errors', "count(*) filter (where status = 'error')"],
  ['cache_hits', "count(*) filter (where cache_hit = 'hit')"],
  ['unpriced', "count(*) filter (where price_status = 'unpriced')"],
  ['input_tokens', 'sum(input_tokens)'],
  ['cached_input_tokens', 'sum(cached_input_tokens)'],
  ['cache_write_tokens', 'sum(cache_write_5m_tokens::bigint + cache_write_1h_tokens)'],
  ['output_tokens', 'sum(output_tokens)'],
  ['reasoning_tokens', 'sum(reasoning_tokens)'],
  ['cost_nano', 'sum(cost_nano)'],
  ['list_cost_nano', 'sum(list_cost_nano)'],
  ['saved_nano', 'sum(saved_nano)'],
] as const;

export const ROLLUPS: readonly Rollup[] = [
  { table: 'ledger_hourly', grain: 'hour', dimensions: ['department_id'], measures: LEDGER_MEASURES },
  {
    table: 'ledger_daily',
    grain: 'day',
    dimensions: ['department_id', 'project_id', 'model_name', 'tier', 'task_type'],
    measures: LEDGER_MEASURES,
  },
  { table: 'ledger_daily_models', grain: 'day', dimensions: ['department_id', 'model_name', 'tier'], measures: LEDGER_MEASURES },
  {
    table: 'ledger_daily_keys',
    grain: 'day',
    dimensions: ['api_key_id', 'department_id'],
    measures: [
      ['requests', 'count(*)'],
      [
        'tokens',
        'sum(input_tokens::bigint + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens + reasoning_tokens)',
      ],
      ['cost_nano', 'sum(cost_nano)'],
    ],
    filter: 'api_key_id is not null',
  },
];

/** The ledger columns the rollups read: what a writer must return from its insert to roll up the inserted rows. */
export const ROLLUP_SOURCE_COLUMNS = [
  'organisation_id',
  'occurred_at',
  'department_id',
  'project_id',
  'model_name',
  'tier',
  'task_type',
  'api_key_id',
  'status',
  'cache_hit',
  'price_status',
  'input_tokens',
  'cached_input_tokens',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_nano',
  'list_cost_nano',
  'saved_nano',
] as const;

/** The parts of `insert into <rollup> select <aggregates> from ... group by ...`, around the FROM and WHERE clauses. */
function aggregateParts(rollup: Rollup): { head: string; groupBy: string } {
  const grain = GRAINS[rollup.grain];
  const columns = ['organisation_id', grain.column, ...rollup.dimensions, ...rollup.measures.map(([column]) => column)];
  const select = ['organisation_id', grain.bucket, ...rollup.dimensions, ...rollup.measures.map(([, aggregate]) => aggregate)];
  const keys = Array.from({ length: 2 + rollup.dimensions.length }, (_, i) => i + 1).join(', ');
  return {
    head: `insert into ${rollup.table} as r (${columns.join(', ')}) select ${select.join(', ')}`,
    groupBy: `group by ${keys}`,
  };
}

/**
 * Adds the rows of `source` (any relation with the ledger's columns) to a
 * rollup: one statement, no row counted unless it is in `source`. Groups are
 * written in key order, so concurrent writers lock rollup rows in the same
 * order and cannot deadlock.
 */
export function rollupUpsertSql(rollup: Rollup, source: string): string {
  const { head, groupBy } = aggregateParts(rollup);
  const keys = groupBy.slice('group by '.length);
  return `${head} from ${source}${rollup.filter ? ` where ${rollup.filter}` : ''} ${groupBy} order by ${keys}
  on conflict on constraint ${rollup.table}_dims_uq do update set
    ${rollup.measures.map(([column]) => `${column} = r.${column} + excluded.${column}`).join(', ')}`;
}

/**
 * Rebuilds one rollup's buckets touching [from, to) from the ledger inside an
 * open transaction (or on a plain connection, if the caller accepts a
 * non-atomic rebuild). Partial buckets at either end are widened to whole
 * buckets, so a bucket is always rebuilt from all of its events. Buckets are
 * UTC hours and days whatever the session time zone.
 */
async function rebuildRollup(executor: Executor, opts: RefreshRollupsOptions, rollup: Rollup): Promise<void> {
  const grain = GRAINS[rollup.grain];
  const from = opts.from ? grain.floor(opts.from) : undefined;
  const to = opts.to ? grain.ceil(opts.to) : undefined;
  if (from && to && from.getTime() >= to.getTime()) return;
  const column = sql.raw(grain.column);
  const bucketRange: SQL[] = [];
  const eventRange: SQL[] = [];
  if (from) {
    bucketRange.push(sql`and ${column} >= ${grain.literal(from)}`);
    eventRange.push(sql`and occurred_at >= ${from.toISOString()}::timestamptz`);
  }
  if (to) {
    bucketRange.push(sql`and ${column} < ${grain.literal(to)}`);
    eventRange.push(sql`and occurred_at < ${to.toISOString()}::timestamptz`);
  }
  if (rollup.filter) eventRange.push(sql.raw(`and ${rollup.filter}`));
  const { head, groupBy } = aggregateParts(rollup);
  await executor.execute(
    sql`delete from ${sql.raw(rollup.table)} where organisation_id = ${opts.organisationId} ${sql.join(bucketRange, sql` `)}`,
  );
  await executor.execute(
    sql`${sql.raw(head)} from ledger_events where organisation_id = ${opts.organisationId} ${sql.join(eventRange, sql` `)} ${sql.raw(groupBy)}`,
  );
}

/** Rebuilds the hourly, daily and daily per-model rollups of [from, to) (see `rebuildRollup`). */
export async function rebuildRollups(executor: Executor, opts: RefreshRollupsOptions): Promise<void> {
  for (const rollup of ROLLUPS) {
    if (rollup.table !== 'ledger_daily_keys') await rebuildRollup(executor, opts, rollup);
  }
}

/** Rebuilds the daily per-key rollup for the UTC days touching [from, to). */
export async function rebuildKeyRollups(executor: Executor, opts: RefreshRollupsOptions): Promise<void> {
  for (const rollup of ROLLUPS) {
    if (rollup.table === 'ledger_daily_keys') await rebuildRollup(executor, opts, rollup);
  }
}

/**
 * Recomputes every rollup of the organisation for [from, to) (everything
 * when both are omitted) from `ledger_events`, in one transaction.
 */
export async function refreshRollups(handle: DbHandle, opts: RefreshRollupsOptions): Promise<void> {
  await handle.db.transaction(async (tx) => {
    await rebuildRollups(tx, opts);
    await rebuildKeyRollups(tx, opts);
  });
}
