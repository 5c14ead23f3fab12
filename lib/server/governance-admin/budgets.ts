/**
 * Budgets and token/request quotas: create (CFO or ops), list with what each
 * window has used (managers: their own department's only), archive. The
 * limit is exact: nano-dollars parsed from a USD decimal for cost, a whole
 * number for tokens and requests. Bad input writes nothing.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { budgetUse, type BudgetUse } from '@/db/queries/budgets';
import { budgets, type Budget } from '@/db/schema';
import { BUDGET_METRICS, BUDGET_WINDOWS, ENFORCEMENTS } from '@/lib/engine/enums';
import { NotFoundError } from '@/lib/engine/errors';
import type { RequestContext } from '@/lib/http/context';
import { departmentScope } from '@/lib/http/context';
import { invalidateBudgetRules } from '@/lib/server/governance/quota-store';
import { actorOf, assertCanGovern, ConflictError, newId, positiveCount, resolveScope, scopeSchema, usd, usdAmount, writeAudit } from './shared';

/** Fractions of the limit that alert, each in (0, 1]; stored ascending without repeats. */
export const alertThresholdsSchema = z
  .array(z.number().gt(0, 'each threshold is a fraction of the limit above 0').lte(1, 'each threshold is a fraction of the limit, at most 1'))
  .max(10)
  .transform((values) => [...new Set(values)].sort((a, b) => a - b));

export const budgetInputSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    scope: scopeSchema,
    window: z.enum(BUDGET_WINDOWS),
    metric: z.enum(BUDGET_METRICS).default('cost'),
    /** USD as a decimal string for cost ("2500.00"); a whole number for tokens and requests. */
    limit: z.union([z.string(), z.number()]),
    enforcement: z.enum(ENFORCEMENTS).default('hard'),
    alert_thresholds: alertThresholdsSchema.optional(),
  })
  .transform((input, ctx) => {
    const parsed = (input.metric === 'cost' ? usdAmount : positiveCount).safeParse(input.limit);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['limit'], message: issue.message });
      return z.NEVER;
    }
    return { ...input, limitValue: parsed.data };
  });

export interface BudgetView {
  id: string;
  name: string;
  scope: { type: Budget['scopeType']; id: string | null };
  window: Budget['window'];
  metric: Budget['metric'];
  /** Nano-dollars for cost, tokens or requests otherwise, as a decimal string. */
  limit: string;
  /** The limit in USD, for cost budgets. */
  limit_usd: string | null;
  enforcement: Budget['enforcement'];
  alert_thresholds: number[];
  created_at: string;
  created_by: string | null;
}

export function budgetView(row: Budget): BudgetView {
  return {
    id: row.id,
    name: row.name,
    scope: { type: row.scopeType, id: row.scopeId },
    window: row.window,
    metric: row.metric,
    limit: row.limitValue.toString(),
    limit_usd: row.metric === 'cost' ? usd(row.limitValue) : null,
    enforcement: row.enforcement,
    alert_thresholds: row.alertThresholds,
    created_at: row.createdAt.toISOString(),
    created_by: row.createdBy,
  };
}

export async function createBudget(ctx: RequestContext, body: unknown): Promise<BudgetView> {
  const input = budgetInputSchema.parse(body);
  const view = await ctx.db.db.transaction(async (tx) => {
    const scope = await resolveScope(tx, ctx.organisationId, input.scope);
    assertCanGovern(ctx, scope);
    const [row] = await tx
      .insert(budgets)
      .values({
        id: newId('bud'),
        organisationId: ctx.organisationId,
        name: input.name,
        scopeType: scope.scopeType,
        scopeId: scope.scopeId,
        window: input.window,
        metric: input.metric,
        limitValue: input.limitValue,
        enforcement: input.enforcement,
        alertThresholds: input.alert_thresholds ?? [0.8, 0.95],
        createdAt: ctx.now(),
        createdBy: `${ctx.actor.type}:${ctx.actor.id}`,
      })
      .returning();
    const view = budgetView(row!);
    await writeAudit(tx, {
      organisationId: ctx.organisationId,
      actor: actorOf(ctx.actor),
      action: 'budget.create',
      targetType: 'budget',
      targetId: view.id,
      details: { name: view.name, scope: view.scope, window: view.window, metric: view.metric, limit: view.limit, enforcement: view.enforcement, alert_thresholds: view.alert_thresholds },
    });
    return view;
  });
  // The gateway's admission reads budget rules through a few-second cache; this instance applies the change at once.
  invalidateBudgetRules(ctx.organisationId);
  return view;
}

export interface BudgetUseView extends Omit<BudgetView, 'created_at' | 'created_by'> {
  scope_label: string;
  used: string;
  used_usd: string | null;
  /** Basis points of the limit used (10000 = 100%). */
  use_bps: number | null;
  resets_at: string | null;
}

/** Active budgets with their use this window; a manager sees only their department's (asking for another is a 403). */
export async function listBudgets(ctx: RequestContext, requestedDepartment?: string | null): Promise<BudgetUseView[]> {
  const departmentId = departmentScope(ctx, requestedDepartment);
  const rows = await budgetUse({ db: ctx.db, organisationId: ctx.organisationId, departmentId, now: ctx.now() });
  return rows.map((b: BudgetUse) => ({
    id: b.id,
    name: b.name,
    scope: { type: b.scopeType, id: b.scopeId },
    scope_label: b.scopeLabel,
    window: b.window,
    metric: b.metric,
    limit: b.limit,
    limit_usd: b.metric === 'cost' ? usd(BigInt(b.limit)) : null,
    enforcement: b.enforcement,
    alert_thresholds: b.alertThresholds,
    used: b.used,
    used_usd: b.metric === 'cost' ? usd(BigInt(b.used)) : null,
    use_bps: b.useBps,
    resets_at: b.resetsAt,
  }));
}

/** Archives a budget: it stops applying to new calls; its history stays. */
export async function archiveBudget(ctx: RequestContext, id: string): Promise<BudgetView> {
  const archived = await ctx.db.db.transaction(async (tx) => {
    const [existing] = await tx.select().from(budgets).where(and(eq(budgets.organisationId, ctx.organisationId), eq(budgets.id, id))).for('update');
    if (!existing) throw new NotFoundError(`No budget ${JSON.stringify(id)}.`);
    const scope = await resolveScope(tx, ctx.organisationId, { type: existing.scopeType, id: existing.scopeId ?? undefined }).catch(() => null);
    // A scope that no longer resolves (a revoked key) belongs to no department a confined caller could claim.
    assertCanGovern(ctx, scope ?? { scopeType: existing.scopeType, scopeId: existing.scopeId, departmentId: null });
    if (existing.archivedAt) throw new ConflictError(`Budget ${JSON.stringify(id)} is already archived.`);
    const [row] = await tx
      .update(budgets)
      .set({ archivedAt: ctx.now() })
      .where(and(eq(budgets.id, id), isNull(budgets.archivedAt)))
      .returning();
    await writeAudit(tx, {
      organisationId: ctx.organisationId,
      actor: actorOf(ctx.actor),
      action: 'budget.archive',
      targetType: 'budget',
      targetId: id,
      details: { name: existing.name, scope: { type: existing.scopeType, id: existing.scopeId } },
    });
    return budgetView(row!);
  });
  invalidateBudgetRules(ctx.organisationId);
  return archived;
}
