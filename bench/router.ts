/**
 * `npm run bench -- router [--iterations 200000]`
 *
 * 1. Replay: the labelled set in bench/data/router-tasks.json (400 prompts
 *    over every task type, SYNTHETIC acceptability labels: see that file's
 *    `about` and bench/data/make-router-tasks.ts) routed by each policy:
 *    the router inferring the task from the prompt, the router given the task
 *    header, always the default frontier model, always the cheapest small
 *    model, a seeded random model, the cheapest single model whose acceptance
 *    over the set meets the set's bar (picked with hindsight), and a per-item
 *    oracle (the cheapest acceptable model, also hindsight) as the floor.
 *    Cost is exact (bigint nano-dollars, the catalog's price for the prompt's
 *    context tier): real prompt tokens (o200k tokenizer) plus the item's
 *    reply length, the same for every model.
 * 2. Decision latency: routeRequest alone, and inferTask + routeRequest,
 *    against a trivial direct call timed the same way in the same run.
 *
 * No database, no network.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { CATALOG_MODELS, catalogRates, tierFor } from '@/lib/engine/catalog';
import { TASK_TYPES, type TaskType } from '@/lib/engine/enums';
import { formatUsd, nanoToUsdString } from '@/lib/engine/money';
import { costNano, ZERO_TOKENS } from '@/lib/engine/pricing';
import { Random } from '@/lib/engine/random';
import {
  catalogQuality,
  DEFAULT_THRESHOLDS,
  HealthTracker,
  inferTask,
  QualityTracker,
  routableModels,
  routeRequest,
  type RoutableModel,
  type RouteRequest,
} from '@/lib/engine/router';
import { countChatTokens } from '@/lib/engine/tokens';
import { flag, mean, percentile, table } from './support';

const ITERATIONS = flag('iterations', 200_000);
const WARMUP = Math.min(20_000, ITERATIONS);
const command = `npm run bench -- router --iterations ${ITERATIONS}`;
const FRONTIER_DEFAULT = 'openai/gpt-5';

interface ReplayItem {
  id: string;
  messages: { role: string; content: string }[];
  task: TaskType;
  difficulty: number;
  expectedOutputTokens: number;
  acceptable: Record<string, boolean>;
}

interface ReplaySet {
  about: string;
  acceptanceModel: string;
  hiddenSkill: Record<string, Record<TaskType, number>>;
  items: ReplayItem[];
}

const data = JSON.parse(readFileSync(new URL('./data/router-tasks.json', import.meta.url), 'utf8')) as ReplaySet;
const items = data.items;
const models = routableModels();
const byId = new Map(models.map((m) => [m.id, m]));
const quality = new QualityTracker(catalogQuality());
const health = new HealthTracker().at(0);
const promptTokens = items.map((item) => countChatTokens(item.messages));

/** Exact cost of serving item i with model m, at the catalog price for its prompt size. */
const costOf = (() => {
  const cache = new Map<string, bigint>();
  return (i: number, m: RoutableModel): bigint => {
    const key = `${i}|${m.id}`;
    let cost = cache.get(key);
    if (cost === undefined) {
      const catalog = CATALOG_MODELS.find((c) => c.id === m.id)!;
      const price = tierFor(catalog.prices, promptTokens[i]!)!;
      cost = costNano({ ...ZERO_TOKENS, inputTokens: promptTokens[i]!, outputTokens: items[i]!.expectedOutputTokens }, catalogRates(price));
      cache.set(key, cost);
    }
    return cost;
  };
})();

function request(i: number, task: TaskType, taskSource: RouteRequest['taskSource']): RouteRequest {
  return {
    requestedModel: 'auto',
    task,
    taskSource,
    promptTokens: promptTokens[i]!,
    maxOutputTokens: null,
    models,
    thresholds: DEFAULT_THRESHOLDS,
    quality: quality.lookup,
    health,
  };
}

function routed(i: number, task: TaskType, source: RouteRequest['taskSource']): RoutableModel {
  const d = routeRequest(request(i, task, source));
  if (!d.ok) throw new Error(`${items[i]!.id}: ${d.failure} ${d.message}`);
  return d.chain[0]!;
}

// ---------------------------------------------------------------- replay

