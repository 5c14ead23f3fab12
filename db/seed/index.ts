/**
 * Seeds the demo organisation: generates the rows (see generate.ts), inserts
 * them with multi-row INSERTs in one transaction, and rebuilds the hourly
 * rollups in the same transaction, so a seed is all-or-nothing.
 */
import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { shippedCatalog } from '@/db/catalog';
import type { Db, DbHandle } from '@/db/client';
import { rebuildKeyRollups, rebuildRollups } from '@/db/rollups';
import * as schema from '@/db/schema';
import type { ConvertedFeed } from '@/lib/engine/catalog-feed';
import { apiKeyPrefix, generateApiKey, hashApiKey, hashPassword } from '@/lib/auth/secrets';
import {
  DEFAULT_DAYS,
  DEFAULT_DEMO_PASSWORD,
  DEFAULT_EVENTS,
  DEFAULT_SEED,
  DEMO_ADMIN_KEY_ID,
  DEMO_AGENT_KEY_ID,
  ORG_ID,
} from './fixtures';
import { generateDemoData, type DemoData } from './generate';

export interface SeedOptions {
  seed?: number;
  days?: number;
  events?: number;
  /** The end of the generated history; defaults to the current time. */
  now?: Date;
  /** Password of the demo sign-ins; defaults to DEFAULT_DEMO_PASSWORD. */
  demoPassword?: string;
  /** Secret of the Claims agent key (DEMO_AGENT_KEY_ID); generated when omitted. */
  demoKey?: string;
  /** Secret of the ops admin key (DEMO_ADMIN_KEY_ID); generated when omitted. */
  adminKey?: string;
  /** Called after each step with its duration, for progress output. */
  onStep?: (step: string, ms: number) => void;
  /** The public price catalog to seed beside the built-in models; defaults to the shipped feed (db/catalog), null for none. */
  catalogFeed?: Pick<ConvertedFeed, 'models' | 'prices'> | null;
}

export interface SeedResult {
  demoKey: string;
  adminKey: string;
  /** Rows written, by table name. */
  counts: Record<string, number>;
}

/**
 * Rows per INSERT statement. Values are written as SQL literals rather than
 * bind parameters: on PGlite a parameterised multi-row INSERT (and drizzle's
 * query builder in front of it) costs two to three times as much per row as the
 * same statement with literals, and literals sidestep Postgres's limit of
 * 65,535 bind parameters per statement. Every value is generated here or is a
 * hash, and all of them go through `literal`, which quotes and escapes.
 */
const ROWS_PER_STATEMENT = 5_000;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Rows from `execute`, whichever driver ran it (PGlite returns `{ rows }`, postgres.js an array). */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

function quote(text: string): string {
  if (!/['\\\0]/.test(text)) return `'${text}'`;
  if (text.includes('\0')) throw new Error('text values cannot contain NUL characters');
  const escaped = text.replace(/'/g, "''");
  // E'' strings read backslashes the same way whatever standard_conforming_strings says.
  return text.includes('\\') ? `E'${escaped.replace(/\\/g, '\\\\')}'` : `'${escaped}'`;
}

/** One value as a SQL literal; undefined takes the column default. */
export function literal(value: unknown): string {
  if (value === undefined) return 'DEFAULT';
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
      return String(value);
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'object':
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new RangeError('invalid date');
        return `'${value.toISOString()}'`;
      }
      return `${quote(JSON.stringify(value))}::jsonb`;
    default:
      throw new TypeError(`cannot write a ${typeof value} as SQL`);
  }
}

/** Multi-row INSERTs of `rows` into `table`, ROWS_PER_STATEMENT at a time. */
async function insertBatched<T extends PgTable>(tx: Tx, table: T, rows: readonly T['$inferInsert'][]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, name: column.name }));
  const head = `insert into "${getTableName(table)}" (${columns.map((c) => `"${c.name}"`).join(', ')}) values `;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const end = Math.min(i + ROWS_PER_STATEMENT, rows.length);
    const tuples: string[] = [];
    for (let r = i; r < end; r++) {
      const row = rows[r] as Record<string, unknown>;
      let tuple = '(';
      for (let c = 0; c < columns.length; c++) tuple += (c === 0 ? '' : ',') + literal(row[columns[c]!.key]);
      tuples.push(tuple + ')');
    }
    await tx.execute(sql.raw(head + tuples.join(',\n')));
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Runs `load` with the table's secondary indexes and foreign keys dropped,
 * then recreates them from their own catalog definitions (same names, same
 * columns; the foreign keys are validated over every row as they come back).
 * This is Postgres's advice for populating a table ("Populating a Database"):
 * it halves the cost of loading the ledger, on PGlite most of all. Being DDL
 * inside the caller's transaction, a failure anywhere rolls it all back.
 */
