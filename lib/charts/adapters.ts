/**
 * Pure adapters from read models to chart rows. Dollar values become numbers
 * here, for the axis only. A day or hour with no ledger rows becomes a gap
 * (null), never an invented zero.
 */
import type { DailySpendPoint, HourlySpendPoint } from '@/db/queries/spend';
import { toUsdNumber } from '@/lib/engine/money';

export interface DailyChartRow {
  date: string;
  small: number | null;
  frontier: number | null;
  saved: number | null;
}

function dayRange(lastDay: string, days: number): string[] {
  const end = Date.parse(`${lastDay}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => new Date(end - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

export function dailyChartRows(points: readonly DailySpendPoint[], asOf: string, days: number): DailyChartRow[] {
  const byDate = new Map(points.map((p) => [p.date, p]));
  return dayRange(asOf.slice(0, 10), days).map((date) => {
    const p = byDate.get(date);
    return p
      ? { date, small: toUsdNumber(p.smallNano), frontier: toUsdNumber(p.frontierNano), saved: toUsdNumber(p.cacheSavedNano) }
      : { date, small: null, frontier: null, saved: null };
  });
}

export interface HourlyChartRow {
  hour: string;
  spend: number | null;
  requests: number | null;
}

export function hourlyChartRows(points: readonly HourlySpendPoint[], asOf: string, hours: number): HourlyChartRow[] {
  const byHour = new Map(points.map((p) => [p.hour, p]));
  const current = Math.floor(Date.parse(asOf) / 3_600_000) * 3_600_000;
  return Array.from({ length: hours }, (_, i) => {
    const hour = new Date(current - (hours - 1 - i) * 3_600_000).toISOString().replace('.000Z', 'Z');
    const p = byHour.get(hour);
    return { hour, spend: p ? toUsdNumber(p.costNano) : null, requests: p ? p.requests : null };
  });
}
