/**
 * `npx tsx scripts/outage-drill.ts`: restarts PostgreSQL under gateway traffic
 * and checks the ledger afterwards. Every call the gateway answered must be
 * on the ledger exactly once, with the rollups equal to the raw rows.
 *
 * The gateway and a mock upstream (5 ms) run as in `npm run bench -- gateway`.
 * Eight clients call the gateway for 3 s, the server is stopped for 3 s and
 * started again, and the clients go on for 4 s more. Calls made while the
 * database is down are refused (503: Tollgate does not let through what it
 * cannot meter); calls answered just before the outage wait in the ledger
 * writer until it is back.
 *
 * It stops and starts the server it runs against, so run it only on a
 * machine of your own. The database is BENCH_DATABASE_URL (default the local
 * server); the restart command is TOLLGATE_DRILL_RESTART (default Debian's
 * `pg_ctlcluster`).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import readline from 'node:readline';
import { benchDatabase } from '@/bench/support';
import { seedDatabase } from '@/db/seed';
import { ORG_ID } from '@/db/seed/fixtures';
import { CATALOG_MODELS } from '@/lib/engine/catalog';

const KEY = 'tg_outageGatewayKey00000000000000000000000';
const RESTART =
  process.env.TOLLGATE_DRILL_RESTART ??
  'cluster=$(ls /etc/postgresql | tail -1); pg_ctlcluster --skip-systemctl-redirect $cluster main stop -m fast && sleep 3 && pg_ctlcluster --skip-systemctl-redirect $cluster main start';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function child(args: string[]) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/gateway-processes.ts', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise<{ proc: typeof proc; port: number }>((resolve) => {
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (line.startsWith('READY')) resolve({ proc, port: Number(line.split(' ')[1]) });
    });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function call(port: number, i: number): Promise<{ status: number; id: string | null }> {
  const body = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: `Summarise claim note ${i}: minor collision, no injuries.` }] });
  const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-tollgate-cache': 'off' };
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/v1/chat/completions', method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, id: (res.headers['x-tollgate-request-id'] as string | undefined) ?? null }));
    });
    req.on('error', () => resolve({ status: 0, id: null }));
    req.end(body);
  });
}

const db = await benchDatabase('outage');
try {
  await seedDatabase(db, { events: 200, days: 3, seed: 5, demoKey: KEY, adminKey: 'tg_outageAdminKey000000000000000000000000000' });
  const upstream = await child(['upstream']);
  upstream.proc.stdin!.write('5\n');
  await db.query(`insert into upstreams (id, organisation_id, name, kind, base_url, models) values ('ups_drill', $1, 'mock', 'openai_compatible', $2, $3::jsonb)`, [
    ORG_ID,
    `http://127.0.0.1:${upstream.port}`,
    JSON.stringify(Object.fromEntries(CATALOG_MODELS.map((m) => [m.id, m.name]))),
  ]);
  const [before] = await db.query<{ n: string }>('select count(*)::text as n from ledger_events');
  const gateway = await child(['gateway', db.url]);
  const answered: string[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  let running = true;
  const clients = Array.from({ length: 8 }, async () => {
    while (running) {
      const r = await call(gateway.port, next++);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 200 && r.id) answered.push(r.id);
    }
  });
  await sleep(3_000);
  console.log(`restarting PostgreSQL after ${answered.length} answered calls`);
  const down = performance.now();
  await new Promise((resolve) => spawn('sh', ['-c', RESTART], { stdio: 'inherit' }).on('exit', resolve));
  console.log(`PostgreSQL back after ${((performance.now() - down) / 1000).toFixed(1)} s`);
  await sleep(4_000);
  running = false;
  await Promise.all(clients);
  gateway.proc.kill('SIGTERM'); // flushes the ledger writer
  await new Promise((resolve) => gateway.proc.once('exit', resolve));
  upstream.proc.kill();

  const rows = await db.query<{ id: string }>(`select id from ledger_events where source = 'gateway'`);
  const onLedger = new Set(rows.map((r) => r.id));
  const missing = answered.filter((id) => !onLedger.has(id)).length;
  const [raw] = await db.query<{ c: string; n: string }>("select sum(cost_nano)::text as c, count(*) filter (where status <> 'refused')::text as n from ledger_events");
  const [hourly] = await db.query<{ c: string; n: string }>('select sum(cost_nano)::text as c, sum(requests)::text as n from ledger_hourly');
  console.log(`answers by status: ${JSON.stringify(statuses)}`);
  console.log(`answered calls: ${answered.length}; gateway rows on the ledger: ${rows.length}; answered calls missing from the ledger: ${missing}`);
  console.log(`ledger rows ${raw!.n} (seeded ${before!.n}), hourly rollup requests ${hourly!.n}; cost ${raw!.c} vs ${hourly!.c} nano-USD`);
  const ok = missing === 0 && rows.length === answered.length && raw!.c === hourly!.c && raw!.n === hourly!.n;
  console.log(ok ? 'PASS: every answered call is on the ledger once; rollups equal the ledger' : 'FAIL');
  process.exitCode = ok ? 0 : 1;
} finally {
  agent.destroy();
  await db.dispose();
}
