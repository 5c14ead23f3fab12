/**
 * The security boundary, through the real route handlers: sessions and API
 * keys, the permission matrix, and the manager's department scope across
 * JSON and CSV.
 */
import { encode } from 'next-auth/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDb } from '@/db/client';
import { seedDatabase } from '@/db/seed';
import { DEMO_USERS, DEPARTMENT_IDS, OTHER_MANAGER } from '@/db/seed/fixtures';
import { GET as getDepartments } from '@/app/api/v1/departments/route';
import { GET as getLedger } from '@/app/api/v1/ledger/route';
import { GET as getSpend } from '@/app/api/v1/spend/route';
import { GET as getHealth } from '@/app/api/health/route';
import { clearApiKeyCache } from '@/lib/http/authenticate';
import { createTestDb, type TestDb } from '../support/db';

const SECRET = 'integration-test-secret';
const AGENT_KEY = 'tg_integrationAgentKey0000000000000000000000';
const ADMIN_KEY = 'tg_integrationAdminKey0000000000000000000000';
let db: TestDb;

beforeAll(async () => {
  process.env.AUTH_SECRET = SECRET;
  db = await createTestDb();
  await seedDatabase(db, { events: 3_000, days: 40, now: new Date(), seed: 11, demoKey: AGENT_KEY, adminKey: ADMIN_KEY });
  setDb(db);
  clearApiKeyCache();
});

afterAll(async () => {
  await db?.dispose();
});

async function sessionCookie(user: { id: string; role: string; departmentId: string | null; email: string }) {
  const token = await encode({
    token: { uid: user.id, role: user.role as never, departmentId: user.departmentId, organisationId: 'org_northwind', email: user.email },
    secret: SECRET,
  });
  return `next-auth.session-token=${token}`;
}

const request = (path: string, headers: Record<string, string> = {}) => new Request(`http://localhost${path}`, { headers });

async function expectOpenAiError(response: Response, status: number, type: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { type: string; message: string } };
  expect(body.error.type).toBe(type);
  expect(typeof body.error.message).toBe('string');
}

describe('health', () => {
  it('names the database in use', async () => {
    const response = await getHealth();
    expect(await response.json()).toEqual({ status: 'ok', database: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite' });
  });
});

describe('API keys', () => {
  it('refuses an unknown key with 401 in OpenAI error shape', async () => {
    await expectOpenAiError(await getLedger(request('/api/v1/ledger', { authorization: 'Bearer tg_nope' })), 401, 'authentication_error');
    await expectOpenAiError(await getLedger(request('/api/v1/ledger', { authorization: 'Bearer ' })), 401, 'authentication_error');
  });

  it('refuses a caller with neither key nor session', async () => {
    await expectOpenAiError(await getLedger(request('/api/v1/ledger')), 401, 'authentication_error');
  });

  it('keeps agent keys out of the read API', async () => {
    await expectOpenAiError(await getLedger(request('/api/v1/ledger', { authorization: `Bearer ${AGENT_KEY}` })), 403, 'permission_error');
  });

  it('lets the ops admin key read the whole organisation', async () => {
    const response = await getDepartments(request('/api/v1/departments', { authorization: `Bearer ${ADMIN_KEY}` }));
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: { id: string }[] };
    expect(data.map((d) => d.id).sort()).toEqual(Object.values(DEPARTMENT_IDS).sort());
  });
});

describe('manager scope', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = await sessionCookie(DEMO_USERS.manager);
  });

  it('reads only their own department by default, in JSON and CSV', async () => {
    const json = await getLedger(request('/api/v1/ledger?limit=1000', { cookie }));
    expect(json.status).toBe(200);
    const { data } = (await json.json()) as { data: { departmentId: string }[] };
    expect(data.length).toBeGreaterThan(0);
    expect(new Set(data.map((r) => r.departmentId))).toEqual(new Set([DEPARTMENT_IDS.claims]));

    const csv = await getLedger(request('/api/v1/ledger?limit=1000&format=csv', { cookie }));
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    const column = lines[0]!.split(',').indexOf('departmentId');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1)) expect(line.split(',')[column]).toBe(DEPARTMENT_IDS.claims);

    const departments = (await (await getDepartments(request('/api/v1/departments', { cookie }))).json()) as { data: { id: string }[] };
    expect(departments.data.map((d) => d.id)).toEqual([DEPARTMENT_IDS.claims]);
  });

  it.each([
    ['ledger JSON', () => getLedger(request(`/api/v1/ledger?department=${DEPARTMENT_IDS.underwriting}`, { cookie }))],
    ['ledger CSV', () => getLedger(request(`/api/v1/ledger?department=${DEPARTMENT_IDS.underwriting}&format=csv`, { cookie }))],
    ['spend', () => getSpend(request(`/api/v1/spend?view=department&department=${DEPARTMENT_IDS.kyc}`, { cookie }))],
    ['departments', () => getDepartments(request(`/api/v1/departments?department=${DEPARTMENT_IDS.finance}`, { cookie }))],
  ])('gets 403 asking for another department (%s)', async (_name, call) => {
    await expectOpenAiError(await call(), 403, 'permission_error');
  });

  it('sees the org-wide spend only as their department', async () => {
    const response = await getSpend(request('/api/v1/spend?view=department', { cookie }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { summary: { departmentId: string }; budgets: { scopeType: string }[] };
    expect(body.summary.departmentId).toBe(DEPARTMENT_IDS.claims);
    expect(body.budgets.some((b) => b.scopeType === 'organisation')).toBe(false);
  });

  it('is confined to Underwriting for the Underwriting manager', async () => {
    const other = await sessionCookie(OTHER_MANAGER);
    await expectOpenAiError(await getLedger(request(`/api/v1/ledger?department=${DEPARTMENT_IDS.claims}`, { cookie: other })), 403, 'permission_error');
  });

  it('refuses a forged or foreign session cookie', async () => {
    const forged = await encode({ token: { uid: DEMO_USERS.cfo.id }, secret: 'another-secret' });
    await expectOpenAiError(await getLedger(request('/api/v1/ledger', { cookie: `next-auth.session-token=${forged}` })), 401, 'authentication_error');
  });
});

