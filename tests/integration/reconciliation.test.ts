/**
 * Billing reconciliation through the real route handlers: provider exports
 * built from the seeded ledger's own daily totals with known offsets are
 * imported, linked and reconciled, and every variance is checked to the
 * nano-dollar against totals recomputed here from the raw ledger rows.
 */
import { encode } from 'next-auth/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as postImport } from '@/app/api/v1/billing/imports/route';
import { POST as postLink } from '@/app/api/v1/billing/project-links/route';
import { GET as getReconciliation } from '@/app/api/v1/reconciliation/route';
import { setDb } from '@/db/client';
import type { ReconciliationReport, ReconciliationRowJson } from '@/db/queries/reconciliation';
import { seedDatabase } from '@/db/seed';
import { DEMO_ADMIN_KEY_ID, DEMO_USERS, DEPARTMENT_IDS, ORG_ID, OTHER_MANAGER, PROJECTS } from '@/db/seed/fixtures';
import { nanoToUsdString } from '@/lib/engine/money';
import { clearApiKeyCache } from '@/lib/http/authenticate';
import { createTestDb, type TestDb } from '../support/db';

const SECRET = 'reconciliation-test-secret';
const AGENT_KEY = 'tg_reconAgentKey000000000000000000000000000';
const ADMIN_KEY = 'tg_reconAdminKey000000000000000000000000000';
const NOW = new Date('2026-11-18T14:37:00Z');
const MONTH = '2026-10';
const DAY_S = 86_400;

/** The snapshot names the providers bill under, for the ledger's (undated) model names. */
const DATED: Record<string, string> = {
  'gpt-5-nano': 'gpt-5-nano-2025-08-07',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-5': 'gpt-5-2025-08-07',
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'claude-opus-4-1': 'claude-opus-4-1-20250805',
};
/** Known offsets (billed - estimated), cycled over the billed keys. */
const OFFSETS = [0n, 1_000_000n, -2_500_000n, 7n, 123_456_789n];

const PROJECT_CODE = new Map<string, string>(PROJECTS.map((p) => [p.id, p.code]));
const PROJECT_DEPARTMENT = new Map<string, string>(PROJECTS.map((p) => [p.id, p.departmentId]));
const openAiProject = (projectId: string) => `proj_${PROJECT_CODE.get(projectId)}`;
const workspace = (projectId: string) => `wrkspc_${PROJECT_CODE.get(projectId)}`;
/** Left unlinked at first, linked after the import. */
const LATE_PROJECT = 'prj_risk_reports';

const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;
const dayOf = (d: number) => `${MONTH}-${String(d).padStart(2, '0')}`;
const dollars = (nano: bigint) => Number(nanoToUsdString(nano));
function cents(nano: bigint): string {
  const abs = nano < 0n ? -nano : nano;
  return `${nano < 0n ? '-' : ''}${abs / 10_000_000n}.${(abs % 10_000_000n).toString().padStart(7, '0')}`;
}

/** Row key as the tests name it: day | provider | model | project (or ext:<provider project>). */
const keyOf = (day: string, provider: string, model: string | null, projectId: string | null, external: string | null) =>
  `${day}|${provider}|${model ?? '-'}|${projectId ?? (external ? `ext:${external}` : '-')}`;
const rowKey = (r: ReconciliationRowJson) => keyOf(r.day, r.provider, r.model, r.projectId, r.externalProjectId);

interface Group {
  day: string;
  provider: string;
  model: string;
  projectId: string | null;
  cost: bigint;
}
/** A billed amount as constructed here: which key it lands on, depending on the links. */
interface BilledPart {
  day: string;
  provider: 'openai' | 'anthropic';
  model: string | null;
  external: string | null;
  projectId: string | null;
  lineItem: string;
  amount: bigint;
}

let db: TestDb;
let groups: Group[];
const billed: BilledPart[] = [];
let openAiBody: unknown;
let anthropicBody: unknown;
let firstOpenAiImport: string;

const NO_PROJECT_ROW_COST = 123_456_789n;

