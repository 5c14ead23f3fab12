/**
 * The governance admin API through its real route handlers, and the domain
 * functions the gateway calls: API keys (secret once, revocation), budgets
 * (exact limits, scope checks, per-role reads), policies (validated per kind,
 * loaded as engine types), the approval inbox (one decision under
 * concurrency, one use per approval), sessions (freeze, unfreeze) and alerts
 * (dedupe, webhook delivery with retry). Every refused change writes nothing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encode } from 'next-auth/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDb } from '@/db/client';
import { seedDatabase } from '@/db/seed';
import { DEMO_AGENT_KEY_ID, DEMO_USERS, DEPARTMENT_IDS, ORG_ID, OTHER_MANAGER } from '@/db/seed/fixtures';
import { GET as getAlerts } from '@/app/api/v1/alerts/route';
import { POST as approveRoute } from '@/app/api/v1/approvals/[id]/approve/route';
import { POST as rejectRoute } from '@/app/api/v1/approvals/[id]/reject/route';
import { GET as getApprovalRoute } from '@/app/api/v1/approvals/[id]/route';
import { GET as getApprovals } from '@/app/api/v1/approvals/route';
import { DELETE as archiveBudgetRoute } from '@/app/api/v1/budgets/[id]/route';
import { GET as getBudgets, POST as postBudget } from '@/app/api/v1/budgets/route';
import { POST as revokeRoute } from '@/app/api/v1/keys/[id]/revoke/route';
import { GET as getKeys, POST as postKey } from '@/app/api/v1/keys/route';
import { DELETE as archivePolicyRoute } from '@/app/api/v1/policies/[id]/route';
import { GET as getPolicies, POST as postPolicy } from '@/app/api/v1/policies/route';
import { POST as unfreezeRoute } from '@/app/api/v1/sessions/[id]/unfreeze/route';
import { GET as getSessions } from '@/app/api/v1/sessions/route';
import { approvalNeeded } from '@/lib/engine/governance/approval';
import { actorForApiKey, clearApiKeyCache } from '@/lib/http/authenticate';
import { drainAlerts, raiseAlert, stopAlertDrain } from '@/lib/server/alerts';
import { consumeApproval, expireApprovals, openApprovalRequest } from '@/lib/server/governance-admin/approvals';
import { invalidatePolicies, loadPolicies, policiesForCall } from '@/lib/server/governance-admin/policies';
import { freezeSession, invalidateSessionStatus, sessionStatus } from '@/lib/server/governance-admin/sessions';
import { createTestDb, type TestDb } from '../support/db';

const SECRET = 'governance-test-secret';
const AGENT_KEY = 'tg_governanceAgentKey000000000000000000000';
const ADMIN_KEY = 'tg_governanceAdminKey000000000000000000000';
let db: TestDb;
const cookies: Record<'cfo' | 'ops' | 'manager' | 'otherManager', string> = { cfo: '', ops: '', manager: '', otherManager: '' };

async function sessionCookie(user: { id: string; role: string; departmentId: string | null; email: string }) {
  const token = await encode({
    token: { uid: user.id, role: user.role as never, departmentId: user.departmentId, organisationId: ORG_ID, email: user.email },
    secret: SECRET,
  });
  return `next-auth.session-token=${token}`;
}

beforeAll(async () => {
  process.env.AUTH_SECRET = SECRET;
  delete process.env.TOLLGATE_ALERT_WEBHOOK_URL;
  db = await createTestDb();
  await seedDatabase(db, { events: 600, days: 10, now: new Date(), seed: 5, demoKey: AGENT_KEY, adminKey: ADMIN_KEY });
  setDb(db);
  clearApiKeyCache();
  invalidatePolicies();
  invalidateSessionStatus();
  cookies.cfo = await sessionCookie(DEMO_USERS.cfo);
  cookies.ops = await sessionCookie(DEMO_USERS.ops);
  cookies.manager = await sessionCookie(DEMO_USERS.manager);
  cookies.otherManager = await sessionCookie(OTHER_MANAGER);
});

afterAll(async () => {
  stopAlertDrain();
  await db?.dispose();
});

type Who = keyof typeof cookies | 'opsKey' | 'agentKey';
type Handler = (req: Request, route?: { params?: Promise<never> }) => Promise<Response>;

function request(method: string, path: string, who: Who, body?: unknown): Request {
  const headers: Record<string, string> = {};
  if (who === 'opsKey') headers.authorization = `Bearer ${ADMIN_KEY}`;
  else if (who === 'agentKey') headers.authorization = `Bearer ${AGENT_KEY}`;
  // A browser sends its page's origin with every change; the route wrapper refuses a cookie without it (CSRF).
  else Object.assign(headers, { cookie: cookies[who], origin: 'http://localhost' });
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Request(`http://localhost${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function call<T = Record<string, unknown>>(
  handler: unknown,
  method: string,
  path: string,
  who: Who,
  options: { body?: unknown; id?: string } = {},
): Promise<{ status: number; body: T }> {
  const route = options.id === undefined ? undefined : { params: Promise.resolve({ id: options.id }) as Promise<never> };
  const response = await (handler as Handler)(request(method, path, who, options.body), route);
  return { status: response.status, body: (await response.json()) as T };
}

const TABLES = ['api_keys', 'budgets', 'policies', 'approval_requests', 'agent_sessions', 'audit_log', 'alerts'] as const;
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await db.query<{ n: string }>(`select count(*)::text as n from ${table}`);
    out[table] = Number(row!.n);
  }
  return out;
}

/** Runs a refused change and checks its status and that no table changed. */
async function expectRefused(status: number, run: () => Promise<{ status: number; body: unknown }>, type?: string) {
  const before = await counts();
  const result = await run();
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  if (type) expect((result.body as { error: { type: string } }).error.type).toBe(type);
  expect(await counts()).toEqual(before);
  return result.body as { error: { type: string; message: string; param?: string | null } & Record<string, unknown> };
}

