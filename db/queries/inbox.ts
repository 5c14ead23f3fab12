/**
 * The ops inbox read model: approvals waiting for a decision, the latest
 * decisions, sessions the loop guard froze, and the latest alerts. The server
 * page calls it directly for first paint; the client refreshes through
 * /api/v1/inbox with the same query key.
 *
 * Items keep the shapes the admin API already returns (`ApprovalView`,
 * `SessionView`, `AlertView`, snake_case, money as USD decimal strings), with
 * the names a person needs added. The inbox is organisation-wide: callers
 * confined to a department never reach it.
 */
import 'server-only';
import { and, desc, eq, gt, isNotNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { apiKeys, approvalRequests, departments, projects, users } from '@/db/schema';
import { nanoToUsdString } from '@/lib/engine/money';
import { listAlerts, type AlertView } from '@/lib/server/alerts';
import { approvalView, type ApprovalView } from '@/lib/server/governance-admin/approvals';
import type { SessionView } from '@/lib/server/governance-admin/sessions';
import type { ReadScope } from './scope';

export const INBOX_LIMITS = { pending: 100, decided: 20, frozen: 100, alerts: 30 } as const;
const DAY_MS = 86_400_000;

export interface InboxApproval extends ApprovalView {
  /** An agent escalating to a human (`policy_id = 'escalation'`) rather than a cost gate. */
  escalation: boolean;
  department_name: string | null;
  project_name: string | null;
  api_key_name: string | null;
  api_key_prefix: string | null;
  agent: string | null;
  /** What the session had spent when the request was opened (from `context`), USD. */
  session_spend_usd: string | null;
  /** Decided requests only: what was decided, whatever happened after (used, expired). */
  decision: 'approved' | 'rejected' | null;
  /** The person or key named by `decided_by`, when it still exists. */
  decided_by_name: string | null;
}

/** A frozen session; `spend_usd`, `requests` (calls that ran) and `refused` are summed from the ledger rows that name it. */
export interface InboxSession extends SessionView {
  /** Calls refused (the loop guard, a budget): a frozen loop that keeps knocking shows here. */
  refused: number;
  department_name: string | null;
  api_key_name: string | null;
  agent: string | null;
  last_call_at: string | null;
}

export interface InboxData {
  asOf: string;
  counts: { approvalsWaiting: number; frozenSessions: number; alertsLast24h: number };
  pending: InboxApproval[];
  decided: InboxApproval[];
  frozen: InboxSession[];
  alerts: AlertView[];
}

/** Organisation-wide by design: no department filter to forget. */
export type InboxScope = Omit<ReadScope, 'departmentId'>;

const USD_DECIMAL = /^\d+(\.\d{1,9})?$/;

async function approvals(scope: InboxScope, which: 'pending' | 'decided'): Promise<InboxApproval[]> {
  const deciderKey = alias(apiKeys, 'decider_key');
  const rows = await scope.db.db
    .select({
      request: approvalRequests,
      departmentName: departments.name,
      projectName: projects.name,
      keyName: apiKeys.name,
      keyPrefix: apiKeys.prefix,
      agent: apiKeys.agent,
      deciderUser: users.name,
      deciderKey: deciderKey.name,
    })
    .from(approvalRequests)
    .leftJoin(departments, eq(departments.id, approvalRequests.departmentId))
    .leftJoin(projects, eq(projects.id, approvalRequests.projectId))
    .leftJoin(apiKeys, eq(apiKeys.id, approvalRequests.apiKeyId))
    .leftJoin(users, sql`${approvalRequests.decidedBy} = 'user:' || ${users.id}`)
    .leftJoin(deciderKey, sql`${approvalRequests.decidedBy} = 'api_key:' || ${deciderKey.id}`)
    .where(
      and(
        eq(approvalRequests.organisationId, scope.organisationId),
        which === 'pending'
          ? and(eq(approvalRequests.status, 'pending'), gt(approvalRequests.expiresAt, scope.now))
          : isNotNull(approvalRequests.decidedAt),
      ),
    )
    .orderBy(
      ...(which === 'pending'
        ? [desc(approvalRequests.requestedAt), desc(approvalRequests.id)]
        : [desc(approvalRequests.decidedAt), desc(approvalRequests.id)]),
    )
    .limit(which === 'pending' ? INBOX_LIMITS.pending : INBOX_LIMITS.decided);
  return rows.map((r) => {
    const spent = r.request.context.session_spend_usd;
    return {
      ...approvalView(r.request, scope.now),
      escalation: r.request.policyId === 'escalation',
      department_name: r.departmentName,
      project_name: r.projectName,
      api_key_name: r.keyName,
      api_key_prefix: r.keyPrefix,
      agent: r.agent,
      session_spend_usd: typeof spent === 'string' && USD_DECIMAL.test(spent) ? spent : null,
      decision: r.request.decidedAt ? (r.request.status === 'rejected' ? 'rejected' : 'approved') : null,
      decided_by_name: r.deciderUser ?? r.deciderKey,
    };
  });
}

/**
 * Frozen sessions, most recently frozen first. The session row's own counters
 * are not what the inbox shows: spend and calls come from the ledger.
 */
async function frozenSessions(scope: InboxScope): Promise<InboxSession[]> {
  const rows = await scope.db.query<{
    id: string;
    status: SessionView['status'];
    frozen_reason: string | null;
    frozen_at: Date | string | null;
    department_id: string | null;
    department_name: string | null;
    api_key_id: string | null;
    api_key_name: string | null;
    key_agent: string | null;
    started_at: Date | string;
    last_seen_at: Date | string;
    requests: string | null;
    refused: string | null;
    cost: string | null;
    ledger_agent: string | null;
    last_call_at: Date | string | null;
  }>(
    `select s.id, s.status, s.frozen_reason, s.frozen_at, s.department_id, d.name as department_name,
            s.api_key_id, k.name as api_key_name, k.agent as key_agent, s.started_at, s.last_seen_at,
            l.requests, l.refused, l.cost, l.agent as ledger_agent, l.last_call_at
       from agent_sessions s
       left join departments d on d.id = s.department_id
       left join api_keys k on k.id = s.api_key_id
       left join lateral (
              select count(*) filter (where e.status <> 'refused')::text as requests, count(*) filter (where e.status = 'refused')::text as refused,
                     sum(e.cost_nano)::text as cost, min(e.agent) as agent, max(e.occurred_at) as last_call_at
                from ledger_events e
               where e.organisation_id = s.organisation_id and e.session_id = s.id
            ) l on true
      where s.organisation_id = $1 and s.status = 'frozen'
      order by s.frozen_at desc nulls last, s.id
      limit $2`,
    [scope.organisationId, INBOX_LIMITS.frozen],
  );
  const iso = (value: Date | string) => new Date(value).toISOString();
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    frozen_reason: r.frozen_reason,
    frozen_at: r.frozen_at === null ? null : iso(r.frozen_at),
    department_id: r.department_id,
    department_name: r.department_name,
    api_key_id: r.api_key_id,
    api_key_name: r.api_key_name,
    agent: r.key_agent ?? r.ledger_agent,
    started_at: iso(r.started_at),
    last_seen_at: iso(r.last_seen_at),
    spend_usd: nanoToUsdString(BigInt(r.cost ?? '0')),
    requests: Number(r.requests ?? 0),
    refused: Number(r.refused ?? 0),
    last_call_at: r.last_call_at === null ? null : iso(r.last_call_at),
  }));
}

