/**
 * The one way rows enter the ledger (usage ingest now, the gateway later).
 *
 * Group commit: writes that arrive while a commit is in flight queue up and
 * go in together with the next one, as one statement. A caller's promise
 * resolves only after its rows are committed. The statement inserts the rows
 * (a duplicate idempotency key is skipped, never counted twice) and adds the
 * inserted rows, and only those, to the hourly, daily and daily-key rollups,
 * atomically: rollups
 * equal the raw ledger at every commit. If a combined commit fails, each
 * caller's rows are retried on their own so one bad write cannot sink others.
 */
import { randomBytes } from 'node:crypto';
import type { DbHandle } from '@/db/client';
import type { NewLedgerEvent } from '@/db/schema';
import { ZERO_TOKENS } from '@/lib/engine/pricing';

/** What a writer needs per row: the insert shape with the id and idempotency key required. */
export type LedgerRowInput = NewLedgerEvent & { id: string; idempotencyKey: string };

export interface WriteResult {
  /** Idempotency keys written by this call. */
  inserted: string[];
  /** Idempotency keys that were already in the ledger (or earlier in the same batch). */
  duplicates: string[];
}

const COLUMNS: [keyof LedgerRowInput, string, string][] = [
  ['id', 'id', 'text'],
  ['idempotencyKey', 'idempotency_key', 'text'],
  ['organisationId', 'organisation_id', 'text'],
  ['occurredAt', 'occurred_at', 'timestamptz'],
  ['source', 'source', 'text'],
  ['provider', 'provider', 'text'],
  ['modelName', 'model_name', 'text'],
  ['modelId', 'model_id', 'text'],
  ['tier', 'tier', 'text'],
  ['serviceTier', 'service_tier', 'text'],
  ['departmentId', 'department_id', 'text'],
  ['projectId', 'project_id', 'text'],
  ['userId', 'user_id', 'text'],
  ['apiKeyId', 'api_key_id', 'text'],
  ['agent', 'agent', 'text'],
  ['sessionId', 'session_id', 'text'],
  ['workflowRunId', 'workflow_run_id', 'text'],
  ['taskType', 'task_type', 'text'],
  ['inputTokens', 'input_tokens', 'int4'],
  ['cachedInputTokens', 'cached_input_tokens', 'int4'],
  ['cacheWrite5mTokens', 'cache_write_5m_tokens', 'int4'],
  ['cacheWrite1hTokens', 'cache_write_1h_tokens', 'int4'],
  ['outputTokens', 'output_tokens', 'int4'],
  ['reasoningTokens', 'reasoning_tokens', 'int4'],
  ['costNano', 'cost_nano', 'int8'],
  ['listCostNano', 'list_cost_nano', 'int8'],
  ['savedNano', 'saved_nano', 'int8'],
  ['priceId', 'price_id', 'int4'],
  ['priceStatus', 'price_status', 'text'],
  ['costSource', 'cost_source', 'text'],
  ['status', 'status', 'text'],
  ['httpStatus', 'http_status', 'int4'],
  ['errorType', 'error_type', 'text'],
  ['cacheHit', 'cache_hit', 'text'],
  ['attempt', 'attempt', 'int4'],
  ['retryOf', 'retry_of', 'text'],
  ['routeReason', 'route_reason', 'text'],
  ['latencyMs', 'latency_ms', 'int4'],
  ['overheadMs', 'overhead_ms', 'float4'],
];

const DEFAULTS: Partial<Record<keyof LedgerRowInput, unknown>> = {
  serviceTier: 'standard',
  ...ZERO_TOKENS,
  costNano: 0n,
  listCostNano: 0n,
  savedNano: 0n,
  costSource: 'estimated',
  status: 'ok',
  attempt: 1,
};

const COLUMN_NAMES = COLUMNS.map(([, name]) => name);

const MEASURES = [
  'requests',
  'errors',
  'cache_hits',
  'unpriced',
  'input_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_nano',
  'list_cost_nano',
  'saved_nano',
];

