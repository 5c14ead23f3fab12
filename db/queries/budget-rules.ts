/**
 * A budget as stored, read the one way both the quota store (admission) and
 * the budget views read it: the columns to select (table alias `b`), their
 * row shape, and the engine's rule built from them.
 */
import type { BudgetMetric, BudgetScope, BudgetWindow, Enforcement } from '@/lib/engine/enums';
import type { BudgetRule } from '@/lib/engine/governance/types';

export interface BudgetRuleColumns {
  id: string;
  name: string;
  scope_type: BudgetScope;
  scope_id: string | null;
  window: BudgetWindow;
  metric: BudgetMetric;
  limit_value: string;
  enforcement: Enforcement;
  /** jsonb: an array on PostgreSQL, its text on some PGlite paths. */
  alert_thresholds: unknown;
}

export const BUDGET_RULE_COLUMNS = `b.id, b.name, b.scope_type, b.scope_id, b."window", b.metric, b.limit_value::text as limit_value, b.enforcement, b.alert_thresholds`;

/** The stored thresholds (fractions of the limit), finite numbers only, in ascending order. */
export function alertThresholdsOf(stored: unknown): number[] {
  const list: unknown = typeof stored === 'string' ? JSON.parse(stored) : stored;
  return Array.isArray(list) ? list.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)).sort((a, b) => a - b) : [];
}

export function toBudgetRule(r: BudgetRuleColumns): BudgetRule {
  return {
    id: r.id,
    name: r.name,
    scopeType: r.scope_type,
    scopeId: r.scope_id,
    window: r.window,
    metric: r.metric,
    limit: BigInt(r.limit_value),
    enforcement: r.enforcement,
    alertThresholds: alertThresholdsOf(r.alert_thresholds),
  };
}