type Policy = { name: string; pick: (i: number) => RoutableModel; note: string };

interface Outcome {
  cost: bigint;
  acceptable: number;
  belowThreshold: number;
  perTask: Map<TaskType, { n: number; ok: number; models: Map<string, number> }>;
}

function replay(pick: (i: number) => RoutableModel): Outcome {
  const out: Outcome = { cost: 0n, acceptable: 0, belowThreshold: 0, perTask: new Map() };
  items.forEach((item, i) => {
    const m = pick(i);
    out.cost += costOf(i, m);
    const ok = item.acceptable[m.id] === true;
    if (ok) out.acceptable++;
    if (data.hiddenSkill[m.id]![item.task] < DEFAULT_THRESHOLDS[item.task]) out.belowThreshold++;
    const t = out.perTask.get(item.task) ?? { n: 0, ok: 0, models: new Map() };
    t.n++;
    if (ok) t.ok++;
    t.models.set(m.name, (t.models.get(m.name) ?? 0) + 1);
    out.perTask.set(item.task, t);
  });
  return out;
}

const inferred = items.map((item) => inferTask(item.messages).task);
const totalCost = (m: RoutableModel) => items.reduce((sum, _, i) => sum + costOf(i, m), 0n);
const acceptance = (m: RoutableModel) => items.filter((item) => item.acceptable[m.id]).length / items.length;
/** The set's bar: the mean of each item's task threshold. */
const setBar = items.reduce((sum, item) => sum + DEFAULT_THRESHOLDS[item.task], 0) / items.length;

const smallest = models
  .filter((m) => m.tier === 'small')
  .map((m) => ({ m, cost: totalCost(m) }))
  .sort((a, b) => (a.cost < b.cost ? -1 : 1))[0]!.m;
const qualified = models
  .filter((m) => acceptance(m) >= setBar)
  .map((m) => ({ m, cost: totalCost(m) }))
  .sort((a, b) => (a.cost < b.cost ? -1 : a.cost > b.cost ? 1 : acceptance(b.m) - acceptance(a.m)));
const bestSingle = qualified[0]?.m ?? null;
const frontier = byId.get(FRONTIER_DEFAULT)!;
const random = new Random(42);
const randomPicks = items.map(() => random.pick(models));

/** The router learning online: after each item, its answer's judgement is fed back as `good` or `wrong`, as the feedback API would. */
function withFeedback(i: number): RoutableModel {
  const d = routeRequest({ ...request(i, inferred[i]!, 'inferred'), quality: learning.lookup });
  if (!d.ok) throw new Error(`${items[i]!.id}: ${d.failure}`);
  const m = d.chain[0]!;
  learning.observe(m.id, inferred[i]!, items[i]!.acceptable[m.id] ? 'good' : 'wrong');
  return m;
}
const learning = new QualityTracker(catalogQuality());

const policies: Policy[] = [
  { name: 'router, task inferred', pick: (i) => routed(i, inferred[i]!, 'inferred'), note: 'no header: inferTask on the prompt' },
  { name: 'router, task header', pick: (i) => routed(i, items[i]!.task, 'header'), note: 'x-tollgate-task = the true label' },
  { name: 'router, inferred + feedback', pick: withFeedback, note: 'each answer judged and fed back, in replay order' },
  { name: `always frontier (${frontier.name})`, pick: () => frontier, note: 'the default frontier model' },
  { name: `always small (${smallest.name})`, pick: () => smallest, note: 'cheapest small model over the set' },
  { name: 'random (seed 42)', pick: (i) => randomPicks[i]!, note: 'uniform over the 9 models' },
  ...(bestSingle
    ? [{ name: `best single (${bestSingle.name})`, pick: () => bestSingle, note: `cheapest model with acceptance >= ${setBar.toFixed(3)} (hindsight)` }]
    : []),
  {
    name: 'oracle (hindsight)',
    pick: (i: number) => {
      const byCost = [...models].sort((a, b) => (costOf(i, a) < costOf(i, b) ? -1 : costOf(i, a) > costOf(i, b) ? 1 : 0));
      return byCost.find((m) => items[i]!.acceptable[m.id]) ?? byCost[0]!;
    },
    note: 'cheapest acceptable model per item: a floor, not a policy',
  },
];

