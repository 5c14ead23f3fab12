/**
 * The chargeback export through its route handler: the FOCUS file and the
 * JSON summary equal the raw ledger to the nano-dollar, every FOCUS line
 * equals an independent recomputation of the documented split rule, the file
 * conforms to FOCUS 1.2, and the manager's department boundary holds.
 */
import { encode } from 'next-auth/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDb } from '@/db/client';
import type { Chargeback } from '@/db/queries/chargeback';
import { refreshRollups } from '@/db/rollups';
import { seedDatabase } from '@/db/seed';
import { DEMO_USERS, DEPARTMENT_IDS, ORG_ID, OTHER_MANAGER } from '@/db/seed/fixtures';
import { GET as getChargeback } from '@/app/api/v1/chargeback/route';
import { TOKEN_BUCKETS } from '@/lib/engine/focus';
import { nanoToUsdString, usdToNano } from '@/lib/engine/money';
import { costNano, type PriceRates } from '@/lib/engine/pricing';
import { clearApiKeyCache } from '@/lib/http/authenticate';
import { createTestDb, type TestDb } from '../support/db';
import { checkFocusCsv } from '../support/focus-conformance';

const NOW = new Date('2026-11-18T14:37:00Z');
const SECRET = 'chargeback-test-secret';
const AGENT_KEY = 'tg_chargebackAgentKey000000000000000000000';
const ADMIN_KEY = 'tg_chargebackAdminKey000000000000000000000';
const MONTHS = ['2026-10', '2026-11'] as const;

let db: TestDb;

// ---------------------------------------------------------------------------
// Rows the seed does not write, inserted in October to reach every branch of
// the export: a negotiated price, unpriced usage, a billed cost that does not
// match the rates, an unattributed call and a cost without tokens.

interface ExtraRow {
  id: string;
  at: string;
  departmentId: string | null;
  projectId: string | null;
  provider: string;
  modelName: string;
  modelId: string | null;
  tier: 'small' | 'frontier' | 'cache';
  priceId: number | null;
  priceStatus: 'priced' | 'unpriced';
  tokens: [number, number, number, number, number, number];
  cost: bigint;
  listCost: bigint;
}

const rates = (r: Record<string, string | null>): PriceRates => ({
  inputPerMtok: BigInt(r.input_per_mtok!),
  cachedInputPerMtok: r.cached_input_per_mtok === null ? null : BigInt(r.cached_input_per_mtok!),
  cacheWrite5mPerMtok: r.cache_write_5m_per_mtok === null ? null : BigInt(r.cache_write_5m_per_mtok!),
  cacheWrite1hPerMtok: r.cache_write_1h_per_mtok === null ? null : BigInt(r.cache_write_1h_per_mtok!),
  outputPerMtok: BigInt(r.output_per_mtok!),
  reasoningPerMtok: r.reasoning_per_mtok === null ? null : BigInt(r.reasoning_per_mtok!),
});

const asBuckets = (t: ExtraRow['tokens']) => ({
  inputTokens: t[0],
  cachedInputTokens: t[1],
  cacheWrite5mTokens: t[2],
  cacheWrite1hTokens: t[3],
  outputTokens: t[4],
  reasoningTokens: t[5],
});

