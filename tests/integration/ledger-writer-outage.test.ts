/**
 * The gateway's ledger writer through a database outage: rows nobody waits
 * on are kept and go in once the database answers again, in one piece and
 * once each, even when the commit that "failed" had in fact gone in. A writer
 * whose callers wait (usage ingest) hands them the error instead, and a bad
 * write still fails alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@/db/client';
import { seedDatabase } from '@/db/seed';
import { DEPARTMENT_IDS, ORG_ID } from '@/db/seed/fixtures';
import { isTransientDbError } from '@/db/errors';
import { LedgerWriter, type LedgerRowInput } from '@/lib/server/ledger-writer';
import { expectRollupsEqualLedger } from '../support/ledger';
import { createTestDb, type TestDb } from '../support/db';

let db: TestDb;

beforeAll(async () => {
  db = await createTestDb();
  await seedDatabase(db, { events: 50, days: 3, now: new Date(), seed: 5 });
});

afterAll(async () => {
  await db?.dispose();
});

const row = (key: string, costNano: bigint): LedgerRowInput => ({
  id: key,
  idempotencyKey: key,
  organisationId: ORG_ID,
  occurredAt: new Date(),
  source: 'gateway',
  provider: 'openai',
  modelName: 'gpt-4.1-mini',
  modelId: 'openai/gpt-4.1-mini',
  tier: 'small',
  departmentId: DEPARTMENT_IDS.claims,
  inputTokens: 100,
  outputTokens: 10,
  costNano,
  listCostNano: costNano,
  priceStatus: 'priced',
});

const connectionLost = () => Object.assign(new Error('write CONNECTION_CLOSED 127.0.0.1:5432'), { code: 'CONNECTION_CLOSED' });

/**
 * The real database behind a switch: while `down`, every ledger insert fails
 * as a dropped connection would; `failAfterCommit` lets the next insert go in
 * and then reports the connection lost, as when the server committed but the
 * reply never arrived.
 */
function flaky(real: DbHandle) {
  const state = { down: false, failAfterCommit: false, inserts: 0, failures: 0 };
  const handle: DbHandle = {
    ...real,
    async query<T>(text: string, params?: unknown[]): Promise<T[]> {
      if (!text.includes('insert into ledger_events')) return real.query<T>(text, params);
      state.inserts += 1;
      if (state.down) {
        state.failures += 1;
        throw connectionLost();
      }
      const rows = await real.query<T>(text, params);
      if (state.failAfterCommit) {
        state.failAfterCommit = false;
        state.failures += 1;
        throw connectionLost();
      }
      return rows;
    },
  };
  return { handle, state };
}

async function totals(prefix: string) {
  const [ledger] = await db.query<{ n: string; c: string | null }>(
    'select count(*)::text as n, sum(cost_nano)::text as c from ledger_events where id like $1',
    [`${prefix}%`],
  );
  return ledger!;
}

