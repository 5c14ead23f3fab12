/**
 * Every number the landing pages show, recomputed here independently from the
 * raw ledger rows (in JavaScript, with bigint) and compared with the read
 * models that serve the pages (which read the hourly rollups).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetUse } from '@/db/queries/budgets';
import { listLedger } from '@/db/queries/ledger';
import { busiestSessions, currentHourCalls, topKeysToday } from '@/db/queries/live';
import type { ReadScope } from '@/db/queries/scope';
import { dailySpend, hourlySpend, monthToDateBreakdown, spendSummary } from '@/db/queries/spend';
import { seedDatabase } from '@/db/seed';
import { DEPARTMENT_IDS, ORG_ID } from '@/db/seed/fixtures';
import { insertLedgerRows, type LedgerRowInput } from '@/lib/server/ledger-writer';
import { createTestDb, type TestDb } from '../support/db';

const NOW = new Date('2026-11-18T14:37:00Z');
const HOUR = 3_600_000;
/** What a cache hit is written as: the gateway's match kinds, and `hit` from before. */
const CACHE_HITS = new Set<string | null>(['exact', 'semantic', 'hit']);
const DAY = 24 * HOUR;

interface RawRow {
  id: string;
  at: number;
  department_id: string | null;
  project_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  session_id: string | null;
  model_name: string;
  tier: string;
  task_type: string | null;
  status: string;
  price_status: string;
  cache_hit: string | null;
  error_type: string | null;
  cost: bigint;
  saved: bigint;
  tokens: bigint;
}

let db: TestDb;
let rows: RawRow[];

beforeAll(async () => {
  db = await createTestDb();
  await seedDatabase(db, { events: 6_000, days: 90, now: NOW, seed: 7 });
  const raw = await db.query<Record<string, string | null>>(
    `select id, extract(epoch from occurred_at)::float8 * 1000 as at, department_id, project_id, user_id, api_key_id, session_id,
            model_name, tier, task_type, status, price_status, cache_hit, error_type, cost_nano::text as cost, saved_nano::text as saved,
            (input_tokens + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens + reasoning_tokens)::text as tokens
       from ledger_events where organisation_id = $1`,
    [ORG_ID],
  );
  rows = raw.map((r) => ({
    ...(r as unknown as RawRow),
    at: Number(r.at),
    cost: BigInt(r.cost!),
    saved: BigInt(r.saved!),
    tokens: BigInt(r.tokens!),
  }));
});

afterAll(async () => {
  await db?.dispose();
});

const sum = (list: RawRow[], f: (r: RawRow) => bigint = (r) => r.cost) => list.reduce((t, r) => t + f(r), 0n);
const between = (from: number, to: number, list = rows) => list.filter((r) => r.at >= from && r.at < to);
const hourStart = (t: number) => Math.floor(t / HOUR) * HOUR;
const monthStart = Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), 1);
const dayStart = Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), NOW.getUTCDate());
const end = hourStart(NOW.getTime()) + HOUR;
const roundDiv = (n: bigint, d: bigint) => (n + d / 2n) / d;

function scope(departmentId: string | null): ReadScope {
  return { db, organisationId: ORG_ID, departmentId, now: NOW };
}

