import type { ReactNode } from 'react';

export function PageHeader({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {subtitle && <p className="mt-1 text-sm text-slate-500">{subtitle}</p>}
      </div>
      {children}
    </div>
  );
}

export function LiveStamp({ asOf, fetching }: { asOf: string; fetching: boolean }) {
  return (
    <p className="flex items-center gap-2 text-xs text-slate-500" data-testid="as-of">
      <span className={`h-2 w-2 rounded-full ${fetching ? 'animate-pulse bg-brand-500' : 'bg-emerald-500'}`} />
      Updated {new Date(asOf).toISOString().slice(11, 19)} UTC
    </p>
  );
}
