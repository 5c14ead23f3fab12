/** Checks shared by the ledger's integration tests. */
import { expect } from 'vitest';
import type { DbHandle } from '@/db/client';
import { CACHE_HIT_SQL } from '@/db/rollups';

const TOKENS = 'input_tokens::bigint + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens + reasoning_tokens';

/**
 * Every hourly and daily rollup holds the raw ledger's requests (calls that
 * ran, not refused ones) and cost, to the nano-dollar; the daily rollup every
 * figure of the monthly chargeback summary per day, department and project
 * (calls, cache hits, costs, each token bucket); the per-key and per-person
 * rollups those of the rows with a key or a person, per key or person,
 * tokens included.
 */
export async function expectRollupsEqualLedger(db: Pick<DbHandle, 'query'>): Promise<void> {
  const [raw] = await db.query<{ c: string; n: string }>("select sum(cost_nano)::text as c, count(*) filter (where status <> 'refused')::text as n from ledger_events");
  for (const table of ['ledger_hourly', 'ledger_daily', 'ledger_daily_models']) {
    const [rollup] = await db.query<{ c: string; n: string }>(`select sum(cost_nano)::text as c, sum(requests)::text as n from ${table}`);
    expect(rollup, table).toEqual(raw);
  }
  // What the monthly chargeback summary reads from ledger_daily, per organisation, UTC day, department and project.
  const perProjectDay = (from: string, day: string, columns: string) =>
    `select organisation_id, ${day} as day, department_id, project_id, ${columns} from ${from} group by 1, 2, 3, 4 order by 1, 2, 3 nulls first, 4 nulls first`;
  const dailyFromLedger = await db.query(
    perProjectDay(
      'ledger_events',
      "(occurred_at at time zone 'UTC')::date::text",
      `(count(*) filter (where status <> 'refused'))::text as requests, (count(*) filter (where ${CACHE_HIT_SQL}))::text as hits,
       sum(cost_nano)::text as cost, sum(list_cost_nano)::text as list_cost, sum(saved_nano)::text as saved,
       sum(input_tokens)::text as input, sum(cached_input_tokens)::text as cached, sum(cache_write_5m_tokens)::text as write_5m,
       sum(cache_write_1h_tokens)::text as write_1h, sum(output_tokens)::text as output, sum(reasoning_tokens)::text as reasoning`,
    ),
  );
  const dailyFromRollup = await db.query(
    perProjectDay(
      'ledger_daily',
      'day::text',
      `sum(requests)::text as requests, sum(cache_hits)::text as hits,
       sum(cost_nano)::text as cost, sum(list_cost_nano)::text as list_cost, sum(saved_nano)::text as saved,
       sum(input_tokens)::text as input, sum(cached_input_tokens)::text as cached, sum(cache_write_tokens - cache_write_1h_tokens)::text as write_5m,
       sum(cache_write_1h_tokens)::text as write_1h, sum(output_tokens)::text as output, sum(reasoning_tokens)::text as reasoning`,
    ),
  );
  expect(dailyFromRollup, 'ledger_daily per day, department and project').toEqual(dailyFromLedger);
  for (const [table, column] of [['ledger_daily_keys', 'api_key_id'], ['ledger_daily_users', 'user_id']] as const) {
    const fromLedger = await db.query(
      `select organisation_id, ${column} as id, sum(cost_nano)::text as c, (count(*) filter (where status <> 'refused'))::text as n, coalesce(sum(${TOKENS}), 0)::text as t
         from ledger_events where ${column} is not null group by 1, 2 order by 1, 2`,
    );
    const fromRollup = await db.query(
      `select organisation_id, ${column} as id, sum(cost_nano)::text as c, sum(requests)::text as n, sum(tokens)::text as t from ${table} group by 1, 2 order by 1, 2`,
    );
    expect(fromRollup, table).toEqual(fromLedger);
  }
}