describe.each([null, DEPARTMENT_IDS.claims, DEPARTMENT_IDS.kyc])('landing numbers, department %s', (departmentId) => {
  const mine = () => (departmentId ? rows.filter((r) => r.department_id === departmentId) : rows);

  it('the seed wrote a ledger to check against', () => {
    expect(mine().length).toBeGreaterThan(100);
    expect(rows.every((r) => r.at <= NOW.getTime())).toBe(true);
  });

  it('summary KPIs equal the raw ledger', async () => {
    const s = await spendSummary(scope(departmentId));
    const list = mine();
    const mtd = sum(between(monthStart, end, list));
    expect(s.monthToDateNano).toBe(mtd.toString());
    expect(s.todayNano).toBe(sum(between(dayStart, end, list)).toString());
    expect(s.thisHourNano).toBe(sum(between(hourStart(NOW.getTime()), end, list)).toString());
    expect(s.cacheSavedMonthToDateNano).toBe(sum(between(monthStart, end, list), (r) => r.saved).toString());
    expect(s.requestsMonthToDate).toBe(between(monthStart, end, list).length);
    expect(s.unpricedMonthToDate).toBe(between(monthStart, end, list).filter((r) => r.price_status === 'unpriced').length);

    // Burn: the 7 whole days before the current hour, per day.
    const burnWindow = sum(between(hourStart(NOW.getTime()) - 7 * DAY, hourStart(NOW.getTime()), list));
    const burn = roundDiv(burnWindow, 7n);
    expect(s.burnPerDayNano).toBe(burn.toString());

    // Last month to the same point of the month: 18 October, 14:37.
    const lastMonthStart = Date.UTC(2026, 9, 1);
    expect(s.lastMonthToDateNano).toBe(sum(between(lastMonthStart, Date.UTC(2026, 9, 18, 14, 37), list)).toString());

    // Run rate: month to date plus the burn for the rest of November.
    const remaining = BigInt(Date.UTC(2026, 11, 1) - NOW.getTime());
    expect(s.projectedMonthNano).toBe((mtd + roundDiv(burn * remaining, BigInt(DAY))).toString());
  });

  it('daily spend by tier equals the raw ledger, with gaps for empty days', async () => {
    const points = await dailySpend(scope(departmentId), 90);
    const from = dayStart - 89 * DAY;
    const expected = new Map<string, { small: bigint; frontier: bigint; total: bigint; n: number }>();
    for (const r of between(from, end, mine())) {
      const day = new Date(r.at).toISOString().slice(0, 10);
      const e = expected.get(day) ?? { small: 0n, frontier: 0n, total: 0n, n: 0 };
      if (r.tier === 'small') e.small += r.cost;
      if (r.tier === 'frontier') e.frontier += r.cost;
      e.total += r.cost;
      e.n += 1;
      expected.set(day, e);
    }
    expect(points.map((p) => p.date)).toEqual([...expected.keys()].sort());
    for (const p of points) {
      const e = expected.get(p.date)!;
      expect([p.smallNano, p.frontierNano, p.totalNano, p.requests]).toEqual([
        e.small.toString(),
        e.frontier.toString(),
        e.total.toString(),
        e.n,
      ]);
    }
  });

  it('hourly spend equals the raw ledger', async () => {
    const points = await hourlySpend(scope(departmentId), 48);
    const from = hourStart(NOW.getTime()) - 47 * HOUR;
    for (const p of points) {
      const t = Date.parse(p.hour);
      const list = between(t, t + HOUR, mine());
      expect(p.costNano).toBe(sum(list).toString());
      expect(p.requests).toBe(list.length);
      expect(p.errors).toBe(list.filter((r) => r.status === 'error').length);
    }
    expect(points.reduce((n, p) => n + p.requests, 0)).toBe(between(from, end, mine()).length);
  });

  it.each(['department', 'project', 'model', 'task'] as const)('month-to-date breakdown by %s equals the raw ledger', async (by) => {
    const got = await monthToDateBreakdown(scope(departmentId), by, 100);
    const keyOf = (r: RawRow) =>
      ({ department: r.department_id, project: r.project_id, model: r.model_name, task: r.task_type })[by] ?? '';
    const expected = new Map<string, bigint>();
    for (const r of between(monthStart, end, mine())) expected.set(keyOf(r), (expected.get(keyOf(r)) ?? 0n) + r.cost);
    expect(new Map(got.map((g) => [g.key, BigInt(g.costNano)]))).toEqual(expected);
    const costs = got.map((g) => BigInt(g.costNano));
    expect(costs).toEqual([...costs].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
  });

  it('budget use equals the raw ledger for every budget in scope', async () => {
    const budgets = await budgetUse(scope(departmentId));
    expect(budgets.length).toBeGreaterThan(0);
    for (const b of budgets) {
      if (departmentId) expect(b.scopeType).not.toBe('organisation');
      const from = b.window === 'month' ? monthStart : b.window === 'day' ? dayStart : 0;
      const inScope = rows.filter((r) => {
        if (r.at < from) return false;
        if (b.scopeType === 'organisation') return true;
        if (b.scopeType === 'department') return r.department_id === b.scopeId;
        if (b.scopeType === 'project') return r.project_id === b.scopeId;
        if (b.scopeType === 'api_key') return r.api_key_id === b.scopeId;
        if (b.scopeType === 'user') return r.user_id === b.scopeId;
        return r.session_id === b.scopeId;
      });
      const measure = (list: RawRow[]) =>
        b.metric === 'cost' ? sum(list) : b.metric === 'tokens' ? sum(list, (r) => r.tokens) : BigInt(list.filter((r) => r.status !== 'refused').length);
      let used = measure(inScope);
      if (b.window === 'session') {
        // Each session is its own window: the largest session among those active in the last day.
        const active = new Set(inScope.filter((r) => r.session_id && r.at >= NOW.getTime() - DAY).map((r) => r.session_id));
        used = [...active].map((id) => measure(inScope.filter((r) => r.session_id === id))).reduce((m, v) => (v > m ? v : m), 0n);
        expect(active.size, 'the seed has sessions to check').toBeGreaterThan(0);
      }
      expect(b.used, b.id).toBe(used.toString());
      expect(b.useBps).toBe(Number(roundDiv(used * 10_000n, BigInt(b.limit))));
    }
  });

  it('the current hour\'s calls, upstream errors and cache hits equal the raw ledger', async () => {
    const hour = await currentHourCalls(scope(departmentId));
    const list = between(hourStart(NOW.getTime()), end, mine());
    if (!departmentId) expect(list.length, 'the seed has calls this hour').toBeGreaterThan(0);
    const ran = list.filter((r) => r.status !== 'refused');
    expect(hour).toEqual({
      hour: new Date(hourStart(NOW.getTime())).toISOString(),
      calls: ran.length,
      upstreamAttempts: ran.filter((r) => !CACHE_HITS.has(r.cache_hit)).length,
      upstreamErrors: list.filter((r) => r.status === 'error' && r.error_type !== 'client_disconnected').length,
      cacheHits: list.filter((r) => CACHE_HITS.has(r.cache_hit)).length,
      refused: list.length - ran.length,
    });
  });

  it('top keys today and busiest sessions equal the raw ledger', async () => {
    const keys = await topKeysToday(scope(departmentId), 50);
    for (const k of keys) {
      const list = between(dayStart, end, mine()).filter((r) => r.api_key_id === k.apiKeyId);
      expect(k.costNano).toBe(sum(list).toString());
      expect(k.requests).toBe(list.length);
    }
    const sessions = await busiestSessions(scope(departmentId), 50);
    for (const s of sessions) {
      const list = between(NOW.getTime() - HOUR, Infinity, mine()).filter((r) => r.session_id === s.sessionId);
      expect(s.requests).toBe(list.filter((r) => r.status !== 'refused').length);
      expect(s.refused).toBe(list.filter((r) => r.status === 'refused').length);
      expect(s.costNano).toBe(sum(list).toString());
    }
  });

  it('recent calls are the newest rows in scope', async () => {
    const { rows: recent } = await listLedger(scope(departmentId), { limit: 15 });
    const newest = [...mine()].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)).slice(0, 15);
    expect(recent.map((r) => r.id)).toEqual(newest.map((r) => r.id));
  });
});