async function auditRows(action: string, targetId: string) {
  return db.query<{ actor_type: string; actor_id: string; details: Record<string, unknown> | string }>(
    'select actor_type, actor_id, details from audit_log where action = $1 and target_id = $2 order by id',
    [action, targetId],
  );
}

const detailsOf = (row: { details: Record<string, unknown> | string }) => (typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : row.details);

describe('API keys', () => {
  let created: { id: string; key: string; prefix: string; budget: { id: string; limit: string; metric: string } | null };

  it('creates a key for a project with its own budget; the secret is returned once and authenticates', async () => {
    const res = await call<typeof created & Record<string, unknown>>(postKey, 'POST', '/api/v1/keys', 'opsKey', {
      body: { name: 'Fraud review bot', project: 'prj_fraud_review', agent: 'fraud-review-bot', budget: { limit_usd: '25.50', window: 'day' } },
    });
    expect(res.status).toBe(201);
    created = res.body;
    expect(created.key).toMatch(/^tg_[A-Za-z0-9]{40}$/);
    expect(created.prefix).toBe(created.key.slice(0, 11));
    expect(res.body).toMatchObject({ role: 'agent', department_id: DEPARTMENT_IDS.claims, project_id: 'prj_fraud_review', agent: 'fraud-review-bot' });
    expect(res.body).not.toHaveProperty('hash');
    expect(created.budget).toMatchObject({ metric: 'cost', limit: '25500000000', limit_usd: '25.5', window: 'day', enforcement: 'hard', scope: { type: 'api_key', id: created.id } });

    const actor = await actorForApiKey(db, created.key);
    expect(actor).toMatchObject({ id: created.id, role: 'agent', departmentId: DEPARTMENT_IDS.claims, projectId: 'prj_fraud_review', agent: 'fraud-review-bot' });

    const [audit] = await auditRows('api_key.create', created.id);
    expect(audit).toMatchObject({ actor_type: 'api_key', actor_id: 'key_ops_admin' });
    const text = JSON.stringify(audit!.details);
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(created.key.slice(11));
    expect(detailsOf(audit!)).toMatchObject({ prefix: created.prefix, project_id: 'prj_fraud_review' });
  });

  it('lists keys without secrets or hashes', async () => {
    const res = await call<{ data: Record<string, unknown>[] }>(getKeys, 'GET', '/api/v1/keys', 'ops');
    expect(res.status).toBe(200);
    const mine = res.body.data.find((k) => k.id === created.id)!;
    expect(mine).toMatchObject({ prefix: created.prefix, name: 'Fraud review bot' });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(created.key);
    expect(text).not.toContain('"hash"');
    expect(text).not.toContain('"key":');
  });

  it('creates an ops key and a key for a person', async () => {
    const res = await call(postKey, 'POST', '/api/v1/keys', 'ops', { body: { name: 'Ops CLI', role: 'ops', user: DEMO_USERS.ops.id } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ role: 'ops', user_id: DEMO_USERS.ops.id, department_id: null, budget: null });
  });

  it('refuses bad input with 4xx and writes nothing', async () => {
    const post = (body: unknown, who: Who = 'opsKey') => () => call(postKey, 'POST', '/api/v1/keys', who, { body });
    await expectRefused(400, post({ name: 'x', department: DEPARTMENT_IDS.kyc, project: 'prj_motor_claims' }), 'invalid_request_error');
    await expectRefused(400, post({ name: 'x', department: 'dep_nowhere' }));
    await expectRefused(400, post({ name: 'x', project: 'prj_nowhere' }));
    await expectRefused(400, post({ name: 'x', department: DEPARTMENT_IDS.claims, user: 'usr_nobody' }));
    await expectRefused(400, post({ name: 'agent without a department' }));
    await expectRefused(400, post({ name: 'x', department: DEPARTMENT_IDS.claims, role: 'admin' }));
    await expectRefused(400, post({ name: 'x', department: DEPARTMENT_IDS.claims, budget: { limit_usd: '-1', window: 'day' } }));
    await expectRefused(400, post({ name: 'x', department: DEPARTMENT_IDS.claims, budget: { limit_usd: '5', limit_tokens: 10, window: 'day' } }));
    await expectRefused(400, post({ name: 'x', department: DEPARTMENT_IDS.claims, budget: { limit_tokens: 10, window: 'fortnight' } }));
    await expectRefused(400, post({ name: '', department: DEPARTMENT_IDS.claims }));
    await expectRefused(400, post({ name: 'x', department: DEPARTMENT_IDS.claims, secret: 'mine' }));
    await expectRefused(403, post({ name: 'x', department: DEPARTMENT_IDS.claims }, 'manager'), 'permission_error');
    await expectRefused(403, post({ name: 'x', department: DEPARTMENT_IDS.claims }, 'cfo'), 'permission_error');
    await expectRefused(403, post({ name: 'x', department: DEPARTMENT_IDS.claims }, 'agentKey'), 'permission_error');
  });

  it('revokes a key: it stops authenticating; revoking again changes nothing', async () => {
    expect(await actorForApiKey(db, created.key)).not.toBeNull();
    const res = await call<{ revoked_at: string | null }>(revokeRoute, 'POST', `/api/v1/keys/${created.id}/revoke`, 'ops', { id: created.id });
    expect(res.status).toBe(200);
    expect(res.body.revoked_at).toBeTruthy();
    expect(await actorForApiKey(db, created.key)).toBeNull();
    expect(await auditRows('api_key.revoke', created.id)).toHaveLength(1);

    const again = await expectRefused(200, () => call(revokeRoute, 'POST', `/api/v1/keys/${created.id}/revoke`, 'ops', { id: created.id }));
    expect(again).toMatchObject({ id: created.id });
    await expectRefused(404, () => call(revokeRoute, 'POST', '/api/v1/keys/key_nowhere/revoke', 'ops', { id: 'key_nowhere' }), 'not_found_error');
    await expectRefused(403, () => call(revokeRoute, 'POST', `/api/v1/keys/${DEMO_AGENT_KEY_ID}/revoke`, 'manager', { id: DEMO_AGENT_KEY_ID }));
  });
});

