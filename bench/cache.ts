/**
 * `npm run bench -- cache [--threshold 0.7] [--entries 10000]`
 *
 * 1. Accuracy on the labelled pairs in bench/data/cache-pairs.json
 *    (regenerate with `npx tsx bench/data/make-cache-pairs.ts`): for each
 *    pair, `a` is stored and `b` looked up in the same scope. Tollgate's cache
 *    (exact key, then guarded semantic match) against a plain cosine >= 0.8
 *    cache over the same vectors with no guards: hit rate on same-meaning
 *    pairs, false-hit rate on different pairs, overall and by kind, and both
 *    across thresholds.
 * 2. Lookup latency with --entries prompts in one scope (the worst case: one
 *    bucket), p50/p99 in microseconds, including the prompt's analysis, for
 *    Tollgate's indexed lookup and the baseline's scan.
 *
 * Pure CPU, no database.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import {
  analysePrompt,
  cosine,
  DEFAULT_SEMANTIC_THRESHOLD,
  guardVerdict,
  ResponseCache,
  type CacheScope,
  type CachedResponse,
  type SparseVector,
} from '@/lib/engine/cache';
import { corpusPrompts, DIFFERENT_KINDS, SAME_KINDS, type CachePair } from './data/make-cache-pairs';
import { percentile, table } from './support';

function numberFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const THRESHOLD = numberFlag('threshold', DEFAULT_SEMANTIC_THRESHOLD);
const BASELINE_THRESHOLD = 0.8;
const ENTRIES = numberFlag('entries', 10_000);
const command = `npm run bench -- cache${THRESHOLD !== DEFAULT_SEMANTIC_THRESHOLD ? ` --threshold ${THRESHOLD}` : ''}${ENTRIES !== 10_000 ? ` --entries ${ENTRIES}` : ''}`;

const SCOPE: CacheScope = {
  organisationId: 'org_bench',
  departmentId: 'dep_claims',
  model: 'auto',
  task: 'summarize',
  systemHash: '',
  temperature: 0,
  optionsHash: '',
};

const RESPONSE: CachedResponse = {
  modelId: 'openai/gpt-5-nano',
  modelName: 'gpt-5-nano',
  content: 'cached answer',
  finishReason: 'stop',
  promptTokens: 100,
  completionTokens: 50,
  costNano: 12_000n,
  sourceRequestId: 'req_bench',
  storedAt: 0,
};

const rate = (hits: number, total: number) => (total === 0 ? '-' : `${hits}/${total} (${((hits / total) * 100).toFixed(1)}%)`);

interface Scored {
  pair: CachePair;
  /** Similarity of Tollgate's hit at a threshold near zero (null: no candidate passed the guards). */
  tollgate: number | null;
  exact: boolean;
  /** Plain cosine of the two prompts' vectors. */
  cosine: number;
  blockedBy: string | null;
}