describe('rollups', () => {
  it('equal the raw ledger to the nano-dollar, in total and per department', async () => {
    const [roll] = await db.query<{ cost: string; n: string }>('select sum(cost_nano)::text as cost, sum(requests)::text as n from ledger_hourly');
    expect(roll!.cost).toBe(sum(rows).toString());
    expect(Number(roll!.n)).toBe(rows.length);
    for (const table of ['ledger_hourly', 'ledger_daily', 'ledger_daily_models']) {
      const perDep = await db.query<{ d: string; cost: string; n: string }>(
        `select department_id as d, sum(cost_nano)::text as cost, sum(requests)::text as n from ${table} group by 1`,
      );
      expect(perDep.length).toBeGreaterThan(0);
      for (const { d, cost, n } of perDep) {
        const mine = rows.filter((r) => r.department_id === d);
        expect([cost, Number(n)], `${table} ${d}`).toEqual([sum(mine).toString(), mine.length]);
      }
    }
  });

  it('per department, model and day, the per-model rollup equals the raw ledger and the full daily rollup', async () => {
    const key = (r: { d: string | null; m: string; t: string; day: string }) => `${r.d}|${r.m}|${r.t}|${r.day}`;
    const expected = new Map<string, bigint>();
    for (const r of rows) {
      const k = key({ d: r.department_id, m: r.model_name, t: r.tier, day: new Date(r.at).toISOString().slice(0, 10) });
      expected.set(k, (expected.get(k) ?? 0n) + r.cost);
    }
    const grouped = (table: string) =>
      db.query<{ d: string | null; m: string; t: string; day: string; cost: string }>(
        `select department_id as d, model_name as m, tier as t, to_char(day, 'YYYY-MM-DD') as day, sum(cost_nano)::text as cost
           from ${table} group by 1, 2, 3, 4`,
      );
    for (const table of ['ledger_daily_models', 'ledger_daily']) {
      const actual = new Map((await grouped(table)).map((r) => [key(r), BigInt(r.cost)]));
      expect(actual, table).toEqual(expected);
    }
  });
});

