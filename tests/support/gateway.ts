/**
 * A seeded test database with the gateway's runtime on it, served over HTTP
 * the way the production server does: the hot gateway route on the Node
 * layer, anything else through `fallback` (route handlers) or a 404.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setDb } from '@/db/client';
import { seedDatabase } from '@/db/seed';
import { serveGatewayRoute } from '@/lib/gateway/node-server';
import { getGateway, resetGateway, type GatewayRuntime } from '@/lib/gateway/runtime';
import { clearApiKeyCache } from '@/lib/http/authenticate';
import { invalidatePriceBook } from '@/lib/server/price-book';
import { createTestDb, type TestDb } from './db';

export interface GatewayFixture {
  db: TestDb;
  rt: GatewayRuntime;
  server: http.Server;
  /** `http://127.0.0.1:<port>/api/v1`, for the openai SDK. */
  baseURL: string;
  close(): Promise<void>;
}

export async function startGatewayFixture(options: {
  seed: number;
  agentKey: string;
  adminKey: string;
  fallback?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}): Promise<GatewayFixture> {
  process.env.TOLLGATE_SIMULATED_LATENCY = 'off';
  const db = await createTestDb();
  await seedDatabase(db, { events: 300, days: 5, now: new Date(), seed: options.seed, demoKey: options.agentKey, adminKey: options.adminKey });
  // The seed sizes its budgets from its own generated spend, which depends on the day of the month;
  // these tests bring their own budgets, so the seeded ones only watch (soft).
  await db.query(`update budgets set enforcement = 'soft'`);
  setDb(db);
  clearApiKeyCache();
  invalidatePriceBook();
  resetGateway();
  const rt = await getGateway();
  const server = http.createServer((req, res) => {
    if (serveGatewayRoute(req, res) || options.fallback?.(req, res)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    db,
    rt,
    server,
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    async close() {
      server.close();
      await rt.writer.flush();
      await rt.admitter.close();
      resetGateway();
      await db.dispose();
    },
  };
}
