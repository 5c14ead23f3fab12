/**
 * API keys: create (the secret is returned once and never stored, only its
 * SHA-256), list (never secrets), revoke. A key may come with its own budget,
 * created in the same transaction; every change is audit-logged without the
 * secret.
 */
import { and, desc, eq, isNull, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { apiKeys, budgets, departments, projects, users, type ApiKey } from '@/db/schema';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '@/lib/auth/secrets';
import { BUDGET_WINDOWS, ENFORCEMENTS, KEY_ROLES } from '@/lib/engine/enums';
import { NotFoundError, ValidationError } from '@/lib/engine/errors';
import { clearApiKeyCache } from '@/lib/http/authenticate';
import type { RequestContext } from '@/lib/http/context';
import { invalidateBudgetRules } from '@/lib/server/governance/quota-store';
import { alertThresholdsSchema, budgetView, type BudgetView } from './budgets';
import { actorOf, idString, newId, positiveCount, usdAmount, writeAudit } from './shared';

const keyBudgetSchema = z
  .strictObject({
    limit_usd: usdAmount.optional(),
    limit_tokens: positiveCount.optional(),
    limit_requests: positiveCount.optional(),
    window: z.enum(BUDGET_WINDOWS),
    enforcement: z.enum(ENFORCEMENTS).optional(),
    alert_thresholds: alertThresholdsSchema.optional(),
  })
  .superRefine((b, ctx) => {
    const limits = [b.limit_usd, b.limit_tokens, b.limit_requests].filter((v) => v !== undefined).length;
    if (limits !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of limit_usd, limit_tokens, limit_requests' });
  });

export const createKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** `agent` calls the gateway; `ops` can use the admin API. */
  role: z.enum(KEY_ROLES).default('agent'),
  department: idString.optional(),
  project: idString.optional(),
  /** The person the key acts for. */
  user: idString.optional(),
  /** The agent the key belongs to, e.g. `claims-triage-bot`. */
  agent: z.string().trim().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, dot, dash and underscore, at most 100').optional(),
  budget: keyBudgetSchema.optional(),
});

export interface KeyView {
  id: string;
  name: string;
  prefix: string;
  role: ApiKey['role'];
  department_id: string | null;
  project_id: string | null;
  user_id: string | null;
  agent: string | null;
  created_at: string;
  created_by: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface CreatedKey extends KeyView {
  /** The secret, shown this once. */
  key: string;
  budget: BudgetView | null;
}

function view(row: ApiKey): KeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    department_id: row.departmentId,
    project_id: row.projectId,
    user_id: row.userId,
    agent: row.agent,
    created_at: row.createdAt.toISOString(),
    created_by: row.createdBy,
    revoked_at: row.revokedAt?.toISOString() ?? null,
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
  };
}

