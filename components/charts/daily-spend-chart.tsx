'use client';

import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DailyChartRow } from '@/lib/charts/adapters';

const usd = (v: number) => `$${v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0)}`;
const usdExact = (v: unknown) => (typeof v === 'number' ? `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}` : '—');
const day = (d: string) => new Date(`${d}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** Daily spend stacked by tier; a day with no rows is a gap. */
export function DailySpendChart({ rows }: { rows: DailyChartRow[] }) {
  return (
    <div className="h-80 w-full" data-testid="daily-spend-chart">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <defs>
            <linearGradient id="frontier" x1="0" y1="0" x2="0" y2="1">
              <stop offset="0%" stopColor="#2f6fed" stopOpacity={0.55} />
              <stop offset="100%" stopColor="#2f6fed" stopOpacity={0.08} />
            </linearGradient>
            <linearGradient id="small" x1="0" y1="0" x2="0" y2="1">
              <stop offset="0%" stopColor="#14b8a6" stopOpacity={0.6} />
              <stop offset="100%" stopColor="#14b8a6" stopOpacity={0.1} />
            </linearGradient>
          </defs>
          <CartesianGrid stroke="#eef2f7" vertical={false} />
          <XAxis dataKey="date" tickFormatter={day} tick={{ fontSize: 11, fill: '#64748b' }} minTickGap={28} tickLine={false} axisLine={false} />
          <YAxis tickFormatter={usd} tick={{ fontSize: 11, fill: '#64748b' }} width={52} tickLine={false} axisLine={false} />
          <Tooltip formatter={usdExact} labelFormatter={(d) => day(String(d))} contentStyle={{ fontSize: 12, borderRadius: 8 }} />
          <Legend iconType="circle" wrapperStyle={{ fontSize: 12 }} />
          <Area type="monotone" dataKey="small" name="Small models" stackId="spend" stroke="#0d9488" fill="url(#small)" strokeWidth={1.5} isAnimationActive={false} />
          <Area type="monotone" dataKey="frontier" name="Frontier models" stackId="spend" stroke="#1f5bd6" fill="url(#frontier)" strokeWidth={1.5} isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
