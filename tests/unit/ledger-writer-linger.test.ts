/**
 * The group-commit writer's linger, against a stand-in database that takes a
 * few milliseconds per commit: under steady load commits carry a linger's
 * worth of writes (not the handful that arrived during the last commit), no
 * write waits much longer than the linger plus one commit, and a full commit
 * does not wait at all.
 */
import { describe, expect, it } from 'vitest';
import type { DbHandle } from '@/db/client';
import { LedgerWriter, type LedgerRowInput } from '@/lib/server/ledger-writer';

const COMMIT_MS = 4;

/** A database whose every statement takes COMMIT_MS and inserts every row it is given. */
function slowDb() {
  const commits: number[] = [];
  const db = {
    kind: 'postgres',
    query: async (_text: string, params: unknown[] = []) => {
      await new Promise((resolve) => setTimeout(resolve, COMMIT_MS));
      // Parameters come in the writer's column order: id, idempotency key, organisation.
      const keys = params[1] as string[];
      const orgs = params[2] as string[];
      commits.push(keys.length);
      return keys.map((key, i) => ({ organisation_id: orgs[i], idempotency_key: key }));
    },
  } as unknown as DbHandle;
  return { db, commits };
}

const row = (i: number): LedgerRowInput => ({
  id: `r${i}`,
  idempotencyKey: `r${i}`,
  organisationId: 'org_1',
  occurredAt: new Date(),
  source: 'gateway',
  provider: 'openai',
  modelName: 'gpt-test',
  tier: 'small',
  priceStatus: 'priced',
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LedgerWriter linger', () => {
  it('batches a linger of steady writes into each commit, and keeps each write waiting about a linger', async () => {
    const { db, commits } = slowDb();
    const writer = new LedgerWriter(db, { lingerMs: 30 });
    const waits: Promise<number>[] = [];
    for (let i = 0; i < 120; i++) {
      const start = performance.now();
      waits.push(writer.write([row(i)]).then(() => performance.now() - start));
      await sleep(1);
    }
    const waited = await Promise.all(waits);
    expect(commits.reduce((a, b) => a + b, 0)).toBe(120);
    // 120 writes over at least 120 ms: without lingering between commits there would be one commit per ~COMMIT_MS.
    expect(commits.length).toBeLessThanOrEqual(Math.ceil(120 / 10));
    expect(Math.max(...commits)).toBeGreaterThan(10);
    // Each write waits for its linger and one commit (timers on a busy machine run late; the bound is loose).
    expect(Math.min(...waited)).toBeGreaterThanOrEqual(COMMIT_MS);
    expect(Math.max(...waited)).toBeLessThan(30 + COMMIT_MS + 60);
  });

  it('sends a full commit without lingering', async () => {
    const { db, commits } = slowDb();
    const writer = new LedgerWriter(db, { lingerMs: 10_000, maxRowsPerCommit: 50 });
    const start = performance.now();
    await writer.write(Array.from({ length: 50 }, (_, i) => row(i)));
    expect(performance.now() - start).toBeLessThan(1_000);
    expect(commits).toEqual([50]);
  });

  it('without a linger, commits at once, grouping the writes handed in together', async () => {
    const { db, commits } = slowDb();
    const writer = new LedgerWriter(db);
    const start = performance.now();
    await writer.write([row(1)]);
    expect(performance.now() - start).toBeLessThan(1_000);
    await Promise.all([writer.write([row(2)]), writer.write([row(3)]), writer.write([row(4)])]);
    expect(commits).toEqual([1, 3]);
    expect(await writer.flush()).toBe(0);
  });
});
