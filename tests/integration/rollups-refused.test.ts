/**
 * A refused call is not a request: the rollups' `requests` leave refusals
 * out, so every "calls" figure and every request quota read from them agrees
 * with budget enforcement (migration 0016 took out the refusals 0014 had
 * kept in a column of their own). Cache hits count whatever kind of match
 * the gateway wrote (migration 0015 recounted the ones the rollups missed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '@/db/migrate';
import { insertLedgerRows, type LedgerRowInput } from '@/lib/server/ledger-writer';
import { expectRollupsEqualLedger } from '../support/ledger';
import { createTestDb, type TestDb } from '../support/db';

const ORG = 'org_rollups_refused';
let db: TestDb;

const row = (i: number, over: Partial<LedgerRowInput>): LedgerRowInput => ({
  id: `refused_${i}`,
  idempotencyKey: `refused_${i}`,
  organisationId: ORG,
  occurredAt: new Date(Date.UTC(2026, 10, 1 + (i % 3), i % 24, 7)),
  source: 'gateway',
  provider: 'openai',
  modelName: i % 2 ? 'gpt-4.1-mini' : 'gpt-5',
  tier: i % 2 ? 'small' : 'frontier',
  departmentId: i % 4 ? 'dep_a' : null,
  apiKeyId: i % 5 ? `key_${i % 3}` : null,
  userId: i % 7 ? `usr_${i % 2}` : null,
  priceStatus: 'priced',
  inputTokens: 100,
  outputTokens: 10,
  costNano: 1_000n,
  ...over,
});

const REFUSED = { status: 'refused', errorType: 'budget_exceeded', costNano: 0n, inputTokens: 0, outputTokens: 0 } as const;
const TABLES = ['ledger_hourly', 'ledger_daily', 'ledger_daily_models', 'ledger_daily_keys', 'ledger_daily_users'] as const;

beforeAll(async () => {
  db = await createTestDb();
  await db.query(`insert into organisations (id, name, slug) values ($1, 'Refusals', 'refusals')`, [ORG]);
  await insertLedgerRows(db, Array.from({ length: 60 }, (_, i) => row(i, i % 3 === 0 ? REFUSED : {})));
});

afterAll(async () => {
  await db?.dispose();
});

/** Each rollup's requests, summed over the organisation. */
async function requestsPerRollup(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const [r] = await db.query<{ n: string }>(`select coalesce(sum(requests), 0)::text as n from ${table} where organisation_id = $1`, [ORG]);
    out[table] = Number(r!.n);
  }
  return out;
}

describe('refused calls in the rollups', () => {
  it('are not requests in any rollup', async () => {
    const [raw] = await db.query<{ refused: string; ran: string; keyed: string; personal: string }>(
      `select count(*) filter (where status = 'refused')::text as refused,
              count(*) filter (where status <> 'refused')::text as ran,
              count(*) filter (where status <> 'refused' and api_key_id is not null)::text as keyed,
              count(*) filter (where status <> 'refused' and user_id is not null)::text as personal
         from ledger_events where organisation_id = $1`,
      [ORG],
    );
    expect(Number(raw!.refused)).toBe(20);
    expect(await requestsPerRollup()).toEqual({
      ledger_hourly: Number(raw!.ran),
      ledger_daily: Number(raw!.ran),
      ledger_daily_models: Number(raw!.ran),
      ledger_daily_keys: Number(raw!.keyed),
      ledger_daily_users: Number(raw!.personal),
    });
    await expectRollupsEqualLedger(db);
  });

  it('migration 0016 takes the refusals 0014 counted apart out of requests, group by group', async () => {
    const query = `select hour::text, department_id, requests::text from ledger_hourly where organisation_id = $1 order by 1, 2`;
    const before = await db.query(query, [ORG]);
    const expected = await requestsPerRollup();
    // The rollups as 0014 left them: refusals in requests, and counted apart in their own column.
    const migration = (prefix: string) => {
      const file = fs.readdirSync(MIGRATIONS_FOLDER).find((f) => f.startsWith(prefix))!;
      return fs.readFileSync(path.join(MIGRATIONS_FOLDER, file), 'utf8').split('--> statement-breakpoint');
    };
    for (const statement of migration('0014_')) await db.query(statement);
    // The tables 0014 knew (the per-person rollup came with 0018).
    for (const table of TABLES.filter((t) => t !== 'ledger_daily_users')) await db.query(`update ${table} set requests = requests + refused`);
    expect((await requestsPerRollup()).ledger_hourly).toBe(expected.ledger_hourly! + 20);
    for (const statement of migration('0016_')) await db.query(statement);
    expect(await requestsPerRollup()).toEqual(expected);
    expect(await db.query(query, [ORG])).toEqual(before);
    await expectRollupsEqualLedger(db);
  });

  it('count cache hits of every kind the gateway writes, and migration 0015 recounts the ones missed', async () => {
    // Four calls in one group of every rollup: the same hour, department, model and key.
    const same = { occurredAt: new Date(Date.UTC(2026, 10, 9, 9, 30)), departmentId: 'dep_c', modelName: 'gpt-4.1-mini', tier: 'small', apiKeyId: null, costNano: 0n } as const;
    await insertLedgerRows(db, [
      row(100, { ...same, cacheHit: 'exact' }),
      row(101, { ...same, cacheHit: 'semantic' }),
      row(102, { ...same, cacheHit: 'hit' }),
      row(103, { ...same, cacheHit: 'miss' }),
    ]);
    const hits = async () => {
      const [r] = await db.query<{ h: string; d: string; m: string }>(
        `select (select sum(cache_hits) from ledger_hourly where organisation_id = $1 and department_id = 'dep_c')::text as h,
                (select sum(cache_hits) from ledger_daily where organisation_id = $1 and department_id = 'dep_c')::text as d,
                (select sum(cache_hits) from ledger_daily_models where organisation_id = $1 and department_id = 'dep_c')::text as m`,
        [ORG],
      );
      return r;
    };
    expect(await hits()).toEqual({ h: '3', d: '3', m: '3' });
    // As the rollups stood before: only 'hit' counted.
    for (const table of ['ledger_hourly', 'ledger_daily', 'ledger_daily_models']) {
      await db.query(`update ${table} set cache_hits = 1 where organisation_id = $1 and department_id = 'dep_c'`, [ORG]);
    }
    expect(await hits()).toEqual({ h: '1', d: '1', m: '1' });
    const file = fs.readdirSync(MIGRATIONS_FOLDER).find((f) => f.startsWith('0015_'))!;
    for (const statement of fs.readFileSync(path.join(MIGRATIONS_FOLDER, file), 'utf8').split('--> statement-breakpoint')) await db.query(statement);
    expect(await hits()).toEqual({ h: '3', d: '3', m: '3' });
  });
});

