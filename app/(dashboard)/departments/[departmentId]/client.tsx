'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { DepartmentData } from '@/db/queries/dashboard';
import { dailyChartRows } from '@/lib/charts/adapters';
import { taskLabel } from '@/lib/format';
import { spendQueryOptions } from '@/lib/query/spend';
import { DailySpendChart } from '@/components/charts/daily-spend-chart';
import { BreakdownList } from '@/components/dashboard/breakdown-list';
import { BudgetList } from '@/components/dashboard/budget-list';
import { SpendKpis } from '@/components/dashboard/spend-kpis';
import { Card } from '@/components/ui/card';
import { LiveStamp, PageHeader } from '@/components/shell/page-header';

export function DepartmentClient({ department, initialData, canSeeAll }: {
  department: { id: string; name: string; costCenter: string; projects: number };
  initialData: DepartmentData;
  canSeeAll: boolean;
}) {
  const { data, isFetching } = useQuery({
    ...spendQueryOptions<DepartmentData>('department', department.id),
    initialData,
    initialDataUpdatedAt: Date.parse(initialData.summary.asOf),
  });
  const monthly = data.budgets.find((b) => b.scopeType === 'department' && b.window === 'month' && b.metric === 'cost');
  return (
    <>
      {canSeeAll && (
        <Link href="/departments" className="text-xs font-medium text-brand-600 hover:underline">
          ← All departments
        </Link>
      )}
      <PageHeader
        title={department.name}
        subtitle={`Cost center ${department.costCenter} · ${department.projects} client projects · chargeback from the token ledger`}
      >
        <LiveStamp asOf={data.summary.asOf} fetching={isFetching} />
      </PageHeader>
      <SpendKpis summary={data.summary} budgetLimitNano={monthly?.limit ?? null} />
      <div className="mt-6 grid grid-cols-1 gap-6 xl:grid-cols-3">
        <Card title="Daily spend by tier" subtitle="Last 90 days, UTC days" className="xl:col-span-2">
          <DailySpendChart rows={dailyChartRows(data.daily, data.summary.asOf, 90)} />
        </Card>
        <Card title="Budget burn" subtitle="Budgets covering this department">
          <BudgetList budgets={data.budgets} />
        </Card>
        <Card title="Chargeback by client project" subtitle="Month to date">
          <BreakdownList rows={data.projects} totalNano={data.summary.monthToDateNano} testId="by-project" />
        </Card>
        <Card title="By model" subtitle="Month to date">
          <BreakdownList rows={data.models} totalNano={data.summary.monthToDateNano} testId="by-model" />
        </Card>
        <Card title="By task type" subtitle="Month to date">
          <BreakdownList rows={data.tasks.map((t) => ({ ...t, label: taskLabel(t.label) }))} totalNano={data.summary.monthToDateNano} testId="by-task" />
        </Card>
      </div>
    </>
  );
}
