/**
 * The approval inbox. The gateway opens a request when a call's projected
 * cost trips an approval gate (`openApprovalRequest`); ops approve or reject
 * it; the caller retries with the approval id and is admitted once, within
 * the approved amount (`consumeApproval`). Requests and approvals expire
 * (`expireApprovals` records it; until then an overdue row reads as
 * `expired` everywhere).
 *
 * Decisions are one conditional UPDATE (`... where status = 'pending' and
 * expires_at > now`) and a use locks the row before the engine checks it, so
 * two people approving at once, or two calls using one approval, produce
 * exactly one winner; the loser changes nothing. Each transition writes its
 * audit row in the same transaction.
 */
import { and, desc, eq, gt, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { DbHandle } from '@/db/client';
import { approvalRequests, type ApprovalRequest } from '@/db/schema';
import { APPROVAL_STATUSES, type ApprovalStatus, type TaskType } from '@/lib/engine/enums';
import { NotFoundError, ValidationError } from '@/lib/engine/errors';
import { approvalCovers, type ApprovalRefusalReason } from '@/lib/engine/governance/approval';
import type { ApprovalPolicy } from '@/lib/engine/governance/types';
import type { RequestContext } from '@/lib/http/context';
import { departmentScope } from '@/lib/http/context';
import { kickAlertDelivery, recordAlert } from '@/lib/server/alerts';
import { actorOf, ConflictError, newId, usd, usdAmount, writeAudit, type AuditActor } from './shared';

const DEFAULT_TTL_MS = 60 * 60_000;

export interface ApprovalView {
  id: string;
  /** As it stands now: a pending or approved request past its expiry reads `expired`. */
  status: ApprovalStatus;
  reason: string;
  policy_id: string | null;
  department_id: string | null;
  project_id: string | null;
  api_key_id: string | null;
  session_id: string | null;
  workflow_run_id: string | null;
  task: string | null;
  model: string | null;
  projected_cost_usd: string;
  approved_amount_usd: string | null;
  context: Record<string, unknown>;
  requested_at: string;
  expires_at: string;
  decided_at: string | null;
  decided_by: string | null;
  note: string | null;
  used_at: string | null;
  used_by_request_id: string | null;
}

export function effectiveStatus(row: Pick<ApprovalRequest, 'status' | 'expiresAt'>, now: Date): ApprovalStatus {
  return (row.status === 'pending' || row.status === 'approved') && row.expiresAt.getTime() <= now.getTime() ? 'expired' : row.status;
}

export function approvalView(row: ApprovalRequest, now: Date): ApprovalView {
  return {
    id: row.id,
    status: effectiveStatus(row, now),
    reason: row.reason,
    policy_id: row.policyId,
    department_id: row.departmentId,
    project_id: row.projectId,
    api_key_id: row.apiKeyId,
    session_id: row.sessionId,
    workflow_run_id: row.workflowRunId,
    task: row.taskType,
    model: row.modelName,
    projected_cost_usd: usd(row.projectedCostNano)!,
    approved_amount_usd: usd(row.approvedAmountNano),
    context: row.context,
    requested_at: row.requestedAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    decided_at: row.decidedAt?.toISOString() ?? null,
    decided_by: row.decidedBy,
    note: row.note,
    used_at: row.usedAt?.toISOString() ?? null,
    used_by_request_id: row.usedByRequestId,
  };
}

const eqOrNull = (column: PgColumn, value: string | null): SQL => (value === null ? isNull(column) : eq(column, value));

/** Rows whose status, as it stands at `now`, is `status`. */
function statusIs(status: ApprovalStatus, now: Date): SQL {
  switch (status) {
    case 'pending':
    case 'approved':
      return and(eq(approvalRequests.status, status), gt(approvalRequests.expiresAt, now))!;
    case 'expired':
      return or(eq(approvalRequests.status, 'expired'), and(inArray(approvalRequests.status, ['pending', 'approved']), lte(approvalRequests.expiresAt, now)))!;
    default:
      return eq(approvalRequests.status, status);
  }
}

// --- the inbox

export const approvalListQuery = z.strictObject({
  status: z.enum(APPROVAL_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** `next_before` from the previous page. */
  before: z.string().trim().min(1).max(200).optional(),
});

export async function listApprovals(ctx: RequestContext, query: z.infer<typeof approvalListQuery>): Promise<{ data: ApprovalView[]; next_before: string | null }> {
  const now = ctx.now();
  const conditions: SQL[] = [eq(approvalRequests.organisationId, ctx.organisationId)];
  const confined = departmentScope(ctx);
  if (confined) conditions.push(eq(approvalRequests.departmentId, confined));
  if (query.status) conditions.push(statusIs(query.status, now));
  if (query.before) {
    const [cursor] = await ctx.db.db
      .select({ requestedAt: approvalRequests.requestedAt, id: approvalRequests.id })
      .from(approvalRequests)
      .where(and(eq(approvalRequests.organisationId, ctx.organisationId), eq(approvalRequests.id, query.before)));
    if (!cursor) throw new ValidationError('before: not an approval id from a previous page.', { param: 'before' });
    conditions.push(or(lt(approvalRequests.requestedAt, cursor.requestedAt), and(eq(approvalRequests.requestedAt, cursor.requestedAt), lt(approvalRequests.id, cursor.id)))!);
  }
  const rows = await ctx.db.db
    .select()
    .from(approvalRequests)
    .where(and(...conditions))
    .orderBy(desc(approvalRequests.requestedAt), desc(approvalRequests.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return { data: page.map((r) => approvalView(r, now)), next_before: rows.length > query.limit ? page[page.length - 1]!.id : null };
}

async function findApproval(ctx: RequestContext, id: string): Promise<ApprovalRequest> {
  const [row] = await ctx.db.db
    .select()
    .from(approvalRequests)
    .where(and(eq(approvalRequests.organisationId, ctx.organisationId), eq(approvalRequests.id, id)))
    .limit(1);
  const confined = departmentScope(ctx);
  // Another department's request reads exactly like a missing one.
  if (!row || (confined && row.departmentId !== confined)) throw new NotFoundError(`No approval request ${JSON.stringify(id)}.`);
  return row;
}

export async function getApproval(ctx: RequestContext, id: string): Promise<ApprovalView> {
  return approvalView(await findApproval(ctx, id), ctx.now());
}

export const decisionSchema = z.strictObject({
  note: z.string().trim().max(2_000).optional(),
  /** Approve only: the most the call may cost, USD (default: its projected cost). */
  amount_usd: usdAmount.optional(),
});

/**
 * Approves or rejects a pending, unexpired request, once. Approving sets the
 * approved amount and restarts the policy's time-to-live: the approval is
 * usable for that long. Anything but a pending request is a 409 naming its
 * current status, and nothing changes.
 */
export async function decideApproval(ctx: RequestContext, id: string, decision: 'approve' | 'reject', body: unknown): Promise<ApprovalView> {
  const input = decisionSchema.parse(body);
  if (decision === 'reject' && input.amount_usd !== undefined) throw new ValidationError('amount_usd: only an approval carries an amount.', { param: 'amount_usd' });
  await findApproval(ctx, id);
  const now = ctx.now();
  const decidedBy = `${ctx.actor.type}:${ctx.actor.id}`;
  return ctx.db.db.transaction(async (tx) => {
    const [row] = await tx
      .update(approvalRequests)
      .set(
        decision === 'approve'
          ? {
              status: 'approved',
              decidedBy,
              decidedAt: now,
              note: input.note ?? null,
              approvedAmountNano: input.amount_usd ?? sql`${approvalRequests.projectedCostNano}`,
              expiresAt: sql`${now.toISOString()}::timestamptz + coalesce((${approvalRequests.context}->>'ttl_ms')::bigint, ${DEFAULT_TTL_MS}) * interval '1 millisecond'`,
            }
          : { status: 'rejected', decidedBy, decidedAt: now, note: input.note ?? null },
      )
      .where(
        and(
          eq(approvalRequests.organisationId, ctx.organisationId),
          eq(approvalRequests.id, id),
          eq(approvalRequests.status, 'pending'),
          gt(approvalRequests.expiresAt, now),
        ),
      )
      .returning();
    if (!row) {
      const [current] = await tx.select().from(approvalRequests).where(eq(approvalRequests.id, id));
      const status = current ? effectiveStatus(current, now) : 'expired';
      throw new ConflictError(`Approval request ${JSON.stringify(id)} is ${status}; only a pending request can be ${decision === 'approve' ? 'approved' : 'rejected'}.`, {
        code: 'approval_not_pending',
        approval_status: status,
      });
    }
    await writeAudit(tx, {
      organisationId: ctx.organisationId,
      actor: actorOf(ctx.actor),
      action: decision === 'approve' ? 'approval.approve' : 'approval.reject',
      targetType: 'approval_request',
      targetId: id,
      details: {
        note: row.note,
        projected_cost_usd: usd(row.projectedCostNano),
        approved_amount_usd: usd(row.approvedAmountNano),
        expires_at: row.expiresAt.toISOString(),
        api_key_id: row.apiKeyId,
        session_id: row.sessionId,
      },
    });
    return approvalView(row, now);
  });
}

// --- the gateway's side

export interface OpenApprovalInput {
  organisationId: string;
  /** The gate that tripped (its id and time-to-live). */
  policy: Pick<ApprovalPolicy, 'id' | 'ttlMs' | 'thresholdNano'>;
  /** One line for the inbox, e.g. "projected $12.40 exceeds the $10 approval threshold for underwrite". */
  reason: string;
  departmentId: string | null;
  projectId: string | null;
  apiKeyId: string | null;
  sessionId: string | null;
  workflowRunId: string | null;
  taskType: TaskType | null;
  modelName: string | null;
  projectedCostNano: bigint;
  /** What the session has spent so far (context for the person deciding). */
  sessionSpendNano: bigint;
  /** More context for the inbox (no secrets, no prompts). */
  context?: Record<string, unknown>;
  now?: Date;
}

/**
 * Opens a pending request that expires after the policy's time-to-live, with
 * its audit row and an `approval_waiting` alert. A caller retrying the same
 * call (same key, session, gate, task and model) while its request is still
 * pending gets that request back (`created: false`) instead of a new one.
 */
export async function openApprovalRequest(db: DbHandle, input: OpenApprovalInput): Promise<{ approval: ApprovalView; created: boolean }> {
  const now = input.now ?? new Date();
  const result = await db.db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(approvalRequests)
      .where(
        and(
          eq(approvalRequests.organisationId, input.organisationId),
          eq(approvalRequests.status, 'pending'),
          gt(approvalRequests.expiresAt, now),
          eqOrNull(approvalRequests.apiKeyId, input.apiKeyId),
          eqOrNull(approvalRequests.sessionId, input.sessionId),
          eqOrNull(approvalRequests.policyId, input.policy.id),
          eqOrNull(approvalRequests.taskType, input.taskType),
          eqOrNull(approvalRequests.modelName, input.modelName),
          sql`${approvalRequests.projectedCostNano} >= ${input.projectedCostNano.toString()}::bigint`,
        ),
      )
      .orderBy(desc(approvalRequests.requestedAt))
      .limit(1);
    if (existing) return { row: existing, created: false };
    const id = newId('apr');
    const [row] = await tx
      .insert(approvalRequests)
      .values({
        id,
        organisationId: input.organisationId,
        status: 'pending',
        reason: input.reason,
        policyId: input.policy.id,
        departmentId: input.departmentId,
        projectId: input.projectId,
        apiKeyId: input.apiKeyId,
        sessionId: input.sessionId,
        workflowRunId: input.workflowRunId,
        taskType: input.taskType,
        modelName: input.modelName,
        projectedCostNano: input.projectedCostNano,
        context: {
          ...input.context,
          session_spend_usd: usd(input.sessionSpendNano),
          projected_cost_usd: usd(input.projectedCostNano),
          threshold_usd: usd(input.policy.thresholdNano),
          model: input.modelName,
          task: input.taskType,
          reason: input.reason,
          ttl_ms: input.policy.ttlMs,
        },
        requestedAt: now,
        expiresAt: new Date(now.getTime() + input.policy.ttlMs),
      })
      .returning();
    const actor = gatewayActor(input.apiKeyId);
    await writeAudit(tx, {
      organisationId: input.organisationId,
      actor,
      action: 'approval.open',
      targetType: 'approval_request',
      targetId: id,
      details: { reason: input.reason, policy_id: input.policy.id, projected_cost_usd: usd(input.projectedCostNano), model: input.modelName, task: input.taskType, session_id: input.sessionId },
    });
    await recordAlert(
      tx,
      {
        organisationId: input.organisationId,
        kind: 'approval_waiting',
        severity: 'warning',
        message: `Approval needed: ${input.reason}`,
        details: {
          approval_id: id,
          projected_cost_usd: usd(input.projectedCostNano),
          model: input.modelName,
          task: input.taskType,
          department_id: input.departmentId,
          api_key_id: input.apiKeyId,
          session_id: input.sessionId,
          expires_at: row!.expiresAt.toISOString(),
        },
        dedupeKey: `approval:${id}`,
      },
      now,
    );
    return { row: row!, created: true };
  });
  if (result.created) kickAlertDelivery(db);
  return { approval: approvalView(result.row, now), created: result.created };
}

export interface ConsumeApprovalInput {
  approvalId: string;
  organisationId: string;
  /** The key making the call: it must be the key the approval was requested for (and the session, when it named one). */
  apiKeyId: string | null;
  sessionId: string | null;
  projectedCostNano: bigint;
  /** The ledger row (x-tollgate-request-id) of the call the approval admits. */
  requestId: string;
  now?: Date;
}

/** Why an approval did not admit a call: the engine's reasons (`approvalCovers`), or no such approval. */
export type ConsumeRefusal = ApprovalRefusalReason | 'not_found';

export type ConsumeResult =
  | { ok: true; approval: ApprovalView }
  | { ok: false; reason: ConsumeRefusal; message: string; approval: ApprovalView | null };

const REFUSAL_MESSAGES: Record<ConsumeRefusal, (id: string) => string> = {
  not_found: (id) => `No approval ${id}.`,
  // Another caller learns nothing about the approval, not even that it exists.
  other_caller: (id) => `No approval ${id}.`,
  rejected: (id) => `Approval ${id} was rejected.`,
  used: (id) => `Approval ${id} has already admitted a call.`,
  expired: (id) => `Approval ${id} has expired.`,
  not_approved: (id) => `Approval ${id} is still waiting for a decision.`,
  amount_exceeded: (id) => `The call's projected cost is above what approval ${id} allows.`,
};

function refusal(reason: ConsumeRefusal, approvalId: string, approval: ApprovalView | null): Exclude<ConsumeResult, { ok: true }> {
  return { ok: false, reason, message: REFUSAL_MESSAGES[reason](JSON.stringify(approvalId)), approval: reason === 'other_caller' ? null : approval };
}

/** Who the audit log names for what the gateway did with an approval: the calling key, else the gateway. */
function gatewayActor(apiKeyId: string | null): AuditActor {
  return apiKeyId ? { type: 'api_key', id: apiKeyId } : { type: 'system', id: 'gateway' };
}

/**
 * Admits one call with an approval: the engine decides (`approvalCovers`:
 * same caller, approved, unused, unexpired, projected within the approved
 * amount) on the row locked for this transaction, and the row becomes `used`
 * with its audit entry. Concurrent uses queue on the lock, so exactly one is
 * admitted. Otherwise nothing changes and the result says why.
 */
export async function consumeApproval(db: DbHandle, input: ConsumeApprovalInput): Promise<ConsumeResult> {
  const now = input.now ?? new Date();
  return db.db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(approvalRequests)
      .where(and(eq(approvalRequests.id, input.approvalId), eq(approvalRequests.organisationId, input.organisationId)))
      .for('update');
    if (!row) return refusal('not_found', input.approvalId, null);
    const coverage = approvalCovers(row, {
      projectedCostNano: input.projectedCostNano,
      now,
      organisationId: input.organisationId,
      apiKeyId: input.apiKeyId,
      sessionId: input.sessionId,
    });
    if (!coverage.ok) return refusal(coverage.reason, input.approvalId, approvalView(row, now));
    const [used] = await tx
      .update(approvalRequests)
      .set({ status: 'used', usedAt: now, usedByRequestId: input.requestId })
      .where(and(eq(approvalRequests.id, row.id), eq(approvalRequests.status, 'approved')))
      .returning();
    await writeAudit(tx, {
      organisationId: input.organisationId,
      actor: gatewayActor(input.apiKeyId),
      action: 'approval.use',
      targetType: 'approval_request',
      targetId: row.id,
      details: { request_id: input.requestId, projected_cost_usd: usd(input.projectedCostNano), approved_amount_usd: usd(row.approvedAmountNano), session_id: input.sessionId },
    });
    return { ok: true, approval: approvalView(used!, now) };
  });
}