/** Adds the inserted rows (`ins`) to one rollup table, bucketed by `bucket` (an expression over occurred_at). */
function rollupUpsert(cte: string, table: string, bucketColumn: string, bucket: string): string {
  return `${cte} as (
  insert into ${table} as r (organisation_id, ${bucketColumn}, department_id, project_id, model_name, tier, task_type, ${MEASURES.join(', ')})
  select organisation_id, ${bucket}, department_id, project_id, model_name, tier, task_type,
    count(*), count(*) filter (where status <> 'ok'), count(*) filter (where cache_hit = 'hit'),
    count(*) filter (where price_status = 'unpriced'), sum(input_tokens), sum(cached_input_tokens),
    sum(cache_write_5m_tokens + cache_write_1h_tokens), sum(output_tokens), sum(reasoning_tokens),
    sum(cost_nano), sum(list_cost_nano), sum(saved_nano)
  from ins group by 1, 2, 3, 4, 5, 6, 7
  on conflict on constraint ${table}_dims_uq do update set
    ${MEASURES.map((m) => `${m} = r.${m} + excluded.${m}`).join(',\n    ')}
)`;
}

const ROLLUP_UPSERTS = [
  rollupUpsert('hourly', 'ledger_hourly', 'hour', "date_trunc('hour', occurred_at, 'UTC')"),
  rollupUpsert('daily', 'ledger_daily', 'day', "(occurred_at at time zone 'UTC')::date"),
].join(', ');

/**
 * One statement: insert the rows of `source` (duplicates skipped), then add
 * exactly the inserted rows to both rollups.
 */
function insertSql(source: string, result = 'select organisation_id, idempotency_key from ins'): string {
  return `
with input as (${source}), ins as (
  insert into ledger_events (${COLUMNS.map(([, name]) => name).join(', ')})
  select ${COLUMNS.map(([, name]) => name).join(', ')} from input
  on conflict do nothing
  returning *
), ${ROLLUP_UPSERTS}, keys as (
  insert into ledger_daily_keys as k (organisation_id, day, api_key_id, department_id, requests, tokens, cost_nano)
  select organisation_id, (occurred_at at time zone 'UTC')::date, api_key_id, department_id, count(*),
    sum(input_tokens::bigint + cached_input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens + reasoning_tokens),
    sum(cost_nano)
  from ins where api_key_id is not null group by 1, 2, 3, 4
  on conflict on constraint ledger_daily_keys_dims_uq do update set
    requests = k.requests + excluded.requests,
    tokens = k.tokens + excluded.tokens,
    cost_nano = k.cost_nano + excluded.cost_nano
)
${result}`;
}

const INSERT_FROM_PARAMS_SQL = insertSql(
  `select * from unnest(${COLUMNS.map(([, , type], i) => `$${i + 1}::${type}[]`).join(', ')}) as t(${COLUMN_NAMES.join(', ')})`,
);

function columnArrays(rows: readonly LedgerRowInput[]): unknown[] {
  return COLUMNS.map(([key]) =>
    rows.map((row) => {
      const value = row[key] ?? DEFAULTS[key] ?? null;
      if (typeof value === 'bigint') return value.toString();
      if (value instanceof Date) return value.toISOString();
      return value;
    }),
  );
}

/** A value in COPY text format. */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function* copyLines(rows: readonly LedgerRowInput[]): Generator<string> {
  for (const row of rows) {
    let line = '';
    for (let c = 0; c < COLUMNS.length; c++) {
      const key = COLUMNS[c]![0];
      line += (c === 0 ? '' : '\t') + copyField(row[key] ?? DEFAULTS[key] ?? null);
    }
    yield line;
  }
}

/**
 * The bulk path, for imports and backfills: COPY the rows into an unlogged
 * staging table, then one statement moves them into the ledger with the same
 * idempotency and rollup rules as `insertLedgerRows`. Returns how many rows
 * were new.
 */
