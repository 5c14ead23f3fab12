/**
 * Burn-rate and run-rate arithmetic over nano-dollar amounts. Pure integer
 * maths: a projection is rounded once, to the nano-dollar.
 */
import { divRound } from './money';

const HOUR_MS = 3_600_000n;
const DAY_MS = 24n * HOUR_MS;

/** Average spend per day over a window of `windowMs` milliseconds. */
export function perDay(spentNano: bigint, windowMs: number): bigint {
  if (windowMs <= 0) return 0n;
  return divRound(spentNano * DAY_MS, BigInt(Math.round(windowMs)));
}

/**
 * Month-end run rate: what is already spent this month plus the trailing daily
 * burn for the rest of the month.
 */
export function projectMonthEnd(monthToDateNano: bigint, burnPerDayNano: bigint, remainingMs: number): bigint {
  if (remainingMs <= 0) return monthToDateNano;
  return monthToDateNano + divRound(burnPerDayNano * BigInt(Math.round(remainingMs)), DAY_MS);
}

/** Share of a limit used, in basis points (10000 = 100%); null when there is no positive limit. */
export function useBasisPoints(spent: bigint, limit: bigint): number | null {
  if (limit <= 0n) return null;
  return Number(divRound(spent * 10_000n, limit));
}

/** Relative change in basis points; null when the base is zero. */
export function changeBasisPoints(current: bigint, previous: bigint): number | null {
  if (previous === 0n) return null;
  return Number(divRound((current - previous) * 10_000n, previous));
}
