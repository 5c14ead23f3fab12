/**
 * Rollups of the ledger: hourly per department (`ledger_hourly`), daily with
 * every dimension (`ledger_daily`), daily per department and model
 * (`ledger_daily_models`), daily per key (`ledger_daily_keys`) and daily per
 * person (`ledger_daily_users`). They are
 * derived data, defined once here in `ROLLUPS`: the ledger writer adds every
 * inserted row to each of them in the same transaction (`rollupUpsertSql`),
 * and for any range each can be rebuilt from `ledger_events` with one DELETE
 * and one INSERT ... SELECT, in a transaction, so their totals always equal
 * the raw rows' totals to the nano-dollar. Works on PGlite and postgres.js
 * alike.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db, DbHandle } from './client';
import type { NewLedgerEvent } from './schema';

export interface RefreshRollupsOptions {
  organisationId: string;
  /** Start of the range; floored to its hour. Omit (with `to`) to rebuild every hour. */
  from?: Date;
  /** End of the range, exclusive; rounded up to the next hour boundary. */
  to?: Date;
}

/** A drizzle database or an open transaction on one. */
export type Executor = Pick<Db, 'execute'>;

const HOUR_MS = 3_600_000;

/** Floors a time to its UTC hour. */
export function floorHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

const DAY_MS = 24 * HOUR_MS;

export function floorDay(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

export function ceilDay(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / DAY_MS) * DAY_MS);
}

/** Rounds a time up to a UTC hour boundary (an exact boundary stays). */
export function ceilHour(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / HOUR_MS) * HOUR_MS);
}

/**
 * A rollup column: its aggregate over ledger rows in SQL, and the same value
 * for one row in TypeScript (what the bulk path sums in Node before it
 * upserts; omitted columns take their defaults). The two sit side by side so
 * they cannot drift apart unseen, and tests check rollups equal the raw
 * ledger after either path.
 */
export type Measure = readonly [column: string, aggregate: string, perRow: (row: NewLedgerEvent) => number | bigint];

/** One rollup table: a row per organisation, UTC bucket and dimension values, holding summed measures. */
export interface Rollup {
  table: 'ledger_hourly' | 'ledger_daily' | 'ledger_daily_models' | 'ledger_daily_keys' | 'ledger_daily_users';
  grain: 'hour' | 'day';
  /** Ledger columns grouped by, after the organisation and the bucket (the order of the unique constraint). */
  dimensions: readonly string[];
  /** Each rollup column and its aggregate over ledger rows. */
  measures: readonly Measure[];
  /** Ledger rows outside this condition are not counted: in SQL, and for one row. */
  filter?: readonly [condition: string, keep: (row: NewLedgerEvent) => boolean];
}

const GRAINS = {
  hour: {
    column: 'hour',
    bucket: "date_trunc('hour', occurred_at, 'UTC')",
    floor: floorHour,
    ceil: ceilHour,
    literal: (at: Date) => sql`${at.toISOString()}::timestamptz`,
  },
  day: {
    column: 'day',
    bucket: "(occurred_at at time zone 'UTC')::date",
    floor: floorDay,
    ceil: ceilDay,
    literal: (at: Date) => sql`${at.toISOString().slice(0, 10)}::date`,
  },
} as const;

const isOne = (yes: boolean) => (yes ? 1 : 0);

/**
 * A call answered from the response cache: the gateway writes the match's
 * kind (`exact` or `semantic`); rows written before it did carry `hit`.
 * `miss` and null are not hits.
 */
const CACHE_HIT_KINDS = ['exact', 'semantic', 'hit'] as const;
export const CACHE_HIT_SQL = `cache_hit in (${CACHE_HIT_KINDS.map((k) => `'${k}'`).join(', ')})`;
export const isCacheHit = (value: string | null | undefined): boolean => (CACHE_HIT_KINDS as readonly (string | null | undefined)[]).includes(value);

