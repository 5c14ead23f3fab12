'use client';

import { useQuery } from '@tanstack/react-query';
import type { OverviewData } from '@/db/queries/dashboard';
import { dailyChartRows } from '@/lib/charts/adapters';
import { spendQueryOptions } from '@/lib/query/spend';
import { DailySpendChart } from '@/components/charts/daily-spend-chart';
import { BreakdownList } from '@/components/dashboard/breakdown-list';
import { BudgetList } from '@/components/dashboard/budget-list';
import { SpendKpis } from '@/components/dashboard/spend-kpis';
import { Card } from '@/components/ui/card';
import { LiveStamp, PageHeader } from '@/components/shell/page-header';

export function OverviewClient({ initialData }: { initialData: OverviewData }) {
  const { data, isFetching } = useQuery({
    ...spendQueryOptions<OverviewData>('overview', null),
    initialData,
    initialDataUpdatedAt: Date.parse(initialData.summary.asOf),
  });
  const orgBudget = data.budgets.find((b) => b.scopeType === 'organisation' && b.window === 'month' && b.metric === 'cost');
  const departmentBudgets = data.budgets.filter((b) => b.scopeType !== 'organisation');
  return (
    <>
      <PageHeader title="Inference spend" subtitle="All departments · every figure straight from the token ledger">
        <LiveStamp asOf={data.summary.asOf} fetching={isFetching} />
      </PageHeader>
      <SpendKpis summary={data.summary} budgetLimitNano={orgBudget?.limit ?? null} />
      <div className="mt-6 grid grid-cols-1 gap-6 xl:grid-cols-3">
        <Card title="Daily spend by tier" subtitle="Last 90 days, UTC days" className="xl:col-span-2">
          <DailySpendChart rows={dailyChartRows(data.daily, data.summary.asOf, 90)} />
        </Card>
        <Card title="Top departments" subtitle="Month to date">
          <BreakdownList
            rows={data.departments}
            totalNano={data.summary.monthToDateNano}
            testId="top-departments"
            hrefFor={(row) => (row.key ? `/departments/${row.key}` : null)}
          />
        </Card>
        <Card title="Budget use" subtitle="Monthly department budgets and caps" className="xl:col-span-2">
          <BudgetList budgets={orgBudget ? [orgBudget, ...departmentBudgets] : departmentBudgets} />
        </Card>
        <Card title="Top models" subtitle="Month to date">
          <BreakdownList rows={data.models} totalNano={data.summary.monthToDateNano} testId="top-models" />
        </Card>
      </div>
    </>
  );
}
