/** Read models for the ops live view: today's top keys (from the daily key rollup) and the busiest sessions of the last hour. */
import { startOfUtcDay } from '@/lib/engine/periods';
import type { ReadScope } from './scope';

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
  requests: number;
  costNano: string;
  firstAt: string;
  lastAt: string;
}

/** Sessions with the most calls in the last hour: where a runaway loop shows first. */
export async function busiestSessions(scope: ReadScope, limit = 6): Promise<BusySession[]> {
  const rows = await scope.db.query<{
    session_id: string;
    agent: string | null;
    dep: string | null;
    requests: string;
    cost: string;
    first_at: Date | string;
    last_at: Date | string;
  }>(
    `select e.session_id, min(e.agent) as agent, min(d.name) as dep, count(*)::text as requests, sum(e.cost_nano)::text as cost,
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
    costNano: r.cost,
    firstAt: new Date(r.first_at).toISOString(),
    lastAt: new Date(r.last_at).toISOString(),
  }));
}
