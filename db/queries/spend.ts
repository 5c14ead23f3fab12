/**
 * Spend read models for the landing pages, served from the rollups (kept in
 * step with the ledger, equal to it to the nano-dollar). Amounts are
 * returned as decimal strings of nano-dollars so they survive JSON exactly.
 * A count of requests (calls) is of calls that ran, upstream or from the
 * cache: a refused call is not one (as budgets count them).
 */
import { changeBasisPoints, perDay, projectMonthEnd } from '@/lib/engine/burn';
import {
  addDays,
  addUtcMonths,
  samePointLastMonth,
  isoDay,
  startOfUtcDay,
  startOfUtcHour,
  startOfUtcMonth,
} from '@/lib/engine/periods';
import type { ReadScope } from './scope';

const BURN_WINDOW_DAYS = 7;

export interface SpendSummary {
  asOf: string;
  departmentId: string | null;
  monthStart: string;
  monthToDateNano: string;
  lastMonthToDateNano: string;
  /** Month-over-month change at the same point of the month, basis points; null when last month had none. */
  changeBps: number | null;
  /** Average spend per day over the trailing 7 days. */
  burnPerDayNano: string;
  /** Spend in the current clock hour so far. */
  thisHourNano: string;
  todayNano: string;
  /** Month-to-date plus the trailing burn for the rest of the month. */
  projectedMonthNano: string;
  cacheSavedMonthToDateNano: string;
  requestsMonthToDate: number;
  unpricedMonthToDate: number;
}

interface SumRow {
  cost: string | null;
  saved: string | null;
  requests: string | null;
  unpriced: string | null;
}

async function sumRollups(scope: ReadScope, from: Date, to: Date): Promise<{ cost: bigint; saved: bigint; requests: number; unpriced: number }> {
  const [row] = await scope.db.query<SumRow>(
    `select sum(cost_nano)::text as cost, sum(saved_nano)::text as saved,
            sum(requests)::text as requests, sum(unpriced)::text as unpriced
       from ledger_hourly
      where organisation_id = $1 and ($2::text is null or department_id = $2)
        and hour >= $3::timestamptz and hour < $4::timestamptz`,
    [scope.organisationId, scope.departmentId, from.toISOString(), to.toISOString()],
  );
  return {
    cost: BigInt(row?.cost ?? 0),
    saved: BigInt(row?.saved ?? 0),
    requests: Number(row?.requests ?? 0),
    unpriced: Number(row?.unpriced ?? 0),
  };
}

/** Cost in [from, to) read from the ledger itself: for a part of an hour, which the hourly rollups cannot split. */
async function sumLedgerCost(scope: ReadScope, from: Date, to: Date): Promise<bigint> {
  if (to <= from) return 0n;
  const [row] = await scope.db.query<{ cost: string | null }>(
    `select sum(cost_nano)::text as cost from ledger_events
      where organisation_id = $1 and ($2::text is null or department_id = $2)
        and occurred_at >= $3::timestamptz and occurred_at < $4::timestamptz`,
    [scope.organisationId, scope.departmentId, from.toISOString(), to.toISOString()],
  );
  return BigInt(row?.cost ?? 0);
}

/**
 * Last month's spend up to the same point of the month as `now` (clamped to
 * last month's end): its whole hours from the rollups, the part of the hour
 * the point falls in from the ledger, so the comparison is of equal spans.
 */
async function lastMonthToDate(scope: ReadScope, now: Date): Promise<bigint> {
  const point = samePointLastMonth(now);
  const hour = startOfUtcHour(point);
  const [whole, part] = await Promise.all([sumRollups(scope, addUtcMonths(now, -1), hour), sumLedgerCost(scope, hour, point)]);
  return whole.cost + part;
}

/** Upper bound for "up to now": the start of the next hour, so the current partial hour counts. */
function throughNow(now: Date): Date {
  return new Date(startOfUtcHour(now).getTime() + 3_600_000);
}

export async function spendSummary(scope: ReadScope): Promise<SpendSummary> {
  const { now } = scope;
  const monthStart = startOfUtcMonth(now);
  const end = throughNow(now);
  const burnFrom = addDays(startOfUtcHour(now), -BURN_WINDOW_DAYS);
  const [month, lastMonth, burn, hour, today] = await Promise.all([
    sumRollups(scope, monthStart, end),
    lastMonthToDate(scope, now),
    sumRollups(scope, burnFrom, startOfUtcHour(now)),
    sumRollups(scope, startOfUtcHour(now), end),
    sumRollups(scope, startOfUtcDay(now), end),
  ]);
  const burnPerDay = perDay(burn.cost, startOfUtcHour(now).getTime() - burnFrom.getTime());
  const remainingMs = addUtcMonths(now, 1).getTime() - now.getTime();
  return {
    asOf: now.toISOString(),
    departmentId: scope.departmentId,
    monthStart: monthStart.toISOString(),
    monthToDateNano: month.cost.toString(),
    lastMonthToDateNano: lastMonth.toString(),
    changeBps: changeBasisPoints(month.cost, lastMonth),
    burnPerDayNano: burnPerDay.toString(),
    thisHourNano: hour.cost.toString(),
    todayNano: today.cost.toString(),
    projectedMonthNano: projectMonthEnd(month.cost, burnPerDay, remainingMs).toString(),
    cacheSavedMonthToDateNano: month.saved.toString(),
    requestsMonthToDate: month.requests,
    unpricedMonthToDate: month.unpriced,
  };
}

