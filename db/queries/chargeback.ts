/**
 * Chargeback read models for one UTC month, inside the caller's organisation
 * and department scope: a per-department, per-project summary (JSON), read
 * from the daily rollup, and the charge lines of the FOCUS export, read from
 * the raw ledger (the rollups do not keep cost apart per token bucket).
 *
 * The FOCUS lines split each ledger row's cost over its token buckets, then
 * sum the parts per UTC day, department, project, model, price and bucket.
 * `cost_nano` was rounded once per row over all buckets, so per-bucket
 * roundings would not add back up to it. The rule, applied per ledger row in
 * SQL with exact numeric arithmetic, once for `cost_nano` (weights at the
 * row's price) and once for `list_cost_nano` (weights at the list price in
 * force, which is the row's price unless that is negotiated):
 *
 *   1. weight of a bucket = its tokens x its rate (the rate fallbacks of
 *      lib/engine/pricing.ts: cache rates fall back to input, reasoning to
 *      output); with no priced weight, the tokens; with no tokens either,
 *      everything goes to the input bucket;
 *   2. share = floor(amount x weight / total weight), on the amount's
 *      magnitude (a negative amount is split as its magnitude, then negated);
 *   3. the nano-dollars left over (fewer than the buckets with a remainder)
 *      go one each to the buckets with the largest remainders, ties to the
 *      earlier bucket in ledger order (input, cached input, cache write 5m,
 *      cache write 1h, output, reasoning).
 *
 * So every bucket's share is within one nano-dollar of its exact proportional
 * share, a row's shares add up to its amount exactly, and any sum of FOCUS
 * lines (a month, a department, a day) equals the same ledger rows' sum.
 *
 * Left out of the lines: buckets with no tokens and no cost (a failed attempt
 * leaves nothing), and cache hits (tier `cache`) that cost nothing at either
 * price: Tollgate served them, no provider billed them, and priced as usage
 * they would break FOCUS's unit price x quantity = cost. The summary counts
 * them as requests and cache hits (a refused call is not a request), and
 * their tokens stay out of its token totals too, so its tokens equal the
 * FOCUS file's ConsumedQuantity.
 */
import type { ChargeLine, FocusAccount, MonthPeriod, TokenBucket } from '@/lib/engine/focus';
import { nanoToUsdString } from '@/lib/engine/money';
import type { ReadScope } from './scope';

export type ChargebackScope = Omit<ReadScope, 'now'>;

/** A ledger row (aliased `e`) counts as provider usage unless it is a cache hit that cost nothing. */
export const PROVIDER_USAGE = `not (e.tier = 'cache' and e.cost_nano = 0 and e.list_cost_nano = 0)`;

const IN_SCOPE = `e.organisation_id = $1 and ($2::text is null or e.department_id = $2)
  and e.occurred_at >= $3::timestamptz and e.occurred_at < $4::timestamptz`;

function scopeParams(scope: ChargebackScope, month: MonthPeriod): unknown[] {
  return [scope.organisationId, scope.departmentId, month.start.toISOString(), month.end.toISOString()];
}

/** Each bucket: its ledger column, and its rate in a price row aliased `a` (the fallbacks of lib/engine/pricing.ts). */
const BUCKET_SQL: { bucket: TokenBucket; tokens: string; rate: (a: string) => string }[] = [
  { bucket: 'input', tokens: 'input_tokens', rate: (a) => `${a}.input_per_mtok` },
  { bucket: 'cached_input', tokens: 'cached_input_tokens', rate: (a) => `coalesce(${a}.cached_input_per_mtok, ${a}.input_per_mtok)` },
  { bucket: 'cache_write_5m', tokens: 'cache_write_5m_tokens', rate: (a) => `coalesce(${a}.cache_write_5m_per_mtok, ${a}.input_per_mtok)` },
  {
    bucket: 'cache_write_1h',
    tokens: 'cache_write_1h_tokens',
    rate: (a) => `coalesce(${a}.cache_write_1h_per_mtok, ${a}.cache_write_5m_per_mtok, ${a}.input_per_mtok)`,
  },
  { bucket: 'output', tokens: 'output_tokens', rate: (a) => `${a}.output_per_mtok` },
  { bucket: 'reasoning', tokens: 'reasoning_tokens', rate: (a) => `coalesce(${a}.reasoning_per_mtok, ${a}.output_per_mtok)` },
];