/** A call that ran, upstream or from the cache: a refused call is not a request (as budgets count them). */
const REQUESTS: Measure = ['requests', "count(*) filter (where status <> 'refused')", (r) => isOne(r.status !== 'refused')];
/** Cost at the row's price: one measure object shared by every rollup, so the bulk path computes it once a row. */
const COST: Measure = ['cost_nano', 'sum(cost_nano)', (r) => r.costNano ?? 0n];

const LEDGER_MEASURES: readonly Measure[] = [
  REQUESTS,
  ['errors', "count(*) filter (where status = 'error')", (r) => isOne(r.status === 'error')],
  ['cache_hits', `count(*) filter (where ${CACHE_HIT_SQL})`, (r) => isOne(isCacheHit(r.cacheHit))],
  ['unpriced', "count(*) filter (where price_status = 'unpriced')", (r) => isOne(r.priceStatus === 'unpriced')],
  ['input_tokens', 'sum(input_tokens)', (r) => r.inputTokens ?? 0],
  ['cached_input_tokens', 'sum(cached_input_tokens)', (r) => r.cachedInputTokens ?? 0],
  [
    'cache_write_tokens',
    'sum(cache_write_5m_tokens::bigint + cache_write_1h_tokens)',
    (r) => (r.cacheWrite5mTokens ?? 0) + (r.cacheWrite1hTokens ?? 0),
  ],
  ['output_tokens', 'sum(output_tokens)', (r) => r.outputTokens ?? 0],
  ['reasoning_tokens', 'sum(reasoning_tokens)', (r) => r.reasoningTokens ?? 0],
  COST,
  ['list_cost_nano', 'sum(list_cost_nano)', (r) => r.listCostNano ?? 0n],
  ['saved_nano', 'sum(saved_nano)', (r) => r.savedNano ?? 0n],
];

/** What a key's or a person's budget counts: calls that ran, tokens and cost. */
const BUDGET_MEASURES: readonly Measure[] = [
  REQUESTS,
  [
    'tokens',
    'sum(input_tokens::bigint + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens + reasoning_tokens)',
    (r) =>
      (r.inputTokens ?? 0) +
      (r.cachedInputTokens ?? 0) +
      (r.cacheWrite5mTokens ?? 0) +
      (r.cacheWrite1hTokens ?? 0) +
      (r.outputTokens ?? 0) +
      (r.reasoningTokens ?? 0),
  ],
  COST,
];

/** `ledger_daily` also keeps the 1-hour cache writes apart (5-minute ones are the rest of `cache_write_tokens`), for the chargeback summary. */
const DAILY_MEASURES: readonly Measure[] = [...LEDGER_MEASURES, ['cache_write_1h_tokens', 'sum(cache_write_1h_tokens)', (r) => r.cacheWrite1hTokens ?? 0]];

export const ROLLUPS: readonly Rollup[] = [
  { table: 'ledger_hourly', grain: 'hour', dimensions: ['department_id'], measures: LEDGER_MEASURES },
  {
    table: 'ledger_daily',
    grain: 'day',
    dimensions: ['department_id', 'project_id', 'model_name', 'tier', 'task_type'],
    measures: DAILY_MEASURES,
  },
  { table: 'ledger_daily_models', grain: 'day', dimensions: ['department_id', 'model_name', 'tier'], measures: LEDGER_MEASURES },
  { table: 'ledger_daily_keys', grain: 'day', dimensions: ['api_key_id', 'department_id'], measures: BUDGET_MEASURES, filter: ['api_key_id is not null', (r) => r.apiKeyId != null] },
  { table: 'ledger_daily_users', grain: 'day', dimensions: ['user_id'], measures: BUDGET_MEASURES, filter: ['user_id is not null', (r) => r.userId != null] },
];

