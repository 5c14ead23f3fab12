/**
 * `npm run bench -- ledger [--events 1000000] [--rows 10000000]`
 *
 * 1. Ingest: the same generated events through three paths, each into an
 *    empty ledger on the same server: row-by-row INSERT (one statement per
 *    event), multi-row INSERT (the group-commit writer's statement, 5,000 rows
 *    each) and the bulk path (50,000-row chunks, two at a time, each a binary
 *    COPY into the ledger plus its rollup groups in one transaction). All
 *    three keep idempotency and the rollups; rollups are checked equal to the
 *    raw rows after each path, and re-sent bulk rows must write nothing. As
 *    the ceiling, two psql processes COPY the same rows from files into the
 *    empty ledger with nothing else to do (skipped without psql).
 * 2. Dashboard aggregates at --rows ledger rows: each query read from the
 *    rollups and by a raw scan of the ledger, totals compared, p50/p95 and the
 *    speed-up printed.
 *
 * `--only ingest` or `--only aggregates` runs one part.
 *
 * Runs against BENCH_DATABASE_URL (default the local server), in throwaway
 * databases it creates and drops.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DbHandle } from '@/db/client';
import { CHARGEBACK_SUMMARY_SQL, PROVIDER_USAGE } from '@/db/queries/chargeback';
import { CACHE_HIT_SQL, refreshRollups } from '@/db/rollups';
import { seedDatabase } from '@/db/seed';
import { ORG_ID } from '@/db/seed/fixtures';
import { generateDemoData } from '@/db/seed/generate';
import { COLUMN_NAMES } from '@/lib/server/ledger-columns';
import { binaryCopyData } from '@/lib/server/ledger-copy';
import { bulkInsertLedgerRows, insertLedgerRows, type BulkPhaseTimes, type LedgerRowInput } from '@/lib/server/ledger-writer';
import { benchDatabase, flag, percentile, SERVER_URL, serverCpuSeconds, table, timed } from './support';

const NOW = new Date();
const EVENTS = flag('events', 1_000_000);
const ROW_BY_ROW = flag('row-by-row', 5_000);
const MULTI_ROW = flag('multi-row', 200_000);
const AGG_ROWS = flag('rows', 10_000_000);
const command = `npm run bench -- ledger --events ${EVENTS} --rows ${AGG_ROWS}`;

/**
 * Milliseconds for two psql processes to COPY the rows (half each, binary,
 * from files written beforehand) into the ledger: what the server accepts
 * with its indexes and nothing else. Null when psql is not installed.
 */
