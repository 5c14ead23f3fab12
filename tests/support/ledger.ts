/** Checks shared by the ledger's integration tests. */
import { expect } from 'vitest';
import type { DbHandle } from '@/db/client';

const TOKENS = 'input_tokens::bigint + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens + reasoning_tokens';

/**
 * Every hourly and daily rollup holds the raw ledger's requests (calls that
 * ran, not refused ones) and cost, to the nano-dollar; the per-key and
 * per-person rollups those of the rows with a key or a person, per key or
 * person, tokens included.
 */
export async function expectRollupsEqualLedger(db: Pick<DbHandle, 'query'>): Promise<void> {
  const [raw] = await db.query<{ c: string; n: string }>("select sum(cost_nano)::text as c, count(*) filter (where status <> 'refused')::text as n from ledger_events");
  for (const table of ['ledger_hourly', 'ledger_daily', 'ledger_daily_models']) {
    const [rollup] = await db.query<{ c: string; n: string }>(`select sum(cost_nano)::text as c, sum(requests)::text as n from ${table}`);
    expect(rollup, table).toEqual(raw);
  }
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