async function insertEdgeRows(): Promise<void> {
  const priceOf = async (modelId: string) =>
    (await db.query<Record<string, string | null>>(
      `select id::text, input_per_mtok::text, cached_input_per_mtok::text, cache_write_5m_per_mtok::text, cache_write_1h_per_mtok::text,
              output_per_mtok::text, reasoning_per_mtok::text
         from model_prices where model_id = $1 and kind = 'list' and service_tier = 'standard' and context_tier_min_tokens = 0`,
      [modelId],
    ))[0]!;
  const gpt5 = await priceOf('openai/gpt-5');
  const sonnet = await priceOf('anthropic/claude-sonnet-4-5');
  const [negotiated] = await db.query<Record<string, string | null>>(
    `insert into model_prices (model_id, kind, organisation_id, effective_from, input_per_mtok, cached_input_per_mtok, output_per_mtok, source)
     values ('openai/gpt-5', 'negotiated', $1, '2025-09-01T00:00:00Z', 1000000000, 100000000, 8000000000, 'test: enterprise agreement')
     returning id::text, input_per_mtok::text, cached_input_per_mtok::text, cache_write_5m_per_mtok::text, cache_write_1h_per_mtok::text,
               output_per_mtok::text, reasoning_per_mtok::text`,
    [ORG_ID],
  );
  const negotiatedTokens: ExtraRow['tokens'] = [333_333, 12_345, 0, 0, 7_777, 55_555];
  const sonnetTokens: ExtraRow['tokens'] = [1_001, 20_003, 3_007, 4_001, 509, 1_333];
  const rows: ExtraRow[] = [
    {
      id: 'evt_test_negotiated',
      at: '2026-10-07T09:15:00Z',
      departmentId: DEPARTMENT_IDS.claims,
      projectId: 'prj_motor_claims',
      provider: 'openai',
      modelName: 'gpt-5',
      modelId: 'openai/gpt-5',
      tier: 'frontier',
      priceId: Number(negotiated!.id),
      priceStatus: 'priced',
      tokens: negotiatedTokens,
      cost: costNano(asBuckets(negotiatedTokens), rates(negotiated!)),
      listCost: costNano(asBuckets(negotiatedTokens), rates(gpt5)),
    },
    {
      id: 'evt_test_unpriced',
      at: '2026-10-08T10:00:00Z',
      departmentId: DEPARTMENT_IDS.claims,
      projectId: 'prj_fraud_review',
      provider: 'openai_compatible',
      modelName: 'mystery-7b',
      modelId: null,
      tier: 'small',
      priceId: null,
      priceStatus: 'unpriced',
      tokens: [1_000, 0, 0, 0, 200, 0],
      cost: 0n,
      listCost: 0n,
    },
    {
      id: 'evt_test_billed',
      at: '2026-10-09T11:00:00Z',
      departmentId: DEPARTMENT_IDS.kyc,
      projectId: 'prj_aml_screening',
      provider: 'anthropic',
      modelName: 'claude-sonnet-4-5',
      modelId: 'anthropic/claude-sonnet-4-5',
      tier: 'frontier',
      priceId: Number(sonnet.id),
      priceStatus: 'priced',
      tokens: sonnetTokens,
      cost: 1_000_000_007n,
      listCost: costNano(asBuckets(sonnetTokens), rates(sonnet)),
    },
    {
      id: 'evt_test_unattributed',
      at: '2026-10-10T12:00:00Z',
      departmentId: null,
      projectId: null,
      provider: 'anthropic',
      modelName: 'claude-sonnet-4-5',
      modelId: 'anthropic/claude-sonnet-4-5',
      tier: 'frontier',
      priceId: Number(sonnet.id),
      priceStatus: 'priced',
      tokens: [777, 0, 0, 0, 333, 0],
      cost: costNano(asBuckets([777, 0, 0, 0, 333, 0]), rates(sonnet)),
      listCost: costNano(asBuckets([777, 0, 0, 0, 333, 0]), rates(sonnet)),
    },
    {
      id: 'evt_test_no_tokens',
      at: '2026-10-11T13:00:00Z',
      departmentId: DEPARTMENT_IDS.kyc,
      projectId: 'prj_aml_screening',
      provider: 'anthropic',
      modelName: 'claude-sonnet-4-5',
      modelId: 'anthropic/claude-sonnet-4-5',
      tier: 'frontier',
      priceId: Number(sonnet.id),
      priceStatus: 'priced',
      tokens: [0, 0, 0, 0, 0, 0],
      cost: 17n,
      listCost: 17n,
    },
  ];
  rows.push(...(await awkwardRows()));
  for (const r of rows) {
    await db.query(
      `insert into ledger_events (id, idempotency_key, organisation_id, occurred_at, source, provider, model_name, model_id, tier,
          department_id, project_id, input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens,
          reasoning_tokens, cost_nano, list_cost_nano, price_id, price_status, cost_source)
       values ($1, $1, $2, $3::timestamptz, 'import', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::bigint, $17::bigint, $18, $19, 'billed')`,
      [r.id, ORG_ID, r.at, r.provider, r.modelName, r.modelId, r.tier, r.departmentId, r.projectId, ...r.tokens, r.cost.toString(), r.listCost.toString(), r.priceId, r.priceStatus],
    );
  }
  // A call refused at its budget: on the ledger at $0, and not a request.
  await db.query(
    `insert into ledger_events (id, idempotency_key, organisation_id, occurred_at, source, provider, model_name, model_id, tier,
        department_id, project_id, cost_nano, list_cost_nano, price_status, status, error_type)
     values ('refused_at_budget', 'refused_at_budget', $1, '2026-10-11T14:00:00Z', 'gateway', 'openai', 'gpt-5', 'openai/gpt-5', 'frontier',
        $2, 'prj_aml_screening', 0, 0, 'priced', 'refused', 'budget_exceeded')`,
    [ORG_ID, DEPARTMENT_IDS.kyc],
  );
}