export async function createKey(ctx: RequestContext, body: unknown): Promise<CreatedKey> {
  const input = createKeySchema.parse(body);
  const org = ctx.organisationId;
  const now = ctx.now();
  const created = await ctx.db.db.transaction(async (tx): Promise<CreatedKey> => {
    let departmentId = input.department ?? null;
    if (departmentId) {
      const [dep] = await tx.select({ id: departments.id }).from(departments).where(and(eq(departments.organisationId, org), eq(departments.id, departmentId))).limit(1);
      if (!dep) throw new ValidationError(`department: no department ${JSON.stringify(departmentId)} in this organisation.`, { param: 'department' });
    }
    if (input.project) {
      const [project] = await tx
        .select({ departmentId: projects.departmentId })
        .from(projects)
        .where(and(eq(projects.organisationId, org), eq(projects.id, input.project)))
        .limit(1);
      if (!project) throw new ValidationError(`project: no project ${JSON.stringify(input.project)} in this organisation.`, { param: 'project' });
      if (departmentId && project.departmentId !== departmentId) {
        throw new ValidationError(`project: ${JSON.stringify(input.project)} belongs to another department than ${JSON.stringify(departmentId)}.`, { param: 'project' });
      }
      departmentId = project.departmentId;
    }
    if (input.user) {
      const [user] = await tx.select({ id: users.id, disabledAt: users.disabledAt }).from(users).where(and(eq(users.organisationId, org), eq(users.id, input.user))).limit(1);
      if (!user) throw new ValidationError(`user: no user ${JSON.stringify(input.user)} in this organisation.`, { param: 'user' });
      if (user.disabledAt) throw new ValidationError(`user: ${JSON.stringify(input.user)} is disabled.`, { param: 'user' });
    }
    // Every call an agent key makes is charged to a department.
    if (input.role === 'agent' && !departmentId) throw new ValidationError('department: an agent key needs a department (or a project).', { param: 'department' });

    const secret = generateApiKey();
    const id = newId('key');
    const createdBy = `${ctx.actor.type}:${ctx.actor.id}`;
    const [row] = await tx
      .insert(apiKeys)
      .values({
        id,
        organisationId: org,
        name: input.name,
        prefix: apiKeyPrefix(secret),
        hash: hashApiKey(secret),
        role: input.role,
        departmentId,
        projectId: input.project ?? null,
        userId: input.user ?? null,
        agent: input.agent ?? null,
        createdAt: now,
        createdBy,
      })
      .returning();

    let budget: BudgetView | null = null;
    if (input.budget) {
      const b = input.budget;
      const [metric, limit] =
        b.limit_usd !== undefined ? (['cost', b.limit_usd] as const) : b.limit_tokens !== undefined ? (['tokens', b.limit_tokens] as const) : (['requests', b.limit_requests!] as const);
      const [budgetRow] = await tx
        .insert(budgets)
        .values({
          id: newId('bud'),
          organisationId: org,
          name: `${input.name} ${b.window} ${metric} cap`,
          scopeType: 'api_key',
          scopeId: id,
          window: b.window,
          metric,
          limitValue: limit,
          enforcement: b.enforcement ?? 'hard',
          alertThresholds: b.alert_thresholds ?? [0.8, 0.95],
          createdAt: now,
          createdBy,
        })
        .returning();
      budget = budgetView(budgetRow!);
    }
    await writeAudit(tx, {
      organisationId: org,
      actor: actorOf(ctx.actor),
      action: 'api_key.create',
      targetType: 'api_key',
      targetId: id,
      details: {
        name: input.name,
        prefix: row!.prefix,
        role: input.role,
        department_id: departmentId,
        project_id: input.project ?? null,
        user_id: input.user ?? null,
        agent: input.agent ?? null,
        budget: budget && { id: budget.id, metric: budget.metric, window: budget.window, limit: budget.limit, enforcement: budget.enforcement },
      },
    });
    return { ...view(row!), key: secret, budget };
  });
  if (created.budget) invalidateBudgetRules(org);
  return created;
}

export async function listKeys(
  ctx: RequestContext,
  filter: { departmentId?: string | null; includeRevoked?: boolean } = {},
): Promise<KeyView[]> {
  const conditions: SQL[] = [eq(apiKeys.organisationId, ctx.organisationId)];
  if (filter.departmentId) conditions.push(eq(apiKeys.departmentId, filter.departmentId));
  if (!filter.includeRevoked) conditions.push(isNull(apiKeys.revokedAt));
  const rows = await ctx.db.db
    .select()
    .from(apiKeys)
    .where(and(...conditions))
    .orderBy(desc(apiKeys.createdAt), apiKeys.id);
  return rows.map(view);
}

/**
 * Revokes a key: it stops authenticating at once in this process (the key
 * cache is cleared) and within the cache's 30 s elsewhere. Revoking a revoked
 * key changes nothing and returns it as it is.
 */
export async function revokeKey(ctx: RequestContext, id: string): Promise<{ key: KeyView; revoked: boolean }> {
  const result = await ctx.db.db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: ctx.now() })
      .where(and(eq(apiKeys.organisationId, ctx.organisationId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    if (!row) {
      const [existing] = await tx.select().from(apiKeys).where(and(eq(apiKeys.organisationId, ctx.organisationId), eq(apiKeys.id, id))).limit(1);
      if (!existing) throw new NotFoundError(`No API key ${JSON.stringify(id)}.`);
      return { key: view(existing), revoked: false };
    }
    await writeAudit(tx, {
      organisationId: ctx.organisationId,
      actor: actorOf(ctx.actor),
      action: 'api_key.revoke',
      targetType: 'api_key',
      targetId: id,
      details: { name: row.name, prefix: row.prefix, role: row.role, department_id: row.departmentId },
    });
    return { key: view(row), revoked: true };
  });
  clearApiKeyCache();
  return result;
}