beforeAll(async () => {
  process.env.AUTH_SECRET = SECRET;
  db = await createTestDb();
  await seedDatabase(db, { events: 4_000, days: 60, now: NOW, seed: 5, demoKey: AGENT_KEY, adminKey: ADMIN_KEY });
  // Ledger spend with no project (and no department): unattributed on the estimated side.
  await db.query(
    `insert into ledger_events (id, idempotency_key, organisation_id, occurred_at, source, provider, model_name, tier, price_status, cost_nano)
     values ('evt_recon_noproject', 'evt_recon_noproject', $1, '2026-10-04T09:00:00Z', 'ingest', 'openai', 'gpt-5-nano', 'small', 'priced', $2)`,
    [ORG_ID, NO_PROJECT_ROW_COST.toString()],
  );
  setDb(db);
  clearApiKeyCache();

  const raw = await db.query<{ at: string | number; provider: string; model_name: string; project_id: string | null; cost: string }>(
    `select extract(epoch from occurred_at)::float8 * 1000 as at, provider, model_name, project_id, cost_nano::text as cost
       from ledger_events where organisation_id = $1`,
    [ORG_ID],
  );
  const byKey = new Map<string, Group>();
  for (const r of raw) {
    const day = new Date(Number(r.at)).toISOString().slice(0, 10);
    if (!day.startsWith(MONTH)) continue;
    const key = keyOf(day, r.provider, r.model_name, r.project_id, null);
    const g = byKey.get(key) ?? { day, provider: r.provider, model: r.model_name, projectId: r.project_id, cost: 0n };
    g.cost += BigInt(r.cost);
    byKey.set(key, g);
  }
  groups = [...byKey.values()].sort((a, b) => keyOf(a.day, a.provider, a.model, a.projectId, null).localeCompare(keyOf(b.day, b.provider, b.model, b.projectId, null)));

  // OpenAI Costs API: 1-10 October, two pages, each (day, model, project) billed as an input and an output line item.
  let i = 0;
  const buckets = [];
  for (let d = 1; d <= 10; d++) {
    const day = dayOf(d);
    const results: Record<string, unknown>[] = [];
    for (const g of groups.filter((g) => g.day === day && g.provider === 'openai' && g.projectId)) {
      const offset = OFFSETS[i++ % OFFSETS.length]!;
      const input = g.cost / 3n;
      const output = g.cost - input + offset;
      const external = openAiProject(g.projectId!);
      for (const [direction, amount] of [['input', input], ['output', output]] as const) {
        const lineItem = `${DATED[g.model]}, ${direction}`;
        results.push({ object: 'organization.costs.result', amount: { value: dollars(amount), currency: 'usd' }, line_item: lineItem, project_id: external });
        billed.push({ day, provider: 'openai', model: g.model, external, projectId: g.projectId, lineItem, amount });
      }
    }
    if (d === 2) {
      // A line item that names no model, on a linked project.
      results.push({ object: 'organization.costs.result', amount: { value: 0.06, currency: 'usd' }, line_item: 'Image models', project_id: openAiProject('prj_motor_claims') });
      billed.push({ day, provider: 'openai', model: null, external: openAiProject('prj_motor_claims'), projectId: 'prj_motor_claims', lineItem: 'Image models', amount: 60_000_000n });
    }
    if (d === 3) {
      // A provider project linked to nothing.
      results.push({ object: 'organization.costs.result', amount: { value: 1.5, currency: 'usd' }, line_item: 'gpt-5-nano-2025-08-07, input', project_id: 'proj_unlinked' });
      billed.push({ day, provider: 'openai', model: 'gpt-5-nano', external: 'proj_unlinked', projectId: null, lineItem: 'gpt-5-nano-2025-08-07, input', amount: 1_500_000_000n });
    }
    if (d === 4) {
      // No project at all, against the ledger row with no project; 0.1 + 0.2 is 0.30000000000000004 in JSON.
      results.push({ object: 'organization.costs.result', amount: { value: 0.1 + 0.2, currency: 'usd' }, line_item: 'gpt-5-nano-2025-08-07, input', project_id: null });
      billed.push({ day, provider: 'openai', model: 'gpt-5-nano', external: null, projectId: null, lineItem: 'gpt-5-nano-2025-08-07, input', amount: 300_000_000n });
    }
    buckets.push({ object: 'bucket', start_time: dayStart(day), end_time: dayStart(day) + DAY_S, results });
  }
  openAiBody = [
    { object: 'page', data: buckets.slice(0, 5), has_more: true, next_page: 'page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=' },
    { object: 'page', data: buckets.slice(5), has_more: false, next_page: null },
  ];

  // Anthropic cost report: 5-12 October, input and output lines per (day, model, workspace), amounts in cents.
  const data = [];
  for (let d = 5; d <= 12; d++) {
    const day = dayOf(d);
    const results: Record<string, unknown>[] = [];
    for (const g of groups.filter((g) => g.day === day && g.provider === 'anthropic' && g.projectId)) {
      const offset = OFFSETS[i++ % OFFSETS.length]!;
      const input = g.cost / 2n;
      const output = g.cost - input + offset;
      const external = workspace(g.projectId!);
      for (const [tokenType, label, amount] of [['uncached_input_tokens', 'Input', input], ['output_tokens', 'Output', output]] as const) {
        const description = `${g.model} Usage - ${label} Tokens`;
        results.push({
          currency: 'USD',
          amount: cents(amount),
          workspace_id: external,
          description,
          cost_type: 'tokens',
          context_window: '0-200k',
          model: DATED[g.model],
          service_tier: 'standard',
          token_type: tokenType,
        });
        billed.push({ day, provider: 'anthropic', model: g.model, external, projectId: g.projectId, lineItem: description, amount });
      }
    }
    data.push({ starting_at: `${day}T00:00:00Z`, ending_at: `${dayOf(d + 1)}T00:00:00Z`, results });
  }
  anthropicBody = { data, has_more: false, next_page: null };
});