/** The ledger columns the rollups read: what a writer must return from its insert to roll up the inserted rows. */
export const ROLLUP_SOURCE_COLUMNS = [
  'organisation_id',
  'occurred_at',
  'department_id',
  'project_id',
  'model_name',
  'tier',
  'task_type',
  'api_key_id',
  'user_id',
  'status',
  'cache_hit',
  'price_status',
  'input_tokens',
  'cached_input_tokens',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_nano',
  'list_cost_nano',
  'saved_nano',
] as const;

/** The parts of `insert into <rollup> select <aggregates> from ... group by ...`, around the FROM and WHERE clauses. */
function aggregateParts(rollup: Rollup): { head: string; groupBy: string } {
  const grain = GRAINS[rollup.grain];
  const columns = ['organisation_id', grain.column, ...rollup.dimensions, ...rollup.measures.map(([column]) => column)];
  const select = ['organisation_id', grain.bucket, ...rollup.dimensions, ...rollup.measures.map(([, aggregate]) => aggregate)];
  const keys = Array.from({ length: 2 + rollup.dimensions.length }, (_, i) => i + 1).join(', ');
  return {
    head: `insert into ${rollup.table} as r (${columns.join(', ')}) select ${select.join(', ')}`,
    groupBy: `group by ${keys}`,
  };
}

/**
 * Adds the rows of `source` (any relation with the ledger's columns) to a
 * rollup: one statement, no row counted unless it is in `source`. Groups are
 * written in key order, so concurrent writers lock rollup rows in the same
 * order and cannot deadlock.
 */
export function rollupUpsertSql(rollup: Rollup, source: string): string {
  const { head, groupBy } = aggregateParts(rollup);
  const keys = groupBy.slice('group by '.length);
  return `${head} from ${source}${rollup.filter ? ` where ${rollup.filter[0]}` : ''} ${groupBy} order by ${keys}
  on conflict on constraint ${rollup.table}_dims_uq do update set
    ${rollup.measures.map(([column]) => `${column} = r.${column} + excluded.${column}`).join(', ')}`;
}

/** A ledger column name as the row's property (`department_id` → `departmentId`). */
const rowField = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) as keyof NewLedgerEvent;

/**
 * Adds rollup groups summed in Node to a rollup: `unnest` of one array per
 * column (organisation, bucket, dimensions, measures, in that order), upserted
 * in key order like `rollupUpsertSql`, so concurrent writers cannot deadlock.
 */
export function rollupDeltaUpsertSql(rollup: Rollup): string {
  const grain = GRAINS[rollup.grain];
  const columns = ['organisation_id', grain.column, ...rollup.dimensions, ...rollup.measures.map(([column]) => column)];
  const types = ['text', rollup.grain === 'hour' ? 'timestamptz' : 'date', ...rollup.dimensions.map(() => 'text'), ...rollup.measures.map(() => 'int8')];
  const keys = Array.from({ length: 2 + rollup.dimensions.length }, (_, i) => i + 1).join(', ');
  return `insert into ${rollup.table} as r (${columns.join(', ')})
  select * from unnest(${types.map((type, i) => `$${i + 1}::${type}[]`).join(', ')}) order by ${keys}
  on conflict on constraint ${rollup.table}_dims_uq do update set
    ${rollup.measures.map(([column]) => `${column} = r.${column} + excluded.${column}`).join(', ')}`;
}

const SAFE = Number.MAX_SAFE_INTEGER;
const SAFE_BIG = BigInt(SAFE);

/** One rollup row being summed: its key values and its measures, as numbers while every partial sum is exact. */
interface DeltaGroup {
  key: (string | null)[];
  sums: number[];
  /** The exact sums, once a number would have left the safe-integer range. */
  big: bigint[] | null;
}

