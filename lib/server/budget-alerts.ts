/**
 * Budget threshold alerts from admission and settlement: one alert per
 * budget, threshold and UTC day (the store also marks each threshold once per
 * window). Never blocks the caller.
 */
import type { DbHandle } from '@/db/client';
import type { ThresholdCrossing } from '@/lib/engine/governance';
import { raiseAlert } from '@/lib/server/alerts';

async function raise(db: DbHandle, organisationId: string | null, crossings: readonly ThresholdCrossing[]): Promise<void> {
  if (crossings.length === 0) return;
  let orgOf = new Map<string, string>();
  if (!organisationId) {
    const rows = await db.query<{ id: string; organisation_id: string }>('select id, organisation_id from budgets where id = any($1::text[])', [
      crossings.map((c) => c.budgetId),
    ]);
    orgOf = new Map(rows.map((r) => [r.id, r.organisation_id]));
  }
  for (const c of crossings) {
    const org = organisationId ?? orgOf.get(c.budgetId);
    if (!org) continue;
    const pct = Math.round(c.threshold * 100);
    await raiseAlert(db, {
      organisationId: org,
      kind: c.threshold >= 1 ? 'budget_exceeded' : 'budget_threshold',
      severity: c.threshold >= 0.95 ? 'critical' : 'warning',
      message: `${c.budgetName} reached ${pct}% of its limit.`,
      details: { budget_id: c.budgetId, threshold: c.threshold, used: c.used.toString(), limit: c.limit.toString() },
      dedupeKey: `budget:${c.budgetId}:${c.threshold}:${new Date().toISOString().slice(0, 10)}`,
    });
  }
}

export function raiseBudgetAlerts(db: DbHandle, organisationId: string | null, crossings: readonly ThresholdCrossing[]): void {
  raise(db, organisationId, crossings).catch((error: unknown) => console.error('[tollgate] raising a budget alert failed', error));
}

export function alertCrossingsLater(db: DbHandle, crossings: readonly ThresholdCrossing[]): void {
  raiseBudgetAlerts(db, null, crossings);
}
