/**
 * Read models for the ops live view: the current hour's calls, today's top
 * keys (from the daily key rollup) and the busiest sessions of the last hour.
 */
import { CACHE_HIT_SQL } from '@/db/rollups';
import { startOfUtcDay, startOfUtcHour } from '@/lib/engine/periods';
import type { ReadScope } from './scope';

/**
 * The current clock hour so far, from the ledger itself. A ledger row is one
 * upstream attempt, one cache hit or one refusal; an upstream error is a
 * failed attempt, a client that hung up is not one.
 */
export interface HourCalls {
  hour: string;
  /** Rows that were not refused: upstream attempts and cache hits. */
  calls: number;
  upstreamAttempts: number;
  upstreamErrors: number;
  cacheHits: number;
  refused: number;
}

export async function currentHourCalls(scope: ReadScope): Promise<HourCalls> {
  const hour = startOfUtcHour(scope.now);
  const [row] = await scope.db.query<{ calls: string; attempts: string; errors: string; hits: string; refused: string }>(
    `select count(*) filter (where status <> 'refused')::text as calls,
            count(*) filter (where status <> 'refused' and not coalesce(${CACHE_HIT_SQL}, false))::text as attempts,
            count(*) filter (where status = 'error' and error_type is distinct from 'client_disconnected')::text as errors,
            count(*) filter (where ${CACHE_HIT_SQL})::text as hits,
            count(*) filter (where status = 'refused')::text as refused
       from ledger_events
      where organisation_id = $1 and ($2::text is null or department_id = $2)
        and occurred_at >= $3::timestamptz and occurred_at < $4::timestamptz`,
    [scope.organisationId, scope.departmentId, hour.toISOString(), new Date(hour.getTime() + 3_600_000).toISOString()],
  );
  return {
    hour: hour.toISOString(),
    calls: Number(row?.calls ?? 0),
    upstreamAttempts: Number(row?.attempts ?? 0),
    upstreamErrors: Number(row?.errors ?? 0),
    cacheHits: Number(row?.hits ?? 0),
    refused: Number(row?.refused ?? 0),
  };
}

export interface TopKey {
  apiKeyId: string;
  name: string;
  prefix: string;
  departmentName: string | null;
  costNano: string;
  requests: number;
}

/** Today's biggest keys, from the daily per-key rollup. */
export async function topKeysToday(scope: ReadScope, limit = 8): Promise<TopKey[]> {
  const rows = await scope.db.query<{ id: string; name: string; prefix: string; dep: string | null; cost: string; requests: string }>(
    `select k.id, k.name, k.prefix, d.name as dep, sum(r.cost_nano)::text as cost, sum(r.requests)::text as requests
       from ledger_daily_keys r join api_keys k on k.id = r.api_key_id left join departments d on d.id = k.department_id
      where r.organisation_id = $1 and ($2::text is null or r.department_id = $2) and r.day = $3::date
      group by k.id, k.name, k.prefix, d.name order by sum(r.cost_nano) desc, k.id limit $4`,
    [scope.organisationId, scope.departmentId, startOfUtcDay(scope.now).toISOString().slice(0, 10), limit],
  );
  return rows.map((r) => ({
    apiKeyId: r.id,
    name: r.name,
    prefix: r.prefix,
    departmentName: r.dep,
    costNano: r.cost,
    requests: Number(r.requests),
  }));
}

export interface BusySession {
  sessionId: string;
  agent: string | null;
  departmentName: string | null;
  /** Calls that ran (upstream or from the cache). */
  requests: number;
  /** Calls refused (budget, quota, loop guard, approval): a frozen loop keeps knocking. */
  refused: number;
  costNano: string;
  firstAt: string;
  lastAt: string;
}

/** Sessions with the most calls in the last hour, refused ones included: where a runaway loop shows first. */
export async function busiestSessions(scope: ReadScope, limit = 6): Promise<BusySession[]> {
  const rows = await scope.db.query<{
    session_id: string;
    agent: string | null;
    dep: string | null;
    requests: string;
    refused: string;
    cost: string;
    first_at: Date | string;
    last_at: Date | string;
  }>(
    `select e.session_id, min(e.agent) as agent, min(d.name) as dep, count(*) filter (where e.status <> 'refused')::text as requests,
            count(*) filter (where e.status = 'refused')::text as refused, sum(e.cost_nano)::text as cost,
            min(e.occurred_at) as first_at, max(e.occurred_at) as last_at
       from ledger_events e left join departments d on d.id = e.department_id
      where e.organisation_id = $1 and ($2::text is null or e.department_id = $2)
        and e.occurred_at >= $3::timestamptz and e.session_id is not null
      group by e.session_id order by count(*) desc, sum(e.cost_nano) desc limit $4`,
    [scope.organisationId, scope.departmentId, new Date(scope.now.getTime() - 3_600_000).toISOString(), limit],
  );
  return rows.map((r) => ({
    sessionId: r.session_id,
    agent: r.agent,
    departmentName: r.dep,
    requests: Number(r.requests),
    refused: Number(r.refused),
    costNano: r.cost,
    firstAt: new Date(r.first_at).toISOString(),
    lastAt: new Date(r.last_at).toISOString(),
  }));
}
