/**
 * Agent sessions (named by `x-tollgate-session`). The loop guard freezes a
 * session (`freezeSession`: the row, its audit entry and a critical alert in
 * one transaction); the gateway checks `sessionStatus` before each call (a
 * 1.5 s per-process cache, so an unfreeze reaches every instance within
 * that); ops list frozen sessions and unfreeze them.
 */
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbHandle } from '@/db/client';
import { agentSessions, type AgentSession } from '@/db/schema';
import { SESSION_STATUSES, type SessionStatus } from '@/lib/engine/enums';
import { NotFoundError, ValidationError } from '@/lib/engine/errors';
import type { RequestContext } from '@/lib/http/context';
import { departmentScope } from '@/lib/http/context';
import { kickAlertDelivery, recordAlert } from '@/lib/server/alerts';
import { actorOf, ConflictError, SESSION_ID, usd, writeAudit } from './shared';

const STATUS_CACHE_TTL_MS = 1_500;
const statusCache = new Map<string, { status: SessionStatus; expires: number }>();
const cacheKey = (organisationId: string, sessionId: string) => `${organisationId}\u0000${sessionId}`;

export function invalidateSessionStatus(organisationId?: string, sessionId?: string): void {
  if (organisationId && sessionId) statusCache.delete(cacheKey(organisationId, sessionId));
  else statusCache.clear();
}

/** A session's status (`active` when Tollgate has no row for it yet), cached for 1.5 s. */
export async function sessionStatus(db: DbHandle, organisationId: string, sessionId: string, nowMs = Date.now()): Promise<SessionStatus> {
  const key = cacheKey(organisationId, sessionId);
  const cached = statusCache.get(key);
  if (cached && cached.expires > nowMs) return cached.status;
  const [row] = await db.db
    .select({ status: agentSessions.status })
    .from(agentSessions)
    .where(and(eq(agentSessions.organisationId, organisationId), eq(agentSessions.id, sessionId)))
    .limit(1);
  const status = row?.status ?? 'active';
  if (statusCache.size > 50_000) statusCache.clear();
  statusCache.set(key, { status, expires: nowMs + STATUS_CACHE_TTL_MS });
  return status;
}

export interface SessionView {
  id: string;
  status: SessionStatus;
  frozen_reason: string | null;
  frozen_at: string | null;
  department_id: string | null;
  api_key_id: string | null;
  started_at: string;
  last_seen_at: string;
  spend_usd: string;
  requests: number;
}

const view = (row: AgentSession): SessionView => ({
  id: row.id,
  status: row.status,
  frozen_reason: row.frozenReason,
  frozen_at: row.frozenAt?.toISOString() ?? null,
  department_id: row.departmentId,
  api_key_id: row.apiKeyId,
  started_at: row.startedAt.toISOString(),
  last_seen_at: row.lastSeenAt.toISOString(),
  spend_usd: usd(row.spendNano)!,
  requests: row.requests,
});

export interface FreezeSessionInput {
  organisationId: string;
  sessionId: string;
  /** Why, e.g. a LoopReason (`repeated_prompt`, `cycle`, `spend_spike`). */
  reason: string;
  /** What the guard saw (counts, rates, models; no prompts, no secrets). */
  detail: Record<string, unknown>;
  departmentId: string | null;
  apiKeyId: string | null;
  now?: Date;
}

/**
 * Freezes a session: creates or updates its row as `frozen`, with an audit
 * entry and a `loop_detected` alert, in one transaction. Freezing a frozen
 * session changes nothing (`frozen: false`).
 */
