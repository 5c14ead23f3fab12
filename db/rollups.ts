/**
 * Rollups of the ledger: hourly (`ledger_hourly`), daily (`ledger_daily`) and
 * daily per key (`ledger_daily_keys`). They are derived data: for any range
 * each can be rebuilt from `ledger_events` with one DELETE and one
 * INSERT ... SELECT, in a transaction, so their totals always equal the raw
 * rows' totals to the nano-dollar. The ledger writer keeps them in step on
 * every write. Works on PGlite and postgres.js alike.
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

/**
 * Rebuilds the hourly and daily rollup rows of [from, to) inside an open transaction (or on a
 * plain connection, if the caller accepts a non-atomic rebuild). Partial hours
 * at either end are widened to whole hours, so an hour is always rebuilt from
 * all of its events. Hours are UTC hours whatever the session time zone.
 */
export async function rebuildRollups(executor: Executor, opts: RefreshRollupsOptions): Promise<void> {
  await rebuildGrain(executor, opts, {
    table: 'ledger_hourly',
    column: 'hour',
    bucket: sql`date_trunc('hour', occurred_at, 'UTC')`,
    from: opts.from ? floorHour(opts.from) : undefined,
    to: opts.to ? ceilHour(opts.to) : undefined,
    literal: (at) => sql`${at.toISOString()}::timestamptz`,
  });
  await rebuildGrain(executor, opts, {
    table: 'ledger_daily',
    column: 'day',
    bucket: sql`(occurred_at at time zone 'UTC')::date`,
    from: opts.from ? floorDay(opts.from) : undefined,
    to: opts.to ? ceilDay(opts.to) : undefined,
    literal: (at) => sql`${at.toISOString().slice(0, 10)}::date`,
  });
}

interface Grain {
  table: 'ledger_hourly' | 'ledger_daily';
  column: 'hour' | 'day';
  bucket: SQL;
  /** The range widened to whole buckets. */
  from?: Date;
  to?: Date;
  literal(at: Date): SQL;
}

async function rebuildGrain(executor: Executor, opts: RefreshRollupsOptions, grain: Grain): Promise<void> {
  const { from, to } = grain;
  if (from && to && from.getTime() >= to.getTime()) return;
  const table = sql.raw(grain.table);
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
  await executor.execute(sql`delete from ${table} where organisation_id = ${opts.organisationId} ${sql.join(bucketRange, sql` `)}`);
  await executor.execute(sql`
    insert into ${table} (
      organisation_id, ${column}, department_id, project_id, model_name, tier, task_type,
      requests, errors, cache_hits, unpriced,
      input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
      cost_nano, list_cost_nano, saved_nano
    )
    select
      organisation_id,
      ${grain.bucket},
      department_id, project_id, model_name, tier, task_type,
      count(*),
      count(*) filter (where status <> 'ok'),
      count(*) filter (where cache_hit = 'hit'),
      count(*) filter (where price_status = 'unpriced'),
      coalesce(sum(input_tokens), 0),
      coalesce(sum(cached_input_tokens), 0),
      coalesce(sum(cache_write_5m_tokens::bigint + cache_write_1h_tokens), 0),
      coalesce(sum(output_tokens), 0),
      coalesce(sum(reasoning_tokens), 0),
      coalesce(sum(cost_nano), 0),
      coalesce(sum(list_cost_nano), 0),
      coalesce(sum(saved_nano), 0)
    from ledger_events
    where organisation_id = ${opts.organisationId} ${sql.join(eventRange, sql` `)}
    group by 1, 2, 3, 4, 5, 6, 7
  `);
}


/**
 * Rebuilds the daily per-key rollup for the UTC days touching [from, to):
 * a partial day is widened to the whole day, so a day is always rebuilt from
 * all of its events.
 */
export async function rebuildKeyRollups(executor: Executor, opts: RefreshRollupsOptions): Promise<void> {
  const from = opts.from ? floorDay(opts.from) : undefined;
  const to = opts.to ? ceilDay(opts.to) : undefined;
  if (from && to && from.getTime() >= to.getTime()) return;
  const dayRange: SQL[] = [];
  const eventRange: SQL[] = [];
  if (from) {
    dayRange.push(sql`and day >= ${from.toISOString().slice(0, 10)}::date`);
    eventRange.push(sql`and occurred_at >= ${from.toISOString()}::timestamptz`);
  }
  if (to) {
    dayRange.push(sql`and day < ${to.toISOString().slice(0, 10)}::date`);
    eventRange.push(sql`and occurred_at < ${to.toISOString()}::timestamptz`);
  }
  await executor.execute(
    sql`delete from ledger_daily_keys where organisation_id = ${opts.organisationId} ${sql.join(dayRange, sql` `)}`,
  );
  await executor.execute(sql`
    insert into ledger_daily_keys (organisation_id, day, api_key_id, department_id, requests, tokens, cost_nano)
    select organisation_id, (occurred_at at time zone 'UTC')::date, api_key_id, department_id, count(*),
           coalesce(sum(input_tokens::bigint + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens + reasoning_tokens), 0),
           coalesce(sum(cost_nano), 0)
      from ledger_events
     where organisation_id = ${opts.organisationId} and api_key_id is not null ${sql.join(eventRange, sql` `)}
     group by 1, 2, 3, 4
  `);
}

/**
 * Recomputes the `ledger_hourly` rows of the organisation for the hours in
 * [from, to) (every hour when both are omitted) from `ledger_events`, in one
 * transaction.
 */
export async function refreshRollups(handle: DbHandle, opts: RefreshRollupsOptions): Promise<void> {
  await handle.db.transaction(async (tx) => {
    await rebuildRollups(tx, opts);
    await rebuildKeyRollups(tx, opts);
  });
}