export async function bulkInsertLedgerRows(db: DbHandle, rows: readonly LedgerRowInput[]): Promise<number> {
  if (rows.length === 0) return 0;
  const stage = `ledger_stage_${randomBytes(6).toString('hex')}`;
  await db.query(
    `create unlogged table ${stage} (${COLUMNS.map(([, name, type]) => `${name} ${type}`).join(', ')})`,
  );
  try {
    await db.copyIn(stage, COLUMN_NAMES, copyLines(rows));
    const [row] = await db.query<{ n: string }>(insertSql(`select * from ${stage}`, 'select count(*)::text as n from ins'));
    return Number(row?.n ?? 0);
  } finally {
    await db.query(`drop table if exists ${stage}`);
  }
}

const dedupeKey = (organisationId: string, key: string) => `${organisationId}\u0000${key}`;

/** Inserts rows and their rollup increments in one statement; returns the keys that were new. */
export async function insertLedgerRows(db: DbHandle, rows: readonly LedgerRowInput[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await db.query<{ organisation_id: string; idempotency_key: string }>(INSERT_FROM_PARAMS_SQL, columnArrays(rows));
  return new Set(inserted.map((r) => dedupeKey(r.organisation_id, r.idempotency_key)));
}

interface Pending {
  rows: readonly LedgerRowInput[];
  resolve(result: WriteResult): void;
  reject(error: unknown): void;
}

export class LedgerWriter {
  private queue: Pending[] = [];
  private draining = false;
  /** Commits so far and rows in them, for metrics and benchmarks. */
  readonly stats = { commits: 0, rows: 0, maxBatch: 0 };

  private lingering: ReturnType<typeof setTimeout> | null = null;

  /**
   * `lingerMs` > 0 holds a commit that long for more writes to join it: for
   * callers that do not wait on the commit (the gateway), many calls share one
   * statement. Callers that wait (usage ingest) use the default, 0.
   */
  constructor(
    private readonly db: DbHandle,
    private readonly maxRowsPerCommit = 5_000,
    private readonly lingerMs = 0,
  ) {}

  write(rows: readonly LedgerRowInput[]): Promise<WriteResult> {
    if (rows.length === 0) return Promise.resolve({ inserted: [], duplicates: [] });
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (this.draining || this.lingering) return;
      if (this.lingerMs > 0) {
        this.lingering = setTimeout(() => {
          this.lingering = null;
          void this.drain();
        }, this.lingerMs);
      } else {
        void this.drain();
      }
    });
  }

  /** Resolves once every write handed in so far has committed or failed (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.draining || this.lingering || this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch: Pending[] = [];
        let size = 0;
        while (this.queue.length > 0 && (batch.length === 0 || size + this.queue[0]!.rows.length <= this.maxRowsPerCommit)) {
          const next = this.queue.shift()!;
          batch.push(next);
          size += next.rows.length;
        }
        await this.commit(batch);
      }
    } finally {
      this.draining = false;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let inserted: Set<string>;
    try {
      inserted = await insertLedgerRows(this.db, batch.flatMap((p) => p.rows));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const pending of batch) await this.commit([pending]);
      return;
    }
    this.stats.commits += 1;
    this.stats.rows += inserted.size;
    this.stats.maxBatch = Math.max(this.stats.maxBatch, batch.length);
    // A key inserted by this commit belongs to the first caller that sent it; later senders see a duplicate.
    const claimed = new Set<string>();
    for (const pending of batch) {
      const result: WriteResult = { inserted: [], duplicates: [] };
      for (const row of pending.rows) {
        const key = dedupeKey(row.organisationId, row.idempotencyKey);
        if (inserted.has(key) && !claimed.has(key)) {
          claimed.add(key);
          result.inserted.push(row.idempotencyKey);
        } else {
          result.duplicates.push(row.idempotencyKey);
        }
      }
      pending.resolve(result);
    }
  }
}

const globalForWriter = globalThis as unknown as { __tollgateLedgerWriter?: { db: DbHandle; writer: LedgerWriter } };

/** The process-wide writer for a database handle. */
export function ledgerWriter(db: DbHandle): LedgerWriter {
  const current = globalForWriter.__tollgateLedgerWriter;
  if (current && current.db === db) return current.writer;
  const writer = new LedgerWriter(db);
  globalForWriter.__tollgateLedgerWriter = { db, writer };
  return writer;
}
