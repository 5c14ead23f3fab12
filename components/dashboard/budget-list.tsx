import type { BudgetUse } from '@/db/queries/budgets';
import { formatBps, formatCount, formatUsd } from '@/lib/format';
import { EmptyState } from '@/components/ui/card';
import { LEASE_MAX_AGE_MS, LEASE_MAX_CHUNK_CALLS } from '@/lib/engine/governance/types';
import { UsageBar } from '@/components/ui/progress';

const WINDOW_LABEL = { minute: 'per minute', day: 'today', month: 'this month', session: 'per session', total: 'all time' } as const;

function amount(budget: BudgetUse, value: string): string {
  if (budget.metric === 'cost') return formatUsd(value);
  return `${formatCount(Number(value))} ${budget.metric}`;
}

export function BudgetList({ budgets }: { budgets: BudgetUse[] }) {
  if (budgets.length === 0) return <EmptyState>No budgets cover this scope yet.</EmptyState>;
  return (
    <ul className="space-y-4" data-testid="budget-list">
      {budgets.map((b) => {
        const ratio = b.useBps === null ? 0 : b.useBps / 10_000;
        const [warn = 0.8] = b.alertThresholds;
        return (
          <li key={b.id} data-testid="budget-row" data-budget-id={b.id}>
            <div className="flex items-baseline justify-between gap-3 text-sm">
              <div className="min-w-0">
                <span className="font-medium text-slate-800">{b.scopeLabel}</span>
                <span className="ml-2 text-xs text-slate-500">
                  {b.enforcement === 'hard' ? 'Hard cap' : 'Soft limit'} · {WINDOW_LABEL[b.window]}
                </span>
              </div>
              <span className={`tabular shrink-0 text-xs font-semibold ${ratio >= 1 ? 'text-rose-600' : ratio >= warn ? 'text-amber-600' : 'text-slate-600'}`} data-testid="budget-use">
                {formatBps(b.useBps)}
              </span>
            </div>
            <div className="mt-1.5">
              <UsageBar bps={b.useBps} thresholds={b.alertThresholds} label={`${b.name} used`} />
            </div>
            <p className="tabular mt-1 text-xs text-slate-500">
              {b.window === 'session' ? 'Largest session of the last 24 h: ' : ''}
              {amount(b, b.used)} of {amount(b, b.limit)}
            </p>
          </li>
        );
      })}
      <li className="text-[11px] leading-snug text-slate-500" data-testid="budget-overshoot-bound">
        Hard caps hold across app instances: each call reserves its maximum cost before it runs. Busy keys admit from leases (room for
        up to {LEASE_MAX_CHUNK_CALLS} calls, held at most {LEASE_MAX_AGE_MS / 1000} s) that are reservations themselves, so a cap can be
        passed only if an instance dies holding one, by at most that lease&apos;s unused calls.
      </li>
    </ul>
  );
}
