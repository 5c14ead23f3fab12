import type { BreakdownRow } from '@/db/queries/spend';
import { formatCount, formatUsd } from '@/lib/format';
import { EmptyState } from '@/components/ui/card';

/** A ranked list with inline bars: share of the month-to-date total. */
export function BreakdownList({ rows, totalNano, testId, hrefFor }: {
  rows: BreakdownRow[];
  totalNano: string;
  testId: string;
  hrefFor?: (row: BreakdownRow) => string | null;
}) {
  if (rows.length === 0) return <EmptyState>No spend recorded this month.</EmptyState>;
  const total = BigInt(totalNano);
  return (
    <ul className="space-y-3" data-testid={testId}>
      {rows.map((row) => {
        const share = total > 0n ? Number((BigInt(row.costNano) * 10_000n) / total) / 100 : 0;
        const href = hrefFor?.(row);
        return (
          <li key={row.key || row.label} data-testid={`${testId}-row`} data-key={row.key}>
            <div className="flex items-baseline justify-between gap-3 text-sm">
              {href ? (
                <a href={href} className="truncate font-medium text-slate-800 hover:text-brand-600 hover:underline">
                  {row.label}
                </a>
              ) : (
                <span className="truncate font-medium text-slate-800">{row.label}</span>
              )}
              <span className="tabular shrink-0 font-semibold text-slate-900" data-testid={`${testId}-cost`}>
                {formatUsd(row.costNano)}
              </span>
            </div>
            <div className="mt-1.5 flex items-center gap-3">
              <div className="h-1.5 flex-1 overflow-hidden rounded-full bg-slate-100">
                <div className="h-full rounded-full bg-brand-500" style={{ width: `${share}%` }} />
              </div>
              <span className="tabular w-40 shrink-0 whitespace-nowrap text-right text-xs text-slate-500">
                {share.toFixed(1)}% · {formatCount(row.requests)} calls
              </span>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