const results = policies.map((p) => ({ policy: p, outcome: replay(p.pick) }));
const outcomeOf = (prefix: string) => results.find((r) => r.policy.name.startsWith(prefix))?.outcome;
const frontierOutcome = outcomeOf('always frontier')!;
const frontierCost = frontierOutcome.cost;
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;
const ratio = (cost: bigint) => `${(Number((cost * 10_000n) / frontierCost) / 100).toFixed(1)}%`;

console.log(`# Router benchmarks\n\n${os.cpus().length} cores, Node ${process.version}`);
console.log(`reproduce: ${command}   (regenerate the set: npx tsx bench/data/make-router-tasks.ts)`);
console.log(`\n## Replay: ${items.length} labelled prompts, ${TASK_TYPES.length} task types\n`);
console.log('NOTE: the acceptability labels are SYNTHETIC, drawn from a hidden per-model, per-task skill, the item difficulty and noise');
console.log(`(${data.acceptanceModel}); they model the routing problem, not any real model's answers.\n`);
console.log(
  table(
    ['policy', 'total cost (USD)', 'vs always-frontier', 'quality (acceptable)', 'meets set bar', 'items below task threshold', 'how'],
    results.map(({ policy, outcome }) => [
      policy.name,
      nanoToUsdString(outcome.cost, 6),
      ratio(outcome.cost),
      pct(outcome.acceptable, items.length),
      outcome.acceptable / items.length >= setBar ? 'yes' : 'no',
      outcome.belowThreshold,
      policy.note,
    ]),
  ),
);
console.log(
  `\nquality = share of items whose answer is acceptable; items below task threshold = items sent to a model whose hidden skill on the item's true task is below that task's threshold; set bar = mean task threshold = ${setBar.toFixed(3)}.`,
);
console.log(`single models meeting the set bar: ${qualified.map(({ m, cost }) => `${m.name} (${pct(acceptance(m) * items.length, items.length)}, ${formatUsd(cost)})`).join(', ') || 'none'}`);

const correct = inferred.filter((t, i) => t === items[i]!.task).length;
const misses = new Map<string, number>();
inferred.forEach((t, i) => {
  if (t !== items[i]!.task) misses.set(`${items[i]!.task} -> ${t}`, (misses.get(`${items[i]!.task} -> ${t}`) ?? 0) + 1);
});
console.log(
  `\ntask inference: ${correct}/${items.length} (${pct(correct, items.length)}) correct; misses: ${[...misses]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} x${n}`)
    .join(', ')}`,
);
console.log('(the keyword lists and the prompt templates were written by the same hand: expect lower accuracy on real traffic)');

const routerInferred = outcomeOf('router, task inferred')!;
const routers: [string, Outcome][] = [
  ['router, inferred', routerInferred],
  ['router, header', outcomeOf('router, task header')!],
  ['router + feedback', outcomeOf('router, inferred + feedback')!],
];

console.log('\nrouter (task inferred) per task:\n');
console.log(
  table(
    ['task', 'threshold', 'items', 'router acceptable', `${frontier.name} acceptable`, 'router models'],
    TASK_TYPES.map((task) => {
      const r = routerInferred.perTask.get(task)!;
      const f = frontierOutcome.perTask.get(task)!;
      const used = [...r.models].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ${c}`).join(', ');
      return [task, DEFAULT_THRESHOLDS[task].toFixed(2), r.n, pct(r.ok, r.n), pct(f.ok, f.n), used];
    }),
  ),
);

/** One line per router variant: cheaper and at least as good, or which way it loses. */
function verdict(name: string, other: Outcome | undefined): void {
  if (!other) return;
  for (const [label, mine] of routers) {
    const cheaper = mine.cost < other.cost;
    const asGood = mine.acceptable >= other.acceptable;
    const gap = Math.abs(mine.acceptable - other.acceptable);
    const head = `${label} vs ${name}: cost ${ratio(mine.cost)} vs ${ratio(other.cost)} of frontier, quality ${pct(mine.acceptable, items.length)} vs ${pct(other.acceptable, items.length)}`;
    if (cheaper && asGood) console.log(`${head}: BEATS it (cheaper, quality equal or better)`);
    else if (cheaper) console.log(`${head}: cheaper, ${gap} items less often acceptable`);
    else if (asGood) console.log(`${head}: ${gap} items more often acceptable, but dearer`);
    else console.log(`${head}: LOSES on both`);
  }
}
console.log('');
verdict('random', outcomeOf('random'));
verdict('best single model', outcomeOf('best single'));
verdict('always small', outcomeOf('always small'));

