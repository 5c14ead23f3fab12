/** Checks shared by the ledger's integration tests. */
import { expect } from 'vitest';
import type { DbHandle } from '@/db/client';

/** Every hourly and daily rollup holds the raw ledger's requests (calls that ran, not refused ones) and cost, to the nano-dollar. */
export async function expectRollupsEqualLedger(db: Pick<DbHandle, 'query'>): Promise<void> {
  const [raw] = await db.query<{ c: string; n: string }>("select sum(cost_nano)::text as c, count(*) filter (where status <> 'refused')::text as n from ledger_events");
  for (const table of ['ledger_hourly', 'ledger_daily', 'ledger_daily_models']) {
    const [rollup] = await db.query<{ c: string; n: string }>(`select sum(cost_nano)::text as c, sum(requests)::text as n from ${table}`);
    expect(rollup, table).toEqual(raw);
  }
}
