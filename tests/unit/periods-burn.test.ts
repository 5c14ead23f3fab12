import { describe, expect, it } from 'vitest';
import { changeBasisPoints, perDay, projectMonthEnd, useBasisPoints } from '@/lib/engine/burn';
import { monthElapsedFraction, samePointLastMonth, startOfUtcMonth, windowResetsAt, windowStart } from '@/lib/engine/periods';

describe('periods', () => {
  it('clamps "this point last month" to the shorter month', () => {
    expect(samePointLastMonth(new Date('2026-03-31T12:00:00Z')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(samePointLastMonth(new Date('2026-11-28T18:00:00Z')).toISOString()).toBe('2026-10-28T18:00:00.000Z');
  });

  it('starts and resets windows in UTC', () => {
    const now = new Date('2026-12-31T23:30:00Z');
    expect(windowStart('day', now)?.toISOString()).toBe('2026-12-31T00:00:00.000Z');
    expect(windowResetsAt('day', now)?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(windowResetsAt('month', now)?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(windowStart('total', now)).toBeNull();
    expect(startOfUtcMonth(now).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(monthElapsedFraction(new Date('2026-02-15T00:00:00Z'))).toBeCloseTo(0.5, 5);
  });
});

describe('burn arithmetic', () => {
  it('averages spend per day over a window', () => {
    expect(perDay(7_000n, 7 * 86_400_000)).toBe(1_000n);
    expect(perDay(100n, 0)).toBe(0n);
  });

  it('projects month end as spent plus burn for the remaining time', () => {
    expect(projectMonthEnd(10_000n, 1_000n, 2.5 * 86_400_000)).toBe(12_500n);
    expect(projectMonthEnd(10_000n, 1_000n, 0)).toBe(10_000n);
  });

  it('expresses use and change in basis points', () => {
    expect(useBasisPoints(80n, 100n)).toBe(8_000);
    expect(useBasisPoints(1n, 0n)).toBeNull();
    expect(changeBasisPoints(110n, 100n)).toBe(1_000);
    expect(changeBasisPoints(90n, 100n)).toBe(-1_000);
    expect(changeBasisPoints(5n, 0n)).toBeNull();
  });
});