async function psqlCopyFloor(url: string, rows: readonly LedgerRowInput[]): Promise<number | null> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-floor-'));
  try {
    const mid = Math.floor(rows.length / 2);
    const files = [[0, mid], [mid, rows.length]].map(([from, to], half) => {
      const file = path.join(dir, `half${half}.bin`);
      const fd = fs.openSync(file, 'w');
      for (const buffer of binaryCopyData(rows, from, to)) fs.writeSync(fd, buffer);
      fs.closeSync(fd);
      return file;
    });
    const copy = (file: string) =>
      new Promise<void>((resolve, reject) => {
        const sql = `\\copy ledger_events (${COLUMN_NAMES.join(', ')}) from '${file}' with (format binary)`;
        const psql = spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
        psql.on('error', reject);
        psql.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited with ${code}`))));
      });
    const start = performance.now();
    try {
      await Promise.all(files.map(copy));
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return null;
      throw error;
    }
    return performance.now() - start;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function resetLedger(db: DbHandle) {
  await db.query('truncate ledger_events, ledger_hourly, ledger_daily, ledger_daily_models, ledger_daily_keys, ledger_daily_users');
}

async function checkRollups(db: DbHandle): Promise<string> {
  // Requests are calls that ran: a refused call is not one.
  const [raw] = await db.query<{ c: string; n: string }>("select coalesce(sum(cost_nano), 0)::text as c, count(*) filter (where status <> 'refused')::text as n from ledger_events");
  for (const t of ['ledger_hourly', 'ledger_daily', 'ledger_daily_models']) {
    const [r] = await db.query<{ c: string; n: string }>(`select coalesce(sum(cost_nano), 0)::text as c, coalesce(sum(requests), 0)::text as n from ${t}`);
    if (r!.c !== raw!.c || r!.n !== raw!.n) throw new Error(`${t} (${r!.c}, ${r!.n}) differs from the ledger (${raw!.c}, ${raw!.n})`);
  }
  const [rawKeys] = await db.query<{ c: string; n: string }>(
    "select coalesce(sum(cost_nano), 0)::text as c, count(*) filter (where status <> 'refused')::text as n from ledger_events where api_key_id is not null",
  );
  const [keys] = await db.query<{ c: string; n: string }>('select coalesce(sum(cost_nano), 0)::text as c, coalesce(sum(requests), 0)::text as n from ledger_daily_keys');
  if (keys!.c !== rawKeys!.c || keys!.n !== rawKeys!.n) throw new Error(`ledger_daily_keys (${keys!.c}, ${keys!.n}) differs from the ledger (${rawKeys!.c}, ${rawKeys!.n})`);
  const [rawUsers] = await db.query<{ c: string; n: string }>(
    "select coalesce(sum(cost_nano), 0)::text as c, count(*) filter (where status <> 'refused')::text as n from ledger_events where user_id is not null",
  );
  const [users] = await db.query<{ c: string; n: string }>('select coalesce(sum(cost_nano), 0)::text as c, coalesce(sum(requests), 0)::text as n from ledger_daily_users');
  if (users!.c !== rawUsers!.c || users!.n !== rawUsers!.n) throw new Error(`ledger_daily_users (${users!.c}, ${users!.n}) differs from the ledger (${rawUsers!.c}, ${rawUsers!.n})`);
  return `${raw!.n} rows, rollups equal`;
}

async function ingest(): Promise<void> {
  console.log(`\n## Ledger ingest (${EVENTS.toLocaleString('en-US')} events on the bulk path)\n`);
  const db = await benchDatabase('ingest');
  try {
    await seedDatabase(db, { events: 1_000, days: 7, now: NOW, seed: 1 });
    const generated = await timed(async () =>
      generateDemoData({ seed: 99, days: 90, events: ROW_BY_ROW + MULTI_ROW + EVENTS, now: NOW }).ledgerEvents.map(
        (e, i) => ({ ...e, id: `b${i}`, idempotencyKey: `b${i}` }) as LedgerRowInput,
      ),
    );
    const rows = generated.value;
    console.log(`generated ${rows.length.toLocaleString('en-US')} events in ${(generated.ms / 1000).toFixed(1)} s`);
    const results: { path: string; rows: number; ms: number; check: string }[] = [];

    await resetLedger(db);
    const slice1 = rows.slice(0, ROW_BY_ROW);
    const one = await timed(async () => {
      for (const row of slice1) await insertLedgerRows(db, [row]);
    });
    results.push({ path: 'row-by-row INSERT', rows: slice1.length, ms: one.ms, check: await checkRollups(db) });

    await resetLedger(db);
    const slice2 = rows.slice(ROW_BY_ROW, ROW_BY_ROW + MULTI_ROW);
    const multi = await timed(async () => {
      for (let i = 0; i < slice2.length; i += 5_000) await insertLedgerRows(db, slice2.slice(i, i + 5_000));
    });
    results.push({ path: 'multi-row INSERT (5,000/stmt)', rows: slice2.length, ms: multi.ms, check: await checkRollups(db) });

    await resetLedger(db);
    const slice3 = rows.slice(ROW_BY_ROW + MULTI_ROW);
    const times: BulkPhaseTimes = { copy: 0, rollups: 0, fallback: 0 };
    const cpu = process.cpuUsage();
    const serverCpu = serverCpuSeconds();
    const bulk = await timed(() => bulkInsertLedgerRows(db, slice3, { times }));
    const nodeCpu = process.cpuUsage(cpu);
    const serverCpuAfter = serverCpuSeconds();
    if (bulk.value !== slice3.length) throw new Error(`bulk path wrote ${bulk.value} of ${slice3.length}`);
    results.push({ path: 'bulk (binary COPY, 50,000-row chunks, 2 at a time)', rows: slice3.length, ms: bulk.ms, check: await checkRollups(db) });
    const again = await timed(() => bulkInsertLedgerRows(db, slice3.slice(0, 100_000)));
    if (again.value !== 0) throw new Error('re-sent bulk rows were written twice');

    // The server's own ceiling on this machine: the same rows, COPY'd by psql from files, with nothing else to do.
    await resetLedger(db);
    const floor = await psqlCopyFloor(db.url, slice3);
    if (floor) results.push({ path: 'floor: psql binary COPY of the same rows from files, 2 streams, no rollups', rows: slice3.length, ms: floor, check: 'no rollups' });

    const base = results[0]!.rows / results[0]!.ms;
    console.log(
      table(
        ['path', 'rows', 'seconds', 'rows/s', 'vs row-by-row', 'check'],
        results.map((r) => [
          r.path,
          r.rows.toLocaleString('en-US'),
          (r.ms / 1000).toFixed(2),
          Math.round((r.rows / r.ms) * 1000).toLocaleString('en-US'),
          `${(r.rows / r.ms / base).toFixed(1)}x`,
          r.check,
        ]),
      ),
    );
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `bulk phases, summed over chunks: encode + COPY into the ledger ${s(times.copy)}, rollups (summed in Node, upserted) ${s(times.rollups)}, ` +
        `chunks redone for duplicates ${s(times.fallback)}; Node CPU ${s((nodeCpu.user + nodeCpu.system) / 1000)}` +
        (serverCpu !== null && serverCpuAfter !== null ? `, PostgreSQL CPU ${(serverCpuAfter - serverCpu).toFixed(1)} s (local server, from /proc)` : ''),
    );
    if (floor) console.log(`bulk path / psql COPY floor = ${(floor / bulk.ms).toFixed(2)} (the share of what PostgreSQL itself accepts here that the product's path reaches)`);
    else console.log('psql not found: the COPY floor was not measured');
    console.log(`re-sending 100,000 bulk rows wrote 0 (${(again.ms / 1000).toFixed(2)} s); target: bulk >= 100,000 rows/s`);
    console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`);
  } finally {
    await db.dispose();
  }
}

interface Query {
  name: string;
  rollup: string;
  raw: string;
  params: unknown[];
}

async function aggregates(): Promise<void> {
  console.log(`\n## Dashboard aggregates at ${AGG_ROWS.toLocaleString('en-US')} ledger rows\n`);
  const db = await benchDatabase('aggregates');
  try {
    await seedDatabase(db, { events: 1_000, days: 7, now: NOW, seed: 1 });
    await resetLedger(db);
    const projects = await db.query<{ id: string; department_id: string }>('select id, department_id from projects order by id');
    const models = await db.query<{ id: string; provider: string; name: string; tier: string }>('select id, provider, name, tier from models where routable order by id');
    const keys = await db.query<{ id: string }>("select id from api_keys where role = 'agent' order by id");
    // A bulk load builds indexes once at the end, as a restore or a warehouse load would.
    const indexes = await db.query<{ name: string; def: string }>(
      "select indexname as name, indexdef as def from pg_indexes where tablename = 'ledger_events' and indexname <> 'ledger_events_pkey'",
    );
    for (const index of indexes) await db.query(`drop index ${index.name}`);
    const tasks = ['summarize', 'classify', 'extract', 'kyc_check', 'claims_adjust', 'underwrite', 'support_reply', 'code', 'analysis'];
    // Each project runs three task types, as real departments do; models and keys vary freely.
    const load = await timed(async () => {
      for (let from = 1; from <= AGG_ROWS; from += 1_000_000) {
        const to = Math.min(AGG_ROWS, from + 999_999);
        await db.query(
          `insert into ledger_events (id, idempotency_key, organisation_id, occurred_at, source, provider, model_name, model_id, tier,
             department_id, project_id, api_key_id, task_type, input_tokens, output_tokens, cost_nano, list_cost_nano, price_status)
           select 'g' || g, 'g' || g, $1, $2::timestamptz - r1 * interval '90 days', 'seed', ($3::text[])[mi], ($4::text[])[mi], ($5::text[])[mi],
                  ($6::text[])[mi], ($7::text[])[pi], ($8::text[])[pi], ($9::text[])[ki], ($10::text[])[1 + (pi * 3 + ti) % $11],
                  100 + (r2 * 4000)::int, 10 + (r3 * 600)::int, (r4 * 40000000)::bigint, (r4 * 40000000)::bigint, 'priced'
             from (select g, random() r1, random() r2, random() r3, random() r4,
                          1 + floor(random() * $12)::int mi, 1 + floor(random() * $13)::int pi,
                          1 + floor(random() * $14)::int ki, floor(random() * 3)::int ti
                     from generate_series($15::bigint, $16::bigint) g) s`,
          [
            ORG_ID,
            NOW.toISOString(),
            models.map((m) => m.provider),
            models.map((m) => m.name),
            models.map((m) => m.id),
            models.map((m) => m.tier),
            projects.map((p) => p.department_id),
            projects.map((p) => p.id),
            keys.map((k) => k.id),
            tasks,
            tasks.length,
            models.length,
            projects.length,
            keys.length,
            from,
            to,
          ],
        );
        process.stdout.write(`  loaded ${to.toLocaleString('en-US')} rows\r`);
      }
    });
    const indexing = await timed(async () => {
      for (const index of indexes) await db.query(index.def);
    });
    const rollup = await timed(() => refreshRollups(db, { organisationId: ORG_ID }));
    await db.query('vacuum analyze ledger_events');
    await db.query('vacuum analyze ledger_hourly');
    await db.query('vacuum analyze ledger_daily');
    await db.query('vacuum analyze ledger_daily_models');
    await db.query('vacuum analyze ledger_daily_keys');
    const [sizes] = await db.query<{ events: string; hourly: string; daily: string; models: string; keys: string }>(
      `select (select count(*) from ledger_events)::text as events, (select count(*) from ledger_hourly)::text as hourly,
              (select count(*) from ledger_daily)::text as daily, (select count(*) from ledger_daily_models)::text as models,
              (select count(*) from ledger_daily_keys)::text as keys`,
    );
    console.log(
      `loaded ${Number(sizes!.events).toLocaleString('en-US')} rows in ${(load.ms / 1000).toFixed(0)} s, indexed in ${(indexing.ms / 1000).toFixed(0)} s; rollups built in ${(rollup.ms / 1000).toFixed(0)} s ` +
        `(hourly ${Number(sizes!.hourly).toLocaleString('en-US')}, daily ${Number(sizes!.daily).toLocaleString('en-US')}, ` +
        `daily-by-model ${Number(sizes!.models).toLocaleString('en-US')}, daily-by-key ${Number(sizes!.keys).toLocaleString('en-US')} rows)`,
    );

    const day = (d: Date) => d.toISOString().slice(0, 10);
    const from90 = new Date(NOW.getTime() - 89 * 86_400_000);
    const monthStart = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), 1));
    const nextMonth = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth() + 1, 1));
    const from30 = new Date(NOW.getTime() - 29 * 86_400_000);
    const queries: Query[] = [
      {
        name: 'spend by department x model x day, 90 days',
        rollup: `select department_id, model_name, day::text as day, sum(cost_nano)::text as cost from ledger_daily_models
                  where organisation_id = $1 and day >= $2::date group by 1, 2, 3 order by 1, 2, 3`,
        raw: `select department_id, model_name, ((occurred_at at time zone 'UTC')::date)::text as day, sum(cost_nano)::text as cost from ledger_events
               where organisation_id = $1 and occurred_at >= $2::date group by 1, 2, 3 order by 1, 2, 3`,
        params: [ORG_ID, day(from90)],
      },
      {
        name: 'monthly chargeback per department',
        rollup: `select department_id, sum(cost_nano)::text as cost, sum(requests)::text as calls from ledger_daily_models
                  where organisation_id = $1 and day >= $2::date and day < $3::date group by 1 order by 1`,
        raw: `select department_id, sum(cost_nano)::text as cost, count(*) filter (where status <> 'refused')::text as calls from ledger_events
               where organisation_id = $1 and occurred_at >= $2::date and occurred_at < $3::date group by 1 order by 1`,
        params: [ORG_ID, day(monthStart), day(nextMonth)],
      },
      {
        name: 'chargeback summary (GET /api/v1/chargeback), department x project, this month',
        rollup: CHARGEBACK_SUMMARY_SQL,
        // The same figures over the raw ledger, as the API read them before (grouped by ids, names joined after).
        raw: `with sums as (
                select e.department_id, e.project_id,
                       count(*) filter (where e.status <> 'refused')::text as requests, count(*) filter (where ${CACHE_HIT_SQL})::text as cache_hits,
                       sum(e.cost_nano)::text as cost, sum(e.list_cost_nano)::text as list_cost, sum(e.saved_nano)::text as saved,
                       ${['input', 'cached_input', 'cache_write_5m', 'cache_write_1h', 'output', 'reasoning']
                         .map((b) => `coalesce(sum(e.${b}_tokens) filter (where ${PROVIDER_USAGE}), 0)::text as ${b}`)
                         .join(', ')}
                  from ledger_events e
                 where e.organisation_id = $1 and ($2::text is null or e.department_id = $2) and e.occurred_at >= $3::date and e.occurred_at < $4::date
                 group by e.department_id, e.project_id
              )
              select s.*, d.name as department_name, d.cost_center, pr.code as project_code, pr.name as project_name
                from sums s left join departments d on d.id = s.department_id left join projects pr on pr.id = s.project_id
               order by d.name nulls last, s.department_id, pr.name nulls last, s.project_id`,
        params: [ORG_ID, null, day(monthStart), day(nextMonth)],
      },
      {
        name: 'top 10 API keys, 30 days',
        rollup: `select api_key_id, sum(cost_nano)::text as cost from ledger_daily_keys
                  where organisation_id = $1 and day >= $2::date group by 1 order by sum(cost_nano) desc, 1 limit 10`,
        raw: `select api_key_id, sum(cost_nano)::text as cost from ledger_events
               where organisation_id = $1 and occurred_at >= $2::date and api_key_id is not null group by 1 order by sum(cost_nano) desc, 1 limit 10`,
        params: [ORG_ID, day(from30)],
      },
    ];
    const rows: (string | number)[][] = [];
    for (const q of queries) {
      const run = async (sql: string, n: number, warm: number) => {
        let result: unknown[] = [];
        for (let i = 0; i < warm; i++) await db.query(sql, q.params);
        const samples: number[] = [];
        for (let i = 0; i < n; i++) {
          const t = await timed(() => db.query(sql, q.params));
          samples.push(t.ms);
          result = t.value;
        }
        return { samples, result };
      };
      const r = await run(q.rollup, 40, 3);
      const s = await run(q.raw, 5, 1);
      const same = JSON.stringify(r.result) === JSON.stringify(s.result);
      if (!same) throw new Error(`${q.name}: rollup and raw results differ`);
      const [rp50, rp95, sp50, sp95] = [percentile(r.samples, 50), percentile(r.samples, 95), percentile(s.samples, 50), percentile(s.samples, 95)];
      rows.push([q.name, rp50.toFixed(1), rp95.toFixed(1), sp50.toFixed(0), sp95.toFixed(0), `${(sp50 / rp50).toFixed(0)}x`, `${r.result.length} rows, identical`]);
    }
    console.log(table(['query', 'rollup p50 ms', 'rollup p95 ms', 'raw p50 ms', 'raw p95 ms', 'speed-up (p50)', 'totals'], rows));
    console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`);
    console.log('targets: rollups p95 <= 100 ms and >= 50x faster than the raw scan, identical totals');
  } finally {
    await db.dispose();
  }
}

const [server] = await (async () => {
  const { openDb } = await import('@/db/client');
  const h = await openDb({ url: SERVER_URL });
  const v = await h.query<{ v: string }>("select current_setting('server_version') as v");
  await h.close();
  return [v[0]!.v];
})();
console.log(`# Ledger benchmarks\n\n${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, PostgreSQL ${server} at ${new URL(SERVER_URL).host}`);
console.log(`reproduce: ${command}`);
console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} (other processes on the machine slow every figure)`);
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
if (!only || only === 'ingest') await ingest();
if (!only || only === 'aggregates') await aggregates();
process.exit(0);
