'use client';

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HourlyChartRow } from '@/lib/charts/adapters';

const hourLabel = (h: string) => `${h.slice(11, 13)}:00`;
const usd = (v: number) => `$${v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0)}`;
const usdExact = (v: unknown) => (typeof v === 'number' ? `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}` : '—');

/** Spend per clock hour (UTC); the last bar is the hour in progress. */
/** `className` sizes the chart (default 16rem tall); the chart fills whatever box it is given. */
export function HourlyBurnChart({ rows, className = 'h-64' }: { rows: HourlyChartRow[]; className?: string }) {
  return (
    <div className={`w-full ${className}`} data-testid="hourly-burn-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#eef2f7" vertical={false} />
          <XAxis dataKey="hour" tickFormatter={hourLabel} tick={{ fontSize: 11, fill: '#64748b' }} minTickGap={24} tickLine={false} axisLine={false} />
          <YAxis tickFormatter={usd} tick={{ fontSize: 11, fill: '#64748b' }} width={52} tickLine={false} axisLine={false} />
          <Tooltip
            formatter={usdExact}
            labelFormatter={(h) => `${String(h).slice(0, 10)} ${hourLabel(String(h))} UTC`}
            contentStyle={{ fontSize: 12, borderRadius: 8 }}
          />
          <Bar dataKey="spend" name="Spend" fill="#2f6fed" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
