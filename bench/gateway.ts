/**
 * `npm run bench -- gateway [--calls 3000] [--clients 64] [--per-client 40] [--no-cache]`
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
 *  5. An agent's long conversation (about 120 KB), 1 client: added latency.
 *
 * Each figure is also taken through a bare proxy (a pass-through Node HTTP
 * server with no logic, in its own process): the extra hop alone. The
 * gateway minus the proxy is Tollgate's own cost. And through a JSON proxy
 * (bench/gateway-processes.ts): the request and the answer parsed and
 * written again, sent with the gateway's own upstream client, and nothing
 * else, the least any gateway that reads the call pays.
 *
 * The gateway runs on the production server's thin Node layer
 * (lib/gateway/node-server.ts). Runs against BENCH_DATABASE_URL (default the
 * local server) in a throwaway database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import readline from 'node:readline';
import { seedDatabase } from '@/db/seed';
import { ORG_ID } from '@/db/seed/fixtures';
import { CATALOG_MODELS } from '@/lib/engine/catalog';
import { priceTokens } from '@/lib/engine/prices';
import { catalogQuality, DEFAULT_THRESHOLDS, HealthTracker, inferTask, QualityTracker, routeRequest } from '@/lib/engine/router';
import { countChatTokens } from '@/lib/engine/tokens';
import { benchDatabase, flag, mean, percentile, processCpuSeconds, serverCpuSeconds, table } from './support';

const CALLS = flag('calls', 3_000);
const CLIENTS = flag('clients', 64);
const PER_CLIENT = flag('per-client', 40);
const WARMUP = Math.floor(CALLS / 10);
const KEY = 'tg_benchGatewayKey000000000000000000000000';
/** `--no-cache`: every gateway call skips the response cache (`x-tollgate-cache: off`), to show what the cache costs on a miss. */
const NO_CACHE = process.argv.includes('--no-cache');
const command = `npm run bench -- gateway --calls ${CALLS} --clients ${CLIENTS} --per-client ${PER_CLIENT}${NO_CACHE ? ' --no-cache' : ''}`;

process.env.TOLLGATE_SIMULATED_UPSTREAMS = 'off';

interface Child {
  proc: ChildProcess;
  ports: number[];
}