/** Adds one row to a group: its measure m is `values[slots[m]]`. */
function addToGroup(group: DeltaGroup, values: readonly (number | bigint)[], slots: readonly number[]): void {
  const n = slots.length;
  if (!group.big) {
    let m = 0;
    for (; m < n; m++) {
      const value = values[slots[m]!]!;
      if (typeof value !== 'number') break;
      const sum = group.sums[m]! + value;
      if (sum < -SAFE || sum > SAFE) break;
      group.sums[m] = sum;
    }
    if (m === n) return;
    group.big = group.sums.map((sum) => BigInt(sum));
    for (; m < n; m++) group.big[m]! += BigInt(values[slots[m]!]!);
    return;
  }
  for (let m = 0; m < n; m++) group.big[m]! += BigInt(values[slots[m]!]!);
}

/** A rollup's groups being summed for one batch of rows. */
interface DeltaPlan {
  rollup: Rollup;
  grainMs: number;
  fields: (keyof NewLedgerEvent)[];
  keep: ((row: NewLedgerEvent) => boolean) | undefined;
  /** Each of the rollup's measures as an index into the distinct measures: rollups sharing a measure share each row's value. */
  slots: number[];
  /** Organisation → bucket → each dimension's value → the group (under `LEAF`). */
  groups: DeltaTrie;
  leaves: DeltaGroup[];
}

type DeltaTrie = Map<unknown, DeltaTrie | DeltaGroup>;
const LEAF = Symbol('group');

/**
 * Rows [from, to) summed into every rollup's groups, as the query parameters
 * of `rollupDeltaUpsertSql` (one array per column), for the rollups that any
 * row counts in. Buckets are UTC hours (ISO timestamps) and UTC days
 * (`YYYY-MM-DD`), as the SQL aggregates bucket them. Each row's measure
 * values are computed once per distinct measure (rollups share most) and
 * summed as numbers while exact, as bigints past 2^53.
 */
export function rollupDeltas(
  rows: readonly NewLedgerEvent[],
  from = 0,
  to = rows.length,
): { rollup: Rollup; params: unknown[][] }[] {
  const measures = [...new Set(ROLLUPS.flatMap((rollup) => rollup.measures))];
  const plans: DeltaPlan[] = ROLLUPS.map((rollup) => ({
    rollup,
    grainMs: rollup.grain === 'hour' ? HOUR_MS : DAY_MS,
    fields: rollup.dimensions.map(rowField),
    keep: rollup.filter?.[1],
    slots: rollup.measures.map((measure) => measures.indexOf(measure)),
    groups: new Map(),
    leaves: [],
  }));
  const values = new Array<number | bigint>(measures.length);
  // Every dimension any rollup reads, loaded once per row.
  const fields = [...new Set(plans.flatMap((plan) => plan.fields))];
  const slots = plans.map((plan) => plan.fields.map((field) => fields.indexOf(field)));
  const dims = new Array<unknown>(fields.length);
  for (let r = from; r < to; r++) {
    const row = rows[r]!;
    const at = row.occurredAt;
    const ms = at instanceof Date ? at.getTime() : Date.parse(at);
    for (let f = 0; f < fields.length; f++) dims[f] = row[fields[f]!] ?? null;
    for (let m = 0; m < measures.length; m++) {
      const value = measures[m]![2](row);
      values[m] = typeof value === 'bigint' && value >= -SAFE_BIG && value <= SAFE_BIG ? Number(value) : value;
    }
    for (let p = 0; p < plans.length; p++) {
      const plan = plans[p]!;
      if (plan.keep && !plan.keep(row)) continue;
      const bucket = Math.floor(ms / plan.grainMs);
      // A trie of Maps keyed by each value in turn: no key string to build per row.
      let level = plan.groups.get(row.organisationId) as DeltaTrie | undefined;
      if (!level) plan.groups.set(row.organisationId, (level = new Map()));
      let next = level.get(bucket) as DeltaTrie | undefined;
      if (!next) level.set(bucket, (next = new Map()));
      level = next;
      for (const slot of slots[p]!) {
        const value = dims[slot];
        next = level.get(value) as DeltaTrie | undefined;
        if (!next) level.set(value, (next = new Map()));
        level = next;
      }
      let group = level.get(LEAF) as DeltaGroup | undefined;
      if (!group) {
        const start = new Date(bucket * plan.grainMs).toISOString();
        const key: (string | null)[] = [row.organisationId, plan.rollup.grain === 'hour' ? start : start.slice(0, 10)];
        for (const field of plan.fields) key.push((row[field] as string | null | undefined) ?? null);
        group = { key, sums: new Array<number>(plan.rollup.measures.length).fill(0), big: null };
        level.set(LEAF, group);
        plan.leaves.push(group);
      }
      addToGroup(group, values, plan.slots);
    }
  }
  return plans
    .filter((plan) => plan.leaves.length > 0)
    .map((plan) => {
      const width = plan.fields.length;
      const params: unknown[][] = Array.from({ length: 2 + width + plan.rollup.measures.length }, () => []);
      for (const group of plan.leaves) {
        group.key.forEach((value, i) => params[i]!.push(value));
        (group.big ?? group.sums).forEach((value, m) => params[2 + width + m]!.push(String(value)));
      }
      return { rollup: plan.rollup, params };
    });
}