export async function freezeSession(db: DbHandle, input: FreezeSessionInput): Promise<{ session: SessionView; frozen: boolean }> {
  if (!SESSION_ID.test(input.sessionId)) throw new ValidationError('A session id is 1-128 characters of letters, digits and . _ : @ / -', { param: 'x-tollgate-session' });
  const now = input.now ?? new Date();
  const result = await db.db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(agentSessions)
      .where(and(eq(agentSessions.organisationId, input.organisationId), eq(agentSessions.id, input.sessionId)))
      .for('update');
    if (existing?.status === 'frozen') return { row: existing, frozen: false };
    const [row] = await tx
      .insert(agentSessions)
      .values({
        id: input.sessionId,
        organisationId: input.organisationId,
        departmentId: input.departmentId,
        apiKeyId: input.apiKeyId,
        status: 'frozen',
        frozenReason: input.reason,
        frozenAt: now,
        startedAt: now,
        lastSeenAt: now,
      })
      .onConflictDoUpdate({ target: [agentSessions.organisationId, agentSessions.id], set: { status: 'frozen', frozenReason: input.reason, frozenAt: now } })
      .returning();
    await writeAudit(tx, {
      organisationId: input.organisationId,
      actor: { type: 'system', id: 'loop-guard' },
      action: 'session.freeze',
      targetType: 'agent_session',
      targetId: input.sessionId,
      details: { reason: input.reason, detail: input.detail, api_key_id: input.apiKeyId, department_id: input.departmentId },
    });
    await recordAlert(
      tx,
      {
        organisationId: input.organisationId,
        kind: 'loop_detected',
        severity: 'critical',
        message: `Session ${input.sessionId} frozen: ${input.reason.replace(/_/g, ' ')}`,
        details: { session_id: input.sessionId, reason: input.reason, api_key_id: input.apiKeyId, department_id: input.departmentId, spend_usd: usd(row!.spendNano), ...input.detail },
        dedupeKey: `session:${input.sessionId}:frozen:${now.getTime()}`,
      },
      now,
    );
    return { row: row!, frozen: true };
  });
  invalidateSessionStatus(input.organisationId, input.sessionId);
  if (result.frozen) kickAlertDelivery(db);
  return { session: view(result.row), frozen: result.frozen };
}

export const sessionListQuery = z.strictObject({
  status: z.enum(SESSION_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** `next_before` from the previous page: sessions last seen before it. */
  before: z.iso.datetime({ offset: true }).optional(),
});

/** Sessions, most recently seen first; a department-confined caller sees only its department's. */
export async function listSessions(ctx: RequestContext, query: z.infer<typeof sessionListQuery>): Promise<{ data: SessionView[]; next_before: string | null }> {
  const conditions: SQL[] = [eq(agentSessions.organisationId, ctx.organisationId)];
  const confined = departmentScope(ctx);
  if (confined) conditions.push(eq(agentSessions.departmentId, confined));
  if (query.status) conditions.push(eq(agentSessions.status, query.status));
  if (query.before) conditions.push(lt(agentSessions.lastSeenAt, new Date(query.before)));
  const rows = await ctx.db.db
    .select()
    .from(agentSessions)
    .where(and(...conditions))
    .orderBy(desc(agentSessions.lastSeenAt), agentSessions.id)
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return { data: page.map(view), next_before: rows.length > query.limit ? page[page.length - 1]!.lastSeenAt.toISOString() : null };
}

/** Lets a frozen session call again (audit-logged). A session that is not frozen is a 409. */
export async function unfreezeSession(ctx: RequestContext, sessionId: string, body: { note?: string } = {}): Promise<SessionView> {
  const confined = departmentScope(ctx);
  const result = await ctx.db.db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(agentSessions)
      .where(and(eq(agentSessions.organisationId, ctx.organisationId), eq(agentSessions.id, sessionId)))
      .for('update');
    if (!existing || (confined && existing.departmentId !== confined)) throw new NotFoundError(`No session ${JSON.stringify(sessionId)}.`);
    if (existing.status !== 'frozen') throw new ConflictError(`Session ${JSON.stringify(sessionId)} is ${existing.status}, not frozen.`, { code: 'session_not_frozen', session_status: existing.status });
    const [row] = await tx.update(agentSessions)
      .set({ status: 'active', frozenReason: null, frozenAt: null })
      .where(and(eq(agentSessions.organisationId, ctx.organisationId), eq(agentSessions.id, sessionId)))
      .returning();
    await writeAudit(tx, {
      organisationId: ctx.organisationId,
      actor: actorOf(ctx.actor),
      action: 'session.unfreeze',
      targetType: 'agent_session',
      targetId: sessionId,
      details: { was_frozen_for: existing.frozenReason, frozen_at: existing.frozenAt?.toISOString() ?? null, note: body.note ?? null },
    });
    return row!;
  });
  invalidateSessionStatus(ctx.organisationId, sessionId);
  return view(result);
}

export const unfreezeSchema = z.strictObject({ note: z.string().trim().max(2_000).optional() });