/** Starts a child from bench/gateway-processes.ts and waits for its READY line. */
function child(args: string[]): Promise<Child> {
  // Diagnostics: BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each child that exits cleanly (the gateway) there;
  // BENCH_TRACE_GC=1 prints the gateway's garbage collections to stderr; BENCH_GATEWAY_NODE_FLAGS adds Node/V8 flags to the gateway's process.
  const isGateway = args[0] === 'gateway';
  const traceGc = process.env.BENCH_TRACE_GC && isGateway ? ['--trace-gc'] : [];
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : traceGc;
  const flags = isGateway ? (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean) : [];
  const proc = spawn(process.execPath, [...flags, ...profile, '--import', 'tsx', 'bench/gateway-processes.ts', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      const m = /^READY (\d+)(?: (\d+))?/.exec(line);
      if (m) resolve({ proc, ports: [Number(m[1]), Number(m[2] ?? 0)] });
      else if (process.env.BENCH_TRACE_GC) console.error(line);
    });
    proc.once('exit', (code) => reject(new Error(`bench child ${args[0]} exited with ${code}`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One POST over a kept-alive connection; resolves with total ms and time to the first body byte. */
function post(url: string, body: string, headers: Record<string, string>): Promise<{ ms: number; firstByteMs: number; firstTokenMs: number; status: number; overheadMs: number }> {
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
      const overheadMs = Number(res.headers['x-tollgate-overhead-ms'] ?? Number.NaN);
      res.on('end', () => resolve({ ms: performance.now() - start, firstByteMs, firstTokenMs, status: res.statusCode ?? 0, overheadMs }));
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

/**
 * An agent's long conversation: a system prompt and ten earlier turns (each
 * a question and a long answer with the documents it quoted), about 120 KB,
 * sent again with every new turn as agents do. Every call is one turn
 * further (up to 20, then the agent starts over with a new first question), so no two bodies are alike.
 */
const AGENT_HISTORY = (() => {
  const words = 'the claim adjuster reviewed policy section coverage deductible vehicle damage report invoice amount customer notes and of'.split(' ');
  let seed = 7;
  const text = (n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push((seed = (seed * 48_271) % 2_147_483_647) % 17 === 0 ? `CLM-${seed % 100_000}` : words[seed % words.length]!);
    return out.join(' ');
  };
  const messages = [{ role: 'system', content: `You are a claims assistant. Policy handbook:\n${text(1_200)}` }];
  for (let turn = 0; turn < 10; turn++) messages.push({ role: 'user', content: text(50) }, { role: 'assistant', content: text(1_500) });
  return messages;
})();

function agentTurnBody(): string {
  counter += 1;
  const messages = [...AGENT_HISTORY];
  for (let step = 0; step < counter % 20; step++) messages.push({ role: 'user', content: `Check item ${step} of the list.` }, { role: 'assistant', content: `Item ${step} is consistent with the policy.` });
  messages.push({ role: 'user', content: `Check item ${counter % 20} of the list (call ${counter}).` });
  return JSON.stringify({ model: 'auto', messages, max_completion_tokens: 200 });
}

const fmt = (ms: number) => ms.toFixed(3);

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The process serving it between the client and the upstream (none for direct calls). */
  pid?: number;
}

const GATEWAY_HEADERS = { authorization: `Bearer ${KEY}`, 'x-tollgate-task': 'summarize', ...(NO_CACHE ? { 'x-tollgate-cache': 'off' } : {}) };

/**
 * Calls each target in turn, call by call, and returns each one's samples
 * after warm-up, the overhead the gateway reported for itself
 * (`x-tollgate-overhead-ms`), and the CPU each hop process spent per measured call.
 */
async function interleaved(
  targets: Target[],
  stream: boolean,
  measure: (r: Awaited<ReturnType<typeof post>>) => number,
  body: () => string = () => requestBody(stream),
  calls = CALLS,
): Promise<{ samples: number[][]; reported: number[][]; cpuUs: number[] }> {
  const warmup = Math.floor(calls / 10);
  const samples = targets.map(() => [] as number[]);
  const reported = targets.map(() => [] as number[]);
  let cpuAtWarmup: number[] = [];
  for (let i = 0; i < calls; i++) {
    if (i === warmup) cpuAtWarmup = targets.map(hopCpuSeconds);
    for (const [t, target] of targets.entries()) {
      const r = await post(target.url, body(), target.headers);
      if (r.status !== 200 || (stream && r.firstTokenMs < 0)) throw new Error(`${target.name} answered ${r.status}`);
      if (i >= warmup) {
        samples[t]!.push(measure(r));
        if (!Number.isNaN(r.overheadMs)) reported[t]!.push(r.overheadMs);
      }
    }
  }
  const cpuUs = targets.map((target, t) => ((hopCpuSeconds(target) - cpuAtWarmup[t]!) / (calls - warmup)) * 1e6);
  return { samples, reported, cpuUs };
}

/** Hop processes' CPU per measured call; targets served by one process (the gateway and its Next.js route) are reported together. */
function hopCpu(targets: Target[], cpuUs: number[]): string {
  const byPid = new Map<number, string[]>();
  targets.forEach((t) => t.pid !== undefined && byPid.set(t.pid, [...(byPid.get(t.pid) ?? []), t.name]));
  return [...byPid.values()]
    .map((names) => {
      const us = cpuUs[targets.findIndex((t) => t.name === names[0])]!;
      return names.length === 1 ? `${names[0]} ${us.toFixed(0)} us` : `${names.join(' + ')} (one process, one call each) ${us.toFixed(0)} us`;
    })
    .join(', ');
}

/** CPU-seconds the process between the client and the upstream has used (0 for direct calls). */
function hopCpuSeconds(target: Target): number {
  return target.pid === undefined ? 0 : (processCpuSeconds(target.pid) ?? Number.NaN);
}

/** What the 1-client rounds say beyond latency: each hop's CPU per call, and the gateway's own reported overhead. */
function hopFacts(targets: Target[], run: { reported: number[][]; cpuUs: number[] }): string {
  const cpu = hopCpu(targets, run.cpuUs);
  const gateway = targets.findIndex((t) => t.name === 'gateway');
  const own = run.reported[gateway]!;
  const reported = own.length ? `; the gateway's x-tollgate-overhead-ms p50 ${fmt(percentile(own, 50))} ms, p99 ${fmt(percentile(own, 99))} ms` : '';
  return `CPU per call in these rounds: ${cpu}${reported}`;
}

/**
 * Rows per percentile: each target's figure, then each target's figure minus
 * the direct call's, and Tollgate's own share (the gateway minus the bare
 * proxy, which pays the same extra hop with no logic).
 */
function percentileRows(targets: Target[], samples: number[][], percentiles: number[]): string[][] {
  const gateway = targets.findIndex((t) => t.name === 'gateway');
  const proxy = targets.findIndex((t) => t.name === 'bare proxy');
  return percentiles.map((p) => {
    const at = samples.map((s) => percentile(s, p));
    return [
      `p${p}`,
      ...at.map(fmt),
      ...at.slice(1).map((v) => fmt(v - at[0]!)),
      fmt(at[gateway]! - at[proxy]!),
    ];
  });
}

function percentileColumns(first: string, targets: Target[]): string[] {
  return [first, ...targets.map((t) => `${t.name} ms`), ...targets.slice(1).map((t) => `added: ${t.name}`), 'Tollgate own (gateway - proxy)'];
}

/** CPU-seconds by where they were spent: the benchmark process (the clients), the mock upstream, the hop (proxy or gateway), PostgreSQL. */
type CpuSplit = [client: number, upstream: number, hop: number, postgres: number];

function cpuNow(upstreamPid: number, hopPid: number | undefined): CpuSplit {
  const own = process.cpuUsage();
  return [
    (own.user + own.system) / 1e6,
    processCpuSeconds(upstreamPid) ?? Number.NaN,
    hopPid === undefined ? 0 : (processCpuSeconds(hopPid) ?? Number.NaN),
    serverCpuSeconds() ?? Number.NaN,
  ];
}

interface LoadRun {
  rates: number[];
  cpuPerCall: CpuSplit[];
  /** Each call's time as its client saw it, per target, over the measured rounds. */
  latency: number[][];
  /** The x-tollgate-overhead-ms each target reported (the gateway only): its own time, the upstream's excluded. */
  reported: number[][];
}

async function throughput(targets: Target[], setDelay: (ms: number) => void, upstreamPid: number): Promise<LoadRun> {
  setDelay(20);
  const calls = CLIENTS * PER_CLIENT;
  const latency = targets.map(() => [] as number[]);
  const reported = targets.map(() => [] as number[]);
  const round = async (target: Target, t: number | null) => {
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = 0; i < PER_CLIENT; i++) {
          const r = await post(target.url, requestBody(), target.headers);
          if (r.status !== 200) throw new Error(`${target.name} answered ${r.status}`);
          if (t === null) continue;
          latency[t]!.push(r.ms);
          if (!Number.isNaN(r.overheadMs)) reported[t]!.push(r.overheadMs);
        }
      }),
    );
    return calls / ((performance.now() - start) / 1000);
  };
  // A warm-up round each, then three interleaved rounds; the medians are compared.
  for (const target of targets) await round(target, null);
  const rates = targets.map(() => [] as number[]);
  const cpu = targets.map((): CpuSplit => [0, 0, 0, 0]);
  for (let i = 0; i < 3; i++) {
    for (const [t, target] of targets.entries()) {
      const before = cpuNow(upstreamPid, target.pid);
      rates[t]!.push(await round(target, t));
      const after = cpuNow(upstreamPid, target.pid);
      for (let k = 0; k < 4; k++) cpu[t]![k]! += after[k]! - before[k]!;
    }
  }
  setDelay(0);
  return {
    rates: rates.map((r) => percentile(r, 50)),
    cpuPerCall: cpu.map((split) => split.map((seconds) => (seconds / (3 * calls)) * 1e6) as CpuSplit),
    latency,
    reported,
  };
}

