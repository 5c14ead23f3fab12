/**
 * Budget use: each active budget with what its window has spent so far.
 * Managers see only the budgets of their own department and of its projects,
 * users and keys, never the organisation's (it would reveal the org total).
 */
import { useBasisPoints } from '@/lib/engine/burn';
import type { BudgetMetric, BudgetScope, BudgetWindow, Enforcement } from '@/lib/engine/enums';
import { windowResetsAt, windowStart } from '@/lib/engine/periods';
import { alertThresholdsOf, BUDGET_RULE_COLUMNS, type BudgetRuleColumns } from './budget-rules';
import type { ReadScope } from './scope';
import { dailyRollupOf, RAW_MEASURE, SCOPE_COLUMN } from '@/lib/server/governance/window-usage';

export interface BudgetUse {
  id: string;
  name: string;
  scopeType: BudgetScope;
  scopeId: string | null;
  scopeLabel: string;
  window: BudgetWindow;
  metric: BudgetMetric;
  enforcement: Enforcement;
  limit: string;
  /** Used in the current window; for a per-session budget, the largest session's use among those active in the last day. */
  used: string;
  /** Basis points of the limit used (10000 = 100%). */
  useBps: number | null;
  alertThresholds: number[];
  resetsAt: string | null;
}

interface BudgetRow extends BudgetRuleColumns {
  scope_label: string | null;
}

/** How far back a per-session budget looks for the sessions it shows: those active in the last day. */
const SESSION_LOOKBACK_MS = 86_400_000;

/**
 * Budgets over whole UTC days read the daily rollups, as enforcement does
 * (`dailyRollupOf`); per-minute quotas and session budgets read the ledger.
 * A per-session budget's use is its largest session's (each session is its
 * own window), among the sessions active in the last day.
 */
async function usedInWindow(scope: ReadScope, budget: BudgetRow): Promise<bigint> {
  const from = windowStart(budget.window, scope.now);
  const params: unknown[] = [scope.organisationId, from?.toISOString() ?? null];
  const fromDay = from ? from.toISOString().slice(0, 10) : null;
  const raw = RAW_MEASURE[budget.metric];
  const column = SCOPE_COLUMN[budget.scope_type];
  let sql: string;
  const rollup = budget.window !== 'minute' && budget.window !== 'session' ? dailyRollupOf(budget.scope_type) : null;
  if (budget.window === 'session') {
    params[1] = new Date(scope.now.getTime() - SESSION_LOOKBACK_MS).toISOString();
    if (column) params.push(budget.scope_id);
    const filter = `organisation_id = $1${column ? ` and ${column} = $3` : ''}`;
    // Each recent session's own total through the session index (a lateral lookup per session): a join over
    // the whole ledger was a full scan, 130 ms at a million rows.
    sql = `select max(used)::text as used
             from (select distinct session_id from ledger_events where ${filter} and session_id is not null and occurred_at >= $2::timestamptz) s
             cross join lateral (select (${raw}) as used from ledger_events where ${filter} and session_id = s.session_id) t`;
  } else if (rollup) {
    // As enforcement reads them. At 10M ledger rows a key's month was 163,000 rows to sum (327 ms) and a person's a
    // scan of the whole ledger (695 ms); their days are a few dozen rollup rows.
    if (column) params.push(budget.scope_id);
    params[1] = fromDay;
    sql = `select (${rollup.measure[budget.metric]})::text as used from ${rollup.table}
            where organisation_id = $1 and ($2::date is null or day >= $2::date)${column ? ` and ${column} = $3` : ''}`;
  } else {
    if (column) params.push(budget.scope_id);
    sql = `select (${raw})::text as used from ledger_events
            where organisation_id = $1 and ($2::timestamptz is null or occurred_at >= $2::timestamptz)${column ? ` and ${column} = $3` : ''}`;
  }
  const [row] = await scope.db.query<{ used: string | null }>(sql, params);
  return BigInt(row?.used ?? 0);
}

export async function budgetUse(scope: ReadScope): Promise<BudgetUse[]> {
  const rows = await scope.db.query<BudgetRow>(
    `select ${BUDGET_RULE_COLUMNS},
            coalesce(d.name, p.name, u.name, k.name, case when b.scope_type = 'organisation' then o.name end, b.scope_id) as scope_label
       from budgets b
       join organisations o on o.id = b.organisation_id
       left join departments d on b.scope_type = 'department' and d.id = b.scope_id
       left join projects p on b.scope_type = 'project' and p.id = b.scope_id
       left join users u on b.scope_type = 'user' and u.id = b.scope_id
       left join api_keys k on b.scope_type = 'api_key' and k.id = b.scope_id
      where b.organisation_id = $1 and b.archived_at is null
        and ($2::text is null or (b.scope_type = 'department' and b.scope_id = $2)
             or p.department_id = $2 or u.department_id = $2 or k.department_id = $2)
      order by case b.scope_type when 'organisation' then 0 when 'department' then 1 when 'project' then 2 else 3 end, b.name`,
    [scope.organisationId, scope.departmentId],
  );
  return Promise.all(
    rows.map(async (b) => {
      const used = await usedInWindow(scope, b);
      const limit = BigInt(b.limit_value);
      return {
        id: b.id,
        name: b.name,
        scopeType: b.scope_type,
        scopeId: b.scope_id,
        scopeLabel: b.scope_label ?? b.scope_type,
        window: b.window,
        metric: b.metric,
        enforcement: b.enforcement,
        limit: limit.toString(),
        used: used.toString(),
        useBps: useBasisPoints(used, limit),
        alertThresholds: alertThresholdsOf(b.alert_thresholds),
        resetsAt: windowResetsAt(b.window, scope.now)?.toISOString() ?? null,
      };
    }),
  );
}