describe('LedgerWriter through a database outage', () => {
  it('keeps the rows of a writer nobody waits on and writes them once the database is back', async () => {
    const { handle, state } = flaky(db);
    const writer = new LedgerWriter(handle, { keepThroughOutages: true, maxRetryDelayMs: 20 });
    state.down = true;
    const writes = Array.from({ length: 30 }, (_, i) => writer.write([row(`outage_${i}`, BigInt(1_000 + i))]));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(state.failures).toBeGreaterThan(1);
    expect(writer.pendingRows).toBe(30);
    expect(await totals('outage_')).toEqual({ n: '0', c: null });

    state.down = false;
    const results = await Promise.all(writes);
    expect(results.flatMap((r) => r.inserted)).toHaveLength(30);
    expect(await writer.flush()).toBe(0);
    expect(await totals('outage_')).toEqual({ n: '30', c: String(30 * 1_000 + (29 * 30) / 2) });
    expect(writer.stats.retries).toBe(state.failures);
    await expectRollupsEqualLedger(db);
  });

  it('counts a commit that went in before its reply was lost once, not twice', async () => {
    const { handle, state } = flaky(db);
    const writer = new LedgerWriter(handle, { keepThroughOutages: true, maxRetryDelayMs: 20 });
    state.failAfterCommit = true;
    const result = await writer.write([row('ambiguous_1', 7_000n), row('ambiguous_2', 9_000n)]);
    expect(state.failures).toBe(1);
    // The retry found both rows already in, written by the attempt whose reply was lost: they are this write's own
    // (so the caller counts their spend), and nothing is added to the rollups twice.
    expect(result).toEqual({ inserted: ['ambiguous_1', 'ambiguous_2'], duplicates: [] });
    expect(await totals('ambiguous_')).toEqual({ n: '2', c: '16000' });
    await expectRollupsEqualLedger(db);
  });

  it('tells waiting callers what they wrote when a commit went in but its reply was lost, alone or grouped', async () => {
    const { handle, state } = flaky(db);
    const writer = new LedgerWriter(handle, { lingerMs: 5 });
    state.failAfterCommit = true;
    const alone = await writer.write([row('lost_reply_1', 1_000n)]);
    expect(alone).toEqual({ inserted: ['lost_reply_1'], duplicates: [] });
    state.failAfterCommit = true;
    const grouped = await Promise.all([writer.write([row('lost_reply_2', 2_000n)]), writer.write([row('lost_reply_3', 3_000n), row('lost_reply_1', 1_000n)])]);
    expect(grouped).toEqual([
      { inserted: ['lost_reply_2'], duplicates: [] },
      { inserted: ['lost_reply_3'], duplicates: ['lost_reply_1'] },
    ]);
    expect(await totals('lost_reply_')).toEqual({ n: '3', c: '6000' });
    // Two callers sending the same event (a client retry racing its original): the row goes to one of them only.
    state.failAfterCommit = true;
    const twins = await Promise.all([writer.write([row('lost_twin', 4_000n)]), writer.write([row('lost_twin', 4_000n)])]);
    expect(twins.flatMap((r) => r.inserted)).toEqual(['lost_twin']);
    expect(twins.flatMap((r) => r.duplicates)).toEqual(['lost_twin']);
    await expectRollupsEqualLedger(db);
  });

  it('hands a waiting caller the error instead, after one more try, and writes nothing', async () => {
    const { handle, state } = flaky(db);
    const writer = new LedgerWriter(handle);
    state.down = true;
    await expect(writer.write([row('waiting_1', 5_000n)])).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    expect(state.inserts).toBe(2);
    expect(await totals('waiting_')).toEqual({ n: '0', c: null });
  });

  it('still fails a bad write alone, without retrying it, while the others go in', async () => {
    const writer = new LedgerWriter(db, { keepThroughOutages: true, lingerMs: 5 });
    const bad = { ...row('bad_1', 1_000n), occurredAt: new Date(Number.NaN) };
    const [good, rejected] = await Promise.allSettled([writer.write([row('good_1', 3_000n)]), writer.write([bad])]);
    expect(good.status).toBe('fulfilled');
    expect(rejected.status).toBe('rejected');
    expect(writer.stats.retries).toBe(0);
    expect(await totals('good_')).toEqual({ n: '1', c: '3000' });
    expect(await totals('bad_')).toEqual({ n: '0', c: null });
  });

  it('tells transient failures from bad input', () => {
    expect(isTransientDbError(connectionLost())).toBe(true);
    expect(isTransientDbError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isTransientDbError(Object.assign(new Error('connection failure'), { code: '08006' }))).toBe(true);
    expect(isTransientDbError(new Error('wrapped', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }))).toBe(true);
    // A failover onto a read-only standby, a full disk or memory, an I/O error, DNS.
    for (const code of ['25006', '53100', '53200', '58030', 'ENOTFOUND']) {
      expect(isTransientDbError(Object.assign(new Error(code), { code })), code).toBe(true);
    }
    expect(isTransientDbError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    // A statement timeout would hit the same batch again: it is split by caller, not retried whole.
    expect(isTransientDbError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe(false);
    expect(isTransientDbError(Object.assign(new Error('invalid input syntax for type integer'), { code: '22P02' }))).toBe(false);
    expect(isTransientDbError(new RangeError('Invalid time value'))).toBe(false);
  });
});