async function withoutIndexesAndForeignKeys(tx: Tx, table: string, load: () => Promise<void>): Promise<void> {
  const indexes = rowsOf<{ schema: string; name: string; def: string }>(
    await tx.execute(sql`
      select n.nspname as schema, i.relname as name, pg_get_indexdef(i.oid) as def
      from pg_index x
      join pg_class i on i.oid = x.indexrelid
      join pg_namespace n on n.oid = i.relnamespace
      where x.indrelid = ${table}::regclass
        and not x.indisprimary
        and not exists (select 1 from pg_constraint c where c.conindid = i.oid)
      order by i.relname`),
  );
  const foreignKeys = rowsOf<{ name: string; def: string }>(
    await tx.execute(sql`
      select conname as name, pg_get_constraintdef(oid) as def
      from pg_constraint
      where conrelid = ${table}::regclass and contype = 'f'
      order by conname`),
  );
  for (const fk of foreignKeys) await tx.execute(sql.raw(`alter table ${quoteIdent(table)} drop constraint ${quoteIdent(fk.name)}`));
  for (const index of indexes) await tx.execute(sql.raw(`drop index ${quoteIdent(index.schema)}.${quoteIdent(index.name)}`));
  await load();
  for (const index of indexes) await tx.execute(sql.raw(index.def));
  for (const fk of foreignKeys) {
    await tx.execute(sql.raw(`alter table ${quoteIdent(table)} add constraint ${quoteIdent(fk.name)} ${fk.def}`));
  }
}

/** True when the demo organisation exists. */
export async function isSeeded(handle: DbHandle): Promise<boolean> {
  const rows = await handle.query('select 1 from organisations where id = $1 limit 1', [ORG_ID]);
  return rows.length > 0;
}

const COUNTED_TABLES = [
  'organisations',
  'departments',
  'projects',
  'users',
  'api_keys',
  'models',
  'model_prices',
  'workflow_runs',
  'ledger_events',
  'ledger_hourly',
  'budgets',
] as const;

/** Row counts of the seeded tables, as they are in the database now. */
export async function seededCounts(handle: DbHandle): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of COUNTED_TABLES) {
    const [row] = await handle.query<{ n: number | string }>(`select count(*) as n from ${table}`);
    counts[table] = Number(row?.n ?? 0);
  }
  return counts;
}

/** Replaces the demo agent and admin keys' hash and prefix with those of the given secrets. */
function withKnownKeys(data: DemoData, demoKey: string, adminKey: string): DemoData {
  const apiKeys = data.apiKeys.map((key) => {
    if (key.id === DEMO_AGENT_KEY_ID) return { ...key, hash: hashApiKey(demoKey), prefix: apiKeyPrefix(demoKey) };
    if (key.id === DEMO_ADMIN_KEY_ID) return { ...key, hash: hashApiKey(adminKey), prefix: apiKeyPrefix(adminKey) };
    return key;
  });
  return { ...data, apiKeys };
}

/**
 * Generates and inserts the demo organisation into an empty database (run
 * the migrations first). Throws, writing nothing, if any insert fails, for
 * example because the organisation already exists.
 */
