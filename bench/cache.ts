/**
 * `npm run bench -- cache [--threshold 0.6] [--entries 10000]`
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
import { analysePrompt, cosine, guardVerdict, ResponseCache, type CacheScope, type CachedResponse, type SparseVector } from '@/lib/engine/cache';
import { corpusPrompts, DIFFERENT_KINDS, SAME_KINDS, type CachePair } from './data/make-cache-pairs';
import { percentile, table } from './support';

function numberFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const THRESHOLD = numberFlag('threshold', 0.6);
const BASELINE_THRESHOLD = 0.8;
const ENTRIES = numberFlag('entries', 10_000);
const command = `npm run bench -- cache${THRESHOLD !== 0.6 ? ` --threshold ${THRESHOLD}` : ''}${ENTRIES !== 10_000 ? ` --entries ${ENTRIES}` : ''}`;

const SCOPE: CacheScope = {
  organisationId: 'org_bench',
  departmentId: 'dep_claims',
  model: 'auto',
  task: 'summarize',
  systemHash: '',
  temperature: 0,
  toolsHash: '',
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
  console.log(`\n## Accuracy on ${pairs.length} labelled pairs (${same} same meaning, ${pairs.length - same} different)\n`);
  // The lowest threshold, so every guarded candidate is seen; a threshold is applied afterwards.
  const cache = new ResponseCache({ maxEntries: 10, ttlMs: 3_600_000, semanticThreshold: 1e-9, semantic: true });
  const scored: Scored[] = pairs.map((pair) => {
    cache.clear();
    cache.store(SCOPE, pair.a, RESPONSE, 0);
    const hit = cache.lookup(SCOPE, pair.b, 1);
    const sim = cosine(analysePrompt(pair.a).vector, analysePrompt(pair.b).vector);
    return { pair, tollgate: hit ? hit.similarity : null, exact: hit?.kind === 'exact', cosine: sim, blockedBy: hit ? null : guardVerdict(pair.a, pair.b) };
  });
  const tollgateHit = (s: Scored, t = THRESHOLD) => s.tollgate !== null && s.tollgate >= t;
  const baselineHit = (s: Scored, t = BASELINE_THRESHOLD) => s.cosine >= t;

  const rows: (string | number)[][] = [];
  const kindRow = (label: string, list: Scored[], same: boolean) => {
    const t = list.filter((s) => tollgateHit(s)).length;
    const b = list.filter((s) => baselineHit(s)).length;
    const blocked = new Map<string, number>();
    if (!same) for (const s of list) if (s.blockedBy) blocked.set(s.blockedBy, (blocked.get(s.blockedBy) ?? 0) + 1);
    const guards = [...blocked].sort((x, y) => y[1] - x[1]).map(([g, n]) => `${g} ${n}`).join(', ');
    rows.push([label, same ? 'hit rate' : 'false hits', rate(t, list.length), rate(b, list.length), same ? '' : guards]);
  };
  const sameList = scored.filter((s) => s.pair.same);
  const diffList = scored.filter((s) => !s.pair.same);
  kindRow('all same-meaning pairs', sameList, true);
  for (const kind of SAME_KINDS) kindRow(`  ${kind}`, sameList.filter((s) => s.pair.kind === kind), true);
  kindRow('all different pairs', diffList, false);
  for (const kind of DIFFERENT_KINDS) kindRow(`  ${kind}`, diffList.filter((s) => s.pair.kind === kind), false);
  console.log(table(['pairs', 'measure', `Tollgate (guards + cosine >= ${THRESHOLD})`, `plain cosine >= ${BASELINE_THRESHOLD}`, 'Tollgate: guard that blocked'], rows));
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

  const measure = (fn: (q: string) => unknown) => {
    for (let i = 0; i < 200; i++) fn(queries[i % queries.length]!);
    const samples: number[] = [];
    let hits = 0;
    for (const q of queries) {
      start = performance.now();
      const result = fn(q);
      samples.push((performance.now() - start) * 1000);
      if (result !== null && result !== -1) hits++;
    }
    return { samples, hits };
  };
  const t = measure((q) => cache.lookup(SCOPE, q, 1));
  const b = measure((q) => baseline.lookup(q, BASELINE_THRESHOLD));
  const row = (name: string, r: { samples: number[]; hits: number }) => [
    name,
    percentile(r.samples, 50).toFixed(0),
    percentile(r.samples, 99).toFixed(0),
    percentile(r.samples, 100).toFixed(0),
    rate(r.hits, r.samples.length),
  ];
  console.log(table(['lookup', 'p50 µs', 'p99 µs', 'max µs', 'hits'], [row('Tollgate (exact, then indexed semantic)', t), row(`plain cosine >= ${BASELINE_THRESHOLD} (scan)`, b)]));
  console.log(
    `\nstored ${ENTRIES.toLocaleString('en-US')} prompts in ${storeMs.toFixed(0)} ms (${((storeMs / ENTRIES) * 1000).toFixed(0)} µs each), ` +
      `~${heapMb.toFixed(0)} MiB heap; p99 speed-up ${(percentile(b.samples, 99) / percentile(t.samples, 99)).toFixed(0)}x; target: Tollgate p99 well under 1,000 µs`,
  );
}

console.log(`# Response cache benchmarks\n\n${os.cpus().length} cores, Node ${process.version}, pure CPU (no database)`);
console.log(`reproduce: ${command}`);
accuracy();
latency();
