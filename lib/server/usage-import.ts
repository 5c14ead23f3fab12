/**
 * Backfill: usage events from a file (last year's usage, imported now),
 * through the same checks, pricing and attribution as POST /api/v1/usage
 * (`usageRows`: each event priced at its own time, attributed to the key's
 * department and project) and the ledger's bulk path (binary COPY in
 * chunks, rollups in the same transactions, duplicates skipped). Events go
 * in batches, so a file of millions of events never sits in memory at once.
 * Importing the same file again adds nothing: event ids are idempotent.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import type { IngestError } from '@/lib/engine/ingest';
import type { RequestContext } from '@/lib/http/context';
import { countingAgainstBudgets } from './governance/usage-counting';
import { usageRows } from './ingest-usage';
import { bulkInsertLedgerRows, LedgerBulkWriteError, type LedgerRowInput } from './ledger-writer';

/** A refused event, by its line in the file (JSON Lines) or its position in the list (a JSON document), from 1. */
export interface ImportError {
  line: number;
  type: IngestError['type'];
  message: string;
}

export interface UsageImportResult {
  /** Events read (lines that were not blank, or list items). */
  read: number;
  accepted: number;
  duplicates: number;
  /** Every refused event; refused events write nothing. */
  errors: ImportError[];
}

export interface UsageImportOptions {
  /** Events checked and written per batch (default 50,000). */
  batchEvents?: number;
  /** Called after each batch is written, with the totals so far. */
  onProgress?: (totals: UsageImportResult) => void;
}

/** One event from the file: its parsed value, or why it could not be parsed. */
export interface SourcedEvent {
  line: number;
  value?: unknown;
  parseError?: string;
}

/** The events of a JSON Lines text, one per non-blank line. */
export async function* jsonLines(lines: AsyncIterable<string>): AsyncGenerator<SourcedEvent> {
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    try {
      yield { line, value: JSON.parse(text) as unknown };
    } catch {
      yield { line, parseError: 'not a JSON value' };
    }
  }
}

/**
 * The lines of a text file, read as they are pulled. The file is opened on
 * the first pull, not before: a line stream opened early starts flowing and
 * drops every line nobody is listening for yet (while the database opens,
 * say).
 */
export async function* fileLines(file: string): AsyncGenerator<string> {
  const input = fs.createReadStream(file, 'utf8');
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } finally {
    lines.close();
    input.destroy();
  }
}

/** The events of a JSON document: a list of events, or `{ "events": [...] }` as POST /api/v1/usage takes it. */
export function* jsonDocument(text: string): Generator<SourcedEvent> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new UsageImportFileError(`the file is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const events = Array.isArray(doc) ? doc : (doc as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) throw new UsageImportFileError('the file must hold a list of events or { "events": [...] }');
  for (let i = 0; i < events.length; i++) yield { line: i + 1, value: events[i] };
}

/** A file that cannot be read as events at all: nothing was written. */
/**
 * The database stopped an import part-way (it went away, or refused a
 * chunk). `totals` counts what is in the ledger: earlier batches and the
 * chunks of this one that committed. Running the same import again finishes
 * it: what is in comes back as duplicates.
 */
export class UsageImportWriteError extends Error {
  constructor(
    readonly totals: UsageImportResult,
    cause: unknown,
  ) {
    super(`the import stopped after writing ${totals.accepted} event(s): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'UsageImportWriteError';
  }
}

export class UsageImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageImportFileError';
  }
}

export async function importUsage(
  ctx: RequestContext,
  events: AsyncIterable<SourcedEvent> | Iterable<SourcedEvent>,
  options: UsageImportOptions = {},
): Promise<UsageImportResult> {
  const batchEvents = Math.max(1, options.batchEvents ?? 50_000);
  const totals: UsageImportResult = { read: 0, accepted: 0, duplicates: 0, errors: [] };
  let batch: SourcedEvent[] = [];
  // Each chunk's new rows count against budgets in the chunk's own transaction.
  const counting = countingAgainstBudgets(ctx.db);

  const flush = async () => {
    const parsed = batch.filter((e) => e.parseError === undefined);
    const { rows, errors } = await usageRows(
      ctx,
      parsed.map((e) => e.value),
    );
    // Batches come in file order: only this batch's errors need sorting.
    const refused: ImportError[] = [];
    for (const e of batch) {
      if (e.parseError !== undefined) refused.push({ line: e.line, type: 'invalid_request_error', message: e.parseError });
    }
    for (const error of errors) refused.push({ line: parsed[error.index]!.line, type: error.type, message: error.message });
    totals.errors.push(...refused.sort((a, b) => a.line - b.line));
    const written = rows.map(({ index: _index, ...row }) => row as LedgerRowInput);
    let inserted: number;
    try {
      inserted = await bulkInsertLedgerRows(ctx.db, written, { hook: counting });
    } catch (error) {
      if (error instanceof LedgerBulkWriteError) totals.accepted += error.committed.reduce((n, chunk) => n + chunk.inserted, 0);
      throw new UsageImportWriteError(totals, error instanceof LedgerBulkWriteError ? (error.cause ?? error) : error);
    }
    totals.accepted += inserted;
    totals.duplicates += written.length - inserted;
    batch = [];
    options.onProgress?.(totals);
  };

  for await (const event of events) {
    totals.read += 1;
    batch.push(event);
    if (batch.length >= batchEvents) await flush();
  }
  if (batch.length > 0) await flush();
  return totals;
}
