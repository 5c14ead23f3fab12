/**
 * The one way rows enter the ledger (usage ingest and the gateway).
 *
 * Group commit: writes that arrive while a commit is in flight queue up and
 * go in together with the next one, as one statement. A caller's promise
 * resolves only after its rows are committed. The statement inserts the rows
 * (a duplicate idempotency key is skipped, never counted twice) and adds the
 * inserted rows, and only those, to every rollup of `db/rollups.ts`,
 * atomically: rollups equal the raw ledger at every commit. If a combined
 * commit fails, each caller's rows are retried on their own so one bad write
 * cannot sink others.
 *
 * The bulk path (`bulkInsertLedgerRows`) keeps the same rules for imports and
 * backfills, in chunks of COPY'd rows; see its comment.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { DbHandle } from '@/db/client';
import { ROLLUP_SOURCE_COLUMNS, ROLLUPS, rollupUpsertSql } from '@/db/rollups';
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

type ColumnType = 'text' | 'timestamptz' | 'int4' | 'int8' | 'float4';

const COLUMNS: [keyof LedgerRowInput, string, ColumnType][] = [
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
const COLUMN_LIST = COLUMN_NAMES.join(', ');

/** Every rollup upsert as a CTE over `source`, comma-separated. */
function rollupCtes(source: string): string {
  return ROLLUPS.map((rollup, i) => `rollup_${i} as (${rollupUpsertSql(rollup, source)})`).join(',\n');
}

/**
 * One statement: insert the rows of `source` (duplicates skipped), then add
 * exactly the inserted rows to every rollup.
 */
function insertSql(source: string, result = 'select organisation_id, idempotency_key from ins'): string {
  return `
with input as (${source}), ins as (
  insert into ledger_events (${COLUMN_LIST})
  select ${COLUMN_LIST} from input
  on conflict do nothing
  returning idempotency_key, ${ROLLUP_SOURCE_COLUMNS.join(', ')}
),
${rollupCtes('ins')}
${result}`;
}

const INSERT_FROM_PARAMS_SQL = insertSql(
  `select * from unnest(${COLUMNS.map(([, , type], i) => `$${i + 1}::${type}[]`).join(', ')}) as t(${COLUMN_LIST})`,
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

const COPY_SPECIAL = /[\\\t\n\r]/;
const NULL_FIELD = '\\N';

/** A text value in COPY text format: backslash, tab, newline and carriage return escaped. */
function copyText(text: string): string {
  if (!COPY_SPECIAL.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** COPY text encoders by column type (`\N` for null); numbers and dates never need escaping. */
const COPY_ENCODERS: Record<ColumnType, (value: unknown) => string> = {
  text: (value) => (value == null ? NULL_FIELD : copyText(typeof value === 'string' ? value : String(value))),
  timestamptz: (value) => (value == null ? NULL_FIELD : value instanceof Date ? value.toISOString() : copyText(String(value))),
  int4: (value) => (value == null ? NULL_FIELD : typeof value === 'number' ? `${value}` : copyText(String(value))),
  int8: (value) => (value == null ? NULL_FIELD : typeof value === 'bigint' || typeof value === 'number' ? `${value}` : copyText(String(value))),
  float4: (value) => (value == null ? NULL_FIELD : typeof value === 'number' ? `${value}` : copyText(String(value))),
};

const COPY_KEYS = COLUMNS.map(([key]) => key);
const COPY_DEFAULTS = COPY_KEYS.map((key) => DEFAULTS[key] ?? null);
const COPY_FIELDS = COLUMNS.map(([, , type]) => COPY_ENCODERS[type]);

/**
 * Rows [from, to) as COPY text lines, in `COLUMNS` order, defaults applied.
 * Each line is one flat string joined from its fields: half the CPU and
 * garbage of concatenating them (see `npm run bench -- ledger`).
 */
function* copyLines(rows: readonly LedgerRowInput[], from: number, to: number): Generator<string> {
  const fields = new Array<string>(COPY_KEYS.length);
  for (let r = from; r < to; r++) {
    const row = rows[r]!;
    for (let c = 0; c < COPY_KEYS.length; c++) fields[c] = COPY_FIELDS[c]!(row[COPY_KEYS[c]!] ?? COPY_DEFAULTS[c]);
    yield fields.join('\t');
  }
}

/** A chunk of a bulk write: rows [from, to) of the caller's array. */
export interface BulkChunk {
  from: number;
  to: number;
  /** Rows of the chunk that were new (the rest were duplicates); committed together. */
  inserted: number;
}

/**
 * A bulk write that stopped part-way. Every chunk is one transaction: the
 * chunks in `committed` are in the ledger and its rollups, entirely; the
 * others were rolled back (unless the connection dropped while one was
 * committing). Re-sending the whole batch is safe either way: rows already
 * in come back as duplicates.
 */
export class LedgerBulkWriteError extends Error {
  constructor(
    readonly committed: BulkChunk[],
    readonly failed: { from: number; to: number; cause: unknown },
  ) {
    super(`bulk ledger write failed at rows ${failed.from}-${failed.to - 1}; ${committed.length} chunk(s) committed`, {
      cause: failed.cause,
    });
    this.name = 'LedgerBulkWriteError';
  }
}

/** Milliseconds per phase of the bulk path, summed over its chunks (which overlap when concurrent). */
export interface BulkPhaseTimes {
  /** Encoding the rows and COPY into the staging table. */
  copy: number;
  /** The fast path's INSERT into the ledger. */
  insert: number;
  /** The fast path's rollup upserts. */
  rollups: number;
  /** Chunks redone with ON CONFLICT DO NOTHING because some of their rows were duplicates. */
  fallback: number;
}

export interface BulkInsertOptions {
  /** Rows per chunk; each chunk commits on its own (default 50,000). */
  chunkRows?: number;
  /** Chunks in flight at once, each on its own connection (default 2 on a server, 1 on PGlite). */
  concurrency?: number;
  /** If given, time spent per phase is added to it (benchmarks). */
  times?: BulkPhaseTimes;
}

/**
 * Settings for the statements of one chunk: the rollups hash-aggregate in
 * memory (with no statistics on a fresh staging table the planner would sort
 * every chunk once per rollup instead, twice as slow), and no JIT compile for
 * a plan that runs once.
 */
const CHUNK_SETTINGS = ["set local work_mem = '64MB'", 'set local jit = off', 'set local enable_sort = off'];

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === UNIQUE_VIOLATION) return true;
  }
  return false;
}

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