const B = BUCKET_SQL.map((_, i) => i);
const sum = (term: (i: number) => string) => B.map(term).join(' + ');
const each = (column: (i: number) => string) => B.map(column).join(', ');

/**
 * The list price in force for a row billed at a negotiated or amortised price:
 * same model, service tier (else standard) and reach of context tier, latest
 * version in force at the call's time (else the earliest). None for list-priced
 * rows, and none for models without a list price (their list cost is their cost).
 */
const LIST_PRICE = `left join lateral (
    select l.* from model_prices l
     where p.kind <> 'list' and l.model_id = p.model_id and l.kind = 'list'
       and (l.organisation_id is null or l.organisation_id = e.organisation_id)
       and l.service_tier in (e.service_tier, 'standard')
       and l.context_tier_min_tokens <= e.input_tokens + e.cached_input_tokens + e.cache_write_5m_tokens + e.cache_write_1h_tokens
     order by (l.service_tier = e.service_tier) desc, (l.effective_from <= e.occurred_at) desc,
              case when l.effective_from <= e.occurred_at then l.effective_from end desc nulls last,
              l.effective_from, l.context_tier_min_tokens desc
     limit 1
  ) lp on true`;

/**
 * The split, one amount at a time: `c` is cost_nano at the row's rates, `l`
 * list_cost_nano at the list rates. Per ledger row, all in one row of columns
 * (no window, no sort): amount `a` (its magnitude; the sign is put back at the
 * end), weights `w<i>` over divisor `d`, quotients `q<i>`, remainders `m<i>`
 * and what is left over. Bucket i gets one more nano-dollar when fewer than
 * `left` buckets rank before it: a larger remainder, or an equal one earlier.
 */
const WEIGHTS = (x: 'c' | 'l') => `${each(
  (i) => `case when ${x}_pw > 0 then t${i} * ${x}_r${i} when tw > 0 then t${i} else ${i === 0 ? 1 : 0} end as ${x}_w${i}`,
)},
         case when ${x}_pw > 0 then ${x}_pw when tw > 0 then tw else 1 end as ${x}_d`;
const QUOTIENTS = (x: 'c' | 'l') => each((i) => `div(${x}_a * ${x}_w${i}, ${x}_d) as ${x}_q${i}`);
const REMAINDERS = (x: 'c' | 'l') =>
  `${each((i) => `${x}_a * ${x}_w${i} - ${x}_q${i} * ${x}_d as ${x}_m${i}`)}, ${x}_a - (${sum((i) => `${x}_q${i}`)}) as ${x}_left`;
const RANK = (x: 'c' | 'l', i: number) =>
  B.filter((j) => j !== i)
    .map((j) => `case when ${x}_m${j} ${j < i ? '>=' : '>'} ${x}_m${i} then 1 else 0 end`)
    .join(' + ');
const SHARES = (x: 'c' | 'l') =>
  each((i) => `${x}_sign * (${x}_q${i} + case when ${RANK(x, i)} < ${x}_left then 1 else 0 end) as ${x}_s${i}`);

/**
 * Each step reads the one before as a subquery that `offset 0` keeps the
 * planner from inlining, so every column is computed once per ledger row. The
 * buckets are unpivoted only after grouping, which keeps the sort small.
 */
