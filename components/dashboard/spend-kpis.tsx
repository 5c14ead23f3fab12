import type { SpendSummary } from '@/db/queries/spend';
import { formatBps, formatCount, formatMonth, formatUsd } from '@/lib/format';
import { KpiCard } from './kpi-card';

/** The four headline numbers every landing page opens with. */
export function SpendKpis({ summary, budgetLimitNano }: { summary: SpendSummary; budgetLimitNano?: string | null }) {
  const change = summary.changeBps;
  const projected = BigInt(summary.projectedMonthNano);
  const overBudget = budgetLimitNano ? projected > BigInt(budgetLimitNano) : false;
  return (
    <>
    {summary.unpricedMonthToDate > 0 && (
      <p role="status" data-testid="unpriced-warning" className="mb-4 rounded-lg border border-amber-200 bg-amber-50 px-4 py-2.5 text-sm text-amber-800">
        <strong className="font-semibold">
          {formatCount(summary.unpricedMonthToDate)} {summary.unpricedMonthToDate === 1 ? 'call' : 'calls'} this month
        </strong> used models with no
        price in the catalog. They are in the ledger, flagged, at $0 and so missing from these totals. Price the model (
        <code className="font-mono text-xs">npm run prices -- set</code> or <code className="font-mono text-xs">POST /api/v1/prices</code>) so
        later calls are costed.
      </p>
    )}
    <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4">
      <KpiCard
        testId="kpi-mtd"
        label={`Spend · ${formatMonth(summary.monthStart)} to date`}
        value={formatUsd(summary.monthToDateNano)}
        tone={change === null ? 'neutral' : change > 0 ? 'warn' : 'good'}
        detail={
          change === null
            ? 'No spend at this point last month'
            : `${formatBps(change, { signed: true })} vs ${formatUsd(summary.lastMonthToDateNano)} at this point last month`
        }
      />
      <KpiCard
        testId="kpi-burn"
        label="Burn rate"
        value={`${formatUsd(summary.burnPerDayNano)}/day`}
        detail={`Trailing 7 days · ${formatUsd(summary.todayNano)} so far today`}
      />
      <KpiCard
        testId="kpi-projected"
        label="Month-end run rate"
        value={formatUsd(projected)}
        tone={overBudget ? 'bad' : 'neutral'}
        detail={
          budgetLimitNano
            ? `${overBudget ? 'Over' : 'Within'} the ${formatUsd(budgetLimitNano)} monthly budget`
            : 'Month to date + trailing burn'
        }
      />
      <KpiCard
        testId="kpi-saved"
        label="Saved by cache"
        value={formatUsd(summary.cacheSavedMonthToDateNano)}
        tone="good"
        detail={`${formatCount(summary.requestsMonthToDate)} calls this month`}
      />
    </div>
    </>
  );
}