/**
 * Rebuilds one rollup's buckets touching [from, to) from the ledger inside an
 * open transaction (or on a plain connection, if the caller accepts a
 * non-atomic rebuild). Partial buckets at either end are widened to whole
 * buckets, so a bucket is always rebuilt from all of its events. Buckets are
 * UTC hours and days whatever the session time zone.
 */
async function rebuildRollup(executor: Executor, opts: RefreshRollupsOptions, rollup: Rollup): Promise<void> {
  const grain = GRAINS[rollup.grain];
  const from = opts.from ? grain.floor(opts.from) : undefined;
  const to = opts.to ? grain.ceil(opts.to) : undefined;
  if (from && to && from.getTime() >= to.getTime()) return;
  const column = sql.raw(grain.column);
  const bucketRange: SQL[] = [];
  const eventRange: SQL[] = [];
  if (from) {
    bucketRange.push(sql`and ${column} >= ${grain.literal(from)}`);
    eventRange.push(sql`and occurred_at >= ${from.toISOString()}::timestamptz`);
  }
  if (to) {
    bucketRange.push(sql`and ${column} < ${grain.literal(to)}`);
    eventRange.push(sql`and occurred_at < ${to.toISOString()}::timestamptz`);
  }
  if (rollup.filter) eventRange.push(sql.raw(`and ${rollup.filter[0]}`));
  const { head, groupBy } = aggregateParts(rollup);
  await executor.execute(
    sql`delete from ${sql.raw(rollup.table)} where organisation_id = ${opts.organisationId} ${sql.join(bucketRange, sql` `)}`,
  );
  await executor.execute(
    sql`${sql.raw(head)} from ledger_events where organisation_id = ${opts.organisationId} ${sql.join(eventRange, sql` `)} ${sql.raw(groupBy)}`,
  );
}

/** Rebuilds every rollup but the per-key one for [from, to) (see `rebuildRollup`). */
export async function rebuildRollups(executor: Executor, opts: RefreshRollupsOptions): Promise<void> {
  for (const rollup of ROLLUPS) {
    if (rollup.table !== 'ledger_daily_keys') await rebuildRollup(executor, opts, rollup);
  }
}

/** Rebuilds the daily per-key rollup for the UTC days touching [from, to). */
export async function rebuildKeyRollups(executor: Executor, opts: RefreshRollupsOptions): Promise<void> {
  for (const rollup of ROLLUPS) {
    if (rollup.table === 'ledger_daily_keys') await rebuildRollup(executor, opts, rollup);
  }
}

/**
 * Recomputes every rollup of the organisation for [from, to) (everything
 * when both are omitted) from `ledger_events`, in one transaction.
 */
export async function refreshRollups(handle: DbHandle, opts: RefreshRollupsOptions): Promise<void> {
  await handle.db.transaction(async (tx) => {
    await rebuildRollups(tx, opts);
    await rebuildKeyRollups(tx, opts);
  });
}