function accuracy(): void {
  const file = new URL('./data/cache-pairs.json', import.meta.url);
  const { pairs } = JSON.parse(readFileSync(file, 'utf8')) as { pairs: CachePair[] };
  const same = pairs.filter((p) => p.same).length;
  const holdout = pairs.filter((p) => p.split === 'holdout').length;
  console.log(`\n## Accuracy on ${pairs.length} labelled pairs (${same} same meaning, ${pairs.length - same} different)\n`);
  console.log(
    `${pairs.length - holdout} pairs come from templates whose wording the cache's word lists were tuned on (their hit rate flatters the cache); ` +
      `${holdout} hand-written held-out pairs were not tuned on and are shown separately at the bottom.\n`,
  );
  // The lowest threshold, so every guarded candidate is seen; a threshold is applied afterwards.
  const cache = new ResponseCache({ maxEntries: 10, ttlMs: 3_600_000, semanticThreshold: 1e-9, semantic: true });
  const scored: Scored[] = pairs.map((pair) => {
    cache.clear();
    cache.store(SCOPE, pair.a, RESPONSE, 0);
    const hit = cache.lookup(SCOPE, pair.b, 1);
    const sim = cosine(analysePrompt(pair.a).vector, analysePrompt(pair.b).vector);
    return { pair, tollgate: hit ? hit.similarity : null, exact: hit?.kind === 'exact', cosine: sim, blockedBy: null };
  });
  const tollgateHit = (s: Scored, t = THRESHOLD) => s.tollgate !== null && s.tollgate >= t;
  // Why a pair did not hit at THRESHOLD: the first guard that failed, else the cosine floor, else
  // `index` (the guards allow it but it differs in more than one term, so no candidate was found).
  for (const s of scored) if (!tollgateHit(s)) s.blockedBy = guardVerdict(s.pair.a, s.pair.b) ?? (s.tollgate !== null ? 'cosine' : 'index');
  const baselineHit = (s: Scored, t = BASELINE_THRESHOLD) => s.cosine >= t;

  const rows: (string | number)[][] = [];
  const kindRow = (label: string, list: Scored[], same: boolean) => {
    const t = list.filter((s) => tollgateHit(s)).length;
    const b = list.filter((s) => baselineHit(s)).length;
    const blocked = new Map<string, number>();
    for (const s of list) if (s.blockedBy) blocked.set(s.blockedBy, (blocked.get(s.blockedBy) ?? 0) + 1);
    const guards = [...blocked].sort((x, y) => y[1] - x[1]).map(([g, n]) => `${g} ${n}`).join(', ');
    rows.push([label, same ? 'hit rate' : 'false hits', rate(t, list.length), rate(b, list.length), guards]);
  };
  const sameList = scored.filter((s) => s.pair.same);
  const diffList = scored.filter((s) => !s.pair.same);
  kindRow('all same-meaning pairs', sameList, true);
  for (const kind of SAME_KINDS) kindRow(`  ${kind}`, sameList.filter((s) => s.pair.kind === kind), true);
  kindRow('all different pairs', diffList, false);
  for (const kind of DIFFERENT_KINDS) kindRow(`  ${kind}`, diffList.filter((s) => s.pair.kind === kind), false);
  kindRow('held-out same pairs', sameList.filter((s) => s.pair.split === 'holdout'), true);
  kindRow('held-out different pairs', diffList.filter((s) => s.pair.split === 'holdout'), false);
  console.log(table(['pairs', 'measure', `Tollgate (guards + cosine >= ${THRESHOLD})`, `plain cosine >= ${BASELINE_THRESHOLD}`, 'Tollgate: what stopped a hit (misses, or blocked near-duplicates)'], rows));
  const exact = sameList.filter((s) => s.exact).length;
  console.log(`\nTollgate hits on same pairs: ${exact} exact-key (identical after Unicode/whitespace normalisation), the rest semantic.`);

  console.log('\nAcross thresholds (hit rate on same pairs / false-hit rate on different pairs):\n');
  const sweep: (string | number)[][] = [];
  for (const t of [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95]) {
    const pct = (n: number, d: number) => `${((n / d) * 100).toFixed(1)}%`;
    sweep.push([
      t.toFixed(2),
      pct(sameList.filter((s) => tollgateHit(s, t)).length, sameList.length),
      pct(diffList.filter((s) => tollgateHit(s, t)).length, diffList.length),
      pct(sameList.filter((s) => baselineHit(s, t)).length, sameList.length),
      pct(diffList.filter((s) => baselineHit(s, t)).length, diffList.length),
    ]);
  }
  console.log(table(['threshold', 'Tollgate hit', 'Tollgate false hit', 'plain cosine hit', 'plain cosine false hit'], sweep));

  const falseHits = diffList.filter((s) => tollgateHit(s));
  if (falseHits.length) {
    console.log(`\nTollgate's false hits at ${THRESHOLD}:`);
    for (const s of falseHits) console.log(`  [${s.pair.kind}] ${s.pair.id} ${s.tollgate!.toFixed(3)}\n    a: ${s.pair.a}\n    b: ${s.pair.b}`);
  }
  const fhr = falseHits.length / diffList.length;
  console.log(`\ntarget: false-hit rate <= 1%: ${(fhr * 100).toFixed(2)}% ${fhr <= 0.01 ? 'met' : 'NOT met'}`);
}

/** The baseline: every entry's vector, scanned on each lookup. */
class PlainCosineCache {
  private readonly vectors: SparseVector[] = [];

  store(prompt: string): void {
    this.vectors.push(analysePrompt(prompt).vector);
  }