afterAll(async () => {
  await db?.dispose();
});

async function sessionCookie(user: { id: string; role: string; departmentId: string | null; email: string }) {
  const token = await encode({
    token: { uid: user.id, role: user.role as never, departmentId: user.departmentId, organisationId: ORG_ID, email: user.email },
    secret: SECRET,
  });
  return `next-auth.session-token=${token}`;
}

const ops = { authorization: `Bearer ${ADMIN_KEY}` };
const post = (path: string, body: unknown, headers: Record<string, string> = ops) =>
  new Request(`http://localhost${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const get = (path: string, headers: Record<string, string> = ops) => new Request(`http://localhost${path}`, { headers });

async function importBody(provider: string, format: string, data: unknown, headers?: Record<string, string>) {
  const response = await postImport(post('/api/v1/billing/imports', { provider, format, data }, headers));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { type: string; param: string | null; message: string } } };
}

async function link(provider: string, external: string, projectId: string, headers?: Record<string, string>) {
  const response = await postLink(post('/api/v1/billing/project-links', { provider, external_project_id: external, project_id: projectId }, headers));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { type: string } } };
}

async function report(query = `month=${MONTH}`, headers: Record<string, string> = ops): Promise<ReconciliationReport> {
  const response = await getReconciliation(get(`/api/v1/reconciliation?${query}`, headers));
  expect(response.status).toBe(200);
  return (await response.json()) as ReconciliationReport;
}

async function counts() {
  const [row] = await db.query<Record<string, string | number>>(
    `select (select count(*) from billing_imports) as imports, (select count(*) from billing_lines) as lines,
            (select count(*) from audit_log) as audit, (select count(*) from provider_project_links) as links,
            (select coalesce(sum(amount_nano), 0)::text from billing_lines) as amount`,
  );
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, String(v)]));
}

