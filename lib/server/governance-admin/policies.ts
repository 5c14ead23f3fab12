/**
 * Policies ops set: approval gates, escalation, the loop guard and routing
 * (forbidden models, quality thresholds), each for a scope. The config is
 * validated by the kind's zod schema and stored canonical (USD as exact
 * decimal strings) in `policies.config`. A new escalation, loop-guard or
 * routing policy replaces the active one of the same scope; a new approval
 * gate replaces the one with the same scope, task and workflow. The gateway
 * reads them through `loadPolicies` (cached a few seconds per organisation).
 */
import { and, desc, eq, isNull, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbHandle } from '@/db/client';
import { policies, type Policy } from '@/db/schema';
import { CATALOG_MODELS } from '@/lib/engine/catalog';
import { TASK_TYPES, type BudgetScope, type PolicyKind, type TaskType } from '@/lib/engine/enums';
import { NotFoundError, ValidationError } from '@/lib/engine/errors';
import { SCOPE_SPECIFICITY, scopeCovers } from '@/lib/engine/governance/scope';
import {
  DEFAULT_ESCALATION,
  DEFAULT_LOOP_GUARD,
  type ApprovalPolicy,
  type CallAttribution,
  type EscalationPolicy,
  type LoopGuardPolicy,
} from '@/lib/engine/governance/types';
import { usdToNano } from '@/lib/engine/money';
import type { RequestContext } from '@/lib/http/context';
import { actorOf, assertCanGovern, ConflictError, idString, newId, resolveScope, scopeSchema, usd, usdAmount, writeAudit } from './shared';

const DEFAULT_APPROVAL_TTL_MINUTES = 60;
const fraction = z.number().min(0).max(1);
const oneOf = (fields: string[]) => (value: Record<string, unknown>) => fields.some((f) => value[f] !== undefined);

const MODEL_IDS = new Map<string, string>();
for (const m of CATALOG_MODELS) {
  MODEL_IDS.set(m.id, m.id);
  MODEL_IDS.set(m.name, m.id);
}

export const approvalConfigSchema = z.strictObject({
  /** A call whose projected cost is above this waits for sign-off. */
  threshold_usd: usdAmount,
  task: z.enum(TASK_TYPES).optional(),
  workflow: idString.optional(),
  /** How long a request waits for a decision, and how long an approval stays usable (default 60). */
  ttl_minutes: z.number().int().min(1).max(7 * 24 * 60).optional(),
});

export const escalationConfigSchema = z
  .strictObject({
    /** Below this confidence (default 0.85)... */
    min_confidence: fraction.optional(),
    /** ...and above this projected cost (default 5.00 USD), the gateway escalates to a human. */
    max_cost_usd: usdAmount.optional(),
  })
  .refine(oneOf(['min_confidence', 'max_cost_usd']), 'give min_confidence, max_cost_usd or both');

export const loopGuardConfigSchema = z
  .strictObject({
    max_repeats: z.number().int().min(2).max(1_000).optional(),
    similarity: z.number().min(0.5).max(1).optional(),
    max_cycles: z.number().int().min(1).max(1_000).optional(),
    rate_window_seconds: z.number().int().min(5).max(86_400).optional(),
    spike_factor: z.number().gt(1).max(1_000).optional(),
    min_spike_usd: usdAmount.optional(),
  })
  .refine(oneOf(['max_repeats', 'similarity', 'max_cycles', 'rate_window_seconds', 'spike_factor', 'min_spike_usd']), 'give at least one loop-guard setting');

export const routingConfigSchema = z
  .strictObject({
    /** Catalog model ids (or names) this scope may not use. */
    forbidden_models: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
    /** Minimum expected quality per task type, 0-1. */
    thresholds: z.partialRecord(z.enum(TASK_TYPES), fraction).optional(),
  })
  .refine(oneOf(['forbidden_models', 'thresholds']), 'give forbidden_models, thresholds or both');

export const policyInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('approval'), scope: scopeSchema, config: approvalConfigSchema }),
  z.strictObject({ kind: z.literal('escalation'), scope: scopeSchema, config: escalationConfigSchema }),
  z.strictObject({ kind: z.literal('loop_guard'), scope: scopeSchema, config: loopGuardConfigSchema }),
  z.strictObject({ kind: z.literal('routing'), scope: scopeSchema, config: routingConfigSchema }),
]);
export type PolicyInput = z.infer<typeof policyInputSchema>;