describe('budgets', () => {
  const post = (body: unknown, who: Who = 'cfo') => () => call<Record<string, unknown>>(postBudget, 'POST', '/api/v1/budgets', who, { body });
  const valid = { name: 'Claims weekly burst', scope: { type: 'department', id: DEPARTMENT_IDS.claims }, window: 'day', metric: 'cost', limit: '2500.10', enforcement: 'soft' };
  let budgetId = '';

  it('creates a cost budget with an exact limit, audit-logged', async () => {
    const res = await post(valid)();
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ limit: '2500100000000', limit_usd: '2500.1', metric: 'cost', enforcement: 'soft', alert_thresholds: [0.8, 0.95] });
    budgetId = res.body.id as string;
    const [row] = await db.query<{ limit_value: string }>('select limit_value::text from budgets where id = $1', [budgetId]);
    expect(row!.limit_value).toBe('2500100000000');
    const [audit] = await auditRows('budget.create', budgetId);
    expect(audit).toMatchObject({ actor_type: 'user', actor_id: DEMO_USERS.cfo.id });
  });

  it('parses money exactly, never through a float', async () => {
    const res = await post({ ...valid, name: 'Precise', limit: '0.000000001', window: 'month' })();
    expect(res.body).toMatchObject({ limit: '1' });
    const fromNumber = await post({ ...valid, name: 'From a JSON number', limit: 0.3, window: 'month' }, 'ops')();
    expect(fromNumber.body).toMatchObject({ limit: '300000000', limit_usd: '0.3' });
  });

  it('creates token and request quotas for keys, users, projects, sessions and the organisation', async () => {
    for (const body of [
      { name: 'Claims bot TPM', scope: { type: 'api_key', id: DEMO_AGENT_KEY_ID }, window: 'minute', metric: 'tokens', limit: 200000 },
      { name: 'Maya per session', scope: { type: 'user', id: DEMO_USERS.manager.id }, window: 'session', metric: 'requests', limit: '500' },
      { name: 'Fraud review total', scope: { type: 'project', id: 'prj_fraud_review' }, window: 'total', metric: 'cost', limit: '900' },
      { name: 'One runaway session', scope: { type: 'session', id: 'ses:runaway/42' }, window: 'session', metric: 'cost', limit: '3' },
      { name: 'Org daily', scope: { type: 'organisation' }, window: 'day', metric: 'cost', limit: '10000' },
    ]) {
      const res = await post(body, 'ops')();
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });

  it('refuses bad input with 4xx and writes nothing', async () => {
    const bad = async (over: Record<string, unknown>, status = 400) => expectRefused(status, post({ ...valid, ...over }));
    await bad({ limit: '-5' });
    await bad({ limit: '0' });
    await bad({ limit: 0 });
    await bad({ limit: '1.0000000001' });
    await bad({ limit: '12,50' });
    await bad({ limit: '1e3' });
    await bad({ metric: 'tokens', limit: 1.5 });
    await bad({ metric: 'tokens', limit: -10 });
    await bad({ metric: 'requests', limit: '0' });
    await bad({ window: 'week' });
    await bad({ metric: 'dollars' });
    await bad({ enforcement: 'maybe' });
    await bad({ scope: { type: 'department', id: 'dep_nowhere' } });
    await bad({ scope: { type: 'project', id: 'prj_nowhere' } });
    await bad({ scope: { type: 'user', id: 'usr_nobody' } });
    await bad({ scope: { type: 'api_key', id: 'key_nowhere' } });
    await bad({ scope: { type: 'api_key', id: 'key_support_legacy' } }); // revoked
    await bad({ scope: { type: 'session', id: 'has spaces in it' } });
    await bad({ scope: { type: 'department' } });
    await bad({ scope: { type: 'organisation', id: 'org_other' } });
    await bad({ scope: { type: 'galaxy', id: 'x' } });
    await bad({ alert_thresholds: [0.5, 1.5] });
    await bad({ name: '' });
    await bad({ surprise: true });
    const body = await expectRefused(400, post({ ...valid, limit: '-5' }));
    expect(body.error.param).toBe('limit');
    await expectRefused(400, () => call(postBudget, 'POST', '/api/v1/budgets', 'cfo', { body: 'not json' }));
  });

  it('keeps managers out of budget writes (403, nothing written)', async () => {
    await expectRefused(403, post(valid, 'manager'), 'permission_error');
    await expectRefused(403, post(valid, 'agentKey'), 'permission_error');
  });

  it('shows managers only their own department; CFO and ops see everything', async () => {
    const mine = await call<{ data: { id: string; scope: { type: string; id: string | null }; used: string; limit: string }[] }>(getBudgets, 'GET', '/api/v1/budgets', 'manager');
    expect(mine.status).toBe(200);
    const ids = mine.body.data.map((b) => b.id);
    expect(ids).toContain(budgetId);
    expect(ids).toContain('bud_dep_claims_month');
    expect(ids).toContain('bud_key_claims_agent_day');
    expect(ids).not.toContain('bud_org_month');
    expect(ids).not.toContain('bud_dep_kyc_month');
    for (const b of mine.body.data) expect(b.scope.type).not.toBe('organisation');

    const other = await call<{ data: { id: string }[] }>(getBudgets, 'GET', '/api/v1/budgets', 'otherManager');
    expect(other.body.data.map((b) => b.id)).not.toContain(budgetId);
    expect(other.body.data.map((b) => b.id)).toContain('bud_dep_underwriting_month');

    expect((await call(getBudgets, 'GET', `/api/v1/budgets?department=${DEPARTMENT_IDS.kyc}`, 'manager')).status).toBe(403);

    const all = await call<{ data: { id: string; used: string; use_bps: number | null }[] }>(getBudgets, 'GET', '/api/v1/budgets', 'cfo');
    const allIds = all.body.data.map((b) => b.id);
    expect(allIds).toEqual(expect.arrayContaining(['bud_org_month', 'bud_dep_kyc_month', budgetId]));
    const org = all.body.data.find((b) => b.id === 'bud_org_month')!;
    expect(BigInt(org.used)).toBeGreaterThan(0n);
  });

  it('archives a budget once', async () => {
    const res = await call(archiveBudgetRoute, 'DELETE', `/api/v1/budgets/${budgetId}`, 'cfo', { id: budgetId });
    expect(res.status).toBe(200);
    expect(await auditRows('budget.archive', budgetId)).toHaveLength(1);
    await expectRefused(409, () => call(archiveBudgetRoute, 'DELETE', `/api/v1/budgets/${budgetId}`, 'cfo', { id: budgetId }));
    await expectRefused(404, () => call(archiveBudgetRoute, 'DELETE', '/api/v1/budgets/bud_nowhere', 'cfo', { id: 'bud_nowhere' }));
    const list = await call<{ data: { id: string }[] }>(getBudgets, 'GET', '/api/v1/budgets', 'cfo');
    expect(list.body.data.map((b) => b.id)).not.toContain(budgetId);
  });
});