describe('migration 0018', () => {
  it('backfills the per-person rollup from the ledger, group by group, as the writers keep it', async () => {
    const query = `select day::text, user_id, requests::text, tokens::text, cost_nano::text from ledger_daily_users where organisation_id = $1 order by 1, 2`;
    const kept = await db.query(query, [ORG]);
    expect(kept.length).toBeGreaterThan(1);
    // As a database stood before 0018: no per-person rollup.
    await db.query('drop table ledger_daily_users');
    const file = fs.readdirSync(MIGRATIONS_FOLDER).find((f) => f.startsWith('0018_'))!;
    for (const statement of fs.readFileSync(path.join(MIGRATIONS_FOLDER, file), 'utf8').split('--> statement-breakpoint')) await db.query(statement);
    expect(await db.query(query, [ORG])).toEqual(kept);
    await expectRollupsEqualLedger(db);
  });
});

describe('migration 0019', () => {
  it('backfills the daily 1-hour cache writes from the ledger, group by group, as the writers keep them', async () => {
    // Cache writes of both kinds in groups with and without a department, project and task.
    await insertLedgerRows(db, [
      row(200, { cacheWrite1hTokens: 700, cacheWrite5mTokens: 30 }),
      row(201, { cacheWrite1hTokens: 1_200, departmentId: null, projectId: 'prj_x', taskType: 'summarize' }),
      row(202, { cacheWrite1hTokens: 5, projectId: 'prj_x', taskType: 'summarize' }),
      row(203, { cacheWrite5mTokens: 90 }),
    ]);
    const query = `select day::text, department_id, project_id, model_name, tier, task_type, cache_write_tokens::text, cache_write_1h_tokens::text
                     from ledger_daily where organisation_id = $1 order by 1, 2 nulls first, 3 nulls first, 4, 5, 6 nulls first`;
    const kept = await db.query<{ cache_write_1h_tokens: string }>(query, [ORG]);
    expect(kept.filter((r) => r.cache_write_1h_tokens !== '0').length).toBeGreaterThan(1);
    // As a database stood before 0019: no column for them.
    await db.query('alter table ledger_daily drop column cache_write_1h_tokens');
    const file = fs.readdirSync(MIGRATIONS_FOLDER).find((f) => f.startsWith('0019_'))!;
    for (const statement of fs.readFileSync(path.join(MIGRATIONS_FOLDER, file), 'utf8').split('--> statement-breakpoint')) await db.query(statement);
    expect(await db.query(query, [ORG])).toEqual(kept);
    await expectRollupsEqualLedger(db);
  });
});
