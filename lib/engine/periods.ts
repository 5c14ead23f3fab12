/**
 * Calendar arithmetic for spend windows, all in UTC: finance closes months in
 * UTC here, and every timestamp in the ledger is UTC.
 */
import type { BudgetWindow } from './enums';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

export function startOfUtcHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

export function startOfUtcMonth(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export function addUtcMonths(at: Date, months: number): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}

export function daysInUtcMonth(at: Date): number {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 0)).getUTCDate();
}

export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

export function addHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * HOUR_MS);
}

/** `YYYY-MM-DD` of a UTC day. */
export function isoDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** `YYYY-MM` of a UTC month. */
export function isoMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/**
 * The same point of last month, clamped to its length: on 31 March, "month to
 * date last month" ends at the close of 28/29 February.
 */
export function samePointLastMonth(now: Date): Date {
  const lastMonthStart = addUtcMonths(now, -1);
  const elapsed = now.getTime() - startOfUtcMonth(now).getTime();
  const lastMonthLength = startOfUtcMonth(now).getTime() - lastMonthStart.getTime();
  return new Date(lastMonthStart.getTime() + Math.min(elapsed, lastMonthLength));
}

/** Fraction of the UTC month elapsed at `now`, in (0, 1]. */
export function monthElapsedFraction(now: Date): number {
  const start = startOfUtcMonth(now).getTime();
  const end = addUtcMonths(now, 1).getTime();
  return (now.getTime() - start) / (end - start);
}

/** When a budget window that contains `now` resets; null for windows that never reset. */
export function windowResetsAt(window: BudgetWindow, now: Date): Date | null {
  if (window === 'minute') return new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 60_000);
  if (window === 'day') return addDays(startOfUtcDay(now), 1);
  if (window === 'month') return addUtcMonths(now, 1);
  return null;
}

/** The start of the budget window containing `now`; null means all time (or per session). */
export function windowStart(window: BudgetWindow, now: Date): Date | null {
  if (window === 'minute') return new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  if (window === 'day') return startOfUtcDay(now);
  if (window === 'month') return startOfUtcMonth(now);
  return null;
}
