/**
 * `npm run bench -- governance [--calls 1000] [--upstream-ms 1000] [--hot-calls 4000] [--clients 64] [--chunk 16]`
 *
 * Budget admission across app instances, through PostgreSQL alone. Two child
 * processes (bench/governance-worker.ts), each with its own connection pool,
 * play two app instances against one database:
 *
 *  1. Budget cap: --calls concurrent calls split across the 2 processes
 *     against a $5 hard cap; each reserves its projected maximum (about
 *     $0.05, seeded), waits --upstream-ms (a model call; 1 s by default,
 *     short for an LLM), then settles a smaller actual.
 *  2. The naive check-then-record path in the same harness (read spend,
 *     check, call, record): its overshoot.
 *  3. RPM and TPM: a requests/minute and a tokens/minute quota across the 2
 *     processes; admitted per minute window <= the limit.
 *  4. Hot key: one API-key budget, --clients concurrent clients in one
 *     process: admissions/s and the added latency (reserve + settle) against
 *     the per-call row-lock baseline (`select ... for update` + `update`, one
 *     transaction per call, no reservation bookkeeping), 1 client and
 *     --clients clients.
 *
 * Parts 1 and 4 also run local leases (lib/server/governance/leases.ts):
 * each process reserves room for --chunk calls at a time (doubling while
 * leases run out fast) and admits within it in process.
 *
 * Runs against BENCH_DATABASE_URL (default the local server) in a throwaway
 * database.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { DbHandle } from '@/db/client';
import type { BudgetMetric, BudgetScope, BudgetWindow } from '@/lib/engine/enums';
import type { CallAttribution } from '@/lib/engine/governance/types';
import { Random } from '@/lib/engine/random';
import type { WireAmounts, WorkerJob, WorkerResult } from './governance-worker';
import { benchDatabase, flag, percentile, SERVER_URL, table } from './support';

const CALLS = flag('calls', 1_000);
const UPSTREAM_MS = flag('upstream-ms', 1_000);
const HOT_CALLS = flag('hot-calls', 4_000);
const CLIENTS = flag('clients', 64);
const CHUNK = flag('chunk', 16);
const USD = 1_000_000_000n;
const CAP = 5n * USD;
const command = `npm run bench -- governance --calls ${CALLS} --upstream-ms ${UPSTREAM_MS} --hot-calls ${HOT_CALLS} --clients ${CLIENTS} --chunk ${CHUNK}`;
const WORKER = path.join(path.dirname(new URL(import.meta.url).pathname), 'governance-worker.ts');
const ROOT = path.dirname(path.dirname(WORKER));

const LABELS = {
  reserve: 'reserve -> settle (this store)',
  lease: `leases of ${CHUNK} calls (this store)`,
  naive: 'naive check-then-record',
  'row-lock': 'row lock per call (baseline)',
} as const;

const usd = (nano: bigint) => `$${(Number(nano) / 1e9).toFixed(2)}`;

/** Starts the workers, waits until all are connected and warm, then lets them go together. */
async function runWorkers(jobs: WorkerJob[]): Promise<WorkerResult[]> {
  const children = jobs.map((job) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stdin.write(`${JSON.stringify(job)}\n`);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { child, lines, exited };
  });
  const nextLine = async (c: (typeof children)[number]) => {
    const line = await c.lines.next();
    if (line.done) throw new Error(`worker exited with ${await c.exited}`);
    return JSON.parse(line.value as string) as unknown;
  };
  await Promise.all(children.map(nextLine));
  for (const c of children) c.child.stdin.write('go\n');
  const results = (await Promise.all(children.map(nextLine))) as WorkerResult[];
  for (const c of children) c.child.stdin.end();
  await Promise.all(children.map((c) => c.exited));
  for (const r of results) if (r.errors.length > 0) throw new Error(`worker errors: ${r.errors.slice(0, 3).join('; ')}`);
  return results;
}

const wire = (costNano: bigint, tokens: bigint, requests: bigint): WireAmounts => ({
  costNano: costNano.toString(),
  tokens: tokens.toString(),
  requests: requests.toString(),
});

/** Calls of about $0.05 projected ($0.04-0.06), settling at 40-100% of it; tokens 200-600 projected, 50 fewer used. */
function plan(n: number, seed: number): WorkerJob['calls'] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => {
    const projected = BigInt(rng.int(40_000_000, 60_000_000));
    const actual = (projected * BigInt(rng.int(40, 100))) / 100n;
    const tokens = BigInt(rng.int(200, 600));
    return { projected: wire(projected, tokens, 1n), actual: wire(actual, tokens - 50n, 1n) };
  });
}

function split<T>(items: T[], parts: number): T[][] {
  return Array.from({ length: parts }, (_, p) => items.filter((_, i) => i % parts === p));
}