export interface DailySpendPoint {
  date: string;
  smallNano: string;
  frontierNano: string;
  cacheSavedNano: string;
  totalNano: string;
  requests: number;
}

/** Spend per UTC day and tier over the last `days` days (daily per-model rollups), oldest first; days with no rows are absent (a gap, not a zero). */
export async function dailySpend(scope: ReadScope, days: number): Promise<DailySpendPoint[]> {
  const from = addDays(startOfUtcDay(scope.now), -(days - 1));
  const rows = await scope.db.query<{
    day: string;
    small: string;
    frontier: string;
    saved: string;
    total: string;
    requests: string;
  }>(
    `select to_char(day, 'YYYY-MM-DD') as day,
            sum(cost_nano) filter (where tier = 'small')::text as small,
            sum(cost_nano) filter (where tier = 'frontier')::text as frontier,
            sum(saved_nano)::text as saved,
            sum(cost_nano)::text as total,
            sum(requests)::text as requests
       from ledger_daily_models
      where organisation_id = $1 and ($2::text is null or department_id = $2)
        and day >= $3::date and day <= $4::date
      group by day order by day`,
    [scope.organisationId, scope.departmentId, isoDay(from), isoDay(scope.now)],
  );
  return rows.map((r) => ({
    date: r.day,
    smallNano: r.small ?? '0',
    frontierNano: r.frontier ?? '0',
    cacheSavedNano: r.saved ?? '0',
    totalNano: r.total ?? '0',
    requests: Number(r.requests),
  }));
}

export interface HourlySpendPoint {
  hour: string;
  costNano: string;
  requests: number;
  errors: number;
  cacheHits: number;
}

/** Spend per clock hour over the last `hours` hours, the current partial hour included. */
export async function hourlySpend(scope: ReadScope, hours: number): Promise<HourlySpendPoint[]> {
  const from = new Date(startOfUtcHour(scope.now).getTime() - (hours - 1) * 3_600_000);
  const rows = await scope.db.query<{ hour: string; cost: string; requests: string; errors: string; hits: string }>(
    `select to_char(hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"') as hour, sum(cost_nano)::text as cost,
            sum(requests)::text as requests, sum(errors)::text as errors, sum(cache_hits)::text as hits
       from ledger_hourly
      where organisation_id = $1 and ($2::text is null or department_id = $2)
        and hour >= $3::timestamptz and hour < $4::timestamptz
      group by hour order by hour`,
    [scope.organisationId, scope.departmentId, from.toISOString(), throughNow(scope.now).toISOString()],
  );
  return rows.map((r) => ({
    hour: r.hour,
    costNano: r.cost,
    requests: Number(r.requests),
    errors: Number(r.errors),
    cacheHits: Number(r.hits),
  }));
}

export interface BreakdownRow {
  key: string;
  label: string;
  costNano: string;
  requests: number;
}

/** Each breakdown's column and label; department, model and tier read the smaller per-model rollup. */
const BREAKDOWNS = {
  department: {
    column: 'h.department_id',
    label: `coalesce(d.name, 'Unattributed')`,
    join: 'left join departments d on d.id = h.department_id',
    rollup: 'ledger_daily_models',
  },
  project: {
    column: 'h.project_id',
    label: `coalesce(p.name, 'No project')`,
    join: 'left join projects p on p.id = h.project_id',
    rollup: 'ledger_daily',
  },
  model: { column: 'h.model_name', label: 'h.model_name', join: '', rollup: 'ledger_daily_models' },
  tier: { column: 'h.tier', label: 'h.tier', join: '', rollup: 'ledger_daily_models' },
  task: { column: 'h.task_type', label: `coalesce(h.task_type, 'unlabelled')`, join: '', rollup: 'ledger_daily' },
} as const;
export type BreakdownBy = keyof typeof BREAKDOWNS;

/** Month-to-date spend grouped by one dimension (daily rollups), largest first. */
export async function monthToDateBreakdown(scope: ReadScope, by: BreakdownBy, limit = 10): Promise<BreakdownRow[]> {
  const dim = BREAKDOWNS[by];
  const rows = await scope.db.query<{ key: string | null; label: string; cost: string; requests: string }>(
    `select ${dim.column} as key, ${dim.label} as label, sum(h.cost_nano)::text as cost, sum(h.requests)::text as requests
       from ${dim.rollup} h ${dim.join}
      where h.organisation_id = $1 and ($2::text is null or h.department_id = $2)
        and h.day >= $3::date and h.day <= $4::date
      group by 1, 2 order by sum(h.cost_nano) desc, 1 limit $5`,
    [scope.organisationId, scope.departmentId, isoDay(startOfUtcMonth(scope.now)), isoDay(scope.now), limit],
  );
  return rows.map((r) => ({ key: r.key ?? '', label: r.label, costNano: r.cost, requests: Number(r.requests) }));
}