const CHARGE_LINES_SQL = `
with base as (
  select to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day,
         e.department_id, e.project_id, e.provider, e.model_id,
         case when e.model_id is null then e.model_name end as unknown_model,
         e.price_id, e.price_status, lp.id as list_price_id,
         abs(e.cost_nano::numeric) as c_a, sign(e.cost_nano::numeric) as c_sign,
         abs(e.list_cost_nano::numeric) as l_a, sign(e.list_cost_nano::numeric) as l_sign,
         ${each((i) => `e.${BUCKET_SQL[i]!.tokens}::numeric as t${i}`)},
         ${each((i) => `${BUCKET_SQL[i]!.rate('p')}::numeric as c_r${i}`)},
         ${each((i) => `(case when lp.id is null then ${BUCKET_SQL[i]!.rate('p')} else ${BUCKET_SQL[i]!.rate('lp')} end)::numeric as l_r${i}`)}
    from ledger_events e
    left join model_prices p on p.id = e.price_id
    ${LIST_PRICE}
   where ${IN_SCOPE} and ${PROVIDER_USAGE}
  offset 0
),
totals as (
  select base.*, ${sum((i) => `t${i} * coalesce(c_r${i}, 0)`)} as c_pw,
         ${sum((i) => `t${i} * coalesce(l_r${i}, 0)`)} as l_pw, ${sum((i) => `t${i}`)} as tw
    from base offset 0
),
weights as (
  select totals.*, ${WEIGHTS('c')},
         ${WEIGHTS('l')}
    from totals offset 0
),
quotients as (
  select weights.*, ${QUOTIENTS('c')}, ${QUOTIENTS('l')} from weights offset 0
),
remainders as (
  select quotients.*, ${REMAINDERS('c')}, ${REMAINDERS('l')} from quotients offset 0
),
shares as (
  select remainders.*, ${SHARES('c')}, ${SHARES('l')} from remainders offset 0
),
grouped as (
  select day, department_id, project_id, provider, model_id, unknown_model, price_id, price_status, list_price_id,
         ${each((i) => `sum(t${i}) as t${i}, sum(c_s${i}) as c${i}, sum(l_s${i}) as l${i}`)},
         ${each((i) => `min(c_r${i}) as r${i}, min(l_r${i}) as lr${i}`)},
         ${each((i) => `count(*) filter (where t${i} <> 0 or c_s${i} <> 0 or l_s${i} <> 0) as n${i}`)}
    from shares
   group by day, department_id, project_id, provider, model_id, unknown_model, price_id, price_status, list_price_id
),
lines as (
  select day, department_id, project_id, provider, model_id, unknown_model, price_id, price_status, list_price_id, k.*
    from grouped
   cross join lateral (values
       ${B.map((i) => `(${i}, t${i}, r${i}, lr${i}, c${i}, l${i}, n${i})`).join(',\n       ')}
   ) k(ord, tokens, rate, list_rate, cost, list_cost, ledger_rows)
   where k.ledger_rows > 0
)
select g.day, g.department_id, d.name as department_name, d.cost_center, g.project_id, pr.name as project_name,
       g.provider, coalesce(g.model_id, g.provider || '/' || g.unknown_model) as model_key,
       coalesce(m.display_name, g.unknown_model, g.model_id) as model_name,
       g.ord, g.price_id, g.price_status, p.kind as price_kind, p.service_tier as price_service_tier,
       g.tokens::text as tokens, g.cost::text as cost, g.list_cost::text as list_cost,
       g.rate::text as rate, g.list_rate::text as list_rate
  from lines g
  left join departments d on d.id = g.department_id
  left join projects pr on pr.id = g.project_id
  left join models m on m.id = g.model_id
  left join model_prices p on p.id = g.price_id
 order by g.day, d.name nulls last, g.department_id, pr.name nulls last, g.project_id, model_key, g.ord, g.price_id nulls last,
          g.price_status, g.list_price_id nulls last`;

interface ChargeLineRow {
  day: string;
  department_id: string | null;
  department_name: string | null;
  cost_center: string | null;
  project_id: string | null;
  project_name: string | null;
  provider: string;
  model_key: string;
  model_name: string;
  ord: number;
  price_id: number | null;
  price_status: string;
  price_kind: string | null;
  price_service_tier: string | null;
  tokens: string;
  cost: string;
  list_cost: string;
  rate: string | null;
  list_rate: string | null;
}

