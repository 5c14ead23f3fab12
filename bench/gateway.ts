/**
 * `npm run bench -- gateway [--calls 3000] [--clients 64] [--per-client 40]`
 *
 * The gateway against a direct call to the same local mock upstream (an
 * OpenAI-compatible HTTP server in this process), interleaved call by call
 * (or round by round under load), warm-up dropped. The full hot path is on:
 * key lookup, body validation, token count, task inference, route, cache
 * lookup, upstream call, usage parse, pricing, ledger write (group commit to
 * a real PostgreSQL), metrics.
 *
 *  1. Instant upstream, 1 client: added latency p50 / p99.
 *  2. 20 ms upstream, 64 clients: gateway RPS / direct RPS.
 *  3. Streaming, instant upstream: added time to first token p50 / p99.
 *  4. Engine decision in process (task inference + route + price): p50 / p99.
 *
 * The gateway runs on the production server's thin Node layer
 * (lib/gateway/node-server.ts). Runs against BENCH_DATABASE_URL (default the
 * local server) in a throwaway database.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setDb } from '@/db/client';
import { seedDatabase } from '@/db/seed';
import { ORG_ID } from '@/db/seed/fixtures';
import { CATALOG_MODELS } from '@/lib/engine/catalog';
import { priceTokens } from '@/lib/engine/prices';
import { catalogQuality, DEFAULT_THRESHOLDS, HealthTracker, inferTask, QualityTracker, routeRequest } from '@/lib/engine/router';
import { countChatTokens } from '@/lib/engine/tokens';
import { serveGatewayRoute } from '@/lib/gateway/node-server';
import { getGateway } from '@/lib/gateway/runtime';
import { benchDatabase, flag, percentile, table } from './support';

const CALLS = flag('calls', 3_000);
const CLIENTS = flag('clients', 64);
const PER_CLIENT = flag('per-client', 40);
const WARMUP = Math.floor(CALLS / 10);
const KEY = 'tg_benchGatewayKey000000000000000000000000';
const command = `npm run bench -- gateway --calls ${CALLS} --clients ${CLIENTS} --per-client ${PER_CLIENT}`;

process.env.TOLLGATE_SIMULATED_UPSTREAMS = 'off';

/** A minimal OpenAI-compatible upstream: fixed reply, real usage, optional delay, SSE when asked. */
function mockUpstream(): Promise<{ url: string; delayMs: { value: number }; close(): void }> {
  const delayMs = { value: 0 };
  const reply = 'Claim CLM-10023 is a rear-end collision with minor damage; recommend standard repair settlement.';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; stream?: boolean };
      const usage = { prompt_tokens: 42, completion_tokens: 19, total_tokens: 61, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } };
      const send = () => {
        if (body.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const base = { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1_700_000_000, model: body.model };
          res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`);
          for (const word of reply.split(' ')) res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: `${word} ` }, finish_reason: null }] })}\n\n`);
          res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
          res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
          res.end('data: [DONE]\n\n');
          return;
        }
        const text = JSON.stringify({
          id: 'chatcmpl-mock',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
          usage,
        });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (delayMs.value > 0) setTimeout(send, delayMs.value);
      else send();
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, delayMs, close: () => server.close() }),
    ),
  );
}

