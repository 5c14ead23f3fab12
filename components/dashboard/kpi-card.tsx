import type { ReactNode } from 'react';

export function KpiCard({ label, value, detail, tone = 'neutral', testId }: {
  label: string;
  value: string;
  detail?: ReactNode;
  tone?: 'neutral' | 'good' | 'warn' | 'bad';
  testId?: string;
}) {
  const accent = { neutral: 'text-slate-500', good: 'text-emerald-600', warn: 'text-amber-600', bad: 'text-rose-600' }[tone];
  return (
    <div data-testid={testId} className="rounded-xl border border-slate-200 bg-white px-5 py-4 shadow-sm">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
      <p className="tabular mt-2 text-2xl font-semibold text-slate-900" data-testid={testId ? `${testId}-value` : undefined}>
        {value}
      </p>
      {detail && <p className={`mt-1 text-xs ${accent}`}>{detail}</p>}
    </div>
  );
}
