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
import type { DbHandle, RawTransaction } from '@/db/client';
import { DEADLOCK, hasDbCode, isTransientDbError, UNIQUE_VIOLATION } from '@/db/errors';
import { ROLLUP_SOURCE_COLUMNS, ROLLUPS, rollupDeltas, rollupDeltaUpsertSql, rollupUpsertSql } from '@/db/rollups';
import { COLUMN_LIST, COLUMN_NAMES, COLUMNS, DEFAULTS, type LedgerRowInput } from './ledger-columns';
import { countingAgainstBudgets } from './governance/usage-counting';
import { binaryCopyData } from './ledger-copy';

export type { LedgerRowInput } from './ledger-columns';

export interface WriteResult {
  /** Idempotency keys written by this call. */
  inserted: string[];
  /** Idempotency keys that were already in the ledger (or earlier in the same batch). */
  duplicates: string[];
}


/** Every rollup upsert as a CTE over `source`, comma-separated. */
function rollupCtes(source: string): string {
  return ROLLUPS.map((rollup, i) => `rollup_${i} as (${rollupUpsertSql(rollup, source)})`).join(',\n');
}

/**
 * One statement: insert the rows of `source` (duplicates skipped), then add
 * exactly the inserted rows to every rollup.
 */
function insertSql(source: string, result = 'select organisation_id, idempotency_key from ins', recordedAtParam: string | null = null): string {
  return `
with input as (${source}), ins as (
  insert into ledger_events (${COLUMN_LIST}${recordedAtParam ? ', recorded_at' : ''})
  select ${COLUMN_LIST}${recordedAtParam ? `, ${recordedAtParam}::timestamptz` : ''} from input
  on conflict do nothing
  returning idempotency_key, ${ROLLUP_SOURCE_COLUMNS.join(', ')}
),
${rollupCtes('ins')}
${result}`;
}

const INSERT_FROM_PARAMS_SQL = insertSql(
  `select * from unnest(${COLUMNS.map(([, , type], i) => `$${i + 1}::${type}[]`).join(', ')}) as t(${COLUMN_LIST})`,
  undefined,
  `$${COLUMNS.length + 1}`,
);

/** The rows of `ids` that a commit attempt stamped `stamps` wrote (see `recordingStamp`). */
const WRITTEN_BY_SQL = `select organisation_id, idempotency_key from ledger_events where id = any($1::text[]) and recorded_at = any($2::timestamptz[])`;

let lastStampMs = 0;

/**
 * A `recorded_at` for one commit attempt, unique to it: milliseconds that
 * never repeat in this process, plus random microseconds against other
 * processes. When a commit fails in a way that leaves it unknown whether it
 * went in (the connection dropped), its rows can later be told from rows
 * another write had already put there: they carry this stamp.
 */
function recordingStamp(): string {
  lastStampMs = Math.max(Date.now(), lastStampMs + 1);
  const micros = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  return new Date(lastStampMs).toISOString().replace('Z', `${micros}Z`);
}

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

/**
 * Work that must commit with a ledger write or not at all (usage ingest
 * counts its new rows against budgets). `prepare` runs before the
 * transaction, on every row handed in; `apply` inside it, after the insert,
 * on the rows that insert added (first claims only, never a duplicate); and
 * `committed` once the transaction is in, with what `apply` returned.
 */
export interface LedgerCommitHook<P = unknown, R = unknown> {
  prepare(rows: readonly LedgerRowInput[]): Promise<P>;
  apply(tx: RawTransaction, inserted: readonly LedgerRowInput[], prepared: P): Promise<R>;
  committed(result: R): void;
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
  /** Encoding the rows and COPY into the ledger. */
  copy: number;
  /** Summing the rollup groups in Node and upserting them. */
  rollups: number;
  /** Chunks redone through a staging table because some of their rows were duplicates. */
  fallback: number;
}

export interface BulkInsertOptions {
  /** Rows per chunk; each chunk commits on its own (default 50,000). */
  chunkRows?: number;
  /** Chunks in flight at once, each on its own connection (default 2 on a server, 1 on PGlite). */
  concurrency?: number;
  /** If given, time spent per phase is added to it (benchmarks). */
  times?: BulkPhaseTimes;
  /** Runs in each chunk's transaction on the rows it inserted (chunks may commit out of order). */
  hook?: LedgerCommitHook;
}