/** The config as stored: JSON-safe, money as exact USD strings, model names resolved to catalog ids. */
function canonicalConfig(input: PolicyInput): Record<string, unknown> {
  const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  switch (input.kind) {
    case 'approval': {
      const c = input.config;
      return clean({ threshold_usd: usd(c.threshold_usd), task: c.task, workflow: c.workflow, ttl_minutes: c.ttl_minutes ?? DEFAULT_APPROVAL_TTL_MINUTES });
    }
    case 'escalation':
      return clean({ min_confidence: input.config.min_confidence, max_cost_usd: input.config.max_cost_usd === undefined ? undefined : usd(input.config.max_cost_usd) });
    case 'loop_guard': {
      const c = input.config;
      return clean({ ...c, min_spike_usd: c.min_spike_usd === undefined ? undefined : usd(c.min_spike_usd) });
    }
    case 'routing': {
      const c = input.config;
      const unknown = (c.forbidden_models ?? []).filter((m) => !MODEL_IDS.has(m));
      if (unknown.length) {
        throw new ValidationError(`config.forbidden_models: unknown model ${unknown.map((m) => JSON.stringify(m)).join(', ')}; expected catalog ids such as ${CATALOG_MODELS[0]!.id}`, {
          param: 'config.forbidden_models',
        });
      }
      const forbidden = c.forbidden_models ? [...new Set(c.forbidden_models.map((m) => MODEL_IDS.get(m)!))].sort() : undefined;
      return clean({ forbidden_models: forbidden, thresholds: c.thresholds });
    }
  }
}

export interface PolicyView {
  id: string;
  kind: PolicyKind;
  scope: { type: BudgetScope; id: string | null };
  config: Record<string, unknown>;
  created_at: string;
  created_by: string | null;
  archived_at: string | null;
}

const view = (row: Policy): PolicyView => ({
  id: row.id,
  kind: row.kind,
  scope: { type: row.scopeType, id: row.scopeId },
  config: row.config,
  created_at: row.createdAt.toISOString(),
  created_by: row.createdBy,
  archived_at: row.archivedAt?.toISOString() ?? null,
});

const sameScope = (a: Pick<Policy, 'scopeType' | 'scopeId'>, b: Pick<Policy, 'scopeType' | 'scopeId'>) => a.scopeType === b.scopeType && a.scopeId === b.scopeId;

export async function createPolicy(ctx: RequestContext, body: unknown): Promise<{ policy: PolicyView; replaced: string[] }> {
  const input = policyInputSchema.parse(body);
  const config = canonicalConfig(input);
  const result = await ctx.db.db.transaction(async (tx) => {
    const scope = await resolveScope(tx, ctx.organisationId, input.scope);
    assertCanGovern(ctx, scope);
    const now = ctx.now();
    const active = await tx
      .select()
      .from(policies)
      .where(and(eq(policies.organisationId, ctx.organisationId), eq(policies.kind, input.kind), isNull(policies.archivedAt)))
      .for('update');
    const replaced = active.filter(
      (p) => sameScope(p, scope) && (input.kind !== 'approval' || (p.config.task === config.task && p.config.workflow === config.workflow)),
    );
    for (const old of replaced) await tx.update(policies).set({ archivedAt: now }).where(eq(policies.id, old.id));
    const [row] = await tx
      .insert(policies)
      .values({
        id: newId('pol'),
        organisationId: ctx.organisationId,
        kind: input.kind,
        scopeType: scope.scopeType,
        scopeId: scope.scopeId,
        config,
        createdAt: now,
        createdBy: `${ctx.actor.type}:${ctx.actor.id}`,
      })
      .returning();
    await writeAudit(tx, {
      organisationId: ctx.organisationId,
      actor: actorOf(ctx.actor),
      action: 'policy.create',
      targetType: 'policy',
      targetId: row!.id,
      details: { kind: input.kind, scope: { type: scope.scopeType, id: scope.scopeId }, config, replaced: replaced.map((p) => p.id) },
    });
    return { policy: view(row!), replaced: replaced.map((p) => p.id) };
  });
  invalidatePolicies(ctx.organisationId);
  return result;
}