/**
 * The catalog's list rates are whole micro-dollars per million tokens, so the
 * seeded rows never round per bucket. These rows are priced at a contract
 * with odd rates (and the same rate for input and 5-minute cache writes, to
 * make ties), one rounding per row as the ledger writes them, so their
 * per-bucket parts do not add up to the row's cost without the split rule.
 */
async function awkwardRows(): Promise<ExtraRow[]> {
  const [price] = await db.query<Record<string, string | null>>(
    `insert into model_prices (model_id, kind, organisation_id, effective_from, input_per_mtok, cached_input_per_mtok,
        cache_write_5m_per_mtok, cache_write_1h_per_mtok, output_per_mtok, source)
     values ('anthropic/claude-haiku-4-5', 'negotiated', $1, '2025-09-01T00:00:00Z', 1234567, 123457, 1234567, 2469134, 9876543, 'test: odd contract')
     returning id::text, input_per_mtok::text, cached_input_per_mtok::text, cache_write_5m_per_mtok::text, cache_write_1h_per_mtok::text,
               output_per_mtok::text, reasoning_per_mtok::text`,
    [ORG_ID],
  );
  // A later list price with odd rates too, so the list cost needs the rule as well.
  const [list] = await db.query<Record<string, string | null>>(
    `insert into model_prices (model_id, kind, effective_from, input_per_mtok, cached_input_per_mtok, cache_write_5m_per_mtok,
        cache_write_1h_per_mtok, output_per_mtok, source)
     values ('anthropic/claude-haiku-4-5', 'list', '2026-09-15T00:00:00Z', 1500007, 150001, 1500007, 3000017, 7500013, 'test: odd list price')
     returning input_per_mtok::text, cached_input_per_mtok::text, cache_write_5m_per_mtok::text, cache_write_1h_per_mtok::text,
               output_per_mtok::text, reasoning_per_mtok::text`,
  );
  const places = [
    [DEPARTMENT_IDS.claims, 'prj_motor_claims'],
    [DEPARTMENT_IDS.claims, 'prj_property_claims'],
    [DEPARTMENT_IDS.kyc, 'prj_aml_screening'],
    [DEPARTMENT_IDS.underwriting, 'prj_risk_reports'],
  ] as const;
  let state = 12345;
  const next = (max: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % max;
  };
  const out: ExtraRow[] = [];
  for (let i = 0; i < 240; i++) {
    const input = 1 + next(5_000);
    const tokens: ExtraRow['tokens'] =
      i % 40 === 1
        ? [83_334, 0, 83_334, 0, 0, 0] // two equal parts of an odd list cost: the tie goes to input
        : [input, next(3) === 0 ? 0 : next(9_000), i % 4 === 0 ? input : next(2) * next(4_000), next(3) === 0 ? next(2_000) : 0, 1 + next(1_500), 0];
    const day = new Date(Date.UTC(2026, 9, 1) + (i % 48) * 86_400_000 + next(86_400) * 1000);
    const [departmentId, projectId] = places[i % places.length]!;
    out.push({
      id: `evt_test_awkward_${i}`,
      at: day.toISOString(),
      departmentId,
      projectId,
      provider: 'anthropic',
      modelName: 'claude-haiku-4-5',
      modelId: 'anthropic/claude-haiku-4-5',
      tier: 'small',
      priceId: Number(price!.id),
      priceStatus: 'priced',
      tokens,
      cost: costNano(asBuckets(tokens), rates(price!)),
      listCost: costNano(asBuckets(tokens), rates(list!)),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// The raw ledger, and the split rule recomputed here in bigint.

interface RawRow {
  id: string;
  day: string;
  department_id: string | null;
  project_id: string | null;
  model_key: string;
  tier: string;
  price_id: number | null;
  price_status: string;
  status: string;
  cost: bigint;
  listCost: bigint;
  saved: bigint;
  tokens: bigint[];
  rates: (bigint | null)[];
  listRates: (bigint | null)[];
}

let rows: RawRow[];

async function loadLedger(): Promise<RawRow[]> {
  const rateColumns = (a: string) =>
    `${a}.input_per_mtok::text as ${a}_in, ${a}.cached_input_per_mtok::text as ${a}_cached, ${a}.cache_write_5m_per_mtok::text as ${a}_w5,
     ${a}.cache_write_1h_per_mtok::text as ${a}_w1, ${a}.output_per_mtok::text as ${a}_out, ${a}.reasoning_per_mtok::text as ${a}_reason`;
  const raw = await db.query<Record<string, string | number | null>>(
    `select e.id, to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day, e.department_id, e.project_id,
            coalesce(e.model_id, e.provider || '/' || e.model_name) as model_key, e.tier, e.price_id, e.price_status, e.status,
            e.cost_nano::text as cost, e.list_cost_nano::text as list_cost, e.saved_nano::text as saved,
            e.input_tokens, e.cached_input_tokens, e.cache_write_5m_tokens, e.cache_write_1h_tokens, e.output_tokens, e.reasoning_tokens,
            ${rateColumns('p')}, ${rateColumns('l')}
       from ledger_events e
       left join model_prices p on p.id = e.price_id
       left join lateral (
         select * from model_prices x
          where p.kind <> 'list' and x.model_id = p.model_id and x.kind = 'list' and x.service_tier = 'standard' and x.context_tier_min_tokens = 0
            and x.effective_from <= e.occurred_at
          order by x.effective_from desc limit 1) l on true
      where e.organisation_id = $1`,
    [ORG_ID],
  );
  const big = (v: string | number | null) => (v === null ? null : BigInt(v));
  // The rate fallbacks of lib/engine/pricing.ts, per bucket.
  const chain = (r: Record<string, string | number | null>, a: string): (bigint | null)[] => {
    const v = (k: string) => big(r[`${a}_${k}`] ?? null);
    return [v('in'), v('cached') ?? v('in'), v('w5') ?? v('in'), v('w1') ?? v('w5') ?? v('in'), v('out'), v('reason') ?? v('out')];
  };
  return raw.map((r) => ({
    id: String(r.id),
    day: String(r.day),
    department_id: r.department_id as string | null,
    project_id: r.project_id as string | null,
    model_key: String(r.model_key),
    tier: String(r.tier),
    price_id: r.price_id === null ? null : Number(r.price_id),
    price_status: String(r.price_status),
    status: String(r.status),
    cost: BigInt(r.cost!),
    listCost: BigInt(r.list_cost!),
    saved: BigInt(r.saved!),
    tokens: ['input_tokens', 'cached_input_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'output_tokens', 'reasoning_tokens'].map((c) =>
      BigInt(r[c]!),
    ),
    rates: chain(r, 'p'),
    listRates: r.l_in === null ? chain(r, 'p') : chain(r, 'l'),
  }));
}

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

/** The documented rule: proportional floors, leftovers to the largest remainders, ties to the earlier bucket. */
function split(amount: bigint, tokens: bigint[], rateList: (bigint | null)[]): bigint[] {
  const priced = tokens.map((t, i) => t * (rateList[i] ?? 0n));
  const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
  const weights = sum(priced) > 0n ? priced : sum(tokens) > 0n ? tokens : tokens.map((_, i) => (i === 0 ? 1n : 0n));
  const total = sum(weights);
  const floors = weights.map((w) => floorDiv(amount * w, total));
  const remainders = weights.map((w, i) => amount * w - floors[i]! * total);
  let left = amount - sum(floors);
  const order = remainders.map((r, i) => [r, i] as const).sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] > b[0] ? -1 : 1));
  for (const [, i] of order) {
    if (left <= 0n) break;
    floors[i] = floors[i]! + 1n;
    left -= 1n;
  }
  return floors;
}

const inMonth = (month: string) => rows.filter((r) => r.day.startsWith(month));
const providerUsage = (r: RawRow) => !(r.tier === 'cache' && r.cost === 0n && r.listCost === 0n);
const total = (list: RawRow[], f: (r: RawRow) => bigint = (r) => r.cost) => list.reduce((t, r) => t + f(r), 0n);

interface Expected {
  tokens: bigint;
  cost: bigint;
  listCost: bigint;
  rows: number;
}

function expectedLines(list: RawRow[]): Map<string, Expected> {
  const lines = new Map<string, Expected>();
  for (const r of list.filter(providerUsage)) {
    const costs = split(r.cost, r.tokens, r.rates);
    const lists = split(r.listCost, r.tokens, r.listRates);
    TOKEN_BUCKETS.forEach((bucket, i) => {
      if (r.tokens[i] === 0n && costs[i] === 0n && lists[i] === 0n) return;
      const key = [r.day, r.department_id ?? '', r.project_id ?? '', r.model_key, r.price_id ?? 'unpriced', r.price_status, bucket].join('|');
      const line = lines.get(key) ?? { tokens: 0n, cost: 0n, listCost: 0n, rows: 0 };
      line.tokens += r.tokens[i]!;
      line.cost += costs[i]!;
      line.listCost += lists[i]!;
      line.rows += 1;
      lines.set(key, line);
    });
  }
  return lines;
}

// ---------------------------------------------------------------------------
// Calling the route.

async function sessionCookie(user: { id: string; role: string; departmentId: string | null; email: string }) {
  const token = await encode({
    token: { uid: user.id, role: user.role as never, departmentId: user.departmentId, organisationId: ORG_ID, email: user.email },
    secret: SECRET,
  });
  return `next-auth.session-token=${token}`;
}

const call = (query: string, headers: Record<string, string>) =>
  getChargeback(new Request(`http://localhost/api/v1/chargeback${query}`, { headers }));

type CsvRow = Record<string, string | null>;

async function focus(query: string, headers: Record<string, string>): Promise<CsvRow[]> {
  const response = await call(`${query}&format=focus`, headers);
  expect(response.status).toBe(200);
  const report = checkFocusCsv(await response.text());
  expect(report.problems).toEqual([]);
  return report.rows;
}

const lineKey = (row: CsvRow) => {
  const priceRef = row.SkuPriceId!.split(':').at(-1)!;
  return [
    row.ChargePeriodStart!.slice(0, 10),
    row.SubAccountId ?? '',
    row.x_ProjectId ?? '',
    row.ResourceId,
    priceRef === 'unpriced' ? 'unpriced' : Number(priceRef.replace('price-', '')),
    row.x_PriceStatus,
    row.SkuId!.split(':').at(-1),
  ].join('|');
};

const sumColumn = (list: CsvRow[], column: string) => list.reduce((t, r) => t + usdToNano(r[column]!), 0n);

let ops: Record<string, string>;
let manager: Record<string, string>;

beforeAll(async () => {
  process.env.AUTH_SECRET = SECRET;
  db = await createTestDb();
  await seedDatabase(db, { events: 4_000, days: 60, now: NOW, seed: 23, demoKey: AGENT_KEY, adminKey: ADMIN_KEY });
  await insertEdgeRows();
  // The edge rows went straight into the ledger: their rollups are rebuilt as an import's are.
  await refreshRollups(db, { organisationId: ORG_ID });
  setDb(db);
  clearApiKeyCache();
  rows = await loadLedger();
  ops = { cookie: await sessionCookie(DEMO_USERS.ops) };
  manager = { cookie: await sessionCookie(DEMO_USERS.manager) };
});

afterAll(async () => {
  await db?.dispose();
});

describe.each(MONTHS)('FOCUS export for %s', (month) => {
  it('the ledger has rows to check against, cache hits and failed attempts among them', () => {
    const list = inMonth(month);
    expect(list.length).toBeGreaterThan(200);
    expect(list.some((r) => r.tier === 'cache')).toBe(true);
    expect(list.some((r) => r.cost === 0n && r.tokens.every((t) => t === 0n))).toBe(true);
  });

  it.each([null, DEPARTMENT_IDS.claims, DEPARTMENT_IDS.kyc])('BilledCost and ListCost sum to the ledger month total (department %s)', async (departmentId) => {
    const csv = await focus(`?month=${month}${departmentId ? `&department=${departmentId}` : ''}`, ops);
    const list = inMonth(month).filter((r) => !departmentId || r.department_id === departmentId);
    const [ledger] = await db.query<{ cost: string; list: string }>(
      `select coalesce(sum(cost_nano), 0)::text as cost, coalesce(sum(list_cost_nano), 0)::text as list from ledger_events
        where organisation_id = $1 and ($2::text is null or department_id = $2)
          and occurred_at >= $3::timestamptz and occurred_at < ($3::timestamptz + interval '1 month')`,
      [ORG_ID, departmentId, `${month}-01T00:00:00Z`],
    );
    expect(sumColumn(csv, 'BilledCost').toString()).toBe(ledger!.cost);
    expect(sumColumn(csv, 'EffectiveCost').toString()).toBe(ledger!.cost);
    expect(sumColumn(csv, 'ContractedCost').toString()).toBe(ledger!.cost);
    expect(sumColumn(csv, 'ListCost').toString()).toBe(ledger!.list);
    expect(total(list).toString()).toBe(ledger!.cost);
    if (departmentId) expect(new Set(csv.map((r) => r.SubAccountId))).toEqual(new Set([departmentId]));
  });

  it('every line equals the split rule recomputed from the raw ledger', async () => {
    const csv = await focus(`?month=${month}`, ops);
    const expected = new Map([...expectedLines(inMonth(month))].map(([key, { tokens, cost, listCost }]) => [key, { tokens, cost, listCost }]));
    const got = new Map<string, Omit<Expected, 'rows'>>();
    for (const row of csv) {
      const key = lineKey(row);
      const line = got.get(key) ?? { tokens: 0n, cost: 0n, listCost: 0n };
      line.tokens += BigInt(row.ConsumedQuantity!);
      line.cost += usdToNano(row.BilledCost!);
      line.listCost += usdToNano(row.ListCost!);
      got.set(key, line);
    }
    expect(got).toEqual(expected);
    // One line per day, department, project, SKU price and status: no key repeats.
    expect(csv.length).toBe(expected.size);
  });

  it('leaves cache hits and failed attempts out, and keeps every provider token', async () => {
    const csv = await focus(`?month=${month}`, ops);
    const tokens = csv.reduce((t, r) => t + BigInt(r.ConsumedQuantity!), 0n);
    const billed = inMonth(month).filter(providerUsage).reduce((t, r) => t + r.tokens.reduce((a, b) => a + b, 0n), 0n);
    expect(tokens).toBe(billed);
    expect(csv.every((r) => r.ConsumedQuantity !== '0' || r.BilledCost !== '0')).toBe(true);
  });

  it('prices every list line within one nano-dollar per ledger row of unit price x quantity', async () => {
    const csv = await focus(`?month=${month}`, ops);
    // Seeded rows only: the edge rows include a cost without tokens.
    const lines = expectedLines(inMonth(month).filter((r) => !r.id.startsWith('evt_test_')));
    let checked = 0;
    for (const row of csv) {
      const line = lines.get(lineKey(row));
      if (!line || line.listCost !== usdToNano(row.ListCost!)) continue;
      const exact = usdToNano(row.ListUnitPrice!) * BigInt(row.ConsumedQuantity!); // nano-dollars x 1e6
      const diff = exact - line.listCost * 1_000_000n;
      expect(diff >= -BigInt(line.rows) * 1_000_000n && diff <= BigInt(line.rows) * 1_000_000n, lineKey(row)).toBe(true);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(csv.length / 2);
  });

  it('is served as a FOCUS CSV attachment named after the month', async () => {
    const response = await call(`?month=${month}&format=focus`, ops);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="tollgate-focus-${month}.csv"`);
  });
});

describe('edge rows in the FOCUS export', () => {
  let october: CsvRow[];
  beforeAll(async () => {
    october = await focus('?month=2026-10', ops);
  });

  it('keeps unpriced usage at cost 0 with its tokens', () => {
    const unpriced = october.filter((r) => r.ResourceId === 'openai_compatible/mystery-7b');
    expect(unpriced.map((r) => [r.SkuId, r.ConsumedQuantity, r.BilledCost, r.ListUnitPrice, r.x_PriceStatus, r.PricingCategory])).toEqual([
      ['openai_compatible/mystery-7b:input', '1000', '0', '0', 'unpriced', 'Other'],
      ['openai_compatible/mystery-7b:output', '200', '0', '0', 'unpriced', 'Other'],
    ]);
  });

  it('shows a negotiated price against the list price', () => {
    const line = october.find((r) => r.ChargePeriodStart === '2026-10-07T00:00:00Z' && r.x_ProjectId === 'prj_motor_claims' && r.SkuId === 'openai/gpt-5:input' && r.SkuPriceDetails?.includes('negotiated'));
    expect(line).toMatchObject({ ContractedUnitPrice: '1', ListUnitPrice: '1.25', ConsumedQuantity: '333333', BilledCost: '0.333333', ListCost: '0.41666625' });
  });

  it('includes rows whose per-bucket roundings do not add up to their cost', () => {
    const roundDiv = (n: bigint, d: bigint) => (n + d / 2n) / d;
    for (const month of MONTHS) {
      const naive = (r: RawRow, amount: bigint, rateList: (bigint | null)[]) =>
        r.price_id !== null && r.tokens.reduce((t, n, i) => t + roundDiv(n * rateList[i]!, 1_000_000n), 0n) !== amount;
      expect(inMonth(month).filter((r) => naive(r, r.cost, r.rates)).length, month).toBeGreaterThan(20);
      expect(inMonth(month).filter((r) => naive(r, r.listCost, r.listRates)).length, month).toBeGreaterThan(20);
    }
  });

  it('splits a billed cost that does not match the rates within a nano-dollar per bucket', () => {
    const row = rows.find((r) => r.id === 'evt_test_billed')!;
    const shares = split(row.cost, row.tokens, row.rates);
    expect(shares.reduce((a, b) => a + b, 0n)).toBe(1_000_000_007n);
    const weights = row.tokens.map((t, i) => t * row.rates[i]!);
    const weight = weights.reduce((a, b) => a + b, 0n);
    shares.forEach((share, i) => {
      const diff = share * weight - row.cost * weights[i]!;
      expect(diff > -weight && diff < weight).toBe(true);
    });
  });

  it('keeps unattributed usage with empty SubAccount columns, and a cost without tokens on the input bucket', () => {
    expect(october.some((r) => r.SubAccountId === null && r.ChargePeriodStart === '2026-10-10T00:00:00Z')).toBe(true);
    const noTokens = expectedLines(rows.filter((r) => r.id === 'evt_test_no_tokens'));
    expect([...noTokens.entries()]).toEqual([
      [`2026-10-11|${DEPARTMENT_IDS.kyc}|prj_aml_screening|anthropic/claude-sonnet-4-5|${rows.find((r) => r.id === 'evt_test_no_tokens')!.price_id}|priced|input`, { tokens: 0n, cost: 17n, listCost: 17n, rows: 1 }],
    ]);
  });
});

describe('JSON chargeback', () => {
  it.each(MONTHS)('totals, departments and projects equal the raw ledger (%s)', async (month) => {
    const response = await call(`?month=${month}`, ops);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Chargeback;
    const list = inMonth(month);
    expect(body).toMatchObject({ month, currency: 'USD', departmentId: null, periodStart: `${month}-01T00:00:00.000Z` });
    expect(body.totals.costNano).toBe(total(list).toString());
    expect(body.totals.costUsd).toBe(nanoToUsdString(total(list)));
    expect(body.totals.listCostNano).toBe(total(list, (r) => r.listCost).toString());
    expect(body.totals.cacheSavedNano).toBe(total(list, (r) => r.saved).toString());
    // A request is a call that ran: a refused one is not.
    const ran = (list: RawRow[]) => list.filter((r) => r.status !== 'refused').length;
    expect(body.totals.requests).toBe(ran(list));
    expect(body.totals.cacheHits).toBe(list.filter((r) => r.tier === 'cache').length);
    for (const dep of body.departments) {
      const mine = list.filter((r) => r.department_id === dep.id);
      expect(dep.costNano, String(dep.id)).toBe(total(mine).toString());
      expect(dep.listCostUsd).toBe(nanoToUsdString(total(mine, (r) => r.listCost)));
      expect(dep.requests).toBe(ran(mine));
      for (const project of dep.projects) {
        const ours = mine.filter((r) => r.project_id === project.id);
        expect(project.costNano).toBe(total(ours).toString());
        expect(project.requests).toBe(ran(ours));
      }
      expect(dep.projects.reduce((n, p) => n + p.requests, 0)).toBe(dep.requests);
    }
    expect(body.departments.reduce((n, d) => n + d.requests, 0)).toBe(ran(list));

    // Token totals by bucket equal the FOCUS file's ConsumedQuantity by bucket.
    const csv = await focus(`?month=${month}`, ops);
    const keys = { input: 'input', cached_input: 'cachedInput', cache_write_5m: 'cacheWrite5m', cache_write_1h: 'cacheWrite1h', output: 'output', reasoning: 'reasoning' } as const;
    for (const bucket of TOKEN_BUCKETS) {
      const fromCsv = csv.filter((r) => r.SkuId!.endsWith(`:${bucket}`)).reduce((t, r) => t + Number(r.ConsumedQuantity), 0);
      expect(body.totals.tokens[keys[bucket]], bucket).toBe(fromCsv);
    }
  });
});

describe('access', () => {
  it('confines a manager to their own department, in JSON and FOCUS', async () => {
    const json = (await (await call('?month=2026-11', manager)).json()) as Chargeback;
    const claims = inMonth('2026-11').filter((r) => r.department_id === DEPARTMENT_IDS.claims);
    expect(json.departmentId).toBe(DEPARTMENT_IDS.claims);
    expect(json.departments.map((d) => d.id)).toEqual([DEPARTMENT_IDS.claims]);
    expect(json.totals.costNano).toBe(total(claims).toString());

    const csv = await focus('?month=2026-11', manager);
    expect(csv.length).toBeGreaterThan(0);
    expect(new Set(csv.map((r) => r.SubAccountId))).toEqual(new Set([DEPARTMENT_IDS.claims]));
    expect(sumColumn(csv, 'BilledCost')).toBe(total(claims));
  });

  it.each([
    ['manager, JSON', () => manager, `?month=2026-11&department=${DEPARTMENT_IDS.underwriting}`],
    ['manager, FOCUS', () => manager, `?month=2026-11&department=${DEPARTMENT_IDS.underwriting}&format=focus`],
  ])('refuses another department with 403 (%s)', async (_name, who, query) => {
    const response = await call(query, who());
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('permission_error');
  });

  it('refuses the Underwriting manager the Claims department, and agent keys everything', async () => {
    const other = { cookie: await sessionCookie(OTHER_MANAGER) };
    expect((await call(`?month=2026-11&department=${DEPARTMENT_IDS.claims}&format=focus`, other)).status).toBe(403);
    const agent = await call('?month=2026-11', { authorization: `Bearer ${AGENT_KEY}` });
    expect(agent.status).toBe(403);
    const admin = await call(`?month=2026-11&department=${DEPARTMENT_IDS.kyc}`, { authorization: `Bearer ${ADMIN_KEY}` });
    expect(admin.status).toBe(200);
  });

  it('answers an unknown department with 404', async () => {
    const response = await call('?month=2026-11&department=dep_nope', ops);
    expect(response.status).toBe(404);
  });

  it.each(['?month=2026-13', '?month=26-11', '', '?month=2026-1', '?month=2026-11-01', '?month=', '?month=2026-00&format=focus'])(
    'rejects a bad month with 400 naming month (%j)',
    async (query) => {
      const response = await call(query, ops);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { type: string; param: string; message: string } };
      expect(body.error.type).toBe('invalid_request_error');
      expect(body.error.param).toBe('month');
      expect(body.error.message).toContain('month');
    },
  );

  it('rejects an unknown format', async () => {
    const response = await call('?month=2026-11&format=csv', ops);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('format');
  });
});
