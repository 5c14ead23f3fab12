/**
 * `npm start`: one command from a fresh clone to a running command center.
 * Migrates, seeds an empty database, builds the app when the build is missing
 * or stale, then serves Next.js from this process on PORT (default 3000), so
 * the app and this script share one database handle (one PGlite instance).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ensureBuild } from './lib/build';

(process.env as Record<string, string>).NODE_ENV = 'production';
process.env.AUTH_TRUST_HOST ??= 'true';
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

const root = process.cwd();
const log = (message: string) => console.log(`[tollgate] ${message}`);
/** How long shutdown waits for the ledger writer when the database is unreachable. */
const SHUTDOWN_FLUSH_MS = 30_000;
/** How long shutdown lets requests in flight finish (a long stream included) before cutting them off. */
const SHUTDOWN_GRACE_MS = Number(process.env.TOLLGATE_SHUTDOWN_GRACE_MS ?? 10_000);

function ensureAuthSecret(dataDir: string): void {
  if (process.env.AUTH_SECRET) return;
  const file = path.join(dataDir, 'auth-secret');
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  process.env.AUTH_SECRET = fs.readFileSync(file, 'utf8').trim();
  log(`AUTH_SECRET not set: using the one kept in ${path.relative(root, file)}`);
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`PORT must be a TCP port, got ${process.env.PORT}`);
  const { dataDirectory, getDb, closeDb } = await import('@/db/client');
  ensureAuthSecret(dataDirectory());
  ensureBuild(root, log);

  const db = await getDb();
  const { migrate } = await import('@/db/migrate');
  await migrate(db);
  log(`database: ${db.kind}${db.kind === 'pglite' ? ` in ${path.relative(root, dataDirectory()) || '.'}` : ''}, migrated`);

  const { isSeeded, seedDatabase } = await import('@/db/seed');
  const { describeSeed, secretsFromEnv } = await import('./lib/seed-report');
  if (await isSeeded(db)) {
    log('demo data present: not reseeding');
  } else {
    log('empty database: seeding demo data…');
    const result = await seedDatabase(db, {
      demoPassword: process.env.TOLLGATE_DEMO_PASSWORD || undefined,
      demoKey: process.env.TOLLGATE_DEMO_KEY || undefined,
      adminKey: process.env.TOLLGATE_ADMIN_KEY || undefined,
      events: process.env.TOLLGATE_SEED_EVENTS ? Number(process.env.TOLLGATE_SEED_EVENTS) : undefined,
    });
    describeSeed(result, secretsFromEnv(), log);
  }

  const { default: next } = await import('next');
  const app = next({ dev: false, dir: root, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const { serveGatewayRoute } = await import('@/lib/gateway/node-server');
  const server = http.createServer((req, res) => {
    // The hot gateway routes skip the framework; everything else is Next.js.
    if (serveGatewayRoute(req, res)) return;
    handle(req, res).catch((error: unknown) => {
      console.error('[tollgate] request failed', error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  log(`Tollgate is up on http://localhost:${port}`);

  let workload: { stop(): Promise<void> } | null = null;
  if ((process.env.TOLLGATE_SIMULATOR ?? 'on').toLowerCase() !== 'off') {
    const { mintWorkloadKeys } = await import('@/lib/server/workload-keys');
    const { startWorkload } = await import('./workload/run');
    const agents = await mintWorkloadKeys(db);
    workload = startWorkload({ baseUrl: `http://127.0.0.1:${port}/api/v1`, agents, log });
    log(`demo workload: ${agents.length} agents calling the gateway (TOLLGATE_SIMULATOR=off to stop it)`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    const drained = (workload?.stop() ?? Promise.resolve()).then(async () => {
      // Stop taking requests; let those in flight finish for a grace period, then cut off the rest.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const graceful = await Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), SHUTDOWN_GRACE_MS))]);
      const { gatewayIdle } = await import('@/lib/gateway/node-server');
      if (!graceful) server.closeAllConnections();
      // Every call hands its rows to the writer before it ends: those cut off (or whose client left) as their upstreams stop.
      if (!(await gatewayIdle(5_000))) console.error('[tollgate] some gateway calls were still running 5 s after the connections closed');
      // Rows handed to the ledger writers are committed before the database closes; if it stays unreachable, say how many are lost.
      const { getGateway } = await import('@/lib/gateway/runtime');
      const { currentLedgerWriter } = await import('@/lib/server/ledger-writer');
      const [gatewayRows, ingestRows] = await Promise.all([(await getGateway()).writer.flush(SHUTDOWN_FLUSH_MS), currentLedgerWriter()?.flush(SHUTDOWN_FLUSH_MS) ?? 0]);
      if (gatewayRows + ingestRows > 0) {
        console.error(`[tollgate] ${gatewayRows + ingestRows} ledger row(s) could not be written within ${SHUTDOWN_FLUSH_MS / 1000} s of shutdown and are lost`);
      }
    });
    drained
      .catch((error: unknown) => console.error('[tollgate] draining failed', error))
      .then(() => closeDb())
      .catch((error: unknown) => console.error('[tollgate] closing the database failed', error))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('[tollgate] failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