export async function listPolicies(ctx: RequestContext, filter: { kind?: PolicyKind; includeArchived?: boolean } = {}): Promise<PolicyView[]> {
  const conditions: SQL[] = [eq(policies.organisationId, ctx.organisationId)];
  if (filter.kind) conditions.push(eq(policies.kind, filter.kind));
  if (!filter.includeArchived) conditions.push(isNull(policies.archivedAt));
  const rows = await ctx.db.db
    .select()
    .from(policies)
    .where(and(...conditions))
    .orderBy(desc(policies.createdAt), policies.id);
  return rows.map(view);
}

export async function archivePolicy(ctx: RequestContext, id: string): Promise<PolicyView> {
  const result = await ctx.db.db.transaction(async (tx) => {
    const [existing] = await tx.select().from(policies).where(and(eq(policies.organisationId, ctx.organisationId), eq(policies.id, id))).for('update');
    if (!existing) throw new NotFoundError(`No policy ${JSON.stringify(id)}.`);
    if (existing.archivedAt) throw new ConflictError(`Policy ${JSON.stringify(id)} is already archived.`);
    const [row] = await tx.update(policies).set({ archivedAt: ctx.now() }).where(eq(policies.id, id)).returning();
    await writeAudit(tx, {
      organisationId: ctx.organisationId,
      actor: actorOf(ctx.actor),
      action: 'policy.archive',
      targetType: 'policy',
      targetId: id,
      details: { kind: existing.kind, scope: { type: existing.scopeType, id: existing.scopeId } },
    });
    return view(row!);
  });
  invalidatePolicies(ctx.organisationId);
  return result;
}

// --- the gateway's view

export interface ScopedPolicy {
  id: string;
  scopeType: BudgetScope;
  scopeId: string | null;
}

export interface RoutingPolicy extends ScopedPolicy {
  forbidden: ReadonlySet<string>;
  thresholds: Partial<Record<TaskType, number>>;
}

export interface LoadedPolicies {
  approvals: ApprovalPolicy[];
  /** By `scopeKey(type, id)`. */
  escalation: ReadonlyMap<string, EscalationPolicy & ScopedPolicy>;
  loopGuard: ReadonlyMap<string, LoopGuardPolicy & ScopedPolicy>;
  routing: RoutingPolicy[];
}

export const scopeKey = (type: BudgetScope, id: string | null): string => (type === 'organisation' ? 'organisation' : `${type}:${id}`);

const nanoOf = (value: unknown, fallback: bigint): bigint => (typeof value === 'string' ? usdToNano(value) : fallback);
const numberOf = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);

/** Stored rows as engine policies; a stored config is canonical, so this never re-validates. */
export function toEnginePolicies(rows: readonly Policy[]): LoadedPolicies {
  const approvals: ApprovalPolicy[] = [];
  const escalation = new Map<string, EscalationPolicy & ScopedPolicy>();
  const loopGuard = new Map<string, LoopGuardPolicy & ScopedPolicy>();
  const routing: RoutingPolicy[] = [];
  for (const row of rows) {
    const scoped: ScopedPolicy = { id: row.id, scopeType: row.scopeType, scopeId: row.scopeId };
    const c = row.config;
    const key = scopeKey(row.scopeType, row.scopeId);
    switch (row.kind) {
      case 'approval':
        approvals.push({
          ...scoped,
          task: (c.task as TaskType | undefined) ?? null,
          workflow: (c.workflow as string | undefined) ?? null,
          thresholdNano: nanoOf(c.threshold_usd, 0n),
          ttlMs: numberOf(c.ttl_minutes, DEFAULT_APPROVAL_TTL_MINUTES) * 60_000,
        });
        break;
      case 'escalation':
        if (!escalation.has(key)) {
          escalation.set(key, { ...scoped, minConfidence: numberOf(c.min_confidence, DEFAULT_ESCALATION.minConfidence), maxCostNano: nanoOf(c.max_cost_usd, DEFAULT_ESCALATION.maxCostNano) });
        }
        break;
      case 'loop_guard':
        if (!loopGuard.has(key)) {
          loopGuard.set(key, {
            ...scoped,
            maxRepeats: numberOf(c.max_repeats, DEFAULT_LOOP_GUARD.maxRepeats),
            similarity: numberOf(c.similarity, DEFAULT_LOOP_GUARD.similarity),
            maxCycles: numberOf(c.max_cycles, DEFAULT_LOOP_GUARD.maxCycles),
            rateWindowMs: typeof c.rate_window_seconds === 'number' ? c.rate_window_seconds * 1_000 : DEFAULT_LOOP_GUARD.rateWindowMs,
            spikeFactor: numberOf(c.spike_factor, DEFAULT_LOOP_GUARD.spikeFactor),
            minSpikeNano: nanoOf(c.min_spike_usd, DEFAULT_LOOP_GUARD.minSpikeNano),
          });
        }
        break;
      case 'routing':
        routing.push({
          ...scoped,
          forbidden: new Set(Array.isArray(c.forbidden_models) ? (c.forbidden_models as string[]) : []),
          thresholds: (c.thresholds as Partial<Record<TaskType, number>> | undefined) ?? {},
        });
        break;
    }
  }
  return { approvals, escalation, loopGuard, routing };
}

