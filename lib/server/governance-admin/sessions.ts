/**
 * Agent sessions (named by `x-tollgate-session`). The loop guard freezes a
 * session (`freezeSession`: the row, its audit entry and a critical alert in
 * one transaction); the gateway checks `sessionStatus` before each call (a
 * 1.5 s per-process cache, so an unfreeze reaches every instance within
 * that); ops list frozen sessions and unfreeze them.
 *
 * The loop guard's memory of a session is per process. `onSessionUnfrozen`
 * tells it when to forget: at once in the process that unfroze the session,
 * and in any other instance when `sessionStatus` reads `active` for a session
 * that instance last knew frozen (it froze it, or refused a call on it), so
 * within the cache's 1.5 s. An instance that saw some of the session's calls
 * but never knew it frozen keeps what it saw; a brand-new prompt starts a new
 * run there anyway.
 */
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbHandle } from '@/db/client';
import { agentSessions, type AgentSession } from '@/db/schema';
import { SESSION_STATUSES, type SessionStatus } from '@/lib/engine/enums';
import { loopSessionKey } from '@/lib/engine/governance/loop-guard';
import { NotFoundError, ValidationError } from '@/lib/engine/errors';
import type { RequestContext } from '@/lib/http/context';
import { departmentScope } from '@/lib/http/context';
import { kickAlertDelivery, recordAlert } from '@/lib/server/alerts';
import { actorOf, ConflictError, SESSION_ID, usd, writeAudit } from './shared';

const STATUS_CACHE_TTL_MS = 1_500;
const STATUS_CACHE_MAX = 50_000;
/** `seq` orders what the cache learns: a read that began before a later freeze or unfreeze here never overwrites it. */
const statusCache = new Map<string, { status: SessionStatus; expires: number; seq: number }>();
let statusSeq = 0;

type UnfreezeListener = (organisationId: string, sessionId: string) => void;
/** On globalThis: the route handlers and the gateway's Node layer may load this module apart, in one process. */
const globalForSessions = globalThis as unknown as { __tollgateUnfreezeListeners?: Set<UnfreezeListener> };
const unfreezeListeners = (globalForSessions.__tollgateUnfreezeListeners ??= new Set());

/** Calls `listener` when this process unfreezes a session or learns that one it knew frozen was unfrozen; returns the unsubscribe. */
export function onSessionUnfrozen(listener: UnfreezeListener): () => void {
  unfreezeListeners.add(listener);
  return () => unfreezeListeners.delete(listener);
}

function announceUnfrozen(organisationId: string, sessionId: string): void {
  for (const listener of unfreezeListeners) {
    try {
      listener(organisationId, sessionId);
    } catch (error) {
      console.error(`[tollgate] an unfreeze listener failed for session ${sessionId}`, error);
    }
  }
}

function rememberStatus(key: string, status: SessionStatus, nowMs: number): void {
  if (statusCache.size >= STATUS_CACHE_MAX && !statusCache.has(key)) {
    // Frozen entries stay: they are how this process notices an unfreeze made elsewhere.
    for (const [k, entry] of statusCache) if (entry.status !== 'frozen') statusCache.delete(k);
    if (statusCache.size >= STATUS_CACHE_MAX) statusCache.clear();
  }
  statusCache.set(key, { status, expires: nowMs + STATUS_CACHE_TTL_MS, seq: ++statusSeq });
}

export function invalidateSessionStatus(organisationId?: string, sessionId?: string): void {
  if (organisationId && sessionId) statusCache.delete(loopSessionKey(organisationId, sessionId));
  else statusCache.clear();
}

/**
 * A session's status (`active` when Tollgate has no row for it yet), cached
 * for 1.5 s. Reading `active` for a session this process knew frozen
 * announces the unfreeze (`onSessionUnfrozen`).
 */
export async function sessionStatus(db: DbHandle, organisationId: string, sessionId: string, nowMs = Date.now()): Promise<SessionStatus> {
  const key = loopSessionKey(organisationId, sessionId);
  const cached = statusCache.get(key);
  if (cached && cached.expires > nowMs) return cached.status;
  const startedAt = statusSeq;
  const [row] = await db.db
    .select({ status: agentSessions.status })
    .from(agentSessions)
    .where(and(eq(agentSessions.organisationId, organisationId), eq(agentSessions.id, sessionId)))
    .limit(1);
  const status = row?.status ?? 'active';
  const known = statusCache.get(key);
  if (known && known.seq > startedAt) return known.status;
  rememberStatus(key, status, nowMs);
  if (known?.status === 'frozen' && status === 'active') announceUnfrozen(organisationId, sessionId);
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
  rememberStatus(loopSessionKey(input.organisationId, input.sessionId), 'frozen', Date.now());
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

/**
 * Lets a frozen session call again (audit-logged), and this process's loop
 * guard forgets what it saw of it (`onSessionUnfrozen`): the next call starts
 * a fresh history. A session that is not frozen is a 409.
 */
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
  rememberStatus(loopSessionKey(ctx.organisationId, sessionId), 'active', Date.now());
  announceUnfrozen(ctx.organisationId, sessionId);
  return view(result);
}

export const unfreezeSchema = z.strictObject({ note: z.string().trim().max(2_000).optional() });