/**
 * Settings for the fallback's statement: the rollups hash-aggregate in memory
 * (with no statistics on a fresh staging table the planner would sort every
 * chunk once per rollup instead, twice as slow), and no JIT compile for a
 * plan that runs once.
 */
const FALLBACK_SETTINGS = ["set local work_mem = '64MB'", 'set local jit = off', 'set local enable_sort = off'];

const dedupeKey = (organisationId: string, key: string) => `${organisationId}\u0000${key}`;

/**
 * Tells, row by row in write order, which rows a statement inserted, from the
 * keys it returned: a key belongs to the first row that carries it; a later
 * row with the same key (in the same write, or a later caller's) was a
 * duplicate.
 */
function firstClaims(inserted: ReadonlySet<string>): (row: LedgerRowInput) => boolean {
  const claimed = new Set<string>();
  return (row) => {
    const key = dedupeKey(row.organisationId, row.idempotencyKey);
    if (!inserted.has(key) || claimed.has(key)) return false;
    claimed.add(key);
    return true;
  };
}

const isUniqueViolation = (error: unknown) => hasDbCode(error, UNIQUE_VIOLATION);

/**
 * The order rollup rows are locked in. A one-statement write (the group
 * commit, the bulk fallback) runs its rollup CTEs last-declared first
 * (PostgreSQL finishes auxiliary ModifyTable nodes in reverse order of
 * initialisation), so statements built from `ROLLUPS` lock them in reverse;
 * the bulk path's separate upserts follow the same order. Every upsert sorts
 * its rows by key. Should a deadlock still happen, the chunk is retried.
 */
const ROLLUP_LOCK_ORDER = ROLLUPS.map((rollup) => rollup.table).reverse();
const DEADLOCK_RETRIES = 3;

/**
 * One chunk, in one transaction. Fast path: COPY straight into the ledger,
 * then the chunk's rollup groups, summed in Node, upserted. If any row is
 * already in the ledger (or twice in the chunk) the primary key rejects the
 * COPY and nothing of the chunk is kept; `insertThroughStage` redoes it.
 * The hook, if any, runs last in the same transaction. Returns the rows that
 * were new.
 */
async function writeChunk(
  db: DbHandle,
  rows: readonly LedgerRowInput[],
  chunk: { from: number; to: number },
  stage: () => Promise<string>,
  options: Pick<BulkInsertOptions, 'times' | 'hook'>,
): Promise<readonly LedgerRowInput[]> {
  const { times, hook } = options;
  const prepared = hook ? await hook.prepare(rows.slice(chunk.from, chunk.to)) : undefined;
  let result: unknown;
  try {
    result = await db.rawTransaction(async (tx) => {
      const start = performance.now();
      await tx.copyIn('ledger_events', COLUMN_NAMES, binaryCopyData(rows, chunk.from, chunk.to));
      const copied = performance.now();
      // The same table order as the one-statement writes (see ROLLUP_LOCK_ORDER), so concurrent writers lock rollup rows alike.
      const deltas = rollupDeltas(rows, chunk.from, chunk.to);
      for (const table of ROLLUP_LOCK_ORDER) {
        const delta = deltas.find((d) => d.rollup.table === table);
        if (delta) await tx.query(rollupDeltaUpsertSql(delta.rollup), delta.params);
      }
      if (times) {
        times.copy += copied - start;
        times.rollups += performance.now() - copied;
      }
      return hook?.apply(tx, rows.slice(chunk.from, chunk.to), prepared);
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const start = performance.now();
    const inserted = await insertThroughStage(db, await stage(), rows, chunk, hook, prepared);
    if (times) times.fallback += performance.now() - start;
    return inserted;
  }
  hook?.committed(result);
  return rows.slice(chunk.from, chunk.to);
}

/**
 * The slow path for a chunk holding duplicates: COPY into an unlogged staging
 * table, then one transaction inserts with ON CONFLICT DO NOTHING, adds the
 * rows actually inserted, and only those, to the rollups, and runs the hook
 * on them.
 */
async function insertThroughStage(
  db: DbHandle,
  stage: string,
  rows: readonly LedgerRowInput[],
  chunk: { from: number; to: number },
  hook: LedgerCommitHook | undefined,
  prepared: unknown,
): Promise<readonly LedgerRowInput[]> {
  await db.query(`truncate ${stage}`);
  await db.copyIn(stage, COLUMN_NAMES, binaryCopyData(rows, chunk.from, chunk.to));
  const { inserted, result } = await db.rawTransaction(async (tx) => {
    for (const setting of FALLBACK_SETTINGS) await tx.query(setting);
    const keys = await tx.query<{ organisation_id: string; idempotency_key: string }>(insertSql(`select * from ${stage}`));
    const inserted = rows.slice(chunk.from, chunk.to).filter(firstClaims(new Set(keys.map((k) => dedupeKey(k.organisation_id, k.idempotency_key)))));
    return { inserted, result: await hook?.apply(tx, inserted, prepared) };
  });
  hook?.committed(result);
  return inserted;
}

/** Runs a whole transaction again when PostgreSQL broke a deadlock by aborting it (nothing of it was kept). */
async function withDeadlockRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= DEADLOCK_RETRIES || !hasDbCode(error, DEADLOCK)) throw error;
    }
  }
}