/** The report this test expects, from the raw ledger and the amounts it billed, given which provider projects are linked. */
function expected(linked: Set<string>, restated: Map<string, bigint> = new Map(), departmentId: string | null = null) {
  const rows = new Map<string, { est: bigint; billed: bigint | null }>();
  for (const g of groups) {
    if (departmentId && (!g.projectId || PROJECT_DEPARTMENT.get(g.projectId) !== departmentId)) continue;
    const key = keyOf(g.day, g.provider, g.model, g.projectId, null);
    const r = rows.get(key) ?? { est: 0n, billed: null };
    r.est += g.cost;
    rows.set(key, r);
  }
  billed.forEach((b, index) => {
    const projectId = b.external && linked.has(b.external) ? b.projectId : null;
    if (departmentId && (!projectId || PROJECT_DEPARTMENT.get(projectId) !== departmentId)) return;
    const key = keyOf(b.day, b.provider, b.model, projectId, projectId ? null : b.external);
    const r = rows.get(key) ?? { est: 0n, billed: null };
    r.billed = (r.billed ?? 0n) + (restated.get(String(index)) ?? b.amount);
    rows.set(key, r);
  });
  for (const [key, r] of rows) if (r.billed === null && r.est === 0n) rows.delete(key);
  let estimatedNano = 0n;
  let billedNano = 0n;
  let variance = 0n;
  let billedRowsEst = 0n;
  let unattributedBilled = 0n;
  let unattributedEst = 0n;
  for (const [key, r] of rows) {
    estimatedNano += r.est;
    const project = key.split('|')[3]!;
    const noProject = project === '-' || project.startsWith('ext:');
    if (noProject) unattributedEst += r.est;
    if (r.billed !== null) {
      billedNano += r.billed;
      variance += r.billed - r.est;
      billedRowsEst += r.est;
      if (noProject) unattributedBilled += r.billed;
    }
  }
  return { rows, estimatedNano, billedNano, variance, billedRowsEst, unattributedBilled, unattributedEst };
}

/** variance / estimated in basis points, rounded half away from zero (estimated > 0). */
function basisPoints(variance: bigint, estimated: bigint): number {
  const abs = variance < 0n ? -variance : variance;
  const q = (abs * 10_000n + estimated / 2n) / estimated;
  return Number(variance < 0n ? -q : q);
}

