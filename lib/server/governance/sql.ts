/**
 * Raw SQL inside a Drizzle transaction, on PGlite and postgres.js alike: the
 * quota store's statements are written with `$n` placeholders (as
 * `DbHandle.query` takes them) and bound here as Drizzle parameters. Arrays
 * travel as Postgres array literals and are cast in the SQL (`$1::text[]`);
 * bigints travel as text and are cast (`$2::int8`).
 */
import { sql, type SQL } from 'drizzle-orm';
import { arrayParam, type Db, type DbHandle, type RawTransaction } from '@/db/client';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Runs one statement and returns its rows. */
export type Exec = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

const PLACEHOLDER = /\$(\d+)/g;

function bind(text: string, params: readonly unknown[]): SQL {
  const chunks: SQL[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    chunks.push(sql.raw(text.slice(last, match.index)));
    const index = Number(match[1]) - 1;
    if (index < 0 || index >= params.length) throw new RangeError(`no parameter for ${match[0]}`);
    chunks.push(sql`${wire(params[index])}`);
    last = match.index + match[0].length;
  }
  chunks.push(sql.raw(text.slice(last)));
  return sql.join(chunks);
}

/** A parameter as both drivers accept it: arrays as literals, bigints and dates as text. */
export function wire(value: unknown): unknown {
  if (Array.isArray(value)) return arrayParam(value.map((v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  return value ?? null;
}

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

export function txExec(tx: Tx): Exec {
  return async <T,>(text: string, params: unknown[] = []) => rowsOf<T>(await tx.execute(bind(text, params)));
}

/** The same interface outside a transaction: each statement commits on its own. */
export function dbExec(db: DbHandle): Exec {
  return <T,>(text: string, params: unknown[] = []) => db.query<T>(text, params.map(wire));
}

/** The same interface inside a `DbHandle.rawTransaction`. */
export function rawTxExec(tx: RawTransaction): Exec {
  return <T,>(text: string, params: unknown[] = []) => tx.query<T>(text, params.map(wire));
}