describe('org-wide roles', () => {
  it('let the CFO pick any department', async () => {
    const cookie = await sessionCookie(DEMO_USERS.cfo);
    const response = await getLedger(request(`/api/v1/ledger?department=${DEPARTMENT_IDS.kyc}&limit=50`, { cookie }));
    const { data } = (await response.json()) as { data: { departmentId: string }[] };
    expect(new Set(data.map((r) => r.departmentId))).toEqual(new Set([DEPARTMENT_IDS.kyc]));
  });

  it('reject malformed filters with a clear 400', async () => {
    const cookie = await sessionCookie(DEMO_USERS.ops);
    await expectOpenAiError(await getLedger(request('/api/v1/ledger?limit=0', { cookie })), 400, 'invalid_request_error');
    await expectOpenAiError(await getLedger(request('/api/v1/ledger?from=yesterday', { cookie })), 400, 'invalid_request_error');
    await expectOpenAiError(await getLedger(request('/api/v1/ledger?bogus=1', { cookie })), 400, 'invalid_request_error');
    await expectOpenAiError(await getSpend(request('/api/v1/spend?view=department&department=dep_nope', { cookie })), 404, 'not_found_error');
  });

  it('filters by project: every row of the project in scope, newest first, and none for a project with no rows there', async () => {
    const cookie = await sessionCookie(DEMO_USERS.ops);
    const [busiest] = await db.query<{ project_id: string }>(
      'select project_id from ledger_events where project_id is not null group by project_id order by count(*) desc limit 1',
    );
    const project = busiest!.project_id;
    const expected = await db.query<{ id: string }>(
      `select id from ledger_events where organisation_id = 'org_northwind' and project_id = $1 order by occurred_at desc, id desc`,
      [project],
    );
    const got: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/ledger?project=${project}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`;
      const body = (await (await getLedger(request(url, { cookie }))).json()) as { data: { id: string }[]; next_cursor: string | null };
      got.push(...body.data.map((r) => r.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(expected.map((r) => r.id));

    const none = await getLedger(request('/api/v1/ledger?project=prj_has_no_rows', { cookie }));
    expect(await none.json()).toMatchObject({ data: [], next_cursor: null });
    // A manager naming another department's project sees none of its rows.
    const [foreign] = await db.query<{ project_id: string }>(
      'select project_id from ledger_events where project_id is not null and department_id <> $1 limit 1',
      [DEMO_USERS.manager.departmentId],
    );
    const manager = await sessionCookie(DEMO_USERS.manager);
    const theirs = await getLedger(request(`/api/v1/ledger?project=${foreign!.project_id}`, { cookie: manager }));
    expect(await theirs.json()).toMatchObject({ data: [] });
  });

  it('pages through the ledger without repeats or gaps', async () => {
    const cookie = await sessionCookie(DEMO_USERS.ops);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 4; page++) {
      const url: string = `/api/v1/ledger?limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const body = (await (await getLedger(request(url, { cookie }))).json()) as { data: { id: string }[]; next_cursor: string | null };
      seen.push(...body.data.map((r) => r.id));
      cursor = body.next_cursor;
    }
    const all = (await (await getLedger(request('/api/v1/ledger?limit=28', { cookie }))).json()) as { data: { id: string }[] };
    expect(seen).toEqual(all.data.map((r) => r.id));
  });
});