/** The same JSON with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  return value;
}

function expectReport(actual: ReconciliationReport, want: ReturnType<typeof expected>) {
  const got = new Map(actual.rows.map((r) => [rowKey(r), r]));
  expect([...got.keys()].sort()).toEqual([...want.rows.keys()].sort());
  for (const [key, w] of want.rows) {
    const r = got.get(key)!;
    expect({ key, est: r.estimatedNano, billed: r.billedNano }).toEqual({ key, est: w.est.toString(), billed: w.billed?.toString() ?? null });
    if (w.billed === null) {
      expect(r).toMatchObject({ costSource: 'estimated', varianceNano: null, varianceBps: null, costNano: w.est.toString() });
    } else {
      const variance = w.billed - w.est;
      expect(r).toMatchObject({ costSource: 'billed', varianceNano: variance.toString(), costNano: w.billed.toString() });
      if (w.est === 0n) expect(r.varianceBps).toBeNull();
      else expect(r.varianceBps).toBe(basisPoints(variance, w.est));
    }
  }
  expect(actual.totals).toMatchObject({
    estimatedNano: want.estimatedNano.toString(),
    billedNano: want.billedNano.toString(),
    varianceNano: want.variance.toString(),
    billedRowsEstimatedNano: want.billedRowsEst.toString(),
    costNano: (want.estimatedNano + want.variance).toString(),
  });
  expect(actual.unattributed.billedNano).toBe(want.unattributedBilled.toString());
  expect(actual.unattributed.estimatedNano).toBe(want.unattributedEst.toString());
}

const allLinked = () => {
  const s = new Set<string>();
  for (const b of billed) if (b.external && b.projectId && b.projectId !== LATE_PROJECT) s.add(b.external);
  return s;
};

describe('billing reconciliation', () => {
  it('built exports that cover the ledger it checks against', () => {
    expect(billed.filter((b) => b.provider === 'openai').length).toBeGreaterThan(20);
    expect(billed.filter((b) => b.provider === 'anthropic').length).toBeGreaterThan(20);
    expect(billed.some((b) => b.projectId === LATE_PROJECT)).toBe(true);
  });

  it('links provider projects to Tollgate projects (ops only; unknown project is 404)', async () => {
    for (const projectId of PROJECT_CODE.keys()) {
      if (projectId === LATE_PROJECT) continue;
      expect((await link('openai', openAiProject(projectId), projectId)).status).toBe(200);
      expect((await link('anthropic', workspace(projectId), projectId)).status).toBe(200);
    }
    const before = await counts();
    const unknown = await link('openai', 'proj_x', 'prj_nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.type).toBe('not_found_error');
    const manager = await link('openai', 'proj_x', 'prj_motor_claims', { cookie: await sessionCookie(DEMO_USERS.manager) });
    expect(manager.status).toBe(403);
    expect((await link('openai', '', 'prj_motor_claims')).status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('imports an OpenAI costs export (two pages) and an Anthropic cost report', async () => {
    const openai = await importBody('openai', 'costs', openAiBody);
    expect(openai.status).toBe(201);
    const openAiLines = billed.filter((b) => b.provider === 'openai').length;
    expect(openai.body).toMatchObject({ lines: openAiLines, duplicate: false, inserted: openAiLines, replaced: 0, has_more: false, first_day: '2026-10-01', last_day: '2026-10-10' });
    firstOpenAiImport = openai.body.import_id as string;
    expect(firstOpenAiImport).toMatch(/^bim_/);

    const anthropic = await importBody('anthropic', 'costs', anthropicBody);
    expect(anthropic.status).toBe(201);
    expect(anthropic.body).toMatchObject({ lines: billed.length - openAiLines, duplicate: false });

    const audit = await db.query<{ actor_type: string; actor_id: string; target_id: string; details: Record<string, unknown> }>(
      `select actor_type, actor_id, target_id, details from audit_log where action = 'billing.import' order by id`,
    );
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ actor_type: 'api_key', actor_id: DEMO_ADMIN_KEY_ID, target_id: firstOpenAiImport });
    expect(audit[0]!.details).toMatchObject({ provider: 'openai', format: 'openai_costs', lines: openAiLines, unlinkedProjects: [openAiProject(LATE_PROJECT), 'proj_unlinked'] });
  });

  it('reconciles billed against estimated by day, model and project, exactly', async () => {
    const actual = await report();
    expectReport(actual, expected(allLinked()));
    // Dated snapshots matched the ledger's aliases.
    const sonnet = actual.rows.find((r) => r.provider === 'anthropic' && r.model === 'claude-sonnet-4-5' && r.billedNano !== null && r.estimatedNano !== '0')!;
    expect(sonnet.modelNames).toEqual(['claude-sonnet-4-5', 'claude-sonnet-4-5-20250929']);
    // Days after the exports are estimated only.
    expect(actual.rows.filter((r) => r.day >= '2026-10-13').every((r) => r.costSource === 'estimated')).toBe(true);
    // The known offsets show up as the variance.
    // (The late project's lines are not linked yet: billed on its own rows, against no estimate.)
    const billedDays = (g: Group) => (g.provider === 'openai' && g.day <= '2026-10-10') || (g.provider === 'anthropic' && g.day >= '2026-10-05' && g.day <= '2026-10-12');
    const matchedEstimate = groups.filter((g) => g.projectId && g.projectId !== LATE_PROJECT && billedDays(g)).reduce((s, g) => s + g.cost, 0n);
    const billedTotal = billed.reduce((sum, b) => sum + b.amount, 0n);
    expect(BigInt(actual.totals.varianceNano)).toBe(billedTotal - matchedEstimate - NO_PROJECT_ROW_COST);
    expect(actual.unattributed.unlinkedProjects.map((u) => u.externalProjectId)).toContain('proj_unlinked');
    expect(actual.unattributed.estimatedNano).toBe(NO_PROJECT_ROW_COST.toString());
    const noProject = actual.rows.find((r) => r.day === '2026-10-04' && r.provider === 'openai' && r.model === 'gpt-5-nano' && r.projectId === null && r.externalProjectId === null)!;
    expect(noProject).toMatchObject({ estimatedNano: '123456789', billedNano: '300000000', varianceNano: '176543211', varianceBps: 14300 });
  });

  it('attributes already imported lines when a provider project is linked later', async () => {
    const lateLines = billed.filter((b) => b.projectId === LATE_PROJECT).length;
    const result = await link('openai', openAiProject(LATE_PROJECT), LATE_PROJECT);
    expect(result.body).toMatchObject({ previous_project_id: null, lines_updated: billed.filter((b) => b.provider === 'openai' && b.projectId === LATE_PROJECT).length });
    await link('anthropic', workspace(LATE_PROJECT), LATE_PROJECT);
    expect(lateLines).toBeGreaterThan(0);
    const all = allLinked();
    all.add(openAiProject(LATE_PROJECT)).add(workspace(LATE_PROJECT));
    expectReport(await report(), expected(all));
  });

  it('treats the same export again as a duplicate and writes nothing', async () => {
    const before = await counts();
    const first = await report();
    // Same export, keys in another order: the same canonical body.
    const again = await importBody('openai', 'costs', reverseKeys(openAiBody));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ import_id: firstOpenAiImport, duplicate: true, lines: billed.filter((b) => b.provider === 'openai').length });
    expect(await counts()).toEqual(before);
    expect(await report()).toEqual(first);
  });

  it('replaces a restated day rather than adding to it', async () => {
    const before = await counts();
    const index = billed.findIndex((b) => b.provider === 'openai' && b.day === '2026-10-02' && b.model !== null && b.projectId === 'prj_motor_claims');
    expect(index).toBeGreaterThanOrEqual(0);
    const line = billed[index]!;
    const restatedAmount = line.amount + 500_000_000n;
    const restated = await importBody('openai', 'costs', {
      object: 'page',
      data: [
        {
          object: 'bucket',
          start_time: dayStart('2026-10-02'),
          end_time: dayStart('2026-10-02') + DAY_S,
          results: [
            {
              object: 'organization.costs.result',
              amount: { value: dollars(restatedAmount), currency: 'usd' },
              line_item: line.lineItem,
              project_id: line.external,
            },
          ],
        },
      ],
      has_more: false,
      next_page: null,
    });
    expect(restated.status).toBe(201);
    expect(restated.body).toMatchObject({ lines: 1, duplicate: false, inserted: 0, replaced: 1 });
    const after = await counts();
    expect(after).toMatchObject({ imports: String(Number(before.imports) + 1), lines: before.lines, audit: String(Number(before.audit) + 1) });
    expect(BigInt(after.amount!) - BigInt(before.amount!)).toBe(500_000_000n);

    const all = allLinked();
    all.add(openAiProject(LATE_PROJECT)).add(workspace(LATE_PROJECT));
    expectReport(await report(), expected(all, new Map([[String(index), restatedAmount]])));
  });

  it('keeps imports of different hours of one day, refuses one that cuts an earlier span, and replaces them with the whole day', async () => {
    // A day outside the reconciled month, so the reports above are unchanged.
    const day = '2026-06-10';
    const hour = (h: number) => dayStart(day) + h * 3_600;
    const page = (buckets: [from: number, to: number, usd: number | null][]) => ({
      object: 'page',
      data: buckets.map(([from, to, usd]) => ({
        object: 'bucket',
        start_time: from,
        end_time: to,
        results: usd === null ? [] : [{ object: 'organization.costs.result', amount: { value: usd, currency: 'usd' }, line_item: 'gpt-5-2025-08-07, input', project_id: 'proj_hourly' }],
      })),
      has_more: false,
      next_page: null,
    });
    const billedThatDay = async () => {
      const [row] = await db.query<{ usd: string }>(`select coalesce(sum(amount_nano), 0)::text as usd from billing_lines where day = $1`, [day]);
      return BigInt(row!.usd);
    };

    const morning = await importBody('openai', 'costs', page([[hour(0), hour(1), 1], [hour(1), hour(2), 2]]));
    expect(morning.body).toMatchObject({ lines: 1, inserted: 1, replaced: 0 });
    // The next hour adds to the day: it says nothing about 00:00-02:00.
    const next = await importBody('openai', 'costs', page([[hour(2), hour(3), 4], [hour(3), hour(4), null]]));
    expect(next.status).toBe(201);
    expect(next.body).toMatchObject({ lines: 1, inserted: 1, replaced: 0 });
    expect(await billedThatDay()).toBe(7_000_000_000n);

    // 01:00-03:00 would restate half of each earlier import: refused, nothing written.
    const before = await counts();
    const cut = await importBody('openai', 'costs', page([[hour(1), hour(2), 2], [hour(2), hour(3), 4]]));
    expect(cut.status).toBe(409);
    expect(cut.body.error).toMatchObject({ type: 'invalid_request_error', param: 'data' });
    expect(cut.body.error!.message).toMatch(/cuts through an earlier import's 2026-06-10T00:00:00.000Z to 2026-06-10T02:00:00.000Z/);
    expect(await counts()).toEqual(before);

    // Buckets with a gap between them (a page left out) are refused too.
    const gap = await importBody('openai', 'costs', page([[hour(5), hour(6), 1], [hour(7), hour(8), 1]]));
    expect(gap.status).toBe(400);
    expect(gap.body.error!.message).toMatch(/leaves 2026-06-10T06:00:00.000Z to 2026-06-10T07:00:00.000Z uncovered/);
    expect(await counts()).toEqual(before);

    // The whole day, restated, replaces both.
    const whole = await importBody('openai', 'costs', page([[dayStart(day), dayStart(day) + DAY_S, 7.5]]));
    expect(whole.body).toMatchObject({ lines: 1, inserted: 0, replaced: 1 });
    expect(await billedThatDay()).toBe(7_500_000_000n);
  });

  it('refuses bad bodies with a 400 naming the field, and writes nothing', async () => {
    const before = await counts();
    const cases: [string, Request, number, string | null][] = [
      ['not JSON', post('/api/v1/billing/imports', '{"provider": "openai",'), 400, null],
      ['empty body', post('/api/v1/billing/imports', ''), 400, null],
      ['no provider', post('/api/v1/billing/imports', { format: 'costs', data: openAiBody }), 400, 'provider'],
      ['unknown provider', post('/api/v1/billing/imports', { provider: 'google', format: 'costs', data: openAiBody }), 400, 'provider'],
      ['unknown format', post('/api/v1/billing/imports', { provider: 'openai', format: 'invoice', data: openAiBody }), 400, 'format'],
      ['no data', post('/api/v1/billing/imports', { provider: 'openai', format: 'costs' }), 400, 'data'],
      ['extra field', post('/api/v1/billing/imports', { provider: 'openai', format: 'costs', data: openAiBody, dry_run: true }), 400, null],
      ['wrong shape', post('/api/v1/billing/imports', { provider: 'openai', format: 'costs', data: { data: 'buckets' } }), 400, 'data.data'],
      [
        'non-numeric amount on the second page',
        post('/api/v1/billing/imports', {
          provider: 'openai',
          format: 'costs',
          data: [
            (openAiBody as unknown[])[0],
            { object: 'page', data: [{ object: 'bucket', start_time: dayStart('2026-10-20'), end_time: dayStart('2026-10-21'), results: [{ object: 'organization.costs.result', amount: { value: '1.00', currency: 'usd' }, line_item: null, project_id: null }] }], has_more: false },
          ],
        }),
        400,
        'data[1].data[0].results[0].amount.value',
      ],
      [
        'unknown currency',
        post('/api/v1/billing/imports', { provider: 'anthropic', format: 'costs', data: { data: [{ starting_at: '2026-10-20T00:00:00Z', ending_at: '2026-10-21T00:00:00Z', results: [{ currency: 'EUR', amount: '100' }] }], has_more: false } }),
        400,
        'data.data[0].results[0].currency',
      ],
      [
        'cents as a number',
        post('/api/v1/billing/imports', { provider: 'anthropic', format: 'costs', data: { data: [{ starting_at: '2026-10-20T00:00:00Z', ending_at: '2026-10-21T00:00:00Z', results: [{ currency: 'USD', amount: 100 }] }] } }),
        400,
        'data.data[0].results[0].amount',
      ],
      [
        'bad time',
        post('/api/v1/billing/imports', { provider: 'anthropic', format: 'costs', data: { data: [{ starting_at: 'yesterday', ending_at: '2026-10-21T00:00:00Z', results: [] }] } }),
        400,
        'data.data[0].starting_at',
      ],
      ['a costs page sent as usage', post('/api/v1/billing/imports', { provider: 'openai', format: 'usage', data: openAiBody }), 400, 'data[0].data[0].results[0].object'],
    ];
    for (const [name, request, status, param] of cases) {
      const response = await postImport(request);
      const body = (await response.json()) as { error: { type: string; param: string | null; message: string } };
      expect({ name, status: response.status, type: body.error.type }).toEqual({ name, status, type: 'invalid_request_error' });
      if (param) {
        expect({ name, param: body.error.param }).toEqual({ name, param });
        expect(body.error.message).toContain(param);
      }
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses a body over 5 MB with a 413, declared or not', async () => {
    const before = await counts();
    const big = JSON.stringify({ provider: 'openai', format: 'costs', data: { object: 'page', data: [], pad: 'x'.repeat(5 * 1024 * 1024) } });
    const streamed = await postImport(post('/api/v1/billing/imports', big));
    expect(streamed.status).toBe(413);
    const error = ((await streamed.json()) as { error: { type: string; message: string; code: string } }).error;
    expect(error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
    expect(error.message).toContain('5 MB');
    const declared = await postImport(post('/api/v1/billing/imports', '{}', { ...ops, 'content-length': String(6 * 1024 * 1024) }));
    expect(declared.status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it('validates the month', async () => {
    for (const query of ['month=2026-13', 'month=2026-1', 'month=October', '', `month=${MONTH}&bogus=1`]) {
      const response = await getReconciliation(get(`/api/v1/reconciliation?${query}`));
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { type: string; param: string | null; message: string } };
      expect(error.type).toBe('invalid_request_error');
      if (query !== `month=${MONTH}&bogus=1`) {
        expect(error.param).toBe('month');
        expect(error.message).toContain('month');
      }
    }
    expect((await getReconciliation(get(`/api/v1/reconciliation?month=${MONTH}&department=dep_nope`))).status).toBe(404);
  });

  it('confines a manager to their department, and keeps them from importing', async () => {
    const cookie = await sessionCookie(DEMO_USERS.manager);
    const all = allLinked();
    all.add(openAiProject(LATE_PROJECT)).add(workspace(LATE_PROJECT));
    const index = billed.findIndex((b) => b.provider === 'openai' && b.day === '2026-10-02' && b.model !== null && b.projectId === 'prj_motor_claims');
    const restated = new Map([[String(index), billed[index]!.amount + 500_000_000n]]);

    const own = await report(`month=${MONTH}`, { cookie });
    expect(own.departmentId).toBe(DEPARTMENT_IDS.claims);
    expectReport(own, expected(all, restated, DEPARTMENT_IDS.claims));
    expect(own.rows.length).toBeGreaterThan(0);
    expect(own.rows.every((r) => r.projectId && PROJECT_DEPARTMENT.get(r.projectId) === DEPARTMENT_IDS.claims)).toBe(true);
    expect(own.unattributed).toEqual({ billedNano: '0', estimatedNano: '0', unlinkedProjects: [] });
    // The same rows as in the organisation's view.
    const org = await report();
    const orgClaims = org.rows.filter((r) => r.projectId && PROJECT_DEPARTMENT.get(r.projectId) === DEPARTMENT_IDS.claims);
    expect(own.rows).toEqual(orgClaims);
    expect(await report(`month=${MONTH}&department=${DEPARTMENT_IDS.claims}`, { cookie })).toEqual(own);

    for (const headers of [{ cookie }, { cookie: await sessionCookie(OTHER_MANAGER) }]) {
      const other = headers.cookie === cookie ? DEPARTMENT_IDS.underwriting : DEPARTMENT_IDS.claims;
      const response = await getReconciliation(get(`/api/v1/reconciliation?month=${MONTH}&department=${other}`, headers));
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { type: string } }).error.type).toBe('permission_error');
    }

    const before = await counts();
    const attempt = await importBody('openai', 'costs', openAiBody, { cookie });
    expect(attempt.status).toBe(403);
    expect(attempt.body.error?.type).toBe('permission_error');
    expect((await importBody('openai', 'costs', openAiBody, { authorization: `Bearer ${AGENT_KEY}` })).status).toBe(403);
    expect((await getReconciliation(get(`/api/v1/reconciliation?month=${MONTH}`, { authorization: `Bearer ${AGENT_KEY}` }))).status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('lets the CFO read any department but not import', async () => {
    const cookie = await sessionCookie(DEMO_USERS.cfo);
    const kyc = await report(`month=${MONTH}&department=${DEPARTMENT_IDS.kyc}`, { cookie });
    expect(kyc.rows.every((r) => r.projectId && PROJECT_DEPARTMENT.get(r.projectId) === DEPARTMENT_IDS.kyc)).toBe(true);
    expect((await importBody('openai', 'costs', openAiBody, { cookie })).status).toBe(403);
  });
});
