/**
 * What a budget window has already used, read from the ledger: the opening
 * `committed` of a counter row created on first use, so spend from before the
 * row existed (earlier calls, usage ingest) counts.
 *
 * Budgets over whole UTC days read the daily rollups (`dailyRollupOf`; all
 * equal the raw ledger by construction); minute windows and sessions read the
 * ledger itself. Refused calls are not requests (nor are they in the
 * rollups' `requests`).
 */
import type { BudgetMetric, BudgetScope } from '@/lib/engine/enums';
import type { BudgetRule, WindowSlot } from '@/lib/engine/governance/types';
import { windowRange } from './slots';

/** Each budget metric over ledger rows (a refused call is not a request); the dashboard's budget use reads the same. */
export const RAW_MEASURE = {
  cost: 'sum(cost_nano)',
  tokens: 'sum(input_tokens::bigint + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens + reasoning_tokens)',
  requests: "count(*) filter (where status <> 'refused')",
} as const;

/** Each budget metric over the daily rollups (`ledger_daily`, `ledger_daily_models`). */
const DAILY_MEASURE = {
  cost: 'sum(cost_nano)',
  tokens: 'sum(input_tokens + cached_input_tokens + cache_write_tokens + output_tokens + reasoning_tokens)',
  requests: 'sum(requests)',
} as const;

/** Each budget metric over the daily per-key and per-person rollups (`ledger_daily_keys`, `ledger_daily_users`). */
const DAILY_KEY_MEASURE = { cost: 'sum(cost_nano)', tokens: 'sum(tokens)', requests: 'sum(requests)' } as const;

/**
 * Where a budget of this scope reads a window of whole UTC days: the
 * smallest daily rollup that keeps the scope's column, and each metric over
 * it. Null for a session's scope, which only the ledger keeps. Enforcement's
 * counter openings and the dashboard's budget use both read here.
 */
export function dailyRollupOf(scopeType: BudgetScope): { table: string; measure: Record<BudgetMetric, string> } | null {
  switch (scopeType) {
    case 'organisation':
    case 'department':
      return { table: 'ledger_daily_models', measure: DAILY_MEASURE };
    case 'project':
      return { table: 'ledger_daily', measure: DAILY_MEASURE };
    case 'api_key':
      return { table: 'ledger_daily_keys', measure: DAILY_KEY_MEASURE };
    case 'user':
      return { table: 'ledger_daily_users', measure: DAILY_KEY_MEASURE };
    case 'session':
      return null;
  }
}

/** The ledger column a budget scope filters on (none for the organisation). */
export const SCOPE_COLUMN = {
  organisation: null,
  department: 'department_id',
  project: 'project_id',
  user: 'user_id',
  api_key: 'api_key_id',
  session: 'session_id',
} as const;

const DAY_MS = 86_400_000;

/**
 * A scalar subquery (in parentheses) giving the window's use so far, its
 * parameters numbered from `$<first>`.
 */
export function windowUsageSql(organisationId: string, rule: BudgetRule, slot: WindowSlot, first: number): { text: string; params: unknown[] } {
  const range = windowRange(slot);
  const params: unknown[] = [organisationId];
  const p = (value: unknown) => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  const org = `$${first}`;
  const column = SCOPE_COLUMN[rule.scopeType];
  const scope = column ? ` and ${column} = ${p(rule.scopeId)}::text` : '';
  const dayAligned = !range.sessionId && isDayAligned(range.from) && isDayAligned(range.to);

  const rollup = dayAligned ? dailyRollupOf(rule.scopeType) : null;
  if (rollup) {
    const days = dayFilter(range, p);
    return { text: `(select ${rollup.measure[rule.metric]} from ${rollup.table} where organisation_id = ${org}${scope}${days})`, params };
  }
  let filter = scope;
  if (range.sessionId) filter += ` and session_id = ${p(range.sessionId)}::text`;
  if (range.from) filter += ` and occurred_at >= ${p(range.from.toISOString())}::timestamptz`;
  if (range.to) filter += ` and occurred_at < ${p(range.to.toISOString())}::timestamptz`;
  return { text: `(select ${RAW_MEASURE[rule.metric]} from ledger_events where organisation_id = ${org}${filter})`, params };
}

function isDayAligned(at: Date | null): boolean {
  return at === null || at.getTime() % DAY_MS === 0;
}

function dayFilter(range: { from: Date | null; to: Date | null }, p: (value: unknown) => string): string {
  let filter = '';
  if (range.from) filter += ` and day >= ${p(range.from.toISOString().slice(0, 10))}::date`;
  if (range.to) filter += ` and day < ${p(range.to.toISOString().slice(0, 10))}::date`;
  return filter;
}
