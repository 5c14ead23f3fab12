/**
 * The one database handle. With DATABASE_URL unset, Tollgate embeds PGlite
 * (Postgres compiled to WASM) with its data under TOLLGATE_DATA_DIR
 * (default ./.data); with it set, postgres.js talks to a PostgreSQL server.
 * Same schema, same migrations, same queries.
 *
 * The handle is created lazily on first use, never at import (`next build`
 * imports route modules), and kept on globalThis so the custom server and the
 * Next.js bundles in the same process share one PGlite instance.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DatabaseKind = 'pglite' | 'postgres';

export interface DbHandle {
  db: Db;
  kind: DatabaseKind;
  /** Runs raw SQL and returns its rows, the same shape for both drivers. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[], options?: QueryOptions): Promise<T[]>;
  /** `COPY <table> (<columns>) FROM STDIN (FORMAT binary)`, streaming the given bytes, on a connection of its own. */
  copyIn(table: string, columns: readonly string[], data: Iterable<Uint8Array<ArrayBuffer>>): Promise<void>;
  /** Runs `fn` in one transaction on one connection: raw queries and COPY both inside it. */
  rawTransaction<T>(fn: (tx: RawTransaction) => Promise<T>): Promise<T>;
  /** Runs `fn` while holding a cluster-wide advisory lock (a no-op guard on PGlite, which has one client). */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface QueryOptions {
  /**
   * Keep the statement parsed and planned on each server connection and reuse
   * it (a named prepared statement). Raw SQL is otherwise parsed and planned
   * on every call, which for the ledger's group commit cost PostgreSQL about
   * 2 ms of CPU per commit. Only for statements whose text never varies:
   * every distinct text stays prepared on its connection. PGlite ignores it.
   */
  prepare?: boolean;
}

/** One connection inside an open transaction. */
export interface RawTransaction {
  query<T = Record<string, unknown>>(text: string, params?: unknown[], options?: QueryOptions): Promise<T[]>;
  /** `COPY <table> (<columns>) FROM STDIN (FORMAT binary)`, streaming the given bytes. */
  copyIn(table: string, columns: readonly string[], data: Iterable<Uint8Array<ArrayBuffer>>): Promise<void>;
}

const copySql = (table: string, columns: readonly string[], source: string) =>
  `copy ${table} (${columns.join(', ')}) from ${source} (format binary)`;

export interface DbOptions {
  /** A postgres:// URL; undefined selects PGlite. */
  url?: string;
  /** PGlite data directory; `memory://` keeps it in memory (tests). */
  dataDir?: string;
}

export function dataDirectory(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.TOLLGATE_DATA_DIR ?? '.data');
}