// Where the catalog's prior misled the router: pairs it used whose prior meets the threshold but whose hidden skill does not.
const prior = catalogQuality();
const misled = new Map<string, number>();
items.forEach((item, i) => {
  const m = routed(i, item.task, 'header');
  const threshold = DEFAULT_THRESHOLDS[item.task];
  if (prior(m.id, item.task) + 1e-9 >= threshold && data.hiddenSkill[m.id]![item.task] < threshold) {
    const key = `${m.name}/${item.task} prior ${prior(m.id, item.task).toFixed(2)}, hidden ${data.hiddenSkill[m.id]![item.task].toFixed(3)}`;
    misled.set(key, (misled.get(key) ?? 0) + 1);
  }
});
console.log(
  `\nwhy the router trails the best single model on quality: it spends down to each task's threshold by design (easy tasks go to the cheapest model expected to reach 0.85), and where the catalog prior is optimistic it lands under it. Pairs the router (header) used whose prior meets the threshold but whose hidden skill does not: ${[
    ...misled,
  ]
    .map(([k, n]) => `${k} (${n} items)`)
    .join('; ')}. Feedback is the remedy for that; the "+ feedback" row replays it online.`,
);

// ---------------------------------------------------------------- latency

function measure(n: number, fn: (i: number) => unknown): { p50: number; p99: number; mean: number } {
  const samples = new Float64Array(n);
  let sink = 0;
  for (let k = 0; k < WARMUP; k++) if (fn(k % items.length)) sink++;
  for (let k = 0; k < n; k++) {
    const i = k % items.length;
    const t0 = performance.now();
    const r = fn(i);
    samples[k] = performance.now() - t0;
    if (r) sink++;
  }
  if (sink < 0) console.log(sink);
  const list = Array.from(samples);
  return { p50: percentile(list, 50) * 1000, p99: percentile(list, 99) * 1000, mean: mean(list) * 1000 };
}

const requests = items.map((item, i) => request(i, inferred[i]!, 'inferred'));
/** The baseline: a direct call that does next to nothing, timed by the same harness (the timer's own cost dominates it). */
const direct = (req: RouteRequest) => req.models[req.promptTokens % req.models.length];
const baseline = measure(ITERATIONS, (i) => direct(requests[i]!));
const route = measure(ITERATIONS, (i) => routeRequest(requests[i]!));
const infer = measure(ITERATIONS, (i) => inferTask(items[i]!.messages));
const both = measure(ITERATIONS, (i) => routeRequest({ ...requests[i]!, task: inferTask(items[i]!.messages).task }));

console.log(`\n## Decision latency (${ITERATIONS.toLocaleString('en-US')} calls each, cycling over the ${items.length} prompts, ${models.length} models)\n`);
const us = (v: number) => v.toFixed(2);
console.log(
  table(
    ['call', 'p50 µs', 'p99 µs', 'mean µs', 'p99 vs direct'],
    [
      ['direct call (baseline)', us(baseline.p50), us(baseline.p99), us(baseline.mean), '1.0x'],
      ['routeRequest', us(route.p50), us(route.p99), us(route.mean), `${(route.p99 / baseline.p99).toFixed(1)}x`],
      ['inferTask', us(infer.p50), us(infer.p99), us(infer.mean), `${(infer.p99 / baseline.p99).toFixed(1)}x`],
      ['inferTask + routeRequest', us(both.p50), us(both.p99), us(both.mean), `${(both.p99 / baseline.p99).toFixed(1)}x`],
    ],
  ),
);
console.log(`target: engine decision p99 <= 50 µs: ${both.p99 <= 50 ? 'met' : 'NOT met'} (inferTask + routeRequest p99 ${us(both.p99)} µs)`);
console.log(`mean prompt: ${Math.round(items.reduce((s, it) => s + it.messages.reduce((a, m) => a + m.content.length, 0), 0) / items.length)} characters`);
