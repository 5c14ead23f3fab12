/**
 * One "app instance" for the governance benchmark: its own process and its
 * own connection pool to the shared database, running the admission path.
 *
 *   node --import tsx bench/governance-worker.ts ['<job json>']
 *
 * The job comes as the argument or as the first line on stdin. The worker
 * connects, warms up, prints `{"ready":true}`, waits for a `go` line on stdin
 * (so several workers start together; with the job in argv it starts at once),
 * runs the calls, prints one line of JSON with the result and exits.
 *
 * Modes: `reserve` (reserve, the simulated upstream call, settle), `lease`
 * (the same through a LeaseAdmitter: local admission within leased room), `naive`
 * (read spend, check, call, record: what most gateways do) and `row-lock`
 * (one `select ... for update` + `update` transaction per call on the first
 * counter: the per-call locking baseline).
 */
import readline from 'node:readline';
import { sql } from 'drizzle-orm';
import { openDb, type DbHandle } from '@/db/client';
import type { CallAttribution, CallProjection } from '@/lib/engine/governance/types';
import { LeaseAdmitter } from '@/lib/server/governance/leases';
import { loadBudgetRules, naiveCheckThenRecord, reserve, settle } from '@/lib/server/governance/quota-store';
import { admissionSlots, type AdmissionSlot } from '@/lib/server/governance/slots';

/** A projection or actual use, with bigints as decimal strings (JSON). */
export interface WireAmounts {
  costNano: string;
  tokens: string;
  requests: string;
}

export interface WorkerJob {
  url: string;
  organisationId: string;
  attribution: CallAttribution;
  mode: 'reserve' | 'lease' | 'naive' | 'row-lock';
  /** For `lease`: calls' worth of room per lease. */
  chunkCalls?: number;
  calls: { projected: WireAmounts; actual: WireAmounts }[];
  /** Calls in flight at once. */
  concurrency: number;
  /** Simulated upstream time between admission and settle. */
  upstreamMs: number;
  ttlMs: number;
  poolSize?: number;
}

export interface WorkerResult {
  admitted: number;
  refused: number;
  errors: string[];
  /** Per call: time spent in admission and settlement, excluding the upstream call (ms). */
  overheadMs: number[];
  elapsedMs: number;
  /** Admitted calls by the minute their admission started in (ISO minute start). */
  admittedByMinute: Record<string, number>;
}

const amounts = (w: WireAmounts): CallProjection => ({ costNano: BigInt(w.costNano), tokens: BigInt(w.tokens), requests: BigInt(w.requests) });
const sleep = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

async function rowLockCall(db: DbHandle, slot: AdmissionSlot, actual: CallProjection): Promise<boolean> {
  return db.db.transaction(async (tx) => {
    const result = await tx.execute(
      sql`select u.committed::text as committed, b.limit_value::text as limit_value from budget_usage u join budgets b on b.id = u.budget_id
           where u.budget_id = ${slot.slot.budgetId} and u.window_key = ${slot.slot.windowKey} for update of u`,
    );
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { committed: string; limit_value: string }[];
    const row = rows[0];
    if (!row) throw new Error('row-lock mode needs the counter row to exist (run a reserve first)');
    const amount = slot.rule.metric === 'cost' ? actual.costNano : slot.rule.metric === 'tokens' ? actual.tokens : actual.requests;
    if (BigInt(row.committed) + slot.amount > BigInt(row.limit_value)) return false;
    await tx.execute(
      sql`update budget_usage set committed = committed + ${amount.toString()}::int8, updated_at = now()
           where budget_id = ${slot.slot.budgetId} and window_key = ${slot.slot.windowKey}`,
    );
    return true;
  });
}

async function runJob(job: WorkerJob, db: DbHandle): Promise<WorkerResult> {
  const result: WorkerResult = { admitted: 0, refused: 0, errors: [], overheadMs: [], elapsedMs: 0, admittedByMinute: {} };
  const leases = job.mode === 'lease' ? new LeaseAdmitter(db, { chunkCalls: job.chunkCalls }) : null;
  const start = performance.now();
  let next = 0;
  const one = async (index: number) => {
    const call = job.calls[index]!;
    const projected = amounts(call.projected);
    const actual = amounts(call.actual);
    const now = new Date();
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();
    const slots = admissionSlots(await loadBudgetRules(db, job.organisationId), job.attribution, projected, now);
    let admitted = false;
    let overhead = 0;
    if (job.mode === 'reserve') {
      const t0 = performance.now();
      const held = await reserve(db, { organisationId: job.organisationId, requestId: `bench_${process.pid}_${index}`, slots, ttlMs: job.ttlMs, now });
      overhead += performance.now() - t0;
      if (held.ok) {
        admitted = true;
        await sleep(job.upstreamMs);
        const t1 = performance.now();
        await settle(db, held.reservationId, actual);
        overhead += performance.now() - t1;
      }
    } else if (leases) {
      const t0 = performance.now();
      const held = await leases.admit({ organisationId: job.organisationId, requestId: `bench_${process.pid}_${index}`, slots, ttlMs: job.ttlMs, now });
      overhead += performance.now() - t0;
      if (held.ok) {
        admitted = true;
        await sleep(job.upstreamMs);
        const t1 = performance.now();
        await leases.settle(held.ticket, actual);
        overhead += performance.now() - t1;
      }
    } else if (job.mode === 'naive') {
      const t0 = performance.now();
      let upstream = 0;
      const outcome = await naiveCheckThenRecord(db, { organisationId: job.organisationId, slots }, async () => {
        const u0 = performance.now();
        await sleep(job.upstreamMs);
        upstream = performance.now() - u0;
        return actual;
      });
      overhead = performance.now() - t0 - upstream;
      admitted = outcome.ok;
    } else {
      const t0 = performance.now();
      admitted = await rowLockCall(db, slots[0]!, actual);
      overhead = performance.now() - t0;
      await sleep(job.upstreamMs);
    }
    result.overheadMs.push(overhead);
    if (admitted) {
      result.admitted++;
      result.admittedByMinute[minute] = (result.admittedByMinute[minute] ?? 0) + 1;
    } else {
      result.refused++;
    }
  };
  const lane = async () => {
    while (next < job.calls.length) {
      const index = next++;
      try {
        await one(index);
      } catch (error) {
        result.errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.concurrency, job.calls.length) }, lane));
  await leases?.close();
  result.elapsedMs = performance.now() - start;
  return result;
}

async function main(): Promise<void> {
  const lines = readline.createInterface({ input: process.stdin });
  const iterator = lines[Symbol.asyncIterator]();
  const fromArgv = process.argv[2];
  const job = JSON.parse(fromArgv ?? ((await iterator.next()).value as string)) as WorkerJob;
  if (job.poolSize) process.env.DATABASE_POOL_SIZE = String(job.poolSize);
  const db = await openDb({ url: job.url });
  try {
    await db.query('select 1');
    await loadBudgetRules(db, job.organisationId);
    process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
    if (!fromArgv) {
      for (;;) {
        const line = await iterator.next();
        if (line.done || (line.value as string).trim() === 'go') break;
      }
    }
    const result = await runJob(job, db);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    lines.close();
    await db.close();
  }
}

await main();
process.exit(0);