/**
 * Where the throughput rounds' time went: each call as its client saw it
 * (the ratio is this, since every client waits for its answer before the
 * next call), and the part the gateway reported as its own (request in to
 * reply out, the upstream call excluded). The rest of the gateway's added
 * time is the hop and waiting for the event loop, not Tollgate's own work.
 */
function loadLatency(targets: Target[], latency: number[][], ownOverhead: number[]): string {
  const direct = mean(latency[0]!);
  const rows = targets.map((t, i) => {
    const s = latency[i]!;
    return [t.name, ...[50, 90, 99].map((p) => fmt(percentile(s, p))), fmt(mean(s)), i === 0 ? '-' : fmt(mean(s) - direct)];
  });
  const added = mean(latency[latency.length - 1]!) - direct;
  const own = ownOverhead.length ? mean(ownOverhead) : Number.NaN;
  return [
    'Latency in the same rounds, as the clients saw it (ms):',
    '',
    table(['path', 'p50', 'p90', 'p99', 'mean', 'added (mean)'], rows),
    '',
    `the gateway's own x-tollgate-overhead-ms in these rounds: p50 ${fmt(percentile(ownOverhead, 50))}, p99 ${fmt(percentile(ownOverhead, 99))}, mean ${fmt(own)}; ` +
      `of the ${fmt(added)} ms it added per call on average, ${fmt(added - own)} ms was not its own work (the extra hop, and waiting for the gateway's event loop on the way in, to and from the upstream, and out)`,
  ].join('\n');
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
const children: ChildProcess[] = [];
try {
  await seedDatabase(db, { events: 2_000, days: 7, seed: 5, demoKey: KEY, adminKey: 'tg_benchAdminKey0000000000000000000000000000' });
  const upstreamChild = await child(['upstream']);
  children.push(upstreamChild.proc);
  const upstreamUrl = `http://127.0.0.1:${upstreamChild.ports[0]}`;
  const setDelay = (ms: number) => upstreamChild.proc.stdin!.write(`${ms}\n`);
  await db.query(
    `insert into upstreams (id, organisation_id, name, kind, base_url, models) values ('ups_bench', $1, 'bench-mock', 'openai_compatible', $2, $3::jsonb)`,
    [ORG_ID, upstreamUrl, JSON.stringify(Object.fromEntries(CATALOG_MODELS.map((m) => [m.id, m.name])))],
  );
  const proxyChild = await child(['proxy', upstreamUrl]);
  children.push(proxyChild.proc);
  const jsonProxyChild = await child(['json-proxy', upstreamUrl]);
  children.push(jsonProxyChild.proc);
  const withNext = fs.existsSync('.next/BUILD_ID');
  const gatewayChild = await child(['gateway', db.url, ...(withNext ? ['--next'] : [])]);
  children.push(gatewayChild.proc);
  const direct: Target = { name: 'direct', url: `${upstreamUrl}/chat/completions`, headers: {} };
  const proxy: Target = { name: 'bare proxy', url: `http://127.0.0.1:${proxyChild.ports[0]}/api/v1/chat/completions`, headers: {}, pid: proxyChild.proc.pid };
  const jsonProxy: Target = { name: 'JSON proxy', url: `http://127.0.0.1:${jsonProxyChild.ports[0]}/api/v1/chat/completions`, headers: {}, pid: jsonProxyChild.proc.pid };
  const gateway: Target = { name: 'gateway', url: `http://127.0.0.1:${gatewayChild.ports[0]}/api/v1/chat/completions`, headers: GATEWAY_HEADERS, pid: gatewayChild.proc.pid };
  const viaNext: Target[] = withNext
    ? [{ name: 'via Next.js route', url: `http://127.0.0.1:${gatewayChild.ports[1]}/api/v1/chat/completions`, headers: GATEWAY_HEADERS, pid: gatewayChild.proc.pid }]
    : [];
  /** The paths every round compares, the gateway last. */
  const hops = [direct, proxy, jsonProxy, gateway];
  const targets = [...hops, ...viaNext];
  console.log(`\n## Gateway overhead (thin Node layer in its own process, ${CALLS} interleaved calls each, first ${WARMUP} dropped)\n`);
  console.log('bare proxy: a pass-through Node HTTP proxy with no logic, the extra hop any Node gateway pays (bench/gateway-processes.ts)\n');
  const total = await interleaved(targets, false, (r) => r.ms);
  console.log(table(percentileColumns('instant upstream, 1 client', targets), percentileRows(targets, total.samples, [50, 90, 99])));
  console.log(`\n${hopFacts(targets, total)}`);
  console.log('\ntargets: added p50 <= 0.5 ms, p99 <= 2 ms (thin Node layer, as `npm start` serves it)');
  if (!withNext) console.log('(no production build: run `npm run build` to also measure the Next.js route handler path)');

  console.log(`\n## Streaming: time to first token (instant upstream, 1 client)\n`);
  const streamTargets = hops;
  const ttft = await interleaved(streamTargets, true, (r) => r.firstTokenMs);
  console.log(table(percentileColumns('TTFT', streamTargets), percentileRows(streamTargets, ttft.samples, [50, 99])));
  console.log(`\n${hopFacts(streamTargets, ttft)}`);
  console.log('\ntarget: added p99 <= 2 ms');

  console.log(`\n## Throughput: 20 ms upstream, ${CLIENTS} clients x ${PER_CLIENT} calls, median of 3 interleaved rounds\n`);
  const { rates, cpuPerCall, latency, reported } = await throughput(hops, setDelay, upstreamChild.proc.pid!);
  const us = (v: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(0));
  console.log(
    table(
      ['path', 'requests/s', 'vs direct', 'CPU us/call: clients', 'mock upstream', 'proxy or gateway', 'PostgreSQL', 'total'],
      hops.map((t, i) => {
        const split = cpuPerCall[i]!;
        return [t.name, rates[i]!.toFixed(0), (rates[i]! / rates[0]!).toFixed(3), ...split.map(us), us(split.reduce((a, b) => a + b, 0))];
      }),
    ),
  );
  console.log('\nCPU per call: CPU-seconds each process used during the measured rounds (from /proc), over the calls made; 2 cores give 2,000,000 us a second in all.');
  const ratio = (t: Target) => (rates[hops.indexOf(t)]! / rates[0]!).toFixed(3);
  console.log(
    `\ngateway / direct = ${ratio(gateway)} (target >= 0.95); the bare proxy's ratio (${ratio(proxy)}) is the ceiling for any Node gateway on this machine, ` +
      `and the JSON proxy's (${ratio(jsonProxy)}) what reading and rewriting the call with the gateway's upstream client leaves, before any of Tollgate's work`,
  );
  console.log(`\n${loadLatency(hops, latency, reported[hops.indexOf(gateway)]!)}`);

  // After the throughput rounds: 120 KB prompts left in the process's caches would weigh on its garbage collections there.
  const agentCalls = Math.max(100, Math.floor(CALLS / 4));
  console.log(`\n## An agent's long conversation (instant upstream, 1 client, ${agentCalls} interleaved calls each, first ${Math.floor(agentCalls / 10)} dropped)\n`);
  console.log(`Each body is about ${(Buffer.byteLength(agentTurnBody()) / 1000).toFixed(0)} KB: ten earlier turns sent again with every new one, as agents do.\n`);
  const conversation = await interleaved(hops, false, (r) => r.ms, agentTurnBody, agentCalls);
  console.log(table(percentileColumns('long conversation', hops), percentileRows(hops, conversation.samples, [50, 90, 99])));
  console.log(`\n${hopFacts(hops, conversation)}`);

  console.log(`\n## Engine decision in process (45,000 samples after warm-up)\n`);
  console.log(table(['', 'p50 us', 'p99 us', 'target'], engineDecision()));

  gatewayChild.proc.kill('SIGTERM');
  await new Promise((resolve) => gatewayChild.proc.once('exit', resolve));
  const [row] = await db.query<{ n: string }>(`select count(*)::text as n from ledger_events where source = 'gateway'`);
  console.log(`\nledger: ${row!.n} gateway rows written (every call through the gateway, group-committed)`);
  console.log(`\nreproduce: ${command}`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  agent.destroy();
  await db.dispose();
}
process.exit(0);