describe('month-over-month at the edges of a month', () => {
  const ORG = 'org_month_edges';
  const USD = 1_000_000_000n;
  let seq = 0;
  const spend = (at: string, costNano: bigint): LedgerRowInput => {
    const id = `edge_${++seq}`;
    return {
      id,
      idempotencyKey: id,
      organisationId: ORG,
      occurredAt: new Date(at),
      source: 'ingest',
      provider: 'openai',
      modelName: 'gpt-4.1-mini',
      modelId: 'openai/gpt-4.1-mini',
      tier: 'small',
      inputTokens: 100,
      outputTokens: 10,
      costNano,
      listCostNano: costNano,
      priceStatus: 'priced',
    };
  };
  const at = (now: string) => spendSummary({ db, organisationId: ORG, departmentId: null, now: new Date(now) });

  beforeAll(async () => {
    await db.query(`insert into organisations (id, name, slug) values ($1, 'Month edges', 'month-edges')`, [ORG]);
    // $1 a minute through the first hour of September and the first five minutes of October; $100 mid-September.
    const minute = (day: string, m: number) => spend(`${day}T00:${String(m).padStart(2, '0')}:00Z`, USD);
    const rows = [...Array.from({ length: 60 }, (_, m) => minute('2026-09-01', m)), ...Array.from({ length: 5 }, (_, m) => minute('2026-10-01', m))];
    rows.push(spend('2026-09-10T12:00:00Z', 100n * USD));
    await insertLedgerRows(db, rows);
  });

  it('on the 31st, compares with all of last month and nothing of this one', async () => {
    // 31 October 10:37: "last month to date" is the whole of September (30 days), not September plus 1 October's first hour.
    const s = await at('2026-10-31T10:37:00Z');
    expect(BigInt(s.lastMonthToDateNano)).toBe(160n * USD);
    expect(BigInt(s.monthToDateNano)).toBe(5n * USD);
  });

  it('early on the 1st, compares equal spans: five minutes with five minutes, not with a whole hour', async () => {
    // 1 October 00:05: this month has five $1 minutes; last month to 1 September 00:05 has five too.
    const s = await at('2026-10-01T00:05:00Z');
    expect(BigInt(s.monthToDateNano)).toBe(5n * USD);
    expect(BigInt(s.lastMonthToDateNano)).toBe(5n * USD);
    expect(s.changeBps).toBe(0);
  });
});

