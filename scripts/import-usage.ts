/**
 * Backfill usage from a file:
 *
 *   npm run usage:import -- <file> [--key <agent API key>] [--batch <events>]
 *
 * See USAGE below and lib/server/usage-import.ts.
 */
import fs from 'node:fs';
import { closeDb, getDb } from '@/db/client';
import { migrate } from '@/db/migrate';
import { can } from '@/lib/auth/permissions';
import { actorForApiKey } from '@/lib/http/authenticate';
import { fileLines, importUsage, jsonDocument, jsonLines, UsageImportFileError, UsageImportWriteError, type SourcedEvent } from '@/lib/server/usage-import';

const USAGE = `usage: npm run usage:import -- <file> [--key <agent API key>] [--batch <events>]

Imports usage events (last year's usage, say) into the ledger, each priced at
the prices in force at its own timestamp and attributed as POST /api/v1/usage
attributes it: to the key's department and project. <file> is JSON Lines
(.jsonl or .ndjson: one event per line) or a JSON document (a list of events,
or { "events": [...] }); each event has the shape POST /api/v1/usage takes:
{ "id", "timestamp", "provider", "model", "usage", "session"?, "workflow_run"?,
"task"?, "user"?, "project"? }. Events are idempotent by id: importing the same
file again adds nothing. A refused event writes nothing and is listed with its
line; the others are written.

--key    an agent API key (default: TOLLGATE_API_KEY)
--batch  events checked and written per batch (default 50000)

environment: DATABASE_URL, TOLLGATE_DATA_DIR, TOLLGATE_API_KEY. With the
embedded database, stop the server first (PGlite serves one process).
exit status: 0 all written, 2 some events refused, 1 stopped (bad arguments or
file, or the database failed part-way: the count written is printed, and running
the same command again finishes the import without writing anything twice).`;

const SHOWN_ERRORS = 20;

class UsageError extends Error {}

function parseArgs(argv: string[]): { file: string; key: string; batch: number } {
  let file: string | null = null;
  let key = process.env.TOLLGATE_API_KEY ?? '';
  let batch = 50_000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--key' || arg === '--batch') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      if (arg === '--key') key = value;
      else {
        batch = Number(value);
        if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`--batch must be a positive whole number, got ${value}`);
      }
    } else if (arg.startsWith('--')) throw new UsageError(`unknown flag ${arg}`);
    else if (file === null) file = arg;
    else throw new UsageError(`one file at a time (got ${file} and ${arg})`);
  }
  if (!file) throw new UsageError('name the file to import');
  if (!key) throw new UsageError('give an agent API key with --key or TOLLGATE_API_KEY');
  return { file, key, batch };
}

function eventsOf(file: string): AsyncIterable<SourcedEvent> | Iterable<SourcedEvent> {
  if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
  if (/\.(jsonl|ndjson)$/i.test(file)) {
    return jsonLines(fileLines(file));
  }
  return jsonDocument(fs.readFileSync(file, 'utf8'));
}

async function main(): Promise<number> {
  const { file, key, batch } = parseArgs(process.argv.slice(2));
  const events = eventsOf(file);
  const db = await getDb();
  try {
    await migrate(db);
    const actor = await actorForApiKey(db, key);
    if (!actor) throw new UsageError('the API key is unknown or revoked');
    if (!can(actor.role, 'usage.write')) throw new UsageError(`this key's role (${actor.role}) cannot write usage; use an agent key`);
    const started = performance.now();
    const result = await importUsage({ actor, organisationId: actor.organisationId, db, now: () => new Date() }, events, {
      batchEvents: batch,
      onProgress: (t) => console.log(`[tollgate] ${t.read.toLocaleString('en-US')} read: ${t.accepted.toLocaleString('en-US')} written, ${t.duplicates.toLocaleString('en-US')} already in, ${t.errors.length.toLocaleString('en-US')} refused`),
    });
    const seconds = (performance.now() - started) / 1000;
    for (const error of result.errors.slice(0, SHOWN_ERRORS)) console.error(`line ${error.line}: ${error.type}: ${error.message}`);
    if (result.errors.length > SHOWN_ERRORS) console.error(`... and ${result.errors.length - SHOWN_ERRORS} more refused`);
    console.log(
      `[tollgate] done in ${seconds.toFixed(1)} s: ${result.accepted.toLocaleString('en-US')} written, ${result.duplicates.toLocaleString('en-US')} already in the ledger, ${result.errors.length.toLocaleString('en-US')} refused (of ${result.read.toLocaleString('en-US')})`,
    );
    return result.errors.length > 0 ? 2 : 0;
  } finally {
    await closeDb();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageImportWriteError) {
      console.error(`error: ${error.message}`);
      console.error(`${error.totals.accepted.toLocaleString('en-US')} event(s) are in the ledger; run the same command again to finish (nothing is written twice).`);
    } else if (error instanceof UsageError || error instanceof UsageImportFileError) {
      console.error(`error: ${error.message}`);
      if (error instanceof UsageError) console.error(`\n${USAGE}`);
    } else console.error(error);
    process.exit(1);
  },
);
