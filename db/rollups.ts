/**
 * Hourly rollups of the ledger. `ledger_hourly` is derived data: for any hour
 * range it can be rebuilt from `ledger_events` with one DELETE and one
 * INSERT ... SELECT, in a transaction, so its totals always equal the raw
 * rows' totals to the nano-dollar. Works on PGlite and postgres.js alike.
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

/** Rounds a time up to a UTC hour boundary (an exact boundary stays). */
export function ceilHour(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / HOUR_MS) * HOUR_MS);
}

/**
 * Rebuilds the rollup rows of [from, to) inside an open transaction (or on a
 * plain connection, if the caller accepts a non-atomic rebuild). Partial hours
 * at either end are widened to whole hours, so an hour is always rebuilt from
 * all of its events. Hours are UTC hours whatever the session time zone.
 */
export async function rebuildRollups(executor: Executor, opts: RefreshRollupsOptions): Promise<void> {
  const from = opts.from ? floorHour(opts.from) : undefined;
  const to = opts.to ? ceilHour(opts.to) : undefined;
  if (from && to && from.getTime() >= to.getTime()) return;

  const hourRange: SQL[] = [];
  const eventRange: SQL[] = [];
  if (from) {
    const iso = from.toISOString();
    hourRange.push(sql`and hour >= ${iso}::timestamptz`);
    eventRange.push(sql`and occurred_at >= ${iso}::timestamptz`);
  }
  if (to) {
    const iso = to.toISOString();
    hourRange.push(sql`and hour < ${iso}::timestamptz`);
    eventRange.push(sql`and occurred_at < ${iso}::timestamptz`);
  }

  await executor.execute(
    sql`delete from ledger_hourly where organisation_id = ${opts.organisationId} ${sql.join(hourRange, sql` `)}`,
  );
  await executor.execute(sql`
    insert into ledger_hourly (
      organisation_id, hour, department_id, project_id, model_name, tier, task_type,
      requests, errors, cache_hits, unpriced,
      input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
      cost_nano, list_cost_nano, saved_nano
    )
    select
      organisation_id,
      date_trunc('hour', occurred_at, 'UTC') as hour,
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

const DAY_MS = 24 * HOUR_MS;

/**
 * Rebuilds the daily per-key rollup for the UTC days touching [from, to):
 * a partial day is widened to the whole day, so a day is always rebuilt from
 * all of its events.
 */
export async function rebuildKeyRollups(executor: Executor, opts: RefreshRollupsOptions): Promise<void> {
  const from = opts.from ? new Date(Math.floor(opts.from.getTime() / DAY_MS) * DAY_MS) : undefined;
  const to = opts.to ? new Date(Math.ceil(opts.to.getTime() / DAY_MS) * DAY_MS) : undefined;
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