describe('budget use of per-session budgets and request quotas', () => {
  const ORG = 'org_budget_edges';
  const USD = 1_000_000_000n;
  let seq = 0;
  const call = (minutesAgo: number, over: Partial<LedgerRowInput>): LedgerRowInput => {
    const id = `budget_edge_${++seq}`;
    return {
      id,
      idempotencyKey: id,
      organisationId: ORG,
      occurredAt: new Date(NOW.getTime() - minutesAgo * 60_000),
      source: 'gateway',
      provider: 'openai',
      modelName: 'gpt-4.1-mini',
      modelId: 'openai/gpt-4.1-mini',
      tier: 'small',
      apiKeyId: 'key_budget_edges',
      inputTokens: 100,
      outputTokens: 10,
      costNano: USD,
      listCostNano: USD,
      priceStatus: 'priced',
      ...over,
    };
  };

  beforeAll(async () => {
    await db.query(`insert into organisations (id, name, slug) values ($1, 'Budget edges', 'budget-edges')`, [ORG]);
    await db.query(
      `insert into budgets (id, organisation_id, name, scope_type, scope_id, "window", metric, limit_value, enforcement, alert_thresholds) values
         ('bud_edges_session', $1, 'Per run', 'organisation', null, 'session', 'cost', $2, 'hard', '[]'::jsonb),
         ('bud_edges_requests', $1, 'Key calls', 'api_key', 'key_budget_edges', 'day', 'requests', 10, 'hard', '[]'::jsonb),
         ('bud_edges_org_requests', $1, 'Org calls', 'organisation', null, 'day', 'requests', 100, 'hard', '[]'::jsonb),
         ('bud_edges_user_month', $1, 'Ada this month', 'user', 'usr_edges_ada', 'month', 'tokens', 1000000, 'soft', '[]'::jsonb)`,
      [ORG, (5n * USD).toString()],
    );
    await insertLedgerRows(db, [
      // Session A, active this hour: $3 over two calls.
      call(120, { sessionId: 'run-a' }),
      call(60, { sessionId: 'run-a', costNano: 2n * USD, listCostNano: 2n * USD }),
      // Session B spent $9, three days ago: no longer running.
      call(3 * 24 * 60, { sessionId: 'run-b', costNano: 9n * USD, listCostNano: 9n * USD }),
      // Session C, active: $1, then four calls refused at its budget ($0 each, not requests).
      call(30, { sessionId: 'run-c' }),
      ...Array.from({ length: 4 }, (_, i) => call(20 - i, { sessionId: 'run-c', status: 'refused', costNano: 0n, listCostNano: 0n, inputTokens: 0, outputTokens: 0 })),
    ]);
  });

  it('counts the hour\'s upstream errors over upstream attempts: refusals, cache hits and clients that hung up are not upstream failures', async () => {
    await insertLedgerRows(db, [
      // Another key's calls, so the key's quota below is not touched.
      call(5, { apiKeyId: 'key_other', status: 'error', httpStatus: 503, errorType: 'upstream_error', costNano: 0n, listCostNano: 0n }),
      call(4, { apiKeyId: 'key_other', status: 'error', httpStatus: 499, errorType: 'client_disconnected' }),
      call(3, { apiKeyId: 'key_other', cacheHit: 'semantic', costNano: 0n, savedNano: USD }),
      call(2, { apiKeyId: 'key_other', cacheHit: 'miss' }),
    ]);
    const scopeNow = { db, organisationId: ORG, departmentId: null, now: NOW };
    // This hour (14:00-14:37): C's first call, its four refusals, and the four above (a cache miss went upstream).
    expect(await currentHourCalls(scopeNow)).toMatchObject({ calls: 5, upstreamAttempts: 4, upstreamErrors: 1, cacheHits: 1, refused: 4 });
    const [session] = await busiestSessions(scopeNow, 1);
    expect(session).toMatchObject({ sessionId: 'run-c', requests: 1, refused: 4 });
  });

  it('shows a per-session budget as its largest session among those active in the last day, and a quota without refused calls', async () => {
    const budgets = await budgetUse({ db, organisationId: ORG, departmentId: null, now: NOW });
    const byId = new Map(budgets.map((b) => [b.id, b]));
    expect(byId.get('bud_edges_session')).toMatchObject({ used: (3n * USD).toString(), useBps: 6_000 });
    // Today the key's calls that ran are A's two and C's first; C's four refused calls are not requests.
    expect(byId.get('bud_edges_requests')).toMatchObject({ used: '3', useBps: 3_000 });
    // The organisation's daily quota reads the rollups, which count refusals apart.
    const [today] = await db.query<{ n: string }>(
      "select count(*) filter (where status <> 'refused')::text as n from ledger_events where organisation_id = $1 and occurred_at >= $2::timestamptz",
      [ORG, new Date(dayStart).toISOString()],
    );
    expect(byId.get('bud_edges_org_requests')?.used).toBe(today!.n);
  });

  it("shows a person's month from the per-person rollups as the ledger has it: every call of theirs this month, refused ones at 0 tokens", async () => {
    await insertLedgerRows(db, [
      call(10, { userId: 'usr_edges_ada', inputTokens: 700, outputTokens: 70 }),
      call(2 * 24 * 60, { userId: 'usr_edges_ada', inputTokens: 1_000, reasoningTokens: 25 }),
      // Last month, and someone else: not hers this month.
      call(40 * 24 * 60, { userId: 'usr_edges_ada', inputTokens: 5_000 }),
      call(15, { userId: 'usr_edges_bo', inputTokens: 9_000 }),
    ]);
    const monthStart = `${NOW.toISOString().slice(0, 7)}-01T00:00:00.000Z`;
    const [raw] = await db.query<{ t: string }>(
      `select sum(input_tokens::bigint + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens + reasoning_tokens)::text as t
         from ledger_events where organisation_id = $1 and user_id = 'usr_edges_ada' and occurred_at >= $2::timestamptz`,
      [ORG, monthStart],
    );
    const budgets = await budgetUse({ db, organisationId: ORG, departmentId: null, now: NOW });
    expect(budgets.find((b) => b.id === 'bud_edges_user_month')).toMatchObject({ used: raw!.t });
    expect(Number(raw!.t)).toBeGreaterThan(0);
  });
});
