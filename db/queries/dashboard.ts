/**
 * The landing pages' read models, one per view. The server page calls these
 * directly for first paint; the client refreshes through /api/v1/spend with
 * the same query key.
 */
import 'server-only';
import { budgetUse, type BudgetUse } from './budgets';
import { busiestSessions, currentHourCalls, topKeysToday, type BusySession, type HourCalls, type TopKey } from './live';
import { listLedger, type LedgerRow } from './ledger';
import type { ReadScope } from './scope';
import {
  dailySpend,
  hourlySpend,
  monthToDateBreakdown,
  spendSummary,
  type BreakdownRow,
  type DailySpendPoint,
  type HourlySpendPoint,
  type SpendSummary,
} from './spend';

export const DASHBOARD_VIEWS = ['overview', 'live', 'department'] as const;
export type DashboardView = (typeof DASHBOARD_VIEWS)[number];

export interface OverviewData {
  view: 'overview';
  summary: SpendSummary;
  daily: DailySpendPoint[];
  departments: BreakdownRow[];
  models: BreakdownRow[];
  budgets: BudgetUse[];
}

export interface LiveData {
  view: 'live';
  summary: SpendSummary;
  hour: HourCalls;
  hourly: HourlySpendPoint[];
  topKeys: TopKey[];
  sessions: BusySession[];
  recent: LedgerRow[];
}

export interface DepartmentData {
  view: 'department';
  summary: SpendSummary;
  daily: DailySpendPoint[];
  projects: BreakdownRow[];
  models: BreakdownRow[];
  tasks: BreakdownRow[];
  budgets: BudgetUse[];
}

export type DashboardData = OverviewData | LiveData | DepartmentData;

export async function overviewData(scope: ReadScope): Promise<OverviewData> {
  const [summary, daily, departments, models, budgets] = await Promise.all([
    spendSummary(scope),
    dailySpend(scope, 90),
    monthToDateBreakdown(scope, 'department', 10),
    monthToDateBreakdown(scope, 'model', 8),
    budgetUse(scope),
  ]);
  return { view: 'overview', summary, daily, departments, models, budgets };
}

export async function liveData(scope: ReadScope): Promise<LiveData> {
  const [summary, hour, hourly, topKeys, sessions, recent] = await Promise.all([
    spendSummary(scope),
    currentHourCalls(scope),
    hourlySpend(scope, 48),
    topKeysToday(scope),
    busiestSessions(scope),
    listLedger(scope, { limit: 15 }),
  ]);
  return { view: 'live', summary, hour, hourly, topKeys, sessions, recent: recent.rows };
}

export async function departmentData(scope: ReadScope): Promise<DepartmentData> {
  const [summary, daily, projects, models, tasks, budgets] = await Promise.all([
    spendSummary(scope),
    dailySpend(scope, 90),
    monthToDateBreakdown(scope, 'project', 10),
    monthToDateBreakdown(scope, 'model', 8),
    monthToDateBreakdown(scope, 'task', 10),
    budgetUse(scope),
  ]);
  return { view: 'department', summary, daily, projects, models, tasks, budgets };
}

export function dashboardData(view: DashboardView, scope: ReadScope): Promise<DashboardData> {
  if (view === 'overview') return overviewData(scope);
  if (view === 'live') return liveData(scope);
  return departmentData(scope);
}
