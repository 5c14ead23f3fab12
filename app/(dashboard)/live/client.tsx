'use client';

import { useQuery } from '@tanstack/react-query';
import type { LiveData } from '@/db/queries/dashboard';
import { hourlyChartRows } from '@/lib/charts/adapters';
import { formatCount, formatUsd } from '@/lib/format';
import { spendQueryOptions } from '@/lib/query/spend';
import { HourlyBurnChart } from '@/components/charts/hourly-burn-chart';
import { KpiCard } from '@/components/dashboard/kpi-card';
import { BusySessionsTable, RecentCallsTable, TopKeysTable } from '@/components/dashboard/live-tables';
import { Card } from '@/components/ui/card';
import { LiveStamp, PageHeader } from '@/components/shell/page-header';

export function LiveClient({ initialData }: { initialData: LiveData }) {
  const { data, isFetching } = useQuery({
    ...spendQueryOptions<LiveData>('live', null),
    initialData,
    initialDataUpdatedAt: Date.parse(initialData.summary.asOf),
  });
  const { summary, hour } = data;
  // Of the attempts that went upstream this hour, the share that failed (cache hits, refusals and clients that hung up are not upstream failures).
  const errorRate = hour.upstreamAttempts > 0 ? (hour.upstreamErrors / hour.upstreamAttempts) * 100 : null;
  const refused = hour.refused > 0 ? ` · ${formatCount(hour.refused)} refused` : '';
  return (
    <>
      <PageHeader title="Live burn" subtitle="Refreshes every 10 seconds · all departments">
        <LiveStamp asOf={summary.asOf} fetching={isFetching} />
      </PageHeader>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <KpiCard testId="kpi-this-hour" label="Spend this hour" value={formatUsd(summary.thisHourNano)} detail={`${formatCount(hour.calls)} calls so far${refused}`} />
        <KpiCard testId="kpi-today" label="Spend today (UTC)" value={formatUsd(summary.todayNano)} detail={`Burn ${formatUsd(summary.burnPerDayNano)}/day over 7 days`} />
        <KpiCard testId="kpi-mtd" label="Month to date" value={formatUsd(summary.monthToDateNano)} detail={`Run rate ${formatUsd(summary.projectedMonthNano)} by month end`} />
        <KpiCard
          testId="kpi-errors"
          label="Upstream errors this hour"
          value={errorRate === null ? '—' : `${errorRate.toFixed(1)}%`}
          tone={errorRate !== null && errorRate >= 5 ? 'bad' : 'good'}
          detail={`${formatCount(hour.upstreamErrors)} of ${formatCount(hour.upstreamAttempts)} failed · ${formatCount(hour.cacheHits)} cache hits`}
        />
      </div>
      <div className="mt-6 grid grid-cols-1 gap-6 xl:grid-cols-3">
        {/* The chart grows to the height of the sessions list beside it. */}
        <Card title="Hourly spend" subtitle="Last 48 hours, UTC" className="flex flex-col xl:col-span-2" bodyClassName="flex flex-1 flex-col">
          <HourlyBurnChart rows={hourlyChartRows(data.hourly, summary.asOf, 48)} className="h-64 xl:h-auto xl:min-h-64 xl:flex-1" />
        </Card>
        <Card title="Busiest agent sessions" subtitle="Calls in the last hour: where a runaway loop shows first">
          <BusySessionsTable sessions={data.sessions} />
        </Card>
        <Card title="Latest calls" subtitle="Newest ledger rows" className="xl:col-span-2">
          <RecentCallsTable rows={data.recent} />
        </Card>
        <Card title="Top API keys today" subtitle="By spend since 00:00 UTC">
          <TopKeysTable keys={data.topKeys} />
        </Card>
      </div>
    </>
  );
}