/** The FOCUS export's charge lines: one per UTC day, department, project, model, price and token bucket. */
export async function chargeLines(scope: ChargebackScope, month: MonthPeriod): Promise<ChargeLine[]> {
  const rows = await scope.db.query<ChargeLineRow>(CHARGE_LINES_SQL, scopeParams(scope, month));
  return rows.map((r) => ({
    day: r.day,
    departmentId: r.department_id,
    departmentName: r.department_name,
    costCenter: r.cost_center,
    projectId: r.project_id,
    projectName: r.project_name,
    provider: r.provider,
    modelKey: r.model_key,
    modelName: r.model_name,
    bucket: BUCKET_SQL[Number(r.ord)]!.bucket,
    priceId: r.price_id === null ? null : Number(r.price_id),
    priceStatus: r.price_status,
    priceKind: r.price_kind,
    serviceTier: r.price_service_tier,
    tokens: r.tokens,
    costNano: r.cost,
    listCostNano: r.list_cost,
    ratePerMtokNano: r.rate,
    listRatePerMtokNano: r.list_rate,
  }));
}

export async function billingAccount(scope: Pick<ChargebackScope, 'db' | 'organisationId'>): Promise<FocusAccount> {
  const [row] = await scope.db.query<{ id: string; name: string }>('select id, name from organisations where id = $1', [
    scope.organisationId,
  ]);
  return { organisationId: scope.organisationId, organisationName: row?.name ?? scope.organisationId };
}

export interface BucketTokens {
  input: number;
  cachedInput: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  output: number;
  reasoning: number;
}

export interface ChargebackFigures {
  costNano: string;
  costUsd: string;
  listCostNano: string;
  listCostUsd: string;
  /** What cache hits would have cost upstream. */
  cacheSavedNano: string;
  cacheSavedUsd: string;
  /** Calls that ran: every ledger row but refused ones (cache hits and failed attempts included). */
  requests: number;
  cacheHits: number;
  /** Tokens billed by providers, by bucket (cache hits left out). */
  tokens: BucketTokens;
}

export interface ChargebackProject extends ChargebackFigures {
  id: string | null;
  code: string | null;
  name: string | null;
}

export interface ChargebackDepartment extends ChargebackFigures {
  id: string | null;
  name: string | null;
  costCenter: string | null;
  projects: ChargebackProject[];
}

export interface Chargeback {
  month: string;
  periodStart: string;
  periodEnd: string;
  currency: 'USD';
  /** The department the figures are confined to; null for the whole organisation. */
  departmentId: string | null;
  departments: ChargebackDepartment[];
  totals: ChargebackFigures;
}

interface SummaryRow {
  department_id: string | null;
  department_name: string | null;
  cost_center: string | null;
  project_id: string | null;
  project_code: string | null;
  project_name: string | null;
  requests: string;
  cache_hits: string;
  cost: string;
  list_cost: string;
  saved: string;
  input: string;
  cached_input: string;
  cache_write_5m: string;
  cache_write_1h: string;
  output: string;
  reasoning: string;
}

const PROVIDER_TOKENS = `filter (where d.tier <> 'cache')`;
const TOKEN_SUMS = [
  ['input', 'd.input_tokens'],
  ['cached_input', 'd.cached_input_tokens'],
  ['cache_write_5m', 'd.cache_write_tokens - d.cache_write_1h_tokens'],
  ['cache_write_1h', 'd.cache_write_1h_tokens'],
  ['output', 'd.output_tokens'],
  ['reasoning', 'd.reasoning_tokens'],
]
  .map(([bucket, tokens]) => `coalesce(sum(${tokens}) ${PROVIDER_TOKENS}, 0)::text as ${bucket}`)
  .join(',\n         ');

/**
 * From the daily rollup, which holds every figure here per UTC day,
 * department and project (a month is whole UTC days): at 10 million ledger
 * rows about 10 ms, against a second for the same sums over the raw ledger
 * (`npm run bench -- ledger --only aggregates`). Parameters: organisation,
 * department (null for all), first day, day after the last.
 * Token sums leave out the cache tier, as the FOCUS file does: every writer
 * writes a cache hit at $0 at both prices (and with no tokens; demo data
 * seeded before that carried the tokens a hit would have used), so leaving
 * out the tier is leaving out the hits that cost nothing.
 */
