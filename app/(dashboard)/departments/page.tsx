import Link from 'next/link';
import { getDb } from '@/db/client';
import { budgetUse } from '@/db/queries/budgets';
import { listDepartments } from '@/db/queries/departments';
import { monthToDateBreakdown } from '@/db/queries/spend';
import { requireOrgPage } from '@/lib/auth/page-guard';
import { formatBps, formatUsd } from '@/lib/format';
import { PageHeader } from '@/components/shell/page-header';
import { UsageBar } from '@/components/ui/progress';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Departments' };

export default async function DepartmentsPage() {
  const actor = await requireOrgPage('departments.read');
  const scope = { db: await getDb(), organisationId: actor.organisationId, departmentId: null, now: new Date() };
  const [departments, spend, budgets] = await Promise.all([
    listDepartments(scope),
    monthToDateBreakdown(scope, 'department', 100),
    budgetUse(scope),
  ]);
  const spendBy = new Map(spend.map((s) => [s.key, s]));
  return (
    <>
      <PageHeader title="Departments" subtitle="Month-to-date chargeback per cost center" />
      <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-sm" data-testid="departments-table">
          <thead className="bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th className="px-5 py-3 font-medium">Department</th>
              <th className="px-5 py-3 font-medium">Cost center</th>
              <th className="px-5 py-3 font-medium">Projects</th>
              <th className="px-5 py-3 text-right font-medium">Spend to date</th>
              <th className="w-64 px-5 py-3 font-medium">Monthly budget</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {departments.map((d) => {
              const budget = budgets.find((b) => b.scopeType === 'department' && b.scopeId === d.id && b.window === 'month' && b.metric === 'cost');
              return (
                <tr key={d.id} data-testid="department-row" data-department-id={d.id}>
                  <td className="px-5 py-3">
                    <Link href={`/departments/${d.id}`} className="font-medium text-slate-800 hover:text-brand-600 hover:underline">
                      {d.name}
                    </Link>
                  </td>
                  <td className="px-5 py-3 font-mono text-xs text-slate-600">{d.costCenter}</td>
                  <td className="px-5 py-3 text-slate-600">{d.projects.length}</td>
                  <td className="tabular px-5 py-3 text-right font-semibold text-slate-900" data-testid="department-spend">
                    {formatUsd(spendBy.get(d.id)?.costNano ?? '0')}
                  </td>
                  <td className="px-5 py-3">
                    {budget ? (
                      <div className="flex items-center gap-3">
                        <UsageBar bps={budget.useBps} thresholds={budget.alertThresholds} label={`${d.name} budget used`} />
                        <span className="tabular w-32 shrink-0 whitespace-nowrap text-right text-xs text-slate-600">
                          {formatBps(budget.useBps)} of {formatUsd(budget.limit, { compact: true })}
                        </span>
                      </div>
                    ) : (
                      <span className="text-xs text-slate-400">No budget</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