function gatewayServer(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    if (!serveGatewayRoute(req, res)) res.writeHead(404).end();
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })),
  );
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One POST over a kept-alive connection; resolves with total ms and time to the first body byte. */
function post(url: string, body: string, headers: Record<string, string>): Promise<{ ms: number; firstByteMs: number; firstTokenMs: number; status: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let firstByteMs = -1;
      let firstTokenMs = -1;
      res.on('data', (chunk: Buffer) => {
        const now = performance.now() - start;
        if (firstByteMs < 0) firstByteMs = now;
        if (firstTokenMs < 0 && chunk.includes('"content":"') && !chunk.includes('"content":""')) firstTokenMs = now;
      });
      res.on('end', () => resolve({ ms: performance.now() - start, firstByteMs, firstTokenMs, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

let counter = 0;
function requestBody(stream = false): string {
  counter += 1;
  return JSON.stringify({
    model: 'auto',
    messages: [
      { role: 'system', content: 'You are a claims assistant.' },
      { role: 'user', content: `Summarise claim note ${counter}: rear-end collision at low speed, bumper damage, no injuries, repair estimate £1,${counter % 1000} pending.` },
    ],
    max_completion_tokens: 200,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

const fmt = (ms: number) => ms.toFixed(3);

async function latency(upstream: string, gateway: string): Promise<string[][]> {
  const direct: number[] = [];
  const through: number[] = [];
  const headers = { authorization: `Bearer ${KEY}`, 'x-tollgate-task': 'summarize' };
  for (let i = 0; i < CALLS; i++) {
    const d = await post(`${upstream}/chat/completions`, requestBody(), {});
    const g = await post(`${gateway}/api/v1/chat/completions`, requestBody(), headers);
    if (g.status !== 200) throw new Error(`gateway answered ${g.status}`);
    if (i >= WARMUP) {
      direct.push(d.ms);
      through.push(g.ms);
    }
  }
  const row = (p: number) => [`p${p}`, fmt(percentile(direct, p)), fmt(percentile(through, p)), fmt(percentile(through, p) - percentile(direct, p))];
  return [row(50), row(90), row(99)];
}

async function streaming(upstream: string, gateway: string): Promise<string[][]> {
  const direct: number[] = [];
  const through: number[] = [];
  const headers = { authorization: `Bearer ${KEY}`, 'x-tollgate-task': 'summarize' };
  for (let i = 0; i < CALLS; i++) {
    const d = await post(`${upstream}/chat/completions`, requestBody(true), {});
    const g = await post(`${gateway}/api/v1/chat/completions`, requestBody(true), headers);
    if (g.status !== 200 || g.firstTokenMs < 0) throw new Error(`gateway stream answered ${g.status} without a token`);
    if (i >= WARMUP) {
      direct.push(d.firstTokenMs);
      through.push(g.firstTokenMs);
    }
  }
  const row = (p: number) => [`p${p}`, fmt(percentile(direct, p)), fmt(percentile(through, p)), fmt(percentile(through, p) - percentile(direct, p))];
  return [row(50), row(99)];
}

async function throughput(upstream: string, gateway: string, delay: { value: number }): Promise<{ direct: number; gateway: number }> {
  delay.value = 20;
  const headers = { authorization: `Bearer ${KEY}`, 'x-tollgate-task': 'summarize' };
  const round = async (url: string, h: Record<string, string>) => {
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = 0; i < PER_CLIENT; i++) {
          const r = await post(url, requestBody(), h);
          if (r.status !== 200) throw new Error(`answered ${r.status}`);
        }
      }),
    );
    return (CLIENTS * PER_CLIENT) / ((performance.now() - start) / 1000);
  };
  // Warm-up round each, then three interleaved rounds; the medians are compared.
  await round(`${upstream}/chat/completions`, {});
  await round(`${gateway}/api/v1/chat/completions`, headers);
  const d: number[] = [];
  const g: number[] = [];
  for (let i = 0; i < 3; i++) {
    d.push(await round(`${upstream}/chat/completions`, {}));
    g.push(await round(`${gateway}/api/v1/chat/completions`, headers));
  }
  delay.value = 0;
  return { direct: percentile(d, 50), gateway: percentile(g, 50) };
}

function engineDecision(): string[][] {
  const book = CATALOG_MODELS.map((m) => ({ id: m.id, provider: m.provider, name: m.name, tier: m.tier, contextWindow: m.contextWindow, maxOutputTokens: m.maxOutputTokens, inputNanoPerMtok: 1_000_000_000n, outputNanoPerMtok: 4_000_000_000n }));
  const quality = new QualityTracker(catalogQuality());
  const health = new HealthTracker();
  const messages = [
    { role: 'system' as const, content: 'You are a KYC analyst.' },
    { role: 'user' as const, content: 'Verify passport P1234567 for Ada Okoye against the sanctions list and give a decision.' },
  ];
  const promptTokens = countChatTokens(messages);
  const versions = [{ id: 1, modelId: 'x', kind: 'list' as const, organisationId: null, serviceTier: 'standard' as const, contextTierMinTokens: 0, effectiveFrom: new Date(0), inputPerMtok: 1_250_000_000n, cachedInputPerMtok: 125_000_000n, cacheWrite5mPerMtok: null, cacheWrite1hPerMtok: null, outputPerMtok: 10_000_000_000n, reasoningPerMtok: null }];
  const decide = () => {
    const { task } = inferTask(messages);
    const d = routeRequest({ requestedModel: 'auto', task, taskSource: 'inferred', promptTokens, maxOutputTokens: 500, models: book, thresholds: DEFAULT_THRESHOLDS, quality: quality.lookup, health: health.at(Date.now()) });
    const cost = priceTokens(versions, { organisationId: ORG_ID, at: new Date(), serviceTier: 'standard' }, { inputTokens: promptTokens, cachedInputTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputTokens: 500, reasoningTokens: 0 });
    return d.ok ? cost.costNano : 0n;
  };
  const baseline = () => promptTokens * 2;
  const samples: number[] = [];
  const base: number[] = [];
  let sink = 0n;
  for (let i = 0; i < 50_000; i++) {
    let t = performance.now();
    sink += decide();
    const s = performance.now() - t;
    t = performance.now();
    sink += BigInt(baseline());
    const b = performance.now() - t;
    if (i >= 5_000) {
      samples.push(s * 1000);
      base.push(b * 1000);
    }
  }
  if (sink < 0n) console.log(sink);
  return [
    ['decision (infer + route + price)', percentile(samples, 50).toFixed(2), percentile(samples, 99).toFixed(2), 'p99 <= 50 us'],
    ['baseline (empty call + timer)', percentile(base, 50).toFixed(2), percentile(base, 99).toFixed(2), ''],
  ];
}

const db = await benchDatabase('gateway');
const upstream = await mockUpstream();
const gateway = await gatewayServer();
try {
  await seedDatabase(db, { events: 2_000, days: 7, seed: 5, demoKey: KEY, adminKey: 'tg_benchAdminKey0000000000000000000000000000' });
  setDb(db);
  await db.query(
    `insert into upstreams (id, organisation_id, name, kind, base_url, models) values ('ups_bench', $1, 'bench-mock', 'openai_compatible', $2, $3::jsonb)`,
    [ORG_ID, upstream.url, JSON.stringify(Object.fromEntries(CATALOG_MODELS.map((m) => [m.id, m.name])))],
  );
  const rt = await getGateway();
  console.log(`\n## Gateway overhead (thin Node layer, ${CALLS} interleaved calls each, first ${WARMUP} dropped)\n`);
  console.log(table(['instant upstream, 1 client', 'direct ms', 'gateway ms', 'added ms'], await latency(upstream.url, gateway.url)));
  console.log('\ntargets: added p50 <= 0.5 ms, p99 <= 2 ms');

  console.log(`\n## Streaming: time to first token (instant upstream, 1 client)\n`);
  console.log(table(['TTFT', 'direct ms', 'gateway ms', 'added ms'], await streaming(upstream.url, gateway.url)));
  console.log('\ntarget: added p99 <= 2 ms');

  console.log(`\n## Throughput: 20 ms upstream, ${CLIENTS} clients x ${PER_CLIENT} calls, median of 3 interleaved rounds\n`);
  const tp = await throughput(upstream.url, gateway.url, upstream.delayMs);
  console.log(table(['path', 'requests/s'], [['direct', tp.direct.toFixed(0)], ['gateway', tp.gateway.toFixed(0)]]));
  console.log(`\ngateway / direct = ${(tp.gateway / tp.direct).toFixed(3)} (target >= 0.95)`);

  console.log(`\n## Engine decision in process (45,000 samples after warm-up)\n`);
  console.log(table(['', 'p50 us', 'p99 us', 'target'], engineDecision()));

  await rt.writer.flush();
  const [row] = await db.query<{ n: string }>(`select count(*)::text as n from ledger_events where source = 'gateway'`);
  console.log(`\nledger: ${row!.n} gateway rows written (every call through the gateway, group-committed)`);
  console.log(`\nreproduce: ${command}`);
} finally {
  gateway.close();
  upstream.close();
  agent.destroy();
  await db.dispose();
}
process.exit(0);
