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
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** `COPY <table> (<columns>) FROM STDIN` in text format, streaming the given lines (tab-separated, `\\N` for null). */
  copyIn(table: string, columns: readonly string[], lines: Iterable<string>): Promise<void>;
  /** Runs `fn` while holding a cluster-wide advisory lock (a no-op guard on PGlite, which has one client). */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

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
    });
    const db = drizzle(client, { schema, casing: 'snake_case' }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      query: async <T,>(text: string, params: unknown[] = []) =>
        (await client.unsafe(text, params.map(arrayParam) as never[])) as unknown as T[],
      copyIn: async (table, columns, lines) => {
        const { Readable } = await import('node:stream');
        const { pipeline } = await import('node:stream/promises');
        const writable = await client.unsafe(`copy ${table} (${columns.join(', ')}) from stdin`).writable();
        await pipeline(Readable.from(chunked(lines)), writable);
      },
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
    copyIn: async (table, columns, lines) => {
      await client.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob'`, [], {
        blob: new Blob([...chunked(lines)]),
      });
    },
    withAdvisoryLock: (_key, fn) => fn(),
    close: () => client.close(),
  };
}

/** Groups lines into ~1 MB strings for COPY. */
function* chunked(lines: Iterable<string>): Generator<string> {
  let buffer = '';
  for (const line of lines) {
    buffer += `${line}\n`;
    if (buffer.length >= 1 << 20) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

/**
 * postgres.js cannot bind a plain JS array through `unsafe`; queries cast
 * their array parameters (`$1::text[]`, `$2::int8[]`), so the array travels as
 * a Postgres array literal. PGlite binds arrays itself.
 */
export function arrayParam(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const items = value.map((item: unknown) => {
    if (item === null || item === undefined) return 'NULL';
    const text = item instanceof Date ? item.toISOString() : String(item);
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
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