interface Setup {
  db: DbHandle;
  url: string;
}

let budgetSeq = 0;
async function budget(
  db: DbHandle,
  organisationId: string,
  spec: { scopeType: BudgetScope; scopeId: string | null; window: BudgetWindow; metric: BudgetMetric; limit: bigint },
): Promise<string> {
  const id = `bud_bench_${++budgetSeq}`;
  await db.query(
    `insert into budgets (id, organisation_id, name, scope_type, scope_id, "window", metric, limit_value, enforcement)
     values ($1, $2, $1, $3, $4, $5, $6, $7::int8, 'hard')`,
    [id, organisationId, spec.scopeType, spec.scopeId, spec.window, spec.metric, spec.limit.toString()],
  );
  return id;
}

async function organisation(db: DbHandle, id: string): Promise<string> {
  await db.query('insert into organisations (id, name, slug) values ($1, $1, $1)', [id]);
  return id;
}

const attribution = (organisationId: string, apiKeyId = 'key_bench'): CallAttribution => ({
  organisationId,
  departmentId: 'dep_bench',
  projectId: 'prj_bench',
  userId: null,
  apiKeyId,
  sessionId: null,
});

async function counters(db: DbHandle, budgetId: string) {
  return db.query<{ window_key: string; committed: string; reserved: string }>(
    'select window_key, committed::text as committed, reserved::text as reserved from budget_usage where budget_id = $1 order by window_key',
    [budgetId],
  );
}

async function capRuns({ db, url }: Setup): Promise<void> {
  console.log(`\n## 1-2. $5 hard cap, ${CALLS.toLocaleString('en-US')} concurrent calls across 2 processes (${UPSTREAM_MS} ms upstream)\n`);
  const calls = plan(CALLS, 42);
  const rows: (string | number)[][] = [];
  for (const mode of ['reserve', 'lease', 'naive'] as const) {
    const org = await organisation(db, `org_bench_cap_${mode}`);
    const id = await budget(db, org, { scopeType: 'organisation', scopeId: null, window: 'day', metric: 'cost', limit: CAP });
    const results = await runWorkers(
      split(calls, 2).map((part) => ({
        url,
        organisationId: org,
        attribution: attribution(org),
        mode,
        calls: part,
        concurrency: part.length,
        upstreamMs: UPSTREAM_MS,
        ttlMs: 120_000,
        chunkCalls: CHUNK,
      })),
    );
    const [counter] = await counters(db, id);
    const committed = BigInt(counter!.committed);
    const admitted = results.reduce((s, r) => s + r.admitted, 0);
    const refused = results.reduce((s, r) => s + r.refused, 0);
    const overshoot = committed > CAP ? committed - CAP : 0n;
    rows.push([
      LABELS[mode],
      `${results[0]!.admitted} + ${results[1]!.admitted}`,
      admitted,
      refused,
      usd(committed),
      usd(CAP),
      usd(overshoot),
      `${(Number(committed) / Number(CAP)).toFixed(2)}x`,
      usd(BigInt(counter!.reserved)),
    ]);
    if (mode !== 'naive' && (committed > CAP || BigInt(counter!.reserved) !== 0n)) throw new Error(`${mode}: the cap was passed or holds leaked`);
  }
  console.log(table(['path', 'admitted per process', 'admitted', 'refused', 'committed', 'cap', 'overshoot', 'committed / cap', 'held after'], rows));
  console.log('target: committed <= cap for the store; the naive run shows the overshoot (peers overshoot a $5 cap ~20x)');
}

async function rateRuns({ db, url }: Setup): Promise<void> {
  const RPM = 300n;
  const TPM = 100_000n;
  console.log(`\n## 3. RPM ${RPM} and TPM ${TPM.toLocaleString('en-US')} across 2 processes, ${CALLS.toLocaleString("en-US")} concurrent calls against each\n`);
  // Start well inside a minute, so a run normally falls in one window (each window is checked anyway).
  const into = Date.now() % 60_000;
  if (into > 40_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - into + 100));
  const rows: (string | number)[][] = [];
  for (const [metric, limit] of [
    ['requests', RPM],
    ['tokens', TPM],
  ] as const) {
    const org = await organisation(db, `org_bench_${metric}`);
    const id = await budget(db, org, { scopeType: 'api_key', scopeId: 'key_bench', window: 'minute', metric, limit });
    const results = await runWorkers(
      split(plan(CALLS, 7), 2).map((part) => ({
        url,
        organisationId: org,
        attribution: attribution(org),
        mode: 'reserve' as const,
        calls: part,
        concurrency: part.length,
        upstreamMs: UPSTREAM_MS,
        ttlMs: 120_000,
      })),
    );
    for (const counter of await counters(db, id)) {
      const committed = BigInt(counter.committed);
      const admitted = results.reduce((s, r) => s + (r.admittedByMinute[counter.window_key] ?? 0), 0);
      if (committed > limit || BigInt(counter.reserved) !== 0n) throw new Error(`${metric} quota passed in ${counter.window_key}`);
      rows.push([
        metric === 'requests' ? 'requests / minute' : 'tokens / minute',
        counter.window_key.slice(11, 16),
        limit.toLocaleString('en-US'),
        admitted,
        committed.toLocaleString('en-US'),
        committed <= limit ? 'yes' : 'NO',
      ]);
    }
  }
  console.log(table(['quota', 'window (UTC)', 'limit', 'admitted', 'committed', 'within limit'], rows));
}