export async function openDb(options: DbOptions = {}): Promise<DbHandle> {
  if (options.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const client = postgres(options.url, {
      max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
      onnotice: () => {},
      // No JIT compilation: on the large reads it triggers (a month's chargeback, per-session budgets) it cost
      // 0.2-1.6 s of compiling for 0.05-1 s of work at 10M ledger rows; the rest of the app's queries are short.
      connection: { jit: 'off' },
    });
    const db = drizzle(client, { schema, casing: 'snake_case' }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      query: async <T,>(text: string, params: unknown[] = [], options: QueryOptions = {}) =>
        (await client.unsafe(text, params.map(arrayParam) as never[], { prepare: options.prepare === true })) as unknown as T[],
      copyIn: (table, columns, data) => postgresCopyIn(client, table, columns, data),
      rawTransaction: async (fn) =>
        (await client.begin((tx) =>
          fn({
            query: async <T,>(text: string, params: unknown[] = [], options: QueryOptions = {}) =>
              (await tx.unsafe(text, params.map(arrayParam) as never[], { prepare: options.prepare === true })) as unknown as T[],
            copyIn: (table, columns, data) => postgresCopyIn(tx, table, columns, data),
          }),
        )) as Awaited<ReturnType<typeof fn>>,
      withAdvisoryLock: async (key, fn) => {
        const conn = await client.reserve();
        try {
          await conn`select pg_advisory_lock(${key})`;
          try {
            return await fn();
          } finally {
            await conn`select pg_advisory_unlock(${key})`;
          }
        } finally {
          conn.release();
        }
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const dir = options.dataDir ?? path.join(/*turbopackIgnore: true*/ dataDirectory(), 'pglite');
  if (!dir.startsWith('memory://')) fs.mkdirSync(dir, { recursive: true });
  const client = await PGlite.create(dir);
  const db = drizzle(client, { schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    query: async <T,>(text: string, params: unknown[] = []) => (await client.query<T>(text, params)).rows,
    copyIn: async (table, columns, data) => {
      await client.query(copySql(table, columns, "'/dev/blob'"), [], { blob: new Blob([...data]) });
    },
    rawTransaction: (fn) =>
      client.transaction((tx) =>
        fn({
          query: async <T,>(text: string, params: unknown[] = []) => (await tx.query<T>(text, params)).rows,
          copyIn: async (table, columns, data) => {
            await tx.query(copySql(table, columns, "'/dev/blob'"), [], { blob: new Blob([...data]) });
          },
        }),
      ),
    withAdvisoryLock: (_key, fn) => fn(),
    close: () => client.close(),
  };
}

/**
 * Streams binary COPY data through a postgres.js connection (the pool or a
 * transaction's). postgres.js 3.4 resolves the query with the writable as
 * soon as the server accepts the COPY, and when the server then rejects the
 * data (a unique violation, a null in a not-null column) it reports the error
 * only to the query's `reject` and never finishes the writable: left alone,
 * the pipeline would wait forever. So the query's `reject` is wrapped (it is
 * an instance property) and the error wins the race against the pipeline.
 */
async function postgresCopyIn(
  client: { unsafe(text: string): { writable(): Promise<import('node:stream').Writable> } },
  table: string,
  columns: readonly string[],
  data: Iterable<Uint8Array<ArrayBuffer>>,
): Promise<void> {
  const { Readable } = await import('node:stream');
  const { pipeline } = await import('node:stream/promises');
  // The typings do not declare `reject`; see above.
  const query = client.unsafe(copySql(table, columns, 'stdin')) as unknown as PostgresQuery;
  const rejected = new Promise<never>((_, reject) => {
    const original = query.reject;
    query.reject = (error: unknown) => {
      reject(error);
      original(error);
    };
  });
  rejected.catch(() => {});
  const writable = await Promise.race([query.writable(), rejected]);
  await Promise.race([pipeline(Readable.from(data), writable), rejected]);
}

/** The parts of a postgres.js query a COPY needs. */
interface PostgresQuery {
  writable(): Promise<import('node:stream').Writable>;
  reject: (error: unknown) => void;
}

const NEEDS_ESCAPE = /["\\]/;

/**
 * postgres.js cannot bind a plain JS array through `unsafe`; queries cast
 * their array parameters (`$1::text[]`, `$2::int8[]`), so the array travels as
 * a Postgres array literal. PGlite binds arrays itself.
 */
export function arrayParam(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  let literal = '{';
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (i > 0) literal += ',';
    if (item === null || item === undefined) {
      literal += 'NULL';
      continue;
    }
    const text = item instanceof Date ? item.toISOString() : String(item);
    // Most items (ids, numbers, times) hold neither character: skip the two replaces (the ledger's group commit sends hundreds a commit).
    literal += NEEDS_ESCAPE.test(text) ? `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `"${text}"`;
  }
  return `${literal}}`;
}

const globalForDb = globalThis as unknown as { __tollgateDb?: Promise<DbHandle> };

/** The process-wide handle, configured from the environment. */
export function getDb(): Promise<DbHandle> {
  globalForDb.__tollgateDb ??= openDb({ url: process.env.DATABASE_URL || undefined }).catch((error: unknown) => {
    globalForDb.__tollgateDb = undefined;
    throw error;
  });
  return globalForDb.__tollgateDb;
}

/** Installs a handle as the process-wide one (tests, the start script). */
export function setDb(handle: DbHandle): void {
  globalForDb.__tollgateDb = Promise.resolve(handle);
}

export async function closeDb(): Promise<void> {
  const pending = globalForDb.__tollgateDb;
  globalForDb.__tollgateDb = undefined;
  if (pending) await (await pending).close();
}