/**
 * Gives an approval back after the call it admitted got no answer (a budget
 * refused it, or every upstream failed): the row is `approved` again, so the
 * caller's retry with the same id is admitted without a second sign-off.
 * Only the request that used it can give it back. Returns whether it did.
 */
export async function releaseApproval(
  db: DbHandle,
  input: { approvalId: string; organisationId: string; requestId: string; apiKeyId: string | null; reason: string },
): Promise<boolean> {
  return db.db.transaction(async (tx) => {
    const released = await tx
      .update(approvalRequests)
      .set({ status: 'approved', usedAt: null, usedByRequestId: null })
      .where(
        and(
          eq(approvalRequests.id, input.approvalId),
          eq(approvalRequests.organisationId, input.organisationId),
          eq(approvalRequests.status, 'used'),
          eq(approvalRequests.usedByRequestId, input.requestId),
        ),
      )
      .returning({ id: approvalRequests.id });
    if (released.length === 0) return false;
    await writeAudit(tx, {
      organisationId: input.organisationId,
      actor: gatewayActor(input.apiKeyId),
      action: 'approval.release',
      targetType: 'approval_request',
      targetId: input.approvalId,
      details: { request_id: input.requestId, reason: input.reason },
    });
    return true;
  });
}

/** Records expiry: pending or approved requests past their time become `expired`, each with an audit row. Returns how many. */
export async function expireApprovals(db: DbHandle, options: { now?: Date; organisationId?: string } = {}): Promise<number> {
  const now = options.now ?? new Date();
  return db.db.transaction(async (tx) => {
    const conditions: SQL[] = [inArray(approvalRequests.status, ['pending', 'approved']), lte(approvalRequests.expiresAt, now)];
    if (options.organisationId) conditions.push(eq(approvalRequests.organisationId, options.organisationId));
    const rows = await tx
      .update(approvalRequests)
      .set({ status: 'expired' })
      .where(and(...conditions))
      .returning({ id: approvalRequests.id, organisationId: approvalRequests.organisationId, decidedAt: approvalRequests.decidedAt, expiresAt: approvalRequests.expiresAt });
    for (const row of rows) {
      await writeAudit(tx, {
        organisationId: row.organisationId,
        actor: { type: 'system', id: 'approval-expiry' },
        action: 'approval.expire',
        targetType: 'approval_request',
        targetId: row.id,
        details: { was: row.decidedAt ? 'approved' : 'pending', expired_at: row.expiresAt.toISOString() },
      });
    }
    return rows.length;
  });
}