async function counts(scope: InboxScope): Promise<InboxData['counts']> {
  const [row] = await scope.db.query<{ pending: string; frozen: string; alerts: string }>(
    `select (select count(*) from approval_requests where organisation_id = $1 and status = 'pending' and expires_at > $2::timestamptz)::text as pending,
            (select count(*) from agent_sessions where organisation_id = $1 and status = 'frozen')::text as frozen,
            (select count(*) from alerts where organisation_id = $1 and created_at > $3::timestamptz)::text as alerts`,
    [scope.organisationId, scope.now.toISOString(), new Date(scope.now.getTime() - DAY_MS).toISOString()],
  );
  return { approvalsWaiting: Number(row?.pending ?? 0), frozenSessions: Number(row?.frozen ?? 0), alertsLast24h: Number(row?.alerts ?? 0) };
}

export async function inboxData(scope: InboxScope): Promise<InboxData> {
  const [summary, pending, decided, frozen, alerts] = await Promise.all([
    counts(scope),
    approvals(scope, 'pending'),
    approvals(scope, 'decided'),
    frozenSessions(scope),
    listAlerts(scope.db, scope.organisationId, { limit: INBOX_LIMITS.alerts }),
  ]);
  return { asOf: scope.now.toISOString(), counts: summary, pending, decided, frozen, alerts: alerts.data };
}