export async function seedDatabase(handle: DbHandle, options: SeedOptions = {}): Promise<SeedResult> {
  const demoKey = options.demoKey ?? generateApiKey();
  const adminKey = options.adminKey ?? generateApiKey();
  if (demoKey === adminKey) throw new Error('the demo agent key and the admin key must differ');

  let mark = performance.now();
  const step = (name: string) => {
    const at = performance.now();
    options.onStep?.(name, at - mark);
    mark = at;
  };

  const generated = generateDemoData({
    seed: options.seed ?? DEFAULT_SEED,
    days: options.days ?? DEFAULT_DAYS,
    events: options.events ?? DEFAULT_EVENTS,
    now: options.now ?? new Date(),
    catalogFeed: options.catalogFeed === undefined ? shippedCatalog() : (options.catalogFeed ?? undefined),
  });
  const data = withKnownKeys(generated, demoKey, adminKey);
  step('generate');

  const password = options.demoPassword ?? DEFAULT_DEMO_PASSWORD;
  const logins = new Set(data.loginUserIds);
  const users = data.users.map((user) => (logins.has(user.id) ? { ...user, passwordHash: hashPassword(password) } : user));
  step('hash passwords');

  const counts: Record<string, number> = {
    organisations: 1,
    departments: data.departments.length,
    projects: data.projects.length,
    users: users.length,
    api_keys: data.apiKeys.length,
    models: data.models.length,
    model_prices: data.modelPrices.length,
    workflow_runs: data.workflowRuns.length,
    ledger_events: data.ledgerEvents.length,
    ledger_hourly: 0,
    budgets: data.budgets.length,
  };

  await handle.db.transaction(async (tx) => {
    await insertBatched(tx, schema.organisations, [data.organisation]);
    await insertBatched(tx, schema.departments, data.departments);
    await insertBatched(tx, schema.projects, data.projects);
    await insertBatched(tx, schema.users, users);
    await insertBatched(tx, schema.apiKeys, data.apiKeys);
    await insertBatched(tx, schema.models, data.models);
    await insertBatched(tx, schema.modelPrices, data.modelPrices);
    // Price ids were given explicitly (built-in ones first, then the public catalog's): move the serial past them all.
    await tx.execute(
      sql`select setval(pg_get_serial_sequence('model_prices', 'id'), (select coalesce(max(id), 1) from model_prices))`,
    );
    await insertBatched(tx, schema.workflowRuns, data.workflowRuns);
    step('insert organisation, people, keys, catalog, workflow runs');
    await withoutIndexesAndForeignKeys(tx, getTableName(schema.ledgerEvents), () =>
      insertBatched(tx, schema.ledgerEvents, data.ledgerEvents),
    );
    step('insert ledger events');
    await insertBatched(tx, schema.budgets, data.budgets);
    await rebuildRollups(tx, { organisationId: ORG_ID });
    await rebuildKeyRollups(tx, { organisationId: ORG_ID });
    step('rebuild hourly rollups');
    const [row] = rowsOf<{ n: number | string }>(
      await tx.execute(sql`select count(*) as n from ledger_hourly where organisation_id = ${ORG_ID}`),
    );
    counts.ledger_hourly = Number(row?.n ?? 0);
  });
  step('commit');

  return { demoKey, adminKey, counts };
}

/** Every table of the public schema, for `--reset`. */
export async function truncateAll(handle: DbHandle): Promise<string[]> {
  const tables = (
    await handle.query<{ tablename: string }>(`select tablename from pg_tables where schemaname = 'public' order by tablename`)
  ).map((t) => t.tablename);
  if (tables.length === 0) return [];
  const list = tables.map(quoteIdent).join(', ');
  await handle.db.transaction(async (tx) => {
    await tx.execute(sql.raw(`truncate table ${list} restart identity cascade`));
  });
  return tables;
}