/**
 * The bulk path, for imports and backfills. The rows go in chunks, each in
 * one transaction that writes them to the ledger and every rollup, with the
 * same idempotency rules as `insertLedgerRows` (see `writeChunk`). Chunks run
 * `concurrency` at a time on their own connections. Returns how many rows
 * were new; if a chunk fails, the chunks not yet started are skipped and a
 * `LedgerBulkWriteError` says which chunks were committed.
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
    const stageTable = async () => {
      if (!stage) {
        const name = `ledger_stage_${randomBytes(6).toString('hex')}`;
        await db.query(`create unlogged table ${name} (${COLUMNS.map(([, column, type]) => `${column} ${type}`).join(', ')})`);
        stage = name;
      }
      return stage;
    };
    try {
      while (!failed && next < chunks.length) {
        const chunk = chunks[next++]!;
        try {
          const inserted = await withDeadlockRetry(() => writeChunk(db, rows, chunk, stageTable, options));
          committed.push({ ...chunk, inserted: inserted.length });
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

/** Inserts rows and their rollup increments in one statement (on its own, or in `db`'s transaction); returns the keys that were new. */
export async function insertLedgerRows(db: Pick<RawTransaction, 'query'>, rows: readonly LedgerRowInput[], stamp: string = recordingStamp()): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await db.query<{ organisation_id: string; idempotency_key: string }>(INSERT_FROM_PARAMS_SQL, [...columnArrays(rows), stamp], { prepare: true });
  return new Set(inserted.map((r) => dedupeKey(r.organisation_id, r.idempotency_key)));
}

/** Of `rows`, those an earlier, in-doubt commit attempt (one of `stamps`) did write, as dedupe keys. */
async function writtenBy(db: DbHandle, rows: readonly LedgerRowInput[], stamps: readonly string[]): Promise<Set<string>> {
  if (rows.length === 0 || stamps.length === 0) return new Set();
  const found = await db.query<{ organisation_id: string; idempotency_key: string }>(WRITTEN_BY_SQL, [rows.map((r) => r.id), [...stamps]]);
  return new Set(found.map((r) => dedupeKey(r.organisation_id, r.idempotency_key)));
}

interface Pending {
  rows: readonly LedgerRowInput[];
  /** When it was handed in (performance.now()), for the linger. */
  at: number;
  /** Stamps of commit attempts that failed with these rows in a way that may have committed them anyway. */
  inDoubt?: string[];
  resolve(result: WriteResult): void;
  reject(error: unknown): void;
}