async function hotKey({ db, url }: Setup): Promise<void> {
  console.log(`\n## 4. Hot key: one API-key budget, ${HOT_CALLS.toLocaleString('en-US')} calls, no upstream delay, one process\n`);
  const org = await organisation(db, 'org_bench_hot');
  const id = await budget(db, org, { scopeType: 'api_key', scopeId: 'key_hot', window: 'day', metric: 'cost', limit: 1_000_000n * USD });
  const job = (mode: WorkerJob['mode'], concurrency: number, n: number): WorkerJob => ({
    url,
    organisationId: org,
    attribution: attribution(org, 'key_hot'),
    mode,
    calls: plan(n, 9),
    concurrency,
    upstreamMs: 0,
    ttlMs: 120_000,
    chunkCalls: CHUNK,
  });
  // Opens the counter row, which the row-lock baseline needs.
  await runWorkers([job('reserve', 1, 10)]);
  const spend = (n: number) => plan(n, 9).reduce((sum, c) => sum + BigInt(c.actual.costNano), 0n);
  let expected = spend(10);
  const measured: { label: string; clients: number; rate: number; p50: number; p99: number }[] = [];
  for (const clients of [1, CLIENTS]) {
    const n = clients === 1 ? Math.min(HOT_CALLS, 1_000) : HOT_CALLS;
    for (const mode of ['row-lock', 'reserve', 'lease'] as const) {
      const [r] = await runWorkers([job(mode, clients, n)]);
      if (r!.admitted !== n) throw new Error(`${mode}: ${r!.refused} calls refused under a limit that should not bind`);
      expected += spend(n);
      measured.push({
        label: LABELS[mode],
        clients,
        rate: (r!.admitted / r!.elapsedMs) * 1000,
        p50: percentile(r!.overheadMs, 50),
        p99: percentile(r!.overheadMs, 99),
      });
    }
  }
  const [counter] = await counters(db, id);
  if (BigInt(counter!.reserved) !== 0n || BigInt(counter!.committed) !== expected) throw new Error('hot-key counter differs from the calls settled');
  console.log(
    table(
      ['path', 'clients', 'admissions/s', 'vs baseline', 'added p50 ms', 'added p99 ms'],
      measured.map((m) => {
        const base = measured.find((b) => b.clients === m.clients && b.label.startsWith('row lock'))!;
        return [m.label, m.clients, Math.round(m.rate).toLocaleString('en-US'), `${(m.rate / base.rate).toFixed(2)}x`, m.p50.toFixed(2), m.p99.toFixed(2)];
      }),
    ),
  );
  // The floor under both: one durable commit of a one-row update on this server.
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await db.query('update budget_usage set updated_at = now() where budget_id = $1', [id]);
    samples.push(performance.now() - t);
  }
  console.log(
    `counter equals the sum of every call's actual cost (${usd(expected)}), nothing held. ` +
      `One committed single-row update (the durable-commit floor): p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms. ` +
      'The store admits a call with two transactions (reserve, settle), each shared by the calls queued behind it (group commit); the baseline takes one transaction per call and queues on the row lock.',
  );
}

const { openDb } = await import('@/db/client');
const probe = await openDb({ url: SERVER_URL });
const [version] = await probe.query<{ v: string; sc: string }>("select current_setting('server_version') as v, current_setting('synchronous_commit') as sc");
await probe.close();
console.log(
  `# Governance benchmarks\n\n${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
    `PostgreSQL ${version!.v} at ${new URL(SERVER_URL).host} (synchronous_commit ${version!.sc})`,
);
console.log(`reproduce: ${command}`);
const db = await benchDatabase('governance');
try {
  const [{ name }] = (await db.query<{ name: string }>('select current_database() as name')) as [{ name: string }];
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const setup = { db, url: url.toString() };
  await capRuns(setup);
  await rateRuns(setup);
  await hotKey(setup);
} finally {
  await db.dispose();
}
process.exit(0);
