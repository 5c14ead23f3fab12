/**
 * Reconciliation arithmetic: the ledger's estimated spend against the
 * providers' billed amounts, matched by provider, UTC day, model (dated
 * snapshots match their alias) and Tollgate project. Pure bigint maths.
 */
import { divRound } from '../money';
import { canonicalModelName } from './models';

/** Ledger spend for one provider, day, model and project. */
export interface EstimatedGroup {
  day: string;
  provider: string;
  modelName: string;
  projectId: string | null;
  departmentId: string | null;
  costNano: bigint;
}

/** Billed amount for one provider, day, model and provider project. */
export interface BilledGroup {
  day: string;
  provider: string;
  modelName: string | null;
  /** The linked Tollgate project; null when the provider project is not linked. */
  projectId: string | null;
  departmentId: string | null;
  externalProjectId: string | null;
  amountNano: bigint;
}

export type CostSource = 'billed' | 'estimated';

export interface ReconciliationRow {
  day: string;
  provider: string;
  /** The model, snapshot suffix removed; null for billed lines that name no model. */
  model: string | null;
  /** Every name the ledger and the bill used for it, sorted. */
  modelNames: string[];
  projectId: string | null;
  departmentId: string | null;
  /** Only for billed lines of a provider project linked to no Tollgate project. */
  externalProjectId: string | null;
  estimatedNano: bigint;
  /** null: nothing billed for this key (yet). */
  billedNano: bigint | null;
  /** billed - estimated; null when nothing is billed. */
  varianceNano: bigint | null;
  /** variance / estimated in basis points; null without a bill or without an estimate. */
  varianceBps: number | null;
  costSource: CostSource;
  /** The best known cost: billed when billed, else estimated. */
  costNano: bigint;
}

export interface ReconciliationTotals {
  estimatedNano: bigint;
  billedNano: bigint;
  /** Sum of each row's best known cost. */
  costNano: bigint;
  /** Estimated spend on the rows that have a bill. */
  billedRowsEstimatedNano: bigint;
  /** Sum of the billed rows' variances (= costNano - estimatedNano). */
  varianceNano: bigint;
  varianceBps: number | null;
  billedRows: number;
  estimatedRows: number;
}

export interface UnattributedSpend {
  /** Billed on provider projects linked to no Tollgate project (or on no provider project). */
  billedNano: bigint;
  /** Ledger spend recorded without a project. */
  estimatedNano: bigint;
  /** The unlinked provider projects, largest first: candidates for a project link. */
  unlinkedProjects: { provider: string; externalProjectId: string | null; billedNano: bigint }[];
}

export interface Reconciliation {
  rows: ReconciliationRow[];
  totals: ReconciliationTotals;
  unattributed: UnattributedSpend;
}

export function varianceBasisPoints(variance: bigint, estimated: bigint): number | null {
  if (estimated === 0n) return null;
  return Number(divRound(variance * 10_000n, estimated));
}

const compare = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

export function reconcile(estimated: readonly EstimatedGroup[], billed: readonly BilledGroup[]): Reconciliation {
  interface Acc {
    row: Omit<ReconciliationRow, 'modelNames'>;
    names: Set<string>;
    billed: bigint | null;
  }
  const rows = new Map<string, Acc>();
  const at = (day: string, provider: string, modelName: string | null, projectId: string | null, externalProjectId: string | null) => {
    const model = modelName === null ? null : canonicalModelName(modelName);
    const external = projectId === null ? externalProjectId : null;
    const id = JSON.stringify([day, provider, model, projectId, external]);
    let acc = rows.get(id);
    if (!acc) {
      acc = {
        row: {
          day,
          provider,
          model,
          projectId,
          departmentId: null,
          externalProjectId: external,
          estimatedNano: 0n,
          billedNano: null,
          varianceNano: null,
          varianceBps: null,
          costSource: 'estimated',
          costNano: 0n,
        },
        names: new Set(),
        billed: null,
      };
      rows.set(id, acc);
    }
    if (modelName !== null) acc.names.add(modelName);
    return acc;
  };

  for (const e of estimated) {
    const acc = at(e.day, e.provider, e.modelName, e.projectId, null);
    acc.row.estimatedNano += e.costNano;
    acc.row.departmentId ??= e.departmentId;
  }
  for (const b of billed) {
    const acc = at(b.day, b.provider, b.modelName, b.projectId, b.externalProjectId);
    acc.billed = (acc.billed ?? 0n) + b.amountNano;
    acc.row.departmentId ??= b.departmentId;
  }

  const totals: ReconciliationTotals = {
    estimatedNano: 0n,
    billedNano: 0n,
    costNano: 0n,
    billedRowsEstimatedNano: 0n,
    varianceNano: 0n,
    varianceBps: null,
    billedRows: 0,
    estimatedRows: 0,
  };
  const unattributed: UnattributedSpend = { billedNano: 0n, estimatedNano: 0n, unlinkedProjects: [] };
  const unlinked = new Map<string, UnattributedSpend['unlinkedProjects'][number]>();
  const out: ReconciliationRow[] = [];

  for (const { row, names, billed: billedNano } of rows.values()) {
    // A key with neither a bill nor any estimated spend (cache hits, refused calls) says nothing.
    if (billedNano === null && row.estimatedNano === 0n) continue;
    const result: ReconciliationRow = { ...row, modelNames: [...names].sort() };
    if (billedNano !== null) {
      result.billedNano = billedNano;
      result.varianceNano = billedNano - row.estimatedNano;
      result.varianceBps = varianceBasisPoints(result.varianceNano, row.estimatedNano);
      result.costSource = 'billed';
      result.costNano = billedNano;
      totals.billedNano += billedNano;
      totals.billedRowsEstimatedNano += row.estimatedNano;
      totals.varianceNano += result.varianceNano;
      totals.billedRows += 1;
      if (row.projectId === null) {
        unattributed.billedNano += billedNano;
        const id = JSON.stringify([row.provider, row.externalProjectId]);
        const entry = unlinked.get(id) ?? { provider: row.provider, externalProjectId: row.externalProjectId, billedNano: 0n };
        entry.billedNano += billedNano;
        unlinked.set(id, entry);
      }
    } else {
      result.costNano = row.estimatedNano;
      totals.estimatedRows += 1;
    }
    totals.estimatedNano += row.estimatedNano;
    totals.costNano += result.costNano;
    if (row.projectId === null) unattributed.estimatedNano += row.estimatedNano;
    out.push(result);
  }
  totals.varianceBps = varianceBasisPoints(totals.varianceNano, totals.billedRowsEstimatedNano);
  unattributed.unlinkedProjects = [...unlinked.values()].sort((a, b) =>
    a.billedNano === b.billedNano ? compare(a.externalProjectId, b.externalProjectId) : a.billedNano > b.billedNano ? -1 : 1,
  );
  out.sort(
    (a, b) =>
      compare(a.day, b.day) ||
      compare(a.provider, b.provider) ||
      compare(a.model, b.model) ||
      compare(a.projectId, b.projectId) ||
      compare(a.externalProjectId, b.externalProjectId),
  );
  return { rows: out, totals, unattributed };
}