export interface LedgerWriterOptions {
  /** Rows per commit at most (default 5,000). */
  maxRowsPerCommit?: number;
  /**
   * > 0 holds each commit until its oldest write is that old, for more writes
   * to join it: for callers that do not wait on the commit (the gateway),
   * many calls share one statement, under load too (a commit's fixed cost is
   * paid once per linger, not once per handful of calls). A full commit
   * (`maxRowsPerCommit`) goes at once. Callers that wait (usage ingest) use
   * the default, 0.
   */
  lingerMs?: number;
  /**
   * Keep rows through a database outage: a commit that fails with a
   * transient error (see `isTransientDbError`) is retried, with backoff up to
   * `maxRetryDelayMs`, until it goes in, holding later writes behind it in
   * order. For writers nobody waits on (the gateway), whose rows would
   * otherwise be lost. A retried commit that had in fact gone in inserts
   * nothing twice: duplicates are skipped. Default off: a waiting caller gets
   * the error instead.
   */
  keepThroughOutages?: boolean;
  maxRetryDelayMs?: number;
  /** Runs in each commit's transaction on the rows it inserted (usage ingest's budget counting). */
  hook?: LedgerCommitHook;
}

const FIRST_RETRY_DELAY_MS = 50;

export class LedgerWriter {
  private queue: Pending[] = [];
  private draining = false;
  private readonly maxRowsPerCommit: number;
  private readonly lingerMs: number;
  private readonly keepThroughOutages: boolean;
  private readonly maxRetryDelayMs: number;
  private readonly hook: LedgerCommitHook | undefined;
  /** Commits so far, rows in them, and commits retried after a transient failure (metrics, benchmarks). */
  readonly stats = { commits: 0, rows: 0, maxBatch: 0, retries: 0 };

  constructor(
    private readonly db: DbHandle,
    options: LedgerWriterOptions = {},
  ) {
    this.maxRowsPerCommit = options.maxRowsPerCommit ?? 5_000;
    this.lingerMs = options.lingerMs ?? 0;
    this.keepThroughOutages = options.keepThroughOutages ?? false;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.hook = options.hook;
  }

  /** Rows handed in and not yet committed (or failed). */
  get pendingRows(): number {
    return this.queue.reduce((n, p) => n + p.rows.length, 0) + this.inFlightRows;
  }

  private inFlightRows = 0;