  lookup(prompt: string, threshold: number): number {
    const v = analysePrompt(prompt).vector;
    let best = -1;
    let bestSim = threshold;
    for (let i = 0; i < this.vectors.length; i++) {
      const sim = cosine(v, this.vectors[i]!);
      if (sim >= bestSim) {
        best = i;
        bestSim = sim;
      }
    }
    return best;
  }
}

function latency(): void {
  console.log(`\n## Lookup latency with ${ENTRIES.toLocaleString('en-US')} entries in one scope\n`);
  const prompts = corpusPrompts(ENTRIES + 1_000);
  const stored = prompts.slice(0, ENTRIES);
  const unseen = prompts.slice(ENTRIES);
  // Half the lookups are stored prompts lower-cased (a semantic hit, the exact key is case-sensitive), half unseen.
  const queries: string[] = [];
  for (let i = 0; i < 1_000; i++) queries.push(i % 2 === 0 ? stored[(i * 7919) % stored.length]!.toLowerCase() : unseen[i]!);

  const cache = new ResponseCache({ maxEntries: ENTRIES, ttlMs: 3_600_000, semanticThreshold: THRESHOLD, semantic: true });
  const heapBefore = process.memoryUsage().heapUsed;
  let start = performance.now();
  for (const p of stored) cache.store(SCOPE, p, RESPONSE, 0);
  const storeMs = performance.now() - start;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const baseline = new PlainCosineCache();
  for (const p of stored) baseline.store(p);

  // Five rounds over the same queries; the round with the median p99 is reported, so one
  // descheduling by a busy machine does not stand in for the code. CPU time is the process's.
  const measure = (fn: (q: string) => unknown, rounds: number) => {
    for (let i = 0; i < 200; i++) fn(queries[i % queries.length]!);
    const results: { samples: number[]; hits: number }[] = [];
    const cpu = process.cpuUsage();
    for (let round = 0; round < rounds; round++) {
      const samples: number[] = [];
      let hits = 0;
      for (const q of queries) {
        start = performance.now();
        const result = fn(q);
        samples.push((performance.now() - start) * 1000);
        if (result !== null && result !== -1) hits++;
      }
      results.push({ samples, hits });
    }
    const used = process.cpuUsage(cpu);
    const cpuPerLookup = (used.user + used.system) / (rounds * queries.length);
    results.sort((x, y) => percentile(x.samples, 99) - percentile(y.samples, 99));
    return { ...results[Math.floor(rounds / 2)]!, cpuPerLookup };
  };
  const t = measure((q) => cache.lookup(SCOPE, q, 1), 5);
  const b = measure((q) => baseline.lookup(q, BASELINE_THRESHOLD), 1);
  const row = (name: string, r: { samples: number[]; hits: number; cpuPerLookup: number }) => [
    name,
    percentile(r.samples, 50).toFixed(0),
    percentile(r.samples, 99).toFixed(0),
    percentile(r.samples, 100).toFixed(0),
    r.cpuPerLookup.toFixed(0),
    rate(r.hits, r.samples.length),
  ];
  console.log(
    table(
      ['lookup', 'p50 µs', 'p99 µs', 'max µs', 'CPU µs/lookup', 'hits'],
      [row('Tollgate (exact, then indexed semantic)', t), row(`plain cosine >= ${BASELINE_THRESHOLD} (scan)`, b)],
    ),
  );
  console.log(
    `\nstored ${ENTRIES.toLocaleString('en-US')} prompts in ${storeMs.toFixed(0)} ms (${((storeMs / ENTRIES) * 1000).toFixed(0)} µs each), ` +
      `~${heapMb.toFixed(0)} MiB heap; p99 speed-up ${(percentile(b.samples, 99) / percentile(t.samples, 99)).toFixed(0)}x; target: Tollgate p99 well under 1,000 µs`,
  );
}

const load = os.loadavg()[0]!;
console.log(
  `# Response cache benchmarks\n\n${os.cpus().length} cores, Node ${process.version}, pure CPU (no database), load average ${load.toFixed(1)} at start` +
    (load > os.cpus().length ? ' (busy machine: latency percentiles are noisy)' : ''),
);
console.log(`reproduce: ${command}`);
accuracy();
latency();