export const CHARGEBACK_SUMMARY_SQL = `
with sums as (
  select d.department_id, d.project_id,
         sum(d.requests)::text as requests, sum(d.cache_hits)::text as cache_hits,
         sum(d.cost_nano)::text as cost, sum(d.list_cost_nano)::text as list_cost, sum(d.saved_nano)::text as saved,
         ${TOKEN_SUMS}
    from ledger_daily d
   where d.organisation_id = $1 and ($2::text is null or d.department_id = $2)
     and d.day >= $3::date and d.day < $4::date
   group by d.department_id, d.project_id
)
select s.*, d.name as department_name, d.cost_center, pr.code as project_code, pr.name as project_name
  from sums s
  left join departments d on d.id = s.department_id
  left join projects pr on pr.id = s.project_id
 order by d.name nulls last, s.department_id, pr.name nulls last, s.project_id`;

interface Sums {
  cost: bigint;
  listCost: bigint;
  saved: bigint;
  requests: number;
  cacheHits: number;
  tokens: BucketTokens;
}

const emptySums = (): Sums => ({
  cost: 0n,
  listCost: 0n,
  saved: 0n,
  requests: 0,
  cacheHits: 0,
  tokens: { input: 0, cachedInput: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0, reasoning: 0 },
});

function add(into: Sums, from: Sums): void {
  into.cost += from.cost;
  into.listCost += from.listCost;
  into.saved += from.saved;
  into.requests += from.requests;
  into.cacheHits += from.cacheHits;
  for (const key of Object.keys(into.tokens) as (keyof BucketTokens)[]) into.tokens[key] += from.tokens[key];
}

function figures(s: Sums): ChargebackFigures {
  return {
    costNano: s.cost.toString(),
    costUsd: nanoToUsdString(s.cost),
    listCostNano: s.listCost.toString(),
    listCostUsd: nanoToUsdString(s.listCost),
    cacheSavedNano: s.saved.toString(),
    cacheSavedUsd: nanoToUsdString(s.saved),
    requests: s.requests,
    cacheHits: s.cacheHits,
    tokens: { ...s.tokens },
  };
}

/**
 * The month's chargeback per department and project, with totals. Amounts are
 * decimal strings of nano-dollars and plain-decimal USD; they equal the raw
 * ledger's sums to the nano-dollar.
 */
export async function chargebackSummary(scope: ChargebackScope, month: MonthPeriod): Promise<Chargeback> {
  const days = [month.start.toISOString().slice(0, 10), month.end.toISOString().slice(0, 10)];
  const rows = await scope.db.query<SummaryRow>(CHARGEBACK_SUMMARY_SQL, [scope.organisationId, scope.departmentId, ...days]);
  const departments = new Map<string | null, { head: SummaryRow; sums: Sums; projects: ChargebackProject[] }>();
  const total = emptySums();
  for (const r of rows) {
    const sums: Sums = {
      cost: BigInt(r.cost),
      listCost: BigInt(r.list_cost),
      saved: BigInt(r.saved),
      requests: Number(r.requests),
      cacheHits: Number(r.cache_hits),
      tokens: {
        input: Number(r.input),
        cachedInput: Number(r.cached_input),
        cacheWrite5m: Number(r.cache_write_5m),
        cacheWrite1h: Number(r.cache_write_1h),
        output: Number(r.output),
        reasoning: Number(r.reasoning),
      },
    };
    let dep = departments.get(r.department_id);
    if (!dep) {
      dep = { head: r, sums: emptySums(), projects: [] };
      departments.set(r.department_id, dep);
    }
    add(dep.sums, sums);
    add(total, sums);
    dep.projects.push({ id: r.project_id, code: r.project_code, name: r.project_name, ...figures(sums) });
  }
  return {
    month: month.label,
    periodStart: month.start.toISOString(),
    periodEnd: month.end.toISOString(),
    currency: 'USD',
    departmentId: scope.departmentId,
    departments: [...departments.values()].map(({ head, sums, projects }) => ({
      id: head.department_id,
      name: head.department_name,
      costCenter: head.cost_center,
      ...figures(sums),
      projects,
    })),
    totals: figures(total),
  };
}