  write(rows: readonly LedgerRowInput[]): Promise<WriteResult> {
    if (rows.length === 0) return Promise.resolve({ inserted: [], duplicates: [] });
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ rows, at: performance.now(), resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  /**
   * Resolves once every write handed in so far has committed or failed
   * (shutdown, tests), or once `timeoutMs` has passed; returns the rows still
   * pending then (non-zero only when the database stayed unreachable).
   */
  async flush(timeoutMs = Infinity): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while ((this.draining || this.queue.length > 0) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return this.pendingRows;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        await this.linger();
        const batch: Pending[] = [];
        let size = 0;
        while (this.queue.length > 0 && (batch.length === 0 || size + this.queue[0]!.rows.length <= this.maxRowsPerCommit)) {
          const next = this.queue.shift()!;
          batch.push(next);
          size += next.rows.length;
        }
        this.inFlightRows = size;
        try {
          await this.commitKeeping(batch);
        } finally {
          this.inFlightRows = 0;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Waits until the oldest queued write is `lingerMs` old, unless a full commit is already waiting. */
  private async linger(): Promise<void> {
    if (this.lingerMs <= 0) return;
    let queued = 0;
    for (const pending of this.queue) {
      queued += pending.rows.length;
      if (queued >= this.maxRowsPerCommit) return;
    }
    const wait = this.queue[0]!.at + this.lingerMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** `commit`, retried through transient failures when the writer keeps rows through outages. */
  private async commitKeeping(batch: Pending[], claimed?: Set<string>): Promise<void> {
    for (let failures = 0, delay = FIRST_RETRY_DELAY_MS; ; failures++, delay = Math.min(delay * 2, this.maxRetryDelayMs)) {
      try {
        await this.commit(batch, this.keepThroughOutages, claimed);
        if (failures > 0) console.error(`[tollgate] ledger commit went in after ${failures} failed attempt(s)`);
        return;
      } catch (error) {
        // Only a transient failure of the whole batch reaches here (see `commit`).
        this.stats.retries += 1;
        if (failures % 20 === 0) {
          const rows = batch.reduce((n, p) => n + p.rows.length, 0);
          const reason = error instanceof Error ? error.message : String(error);
          console.error(`[tollgate] ledger commit of ${rows} row(s) failed (attempt ${failures + 1}: ${reason}); keeping the rows and retrying`);
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Commits a batch and settles its callers. If the combined commit fails,
   * each caller's rows are tried on their own, so one bad write cannot sink
   * the others. With `rethrowTransient`, a transient failure is thrown
   * instead, settling nobody, for the caller to retry the whole batch.
   * Every attempt stamps its rows' `recorded_at` (`recordingStamp`): after a
   * transient failure, which may have committed, the next attempt counts the
   * rows carrying an earlier stamp as its own inserts, not as duplicates.
   * `claimed` is given to the parts of a split batch: the keys earlier parts
   * already took as their own.
   */
  private async commit(batch: Pending[], rethrowTransient: boolean, claimed?: Set<string>): Promise<void> {
    let inserted: Set<string>;
    const stamp = recordingStamp();
    const rows = batch.flatMap((p) => p.rows);
    let afterCommit: (() => void) | null = null;
    try {
      if (this.hook) {
        const hook = this.hook;
        const prepared = await hook.prepare(rows);
        const done = await this.db.rawTransaction(async (tx) => {
          const keys = await insertLedgerRows(tx, rows, stamp);
          // Only what this statement inserted: rows an earlier in-doubt attempt wrote were handled in its own transaction.
          return { keys, result: await hook.apply(tx, rows.filter(firstClaims(keys)), prepared) };
        });
        inserted = done.keys;
        afterCommit = () => hook.committed(done.result);
      } else {
        inserted = await insertLedgerRows(this.db, rows, stamp);
      }
      // Rows an earlier attempt wrote before its connection dropped come back as duplicates now: they are this batch's own.
      const earlier = batch.flatMap((p) => p.inDoubt ?? []);
      if (earlier.length > 0) {
        // `claimed`: keys an earlier part of the same split batch already took as its own (a twin sent by two callers goes to one).
        for (const key of await writtenBy(this.db, rows.filter((r) => !inserted.has(dedupeKey(r.organisationId, r.idempotencyKey))), earlier)) {
          if (!claimed?.has(key)) inserted.add(key);
        }
      }
    } catch (error) {
      const transient = isTransientDbError(error);
      if (transient) for (const pending of batch) (pending.inDoubt ??= []).push(stamp);
      if (rethrowTransient && transient) throw error;
      if (batch.length === 1) {
        // One more try for a lone caller after a dropped connection: if the failed attempt had in fact gone in,
        // the retry finds its rows by their stamp and reports them written (so their spend is counted), not duplicates.
        if (transient && batch[0]!.inDoubt!.length === 1) return this.commit(batch, false, claimed);
        batch[0]!.reject(error);
        return;
      }
      const parts = claimed ?? new Set<string>();
      for (const pending of batch) await this.commitKeeping([pending], parts);
      return;
    }
    afterCommit?.();
    this.stats.commits += 1;
    this.stats.rows += inserted.size;
    this.stats.maxBatch = Math.max(this.stats.maxBatch, batch.length);
    // A key inserted by this commit belongs to the first caller that sent it; later senders see a duplicate.
    if (claimed) for (const key of inserted) claimed.add(key);
    const isNew = firstClaims(inserted);
    for (const pending of batch) {
      const result: WriteResult = { inserted: [], duplicates: [] };
      for (const row of pending.rows) (isNew(row) ? result.inserted : result.duplicates).push(row.idempotencyKey);
      pending.resolve(result);
    }
  }
}

const globalForWriter = globalThis as unknown as { __tollgateLedgerWriter?: { db: DbHandle; writer: LedgerWriter } };

/** The process-wide writer (usage ingest's), if one was made: shutdown flushes it. */
export function currentLedgerWriter(): LedgerWriter | null {
  return globalForWriter.__tollgateLedgerWriter?.writer ?? null;
}

/** The process-wide writer for a database handle (usage ingest's): each commit counts its new rows against budgets. */
export function ledgerWriter(db: DbHandle): LedgerWriter {
  const current = globalForWriter.__tollgateLedgerWriter;
  if (current && current.db === db) return current.writer;
  const writer = new LedgerWriter(db, { hook: countingAgainstBudgets(db) });
  globalForWriter.__tollgateLedgerWriter = { db, writer };
  return writer;
}
