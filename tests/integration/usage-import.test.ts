/**
 * Backfill import (`npm run usage:import`): the same checks, pricing and
 * attribution as POST /api/v1/usage, through the bulk path in batches;
 * refused lines write nothing and are named by line; a second import of the
 * same file adds nothing; rollups stay equal to the raw ledger; open budget
 * counters take the imported spend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDatabase } from '@/db/seed';
import { DEPARTMENT_IDS, ORG_ID } from '@/db/seed/fixtures';
import type { Actor } from '@/lib/auth/actor';
import { actorForApiKey, clearApiKeyCache } from '@/lib/http/authenticate';
import { ingestedEventId } from '@/lib/server/ingest-usage';
import { invalidatePriceBook } from '@/lib/server/price-book';
import type { DbHandle } from '@/db/client';
import { importUsage, jsonDocument, jsonLines, UsageImportFileError, UsageImportWriteError } from '@/lib/server/usage-import';
import { failCounterUpdates, openKeyCostCounter } from '../support/budgets';
import { expectRollupsEqualLedger } from '../support/ledger';
import { createTestDb, type TestDb } from '../support/db';

const AGENT_KEY = 'tg_importAgentKey0000000000000000000000000';
let db: TestDb;
let actor: Actor;

beforeAll(async () => {
  db = await createTestDb();
  await seedDatabase(db, { events: 200, days: 5, now: new Date(), seed: 11, demoKey: AGENT_KEY });
  clearApiKeyCache();
  invalidatePriceBook();
  actor = (await actorForApiKey(db, AGENT_KEY))!;
});

afterAll(async () => {
  await db?.dispose();
});

const ctx = () => ({ actor, organisationId: actor.organisationId, db, now: () => new Date() });

async function* linesOf(text: string) {
  for (const line of text.split('\n')) yield line;
}

const event = (id: string, timestamp: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    id,
    timestamp,
    provider: 'openai',
    model: 'gpt-4.1-mini',
    usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000, total_tokens: 2_000_000 },
    task: 'summarize',
    ...over,
  });

async function ledgerTotals() {
  const [raw] = await db.query<{ n: string; cost: string }>("select count(*)::text as n, coalesce(sum(cost_nano), 0)::text as cost from ledger_events where source = 'ingest'");
  return raw!;
}

describe('usage import (backfill)', () => {
  it('writes the good lines in batches, names each refused line, and a second run adds nothing', async () => {
    const lastYear = new Date(Date.now() - 365 * 86_400_000);
    const at = (minutes: number) => new Date(lastYear.getTime() + minutes * 60_000).toISOString();
    const lines = [
      event('bf-1', at(0)),
      '',
      '{not json',
      event('bf-2', at(1)),
      event('bf-3', at(2), { provider: 'nobody' }),
      event('bf-2', at(1)), // the same event twice in one file: once in the ledger
      ...Array.from({ length: 20 }, (_, i) => event(`bf-many-${i}`, at(10 + i))),
      event('bf-future', new Date(Date.now() + 30 * 86_400_000).toISOString()),
    ].join('\n');
    const before = await ledgerTotals();
    const progress: number[] = [];
    const first = await importUsage(ctx(), jsonLines(linesOf(lines)), { batchEvents: 7, onProgress: (t) => progress.push(t.read) });
    expect(first).toMatchObject({ read: 26, accepted: 22, duplicates: 1 });
    expect(first.errors.map((e) => [e.line, e.type])).toEqual([
      [3, 'invalid_request_error'],
      [5, 'invalid_request_error'],
      [27, 'invalid_request_error'],
    ]);
    expect(first.errors[0]!.message).toMatch(/JSON/);
    expect(first.errors[1]!.message).toMatch(/provider/);
    expect(progress).toEqual([7, 14, 21, 26]);
    const after = await ledgerTotals();
    expect(Number(after.n) - Number(before.n)).toBe(22);
    // Priced at last year's prices (the earliest known when the catalog starts later), never $0.
    const [row] = await db.query<{ cost_nano: string; department_id: string; api_key_id: string; price_status: string }>(
      'select cost_nano::text, department_id, api_key_id, price_status from ledger_events where id = $1',
      [ingestedEventId(ORG_ID, 'bf-1')],
    );
    expect(BigInt(row!.cost_nano)).toBeGreaterThan(0n);
    expect(row!.api_key_id).toBe(actor.id);
    expect(row!.department_id).toBe(actor.departmentId ?? DEPARTMENT_IDS.claims);
    await expectRollupsEqualLedger(db);

    const again = await importUsage(ctx(), jsonLines(linesOf(lines)), { batchEvents: 5 });
    expect(again).toMatchObject({ read: 26, accepted: 0, duplicates: 23 });
    expect(await ledgerTotals()).toEqual(after);
    await expectRollupsEqualLedger(db);
  });

  it('reads a JSON document (a list, or { "events": [...] }) and refuses one that is neither, writing nothing', async () => {
    const now = new Date(Date.now() - 3_600_000).toISOString();
    const result = await importUsage(ctx(), jsonDocument(JSON.stringify({ events: [JSON.parse(event('doc-1', now)), JSON.parse(event('doc-2', now))] })));
    expect(result).toMatchObject({ read: 2, accepted: 2, duplicates: 0, errors: [] });
    const before = await ledgerTotals();
    await expect(importUsage(ctx(), jsonDocument('{"rows": []}'))).rejects.toThrow(UsageImportFileError);
    await expect(importUsage(ctx(), jsonDocument('[{"id": '))).rejects.toThrow(/not JSON/);
    expect(await ledgerTotals()).toEqual(before);
  });

  it('says how much is in when the database stops it part-way, and a second run finishes without writing twice', async () => {
    const at = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const text = Array.from({ length: 9 }, (_, i) => event(`partial-${i}`, at)).join('\n');
    // The database fails the third batch's write.
    let writes = 0;
    const failing: DbHandle = {
      ...db,
      rawTransaction: (fn) =>
        db.rawTransaction((tx) =>
          fn({
            ...tx,
            copyIn: (...args: Parameters<typeof tx.copyIn>) => (++writes === 3 ? Promise.reject(Object.assign(new Error('disk full'), { code: '53100' })) : tx.copyIn(...args)),
          }),
        ),
    };
    const stopped = await importUsage({ ...ctx(), db: failing }, jsonLines(linesOf(text)), { batchEvents: 3 }).catch((e: unknown) => e);
    expect(stopped).toBeInstanceOf(UsageImportWriteError);
    expect((stopped as UsageImportWriteError).totals).toMatchObject({ read: 9, accepted: 6 });
    const finished = await importUsage(ctx(), jsonLines(linesOf(text)), { batchEvents: 3 });
    expect(finished).toMatchObject({ read: 9, accepted: 3, duplicates: 6, errors: [] });
    await expectRollupsEqualLedger(db);
  });

  it('adds imported spend to the budget counters that are open, once', async () => {
    const committed = await openKeyCostCounter(db, actor, 'bud_import_total');
    const start = await committed();
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    const lines = [event('budget-1', old), event('budget-2', old)].join('\n');
    await importUsage(ctx(), jsonLines(linesOf(lines)));
    const [sum] = await db.query<{ c: string }>('select sum(cost_nano)::text as c from ledger_events where id = any($1::text[])', [
      [ingestedEventId(ORG_ID, 'budget-1'), ingestedEventId(ORG_ID, 'budget-2')],
    ]);
    expect((await committed()) - start).toBe(BigInt(sum!.c));
    await importUsage(ctx(), jsonLines(linesOf(lines)));
    expect((await committed()) - start).toBe(BigInt(sum!.c));
  });

  it('counts a chunk against budgets in the chunk\'s own transaction: a chunk whose counting fails writes nothing, and its re-run counts once', async () => {
    const committed = await openKeyCostCounter(db, actor, 'bud_import_atomic');
    const start = await committed();
    const old = new Date(Date.now() - 100 * 86_400_000).toISOString();
    const lines = [event('atomic-1', old), event('atomic-2', old)].join('\n');
    const ids = [ingestedEventId(ORG_ID, 'atomic-1'), ingestedEventId(ORG_ID, 'atomic-2')];
    const undo = await failCounterUpdates(db, 'bud_import_atomic');
    try {
      const stopped = await importUsage(ctx(), jsonLines(linesOf(lines))).catch((e: unknown) => e);
      expect(stopped).toBeInstanceOf(UsageImportWriteError);
      expect((stopped as UsageImportWriteError).totals).toMatchObject({ accepted: 0 });
    } finally {
      await undo();
    }
    expect(await db.query('select 1 from ledger_events where id = any($1::text[])', [ids])).toHaveLength(0);
    expect(await committed()).toBe(start);
    expect(await importUsage(ctx(), jsonLines(linesOf(lines)))).toMatchObject({ accepted: 2, duplicates: 0 });
    const [sum] = await db.query<{ c: string }>('select sum(cost_nano)::text as c from ledger_events where id = any($1::text[])', [ids]);
    expect((await committed()) - start).toBe(BigInt(sum!.c));
    await expectRollupsEqualLedger(db);
  });
});