describe('policies', () => {
  const post = (body: unknown, who: Who = 'ops') => () => call<Record<string, unknown>>(postPolicy, 'POST', '/api/v1/policies', who, { body });
  const claims = { type: 'department', id: DEPARTMENT_IDS.claims };
  let escalationId = '';

  it('creates one policy of each kind, stored canonical and audit-logged', async () => {
    const approval = await post({ kind: 'approval', scope: claims, config: { threshold_usd: '10', task: 'underwrite', ttl_minutes: 30 } })();
    expect(approval.status, JSON.stringify(approval.body)).toBe(201);
    expect(approval.body.config).toEqual({ threshold_usd: '10', task: 'underwrite', ttl_minutes: 30 });
    const orgApproval = await post({ kind: 'approval', scope: { type: 'organisation' }, config: { threshold_usd: 25.75 } })();
    expect(orgApproval.body.config).toEqual({ threshold_usd: '25.75', ttl_minutes: 60 });

    const escalation = await post({ kind: 'escalation', scope: claims, config: { min_confidence: 0.9 } })();
    expect(escalation.status).toBe(201);
    escalationId = escalation.body.id as string;
    const loop = await post({ kind: 'loop_guard', scope: { type: 'api_key', id: DEMO_AGENT_KEY_ID }, config: { max_repeats: 3, min_spike_usd: '0.50', rate_window_seconds: 30 } })();
    expect(loop.body.config).toEqual({ max_repeats: 3, min_spike_usd: '0.5', rate_window_seconds: 30 });
    const routing = await post({ kind: 'routing', scope: { type: 'organisation' }, config: { forbidden_models: ['gpt-5', 'openai/gpt-5'], thresholds: { summarize: 0.8 } } })();
    expect(routing.body.config).toEqual({ forbidden_models: ['openai/gpt-5'], thresholds: { summarize: 0.8 } });
    const kycRouting = await post({ kind: 'routing', scope: { type: 'department', id: DEPARTMENT_IDS.kyc }, config: { thresholds: { summarize: 0.88 } } })();
    expect(kycRouting.status).toBe(201);

    for (const id of [approval.body.id, escalationId, loop.body.id, routing.body.id]) expect(await auditRows('policy.create', id as string)).toHaveLength(1);
  });

  it('validates each kind and writes nothing for bad input', async () => {
    const bad = (body: unknown, status = 400) => expectRefused(status, post(body));
    await bad({ kind: 'approval', scope: claims, config: {} });
    await bad({ kind: 'approval', scope: claims, config: { threshold_usd: '-1' } });
    await bad({ kind: 'approval', scope: claims, config: { threshold_usd: '5', task: 'astrology' } });
    await bad({ kind: 'approval', scope: claims, config: { threshold_usd: '5', ttl_minutes: 0 } });
    await bad({ kind: 'escalation', scope: claims, config: { min_confidence: 1.5 } });
    await bad({ kind: 'escalation', scope: claims, config: {} });
    await bad({ kind: 'escalation', scope: claims, config: { max_cost_usd: 'five' } });
    await bad({ kind: 'loop_guard', scope: claims, config: { similarity: 0.2 } });
    await bad({ kind: 'loop_guard', scope: claims, config: { max_repeats: 3, threshold_usd: '1' } });
    await bad({ kind: 'loop_guard', scope: claims, config: { spike_factor: 1 } });
    await bad({ kind: 'routing', scope: claims, config: { forbidden_models: ['acme/unknown-model'] } });
    await bad({ kind: 'routing', scope: claims, config: { thresholds: { astrology: 0.9 } } });
    await bad({ kind: 'routing', scope: claims, config: { thresholds: { summarize: 2 } } });
    await bad({ kind: 'routing', scope: claims, config: {} });
    await bad({ kind: 'vibes', scope: claims, config: {} });
    await bad({ kind: 'escalation', scope: { type: 'department', id: 'dep_nowhere' }, config: { min_confidence: 0.5 } });
    await bad({ kind: 'escalation', scope: { type: 'session', id: 'no spaces allowed' }, config: { min_confidence: 0.5 } });
    await bad({ kind: 'escalation', config: { min_confidence: 0.5 } });
  });

  it('lets only ops write policies; CFO and ops read them, managers do not', async () => {
    await expectRefused(403, post({ kind: 'escalation', scope: claims, config: { min_confidence: 0.5 } }, 'cfo'), 'permission_error');
    await expectRefused(403, post({ kind: 'escalation', scope: claims, config: { min_confidence: 0.5 } }, 'manager'), 'permission_error');
    expect((await call(getPolicies, 'GET', '/api/v1/policies', 'cfo')).status).toBe(200);
    expect((await call(getPolicies, 'GET', '/api/v1/policies', 'manager')).status).toBe(403);
  });

  it('replaces the active policy of the same kind and scope', async () => {
    const res = await post({ kind: 'escalation', scope: claims, config: { min_confidence: 0.8, max_cost_usd: '2' } })();
    expect(res.status).toBe(201);
    expect(res.body.replaced).toEqual([escalationId]);
    const list = await call<{ data: { id: string; kind: string }[] }>(getPolicies, 'GET', '/api/v1/policies?kind=escalation', 'cfo');
    expect(list.body.data.map((p) => p.id)).not.toContain(escalationId);
    expect(list.body.data).toHaveLength(1);
  });

  it('loads them as engine policies for the gateway, the most specific scope winning', async () => {
    const loaded = await loadPolicies(db, ORG_ID);
    expect(loaded.approvals.map((a) => a.thresholdNano).sort()).toEqual([10_000_000_000n, 25_750_000_000n]);
    const claimsCall = { organisationId: ORG_ID, departmentId: DEPARTMENT_IDS.claims, projectId: 'prj_motor_claims', userId: null, apiKeyId: DEMO_AGENT_KEY_ID, sessionId: 's1' };
    const applied = policiesForCall(loaded, claimsCall);
    expect(applied.escalation).toMatchObject({ minConfidence: 0.8, maxCostNano: 2_000_000_000n });
    expect(applied.loopGuard).toMatchObject({ maxRepeats: 3, minSpikeNano: 500_000_000n, rateWindowMs: 30_000, similarity: 0.92 });
    expect([...applied.forbidden]).toEqual(['openai/gpt-5']);
    expect(applied.thresholds).toEqual({ summarize: 0.8 });
    expect(approvalNeeded(applied.approvals, claimsCall, 'underwrite', null, 12_000_000_000n)?.thresholdNano).toBe(10_000_000_000n);
    expect(approvalNeeded(applied.approvals, claimsCall, 'summarize', null, 12_000_000_000n)).toBeNull();
    expect(approvalNeeded(applied.approvals, claimsCall, 'summarize', null, 30_000_000_000n)?.thresholdNano).toBe(25_750_000_000n);

    const kyc = policiesForCall(loaded, { ...claimsCall, departmentId: DEPARTMENT_IDS.kyc, projectId: null, apiKeyId: null });
    expect(kyc.escalation).toMatchObject({ minConfidence: 0.85, maxCostNano: 5_000_000_000n });
    expect(kyc.thresholds).toEqual({ summarize: 0.88 });
    expect(kyc.approvals.map((a) => a.scopeType)).toEqual(['organisation']);

    const archived = await call(archivePolicyRoute, 'DELETE', '/api/v1/policies/x', 'ops', { id: loaded.routing.find((r) => r.scopeType === 'organisation')!.id });
    expect(archived.status).toBe(200);
    const reloaded = policiesForCall(await loadPolicies(db, ORG_ID), claimsCall);
    expect(reloaded.forbidden.size).toBe(0);
  });
});

