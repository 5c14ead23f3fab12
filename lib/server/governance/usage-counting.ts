/**
 * Spend that did not pass admission (usage ingest, usage imports: the agent
 * called its provider directly) still counts against the budgets' live
 * counters. It is counted inside the transaction that writes its ledger rows
 * (a `LedgerCommitHook`), so the rows and their counting commit together or
 * not at all, and only rows that were new are counted: a duplicate, or a row
 * an earlier in-doubt attempt already wrote (and counted), is not counted
 * again. Each row counts in the window of its own time.
 */
import type { DbHandle } from '@/db/client';
import { settleAmounts, type BudgetRule, type CallAttribution, type ThresholdCrossing } from '@/lib/engine/governance';
import { raiseBudgetAlerts } from '@/lib/server/budget-alerts';
import type { LedgerCommitHook, LedgerRowInput } from '@/lib/server/ledger-writer';
import { loadBudgetRules, recordUsageInTransaction, type RecordedUsage } from './quota-store';
import { rawTxExec } from './sql';

type Rules = Map<string, readonly BudgetRule[]>;
type Crossings = Map<string, ThresholdCrossing[]>;

/** What a ledger row adds to budgets: its cost, its tokens and one request. */
function usageOf(row: LedgerRowInput): RecordedUsage {
  const attribution: CallAttribution = {
    organisationId: row.organisationId,
    departmentId: row.departmentId ?? null,
    projectId: row.projectId ?? null,
    userId: row.userId ?? null,
    apiKeyId: row.apiKeyId ?? null,
    sessionId: row.sessionId ?? null,
  };
  const tokens = {
    inputTokens: row.inputTokens ?? 0,
    cachedInputTokens: row.cachedInputTokens ?? 0,
    cacheWrite5mTokens: row.cacheWrite5mTokens ?? 0,
    cacheWrite1hTokens: row.cacheWrite1hTokens ?? 0,
    outputTokens: row.outputTokens ?? 0,
    reasoningTokens: row.reasoningTokens ?? 0,
  };
  return { attribution, actual: settleAmounts(tokens, row.costNano ?? 0n), occurredAt: new Date(row.occurredAt) };
}

/**
 * The hook that counts a ledger write's new rows against their
 * organisations' budgets, in the write's transaction; the thresholds crossed
 * are raised as alerts once it has committed. Organisations are counted in
 * id order, so two writes lock their counting locks alike.
 */
export function countingAgainstBudgets(db: DbHandle): LedgerCommitHook<Rules, Crossings> {
  return {
    async prepare(rows) {
      const rules: Rules = new Map();
      for (const organisationId of new Set(rows.map((r) => r.organisationId))) rules.set(organisationId, await loadBudgetRules(db, organisationId));
      return rules;
    },
    async apply(tx, inserted, rules) {
      const byOrganisation = new Map<string, RecordedUsage[]>();
      for (const row of inserted) {
        if (!rules.get(row.organisationId)?.length) continue;
        const items = byOrganisation.get(row.organisationId);
        if (items) items.push(usageOf(row));
        else byOrganisation.set(row.organisationId, [usageOf(row)]);
      }
      const crossings: Crossings = new Map();
      const exec = rawTxExec(tx);
      for (const organisationId of [...byOrganisation.keys()].sort()) {
        const crossed = await recordUsageInTransaction(exec, organisationId, rules.get(organisationId)!, byOrganisation.get(organisationId)!);
        if (crossed.length > 0) crossings.set(organisationId, crossed);
      }
      return crossings;
    },
    committed(crossings) {
      for (const [organisationId, crossed] of crossings) raiseBudgetAlerts(db, organisationId, crossed);
    },
  };
}
