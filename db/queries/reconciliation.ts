/**
 * Billing reconciliation for one UTC month: the ledger's estimated spend
 * against the providers' billed amounts (imported cost exports), matched by
 * provider, day, model and project with the rule in lib/engine/billing.
 *
 * A department scope confines both sides: ledger rows of that department,
 * and billed lines of provider projects linked to that department's projects.
 * Billed lines linked to no project belong to no department, so they appear
 * (as unattributed spend) only in the organisation-wide view.
 *
 * Estimated spend is read from the raw ledger, not the hourly rollups,
 * because the rollups do not keep the provider.
 */
import 'server-only';
import {
  COST_IMPORT_FORMATS,
  reconcile,
  type BilledGroup,
  type EstimatedGroup,
  type ReconciliationRow,
} from '@/lib/engine/billing';
import type { ReadScope } from './scope';

export interface ReconciliationRowJson {
  day: string;
  provider: string;
  model: string | null;
  modelNames: string[];
  projectId: string | null;
  departmentId: string | null;
  externalProjectId: string | null;
  estimatedNano: string;
  billedNano: string | null;
  varianceNano: string | null;
  varianceBps: number | null;
  costSource: 'billed' | 'estimated';
  costNano: string;
}

export interface ReconciliationReport {
  month: string;
  departmentId: string | null;
  from: string;
  to: string;
  rows: ReconciliationRowJson[];
  totals: {
    estimatedNano: string;
    billedNano: string;
    costNano: string;
    billedRowsEstimatedNano: string;
    varianceNano: string;
    varianceBps: number | null;
    billedRows: number;
    estimatedRows: number;
  };
  unattributed: {
    billedNano: string;
    estimatedNano: string;
    unlinkedProjects: { provider: string; externalProjectId: string | null; billedNano: string }[];
  };
}

/** The import formats whose lines carry billed amounts, as SQL literals (constants, not input). */
const COST_FORMATS_SQL = COST_IMPORT_FORMATS.map((f) => `'${f}'`).join(', ');

/** `YYYY-MM` -> the month's first day and the next month's first day (UTC). */
export function monthRange(month: string): { from: string; to: string } {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) throw new RangeError(`not a YYYY-MM month: ${month}`);
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  const day = (y: number, m: number) => new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  return { from: day(year, index), to: day(year, index + 1) };
}

const rowJson = (row: ReconciliationRow): ReconciliationRowJson => ({
  ...row,
  estimatedNano: row.estimatedNano.toString(),
  billedNano: row.billedNano?.toString() ?? null,
  varianceNano: row.varianceNano?.toString() ?? null,
  costNano: row.costNano.toString(),
});

export async function reconciliationReport(scope: Omit<ReadScope, 'now'>, month: string): Promise<ReconciliationReport> {
  const { from, to } = monthRange(month);
  const [estimatedRows, billedRows] = await Promise.all([
    scope.db.query<{ day: string; provider: string; model_name: string; project_id: string | null; department_id: string | null; cost: string }>(
      `select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day, provider, model_name, project_id,
              department_id, sum(cost_nano)::text as cost
         from ledger_events
        where organisation_id = $1 and ($2::text is null or department_id = $2)
          and occurred_at >= $3::timestamptz and occurred_at < $4::timestamptz
        group by 1, provider, model_name, project_id, department_id`,
      [scope.organisationId, scope.departmentId, `${from}T00:00:00Z`, `${to}T00:00:00Z`],
    ),
    scope.db.query<{
      day: string;
      provider: string;
      model_name: string | null;
      project_id: string | null;
      department_id: string | null;
      external_project_id: string | null;
      amount: string;
    }>(
      `select to_char(l.day, 'YYYY-MM-DD') as day, l.provider, l.model_name, l.project_id, p.department_id,
              l.external_project_id, sum(l.amount_nano)::text as amount
         from billing_lines l
         join billing_imports i on i.id = l.import_id
         left join projects p on p.id = l.project_id
        where l.organisation_id = $1 and ($2::text is null or p.department_id = $2)
          and l.day >= $3::date and l.day < $4::date
          and i.format in (${COST_FORMATS_SQL})
        group by 1, l.provider, l.model_name, l.project_id, p.department_id, l.external_project_id`,
      [scope.organisationId, scope.departmentId, from, to],
    ),
  ]);
  const estimated: EstimatedGroup[] = estimatedRows.map((r) => ({
    day: r.day,
    provider: r.provider,
    modelName: r.model_name,
    projectId: r.project_id,
    departmentId: r.department_id,
    costNano: BigInt(r.cost),
  }));
  const billed: BilledGroup[] = billedRows.map((r) => ({
    day: r.day,
    provider: r.provider,
    modelName: r.model_name,
    projectId: r.project_id,
    departmentId: r.department_id,
    externalProjectId: r.external_project_id,
    amountNano: BigInt(r.amount),
  }));
  const { rows, totals, unattributed } = reconcile(estimated, billed);
  return {
    month,
    departmentId: scope.departmentId,
    from,
    to,
    rows: rows.map(rowJson),
    totals: {
      ...totals,
      estimatedNano: totals.estimatedNano.toString(),
      billedNano: totals.billedNano.toString(),
      costNano: totals.costNano.toString(),
      billedRowsEstimatedNano: totals.billedRowsEstimatedNano.toString(),
      varianceNano: totals.varianceNano.toString(),
    },
    unattributed: {
      billedNano: unattributed.billedNano.toString(),
      estimatedNano: unattributed.estimatedNano.toString(),
      unlinkedProjects: unattributed.unlinkedProjects.map((u) => ({ ...u, billedNano: u.billedNano.toString() })),
    },
  };
}