const POLICY_CACHE_TTL_MS = 5_000;
const policyCache = new Map<string, { expires: number; value: Promise<LoadedPolicies> }>();

/** The organisation's active policies as engine types, newest first per scope; cached for a few seconds. */
export function loadPolicies(db: DbHandle, organisationId: string, nowMs = Date.now()): Promise<LoadedPolicies> {
  const cached = policyCache.get(organisationId);
  if (cached && cached.expires > nowMs) return cached.value;
  const value = db.db
    .select()
    .from(policies)
    .where(and(eq(policies.organisationId, organisationId), isNull(policies.archivedAt)))
    .orderBy(desc(policies.createdAt), desc(policies.id))
    .then(toEnginePolicies);
  value.catch(() => policyCache.delete(organisationId));
  policyCache.set(organisationId, { expires: nowMs + POLICY_CACHE_TTL_MS, value });
  return value;
}

/** Forget cached policies (after a change; other instances pick it up within the cache's few seconds). */
export function invalidatePolicies(organisationId?: string): void {
  if (organisationId) policyCache.delete(organisationId);
  else policyCache.clear();
}

export interface CallPolicies {
  /** Approval gates whose scope covers the call; `approvalNeeded` (engine) picks the one a call trips. */
  approvals: ApprovalPolicy[];
  /** The narrowest covering escalation policy, or the default. */
  escalation: EscalationPolicy;
  loopGuard: LoopGuardPolicy;
  /** Union of the forbidden models of every covering routing policy. */
  forbidden: ReadonlySet<string>;
  /** Threshold overrides, the narrower scope winning per task. */
  thresholds: Partial<Record<TaskType, number>>;
}

/** What applies to one call, by the engine's scope rule (`scopeCovers`), the narrowest scope winning. Pure. */
export function policiesForCall(loaded: LoadedPolicies, call: CallAttribution): CallPolicies {
  const covers = (p: ScopedPolicy) => scopeCovers(p.scopeType, p.scopeId, call);
  const widestFirst = <T extends ScopedPolicy>(list: Iterable<T>): T[] => [...list].filter(covers).sort((a, b) => SCOPE_SPECIFICITY[a.scopeType] - SCOPE_SPECIFICITY[b.scopeType]);
  const forbidden = new Set<string>();
  const thresholds: Partial<Record<TaskType, number>> = {};
  for (const r of widestFirst(loaded.routing)) {
    for (const m of r.forbidden) forbidden.add(m);
    Object.assign(thresholds, r.thresholds);
  }
  return {
    approvals: loaded.approvals.filter(covers),
    escalation: widestFirst(loaded.escalation.values()).at(-1) ?? DEFAULT_ESCALATION,
    loopGuard: widestFirst(loaded.loopGuard.values()).at(-1) ?? DEFAULT_LOOP_GUARD,
    forbidden,
    thresholds,
  };
}