/**
 * Moves one staged chunk into the ledger, in one transaction. Fast path: a
 * plain INSERT (no per-row conflict handling) and the rollups aggregated
 * straight from the staging table. If any row is already in the ledger (or
 * twice in the chunk) the unique indexes reject the INSERT, nothing of the
 * chunk is kept, and it is redone with ON CONFLICT DO NOTHING and rollups of
 * the rows actually inserted. Returns how many rows were new.
 */
async function moveStaged(db: DbHandle, stage: string, rows: number, times?: BulkPhaseTimes): Promise<number> {
  try {
    await db.db.transaction(async (tx) => {
      for (const setting of CHUNK_SETTINGS) await tx.execute(sql.raw(setting));
      const start = performance.now();
      await tx.execute(sql.raw(`insert into ledger_events (${COLUMN_LIST}) select ${COLUMN_LIST} from ${stage}`));
      const inserted = performance.now();
      await tx.execute(sql.raw(`with ${rollupCtes(stage)} select 1`));
      if (times) {
        times.insert += inserted - start;
        times.rollups += performance.now() - inserted;
      }
    });
    return rows;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  const start = performance.now();
  const inserted = await db.db.transaction(async (tx) => {
    for (const setting of CHUNK_SETTINGS) await tx.execute(sql.raw(setting));
    const result = await tx.execute(sql.raw(insertSql(`select * from ${stage}`, 'select count(*)::int as n from ins')));
    return Number(rowsOf<{ n: number | string }>(result)[0]?.n ?? 0);
  });
  if (times) times.fallback += performance.now() - start;
  return inserted;
}

/**
 * The bulk path, for imports and backfills. The rows go in chunks; for each,
 * COPY into an unlogged staging table, then one transaction moves them into
 * the ledger and adds them to every rollup, with the same idempotency rules
 * as `insertLedgerRows` (see `moveStaged`). Chunks run `concurrency` at a
 * time on their own connections. Returns how many rows were new; if a chunk
 * fails, the chunks not yet started are skipped and a `LedgerBulkWriteError`
 * says which chunks were committed.
 */
export async function bulkInsertLedgerRows(
  db: DbHandle,
  rows: readonly LedgerRowInput[],
  options: BulkInsertOptions = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  const chunkRows = Math.max(1, options.chunkRows ?? 50_000);
  const chunks: { from: number; to: number }[] = [];
  for (let from = 0; from < rows.length; from += chunkRows) chunks.push({ from, to: Math.min(rows.length, from + chunkRows) });
  const concurrency = Math.max(1, Math.min(chunks.length, options.concurrency ?? (db.kind === 'pglite' ? 1 : 2)));
  const committed: BulkChunk[] = [];
  let failed: { from: number; to: number; cause: unknown } | null = null;
  let next = 0;

  const worker = async () => {
    let stage: string | null = null;
    try {
      while (!failed && next < chunks.length) {
        const chunk = chunks[next++]!;
        try {
          if (stage) {
            await db.query(`truncate ${stage}`);
          } else {
            stage = `ledger_stage_${randomBytes(6).toString('hex')}`;
            await db.query(`create unlogged table ${stage} (${COLUMNS.map(([, name, type]) => `${name} ${type}`).join(', ')})`);
          }
          const start = performance.now();
          await db.copyIn(stage, COLUMN_NAMES, copyLines(rows, chunk.from, chunk.to));
          if (options.times) options.times.copy += performance.now() - start;
          committed.push({ ...chunk, inserted: await moveStaged(db, stage, chunk.to - chunk.from, options.times) });
        } catch (cause) {
          failed ??= { ...chunk, cause };
        }
      }
    } finally {
      if (stage) await db.query(`drop table if exists ${stage}`);
    }
  };
  // Chunk failures are recorded in `failed`; a worker rejects only if dropping its staging table failed.
  const cleanup = (await Promise.allSettled(Array.from({ length: concurrency }, worker))).find((r) => r.status === 'rejected');
  if (failed) throw new LedgerBulkWriteError(committed.sort((a, b) => a.from - b.from), failed);
  if (cleanup) throw cleanup.reason;
  return committed.reduce((n, c) => n + c.inserted, 0);
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