describe('approvals', () => {
  const policy = { id: 'pol_test_gate', thresholdNano: 10_000_000_000n, ttlMs: 30 * 60_000 };
  const open = (over: Partial<Parameters<typeof openApprovalRequest>[1]> = {}) =>
    openApprovalRequest(db, {
      organisationId: ORG_ID,
      policy,
      reason: 'projected $12.40 exceeds the $10 approval threshold for underwrite',
      departmentId: DEPARTMENT_IDS.claims,
      projectId: 'prj_motor_claims',
      apiKeyId: DEMO_AGENT_KEY_ID,
      sessionId: 'ses_approval_1',
      workflowRunId: 'run_1',
      taskType: 'underwrite',
      modelName: 'gpt-5',
      projectedCostNano: 12_400_000_000n,
      sessionSpendNano: 3_210_000_000n,
      ...over,
    });
  const approve = (id: string, who: Who, body?: unknown) => call<Record<string, unknown>>(approveRoute, 'POST', `/api/v1/approvals/${id}/approve`, who, { id, body });
  const reject = (id: string, who: Who, body?: unknown) => call<Record<string, unknown>>(rejectRoute, 'POST', `/api/v1/approvals/${id}/reject`, who, { id, body });
  const consume = (approvalId: string, over: Partial<Parameters<typeof consumeApproval>[1]> = {}) =>
    consumeApproval(db, { approvalId, organisationId: ORG_ID, apiKeyId: DEMO_AGENT_KEY_ID, sessionId: 'ses_approval_1', projectedCostNano: 12_400_000_000n, requestId: 'req_1', ...over });
  let approvalId = '';

  it('opens a pending request with its context, an audit row and an alert; a retry gets the same request', async () => {
    const { approval, created } = await open();
    expect(created).toBe(true);
    approvalId = approval.id;
    expect(approval).toMatchObject({ status: 'pending', projected_cost_usd: '12.4', approved_amount_usd: null, task: 'underwrite', model: 'gpt-5' });
    expect(approval.context).toMatchObject({ session_spend_usd: '3.21', projected_cost_usd: '12.4', threshold_usd: '10', ttl_ms: 1_800_000 });
    expect(await auditRows('approval.open', approvalId)).toHaveLength(1);
    const [alert] = await db.query<{ kind: string; next_attempt_at: Date | null }>('select kind, next_attempt_at from alerts where dedupe_key = $1', [`approval:${approvalId}`]);
    expect(alert).toMatchObject({ kind: 'approval_waiting', next_attempt_at: null });

    const retry = await open();
    expect(retry).toMatchObject({ created: false, approval: { id: approvalId } });
  });

  it('lists the inbox newest first and reads one request (CFO and ops; not managers)', async () => {
    const list = await call<{ data: { id: string; status: string }[] }>(getApprovals, 'GET', '/api/v1/approvals?status=pending', 'cfo');
    expect(list.status).toBe(200);
    expect(list.body.data[0]).toMatchObject({ id: approvalId, status: 'pending' });
    const one = await call(getApprovalRoute, 'GET', `/api/v1/approvals/${approvalId}`, 'ops', { id: approvalId });
    expect(one.body).toMatchObject({ id: approvalId, reason: expect.stringContaining('exceeds') });
    expect((await call(getApprovals, 'GET', '/api/v1/approvals', 'manager')).status).toBe(403);
    expect((await call(getApprovalRoute, 'GET', '/api/v1/approvals/apr_nowhere', 'ops', { id: 'apr_nowhere' })).status).toBe(404);
    expect((await call(getApprovals, 'GET', '/api/v1/approvals?status=sideways', 'ops')).status).toBe(400);
  });

  it('refuses a manager or the CFO deciding (403, nothing changes)', async () => {
    await expectRefused(403, () => approve(approvalId, 'manager'), 'permission_error');
    await expectRefused(403, () => approve(approvalId, 'cfo'), 'permission_error');
    await expectRefused(403, () => reject(approvalId, 'cfo'), 'permission_error');
    await expectRefused(403, () => approve(approvalId, 'agentKey'), 'permission_error');
  });

  it('produces exactly one decision when two ops approve at once', async () => {
    const results = await Promise.all([approve(approvalId, 'ops', { note: 'ok from the console' }), approve(approvalId, 'opsKey')]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!;
    expect(winner.body).toMatchObject({ status: 'approved', approved_amount_usd: '12.4' });
    const loser = results.find((r) => r.status === 409)!;
    expect(loser.body).toMatchObject({ error: { type: 'invalid_request_error', code: 'approval_not_pending', approval_status: 'approved' } });
    expect(await auditRows('approval.approve', approvalId)).toHaveLength(1);
    // A decided request cannot be decided again.
    await expectRefused(409, () => reject(approvalId, 'ops'));
  });

  it('admits the same caller once, within the approved amount', async () => {
    expect(await consume(approvalId, { apiKeyId: 'key_ops_admin' })).toMatchObject({ ok: false, reason: 'other_caller', approval: null });
    expect(await consume(approvalId, { sessionId: 'ses_other' })).toMatchObject({ ok: false, reason: 'other_caller' });
    expect(await consume(approvalId, { projectedCostNano: 12_400_000_001n })).toMatchObject({ ok: false, reason: 'amount_exceeded' });
    expect(await consume('apr_nowhere')).toMatchObject({ ok: false, reason: 'not_found' });
    const first = await consume(approvalId);
    expect(first).toMatchObject({ ok: true, approval: { status: 'used', used_by_request_id: 'req_1' } });
    expect(await consume(approvalId, { requestId: 'req_2' })).toMatchObject({ ok: false, reason: 'used' });
    expect(await auditRows('approval.use', approvalId)).toHaveLength(1);
    await expectRefused(409, () => approve(approvalId, 'ops'));
  });

  it('lets two calls race for one approval and admits exactly one', async () => {
    const { approval } = await open({ sessionId: 'ses_race', projectedCostNano: 11_000_000_000n });
    expect((await approve(approval.id, 'ops')).status).toBe(200);
    const results = await Promise.all([1, 2, 3].map((n) => consume(approval.id, { sessionId: 'ses_race', projectedCostNano: 11_000_000_000n, requestId: `race_${n}` })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(['used', 'used']);
  });

  it('caps the call at the amount ops approved', async () => {
    const { approval } = await open({ sessionId: 'ses_amount' });
    const res = await approve(approval.id, 'ops', { amount_usd: '12.00' });
    expect(res.body).toMatchObject({ approved_amount_usd: '12' });
    expect(await consume(approval.id, { sessionId: 'ses_amount' })).toMatchObject({ ok: false, reason: 'amount_exceeded' });
    expect(await consume(approval.id, { sessionId: 'ses_amount', projectedCostNano: 11_999_999_999n })).toMatchObject({ ok: true });
  });

  it('refuses bad decision bodies with 400 and nothing changes', async () => {
    const { approval } = await open({ sessionId: 'ses_bodies' });
    expect(await consume(approval.id, { sessionId: 'ses_bodies' })).toMatchObject({ ok: false, reason: 'not_approved' });
    await expectRefused(400, () => approve(approval.id, 'ops', { amount_usd: '-3' }));
    await expectRefused(400, () => approve(approval.id, 'ops', { amount_usd: '0' }));
    await expectRefused(400, () => approve(approval.id, 'ops', { amount_usd: '1.0000000001' }));
    await expectRefused(400, () => approve(approval.id, 'ops', { surprise: 1 }));
    await expectRefused(400, () => reject(approval.id, 'ops', { amount_usd: '3' }));
    await expectRefused(404, () => approve('apr_nowhere', 'ops'), 'not_found_error');
  });

  it('rejects once; a rejected request cannot be approved or used', async () => {
    const { approval } = await open({ sessionId: 'ses_reject' });
    const res = await reject(approval.id, 'ops', { note: 'too expensive for a triage' });
    expect(res.body).toMatchObject({ status: 'rejected', note: 'too expensive for a triage' });
    expect(await auditRows('approval.reject', approval.id)).toHaveLength(1);
    const body = await expectRefused(409, () => approve(approval.id, 'ops'));
    expect(body.error).toMatchObject({ approval_status: 'rejected' });
    expect(await consume(approval.id, { sessionId: 'ses_reject' })).toMatchObject({ ok: false, reason: 'rejected' });
  });

  it('cannot approve an expired request; an approval past its time cannot be used; expiry is recorded', async () => {
    const longAgo = new Date(Date.now() - 2 * 3_600_000);
    const stale = await open({ sessionId: 'ses_stale', now: longAgo });
    expect(stale.created).toBe(true);
    const body = await expectRefused(409, () => approve(stale.approval.id, 'ops'));
    expect(body.error).toMatchObject({ approval_status: 'expired' });
    const listed = await call<{ data: { id: string }[] }>(getApprovals, 'GET', '/api/v1/approvals?status=expired', 'ops');
    expect(listed.body.data.map((a) => a.id)).toContain(stale.approval.id);
    const pending = await call<{ data: { id: string }[] }>(getApprovals, 'GET', '/api/v1/approvals?status=pending', 'ops');
    expect(pending.body.data.map((a) => a.id)).not.toContain(stale.approval.id);

    const { approval } = await open({ sessionId: 'ses_late' });
    expect((await approve(approval.id, 'ops')).status).toBe(200);
    const later = new Date(Date.now() + 31 * 60_000);
    expect(await consume(approval.id, { sessionId: 'ses_late', now: later })).toMatchObject({ ok: false, reason: 'expired' });

    const expired = await expireApprovals(db, { now: later });
    expect(expired).toBeGreaterThanOrEqual(2);
    expect(await auditRows('approval.expire', stale.approval.id)).toHaveLength(1);
    expect(await auditRows('approval.expire', approval.id)).toHaveLength(1);
    const [row] = await db.query<{ status: string }>('select status from approval_requests where id = $1', [approval.id]);
    expect(row!.status).toBe('expired');
    expect(await expireApprovals(db, { now: later })).toBe(0);
  });
});

describe('sessions', () => {
  const freeze = () =>
    freezeSession(db, {
      organisationId: ORG_ID,
      sessionId: 'ses_loop_1',
      reason: 'repeated_prompt',
      detail: { repeats: 6, similarity: 0.97 },
      departmentId: DEPARTMENT_IDS.claims,
      apiKeyId: DEMO_AGENT_KEY_ID,
    });

  it('freezes a session with an audit row and one alert; freezing again changes nothing', async () => {
    expect(await sessionStatus(db, ORG_ID, 'ses_loop_1')).toBe('active');
    const { frozen, session } = await freeze();
    expect(frozen).toBe(true);
    expect(session).toMatchObject({ id: 'ses_loop_1', status: 'frozen', frozen_reason: 'repeated_prompt' });
    expect(await sessionStatus(db, ORG_ID, 'ses_loop_1')).toBe('frozen');
    expect(await auditRows('session.freeze', 'ses_loop_1')).toHaveLength(1);
    const alertsFor = () => db.query<{ severity: string }>("select severity from alerts where kind = 'loop_detected' and details->>'session_id' = 'ses_loop_1'");
    expect(await alertsFor()).toEqual([{ severity: 'critical' }]);

    const before = await counts();
    expect((await freeze()).frozen).toBe(false);
    expect(await counts()).toEqual(before);
  });

  it('lists frozen sessions for ops and the CFO, not managers', async () => {
    const res = await call<{ data: { id: string; status: string }[] }>(getSessions, 'GET', '/api/v1/sessions?status=frozen', 'cfo');
    expect(res.status).toBe(200);
    expect(res.body.data.map((s) => s.id)).toContain('ses_loop_1');
    expect(res.body.data.every((s) => s.status === 'frozen')).toBe(true);
    expect((await call(getSessions, 'GET', '/api/v1/sessions', 'manager')).status).toBe(403);
  });

  it('unfreezes (ops only, audit-logged); a session that is not frozen is a 409', async () => {
    const path = '/api/v1/sessions/ses_loop_1/unfreeze';
    await expectRefused(403, () => call(unfreezeRoute, 'POST', path, 'manager', { id: 'ses_loop_1' }), 'permission_error');
    await expectRefused(403, () => call(unfreezeRoute, 'POST', path, 'cfo', { id: 'ses_loop_1' }), 'permission_error');
    const res = await call(unfreezeRoute, 'POST', path, 'ops', { id: 'ses_loop_1', body: { note: 'fixed the prompt template' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'active', frozen_reason: null });
    expect(await sessionStatus(db, ORG_ID, 'ses_loop_1')).toBe('active');
    expect(await auditRows('session.unfreeze', 'ses_loop_1')).toHaveLength(1);
    await expectRefused(409, () => call(unfreezeRoute, 'POST', path, 'ops', { id: 'ses_loop_1' }));
    await expectRefused(404, () => call(unfreezeRoute, 'POST', '/api/v1/sessions/ses_nowhere/unfreeze', 'ops', { id: 'ses_nowhere' }));
  });

  it('keys sessions by organisation: another organisation freezing the same session id touches nothing of ours', async () => {
    await db.query("insert into organisations (id, name, slug) values ('org_sessions_other', 'Other Co', 'other-co-sessions') on conflict do nothing");
    expect(await sessionStatus(db, ORG_ID, 'ses_loop_1')).toBe('active');
    const other = await freezeSession(db, { organisationId: 'org_sessions_other', sessionId: 'ses_loop_1', reason: 'repeated_prompt', detail: {}, departmentId: null, apiKeyId: null });
    expect(other.frozen).toBe(true);
    invalidateSessionStatus(ORG_ID, 'ses_loop_1');
    expect(await sessionStatus(db, ORG_ID, 'ses_loop_1')).toBe('active');
    expect(await sessionStatus(db, 'org_sessions_other', 'ses_loop_1')).toBe('frozen');
    // Ours can be frozen and unfrozen on its own; theirs stays frozen.
    expect((await freeze()).frozen).toBe(true);
    const res = await call(unfreezeRoute, 'POST', '/api/v1/sessions/ses_loop_1/unfreeze', 'ops', { id: 'ses_loop_1' });
    expect(res.status).toBe(200);
    invalidateSessionStatus('org_sessions_other', 'ses_loop_1');
    expect(await sessionStatus(db, 'org_sessions_other', 'ses_loop_1')).toBe('frozen');
    const rows = await db.query<{ organisation_id: string; status: string }>("select organisation_id, status from agent_sessions where id = 'ses_loop_1' order by organisation_id");
    expect(rows).toEqual([
      { organisation_id: ORG_ID, status: 'active' },
      { organisation_id: 'org_sessions_other', status: 'frozen' },
    ]);
  });
});

describe('alerts', () => {
  let server: http.Server;
  let url = '';
  const received: { text: string; blocks: unknown[] }[] = [];
  let failuresLeft = 1;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString()));
      req.on('end', () => {
        received.push(JSON.parse(data) as { text: string; blocks: unknown[] });
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(500).end('boom');
        } else {
          res.writeHead(200).end('ok');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-path`;
    process.env.TOLLGATE_ALERT_WEBHOOK_URL = url;
  });

  afterAll(async () => {
    delete process.env.TOLLGATE_ALERT_WEBHOOK_URL;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('stores an alert once per dedupe key, without secrets', async () => {
    const t0 = new Date();
    const input = {
      organisationId: ORG_ID,
      kind: 'budget_threshold' as const,
      severity: 'warning' as const,
      message: `Claims monthly AI spend passed 80% (key ${AGENT_KEY} noticed)`,
      details: { budget_id: 'bud_dep_claims_month', threshold: 0.8, used_usd: '4012.5', api_key: AGENT_KEY, nested: { token: 'x', note: `uses ${AGENT_KEY}` } },
      dedupeKey: 'budget:bud_dep_claims_month:test:0.8',
    };
    const first = await raiseAlert(db, input, { now: t0, deliver: false });
    expect(first.created).toBe(true);
    const again = await raiseAlert(db, input, { now: t0, deliver: false });
    expect(again).toEqual({ id: null, created: false });
    const rows = await db.query<{ message: string; details: unknown }>('select message, details from alerts where dedupe_key = $1', [input.dedupeKey]);
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(AGENT_KEY);
    expect(stored).not.toContain('"api_key"');
    expect(stored).not.toContain('"token"');
    expect(stored).toContain('bud_dep_claims_month');

    // Delivered as stored: the webhook never sees the secret either.
    failuresLeft = 0;
    received.length = 0;
    expect(await drainAlerts(db, { now: t0 })).toEqual({ attempted: 1, delivered: 1, failed: 0 });
    expect(received).toHaveLength(1);
    expect(JSON.stringify(received[0])).not.toContain(AGENT_KEY);
    expect(received[0]!.text).toContain('Claims monthly AI spend passed 80%');
  });

  it('delivers to the webhook, retrying after a failure with backoff kept in the row', async () => {
    const t0 = new Date();
    const { id } = await raiseAlert(
      db,
      { organisationId: ORG_ID, kind: 'loop_detected', severity: 'critical', message: 'Session ses_hook frozen: cycle', details: { session_id: 'ses_hook', cycles: 3 } },
      { now: t0, deliver: false },
    );
    const rowOf = async () =>
      (await db.query<{ attempts: number; last_error: string | null; next_attempt_at: Date | null; delivered_at: Date | null }>('select attempts, last_error, next_attempt_at, delivered_at from alerts where id = $1', [id]))[0]!;

    received.length = 0;
    failuresLeft = 1;
    expect(await drainAlerts(db, { now: t0 })).toEqual({ attempted: 1, delivered: 0, failed: 1 });
    let row = await rowOf();
    expect(row).toMatchObject({ attempts: 1, last_error: 'HTTP 500', delivered_at: null });
    expect(new Date(row.next_attempt_at!).getTime()).toBe(t0.getTime() + 1_000);
    expect(row.last_error).not.toContain('secret-path');

    // Not due yet: nothing is attempted.
    const early = await drainAlerts(db, { now: t0 });
    expect(early.attempted).toBe(0);

    expect(await drainAlerts(db, { now: new Date(t0.getTime() + 1_000) })).toEqual({ attempted: 1, delivered: 1, failed: 0 });
    row = await rowOf();
    expect(row).toMatchObject({ attempts: 2, last_error: null, next_attempt_at: null });
    expect(row.delivered_at).not.toBeNull();

    const bodies = received;
    expect(bodies).toHaveLength(2);
    expect(bodies[1]!.text).toBe('[critical] loop_detected: Session ses_hook frozen: cycle');
    expect(JSON.stringify(bodies[1]!.blocks)).toContain('*cycles*\\n3');

    // Delivered alerts are never sent again.
    expect((await drainAlerts(db, { now: new Date(t0.getTime() + 3_600_000) })).attempted).toBe(0);
  });

  it('lists alerts with their delivery state for the CFO and ops, not managers', async () => {
    const res = await call<{ data: { kind: string; message: string; delivery: { status: string; attempts: number } }[] }>(getAlerts, 'GET', '/api/v1/alerts?kind=loop_detected', 'cfo');
    expect(res.status).toBe(200);
    const hook = res.body.data.find((a) => a.message.includes('ses_hook'))!;
    expect(hook.delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(res.body.data.every((a) => a.kind === 'loop_detected')).toBe(true);
    expect((await call(getAlerts, 'GET', '/api/v1/alerts', 'manager')).status).toBe(403);
  });
});
