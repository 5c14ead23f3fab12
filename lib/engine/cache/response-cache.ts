/**
 * The gateway's response cache: exact first, then semantic, always inside
 * one scope. In memory, LRU-evicted, with a TTL; the clock is passed in.
 *
 * Semantic candidates come from a per-bucket index. A bucket is one scope
 * plus one set of exact facts (numbers, ids, dates, negations, polarities,
 * quotes), so a candidate already agrees on those. Inside a bucket each
 * entry is indexed under the hash of its content-term set and of that set
 * minus each one term (a deletion neighbourhood), which finds exactly the
 * entries the term guard can accept (same terms, one added or dropped, one
 * misspelt) with a handful of map probes, however large the cache.
 */
import { hashText, hash32 } from './hash';
import { factsVerdict } from './guards';
import { canonicalText } from './normalise';
import { analysePrompt, cosine, type PromptAnalysis } from './similarity';
import type { CachedResponse, CacheHit, CacheScope } from './types';

/** The cosine floor the benchmark is run at; the guards do most of the work, so the floor is a backstop. */
export const DEFAULT_SEMANTIC_THRESHOLD = 0.7;

export interface ResponseCacheOptions {
  /** Entries kept; the least recently used is evicted beyond this. */
  maxEntries: number;
  /** An entry is served for this long after it was stored. */
  ttlMs: number;
  /** Minimum cosine similarity for a semantic hit, after every guard passed. */
  semanticThreshold: number;
  /** False: exact matches only. */
  semantic: boolean;
  /** Longer prompts (canonical characters) are cached exactly only. Default 4,000. */
  maxSemanticChars?: number;
  /** Prompts with fewer content terms are cached exactly only (`hi` is not `thanks`). Default 2. */
  minSemanticTerms?: number;
  /** Prompts with more content terms are cached exactly only. Default 80. */
  maxSemanticTerms?: number;
}

interface Entry {
  exactKey: string;
  expiresAt: number;
  response: CachedResponse;
  semantic: { bucket: string; analysis: PromptAnalysis; indexKeys: number[] } | null;
}

interface Bucket {
  size: number;
  /**
   * Entries by index key, each list in the order stored. Built when a second
   * entry arrives: most buckets hold one entry (prompts that differ only in a
   * number or an id each have their own facts), kept in `only`.
   */
  index: Map<number, Entry[]> | null;
  only: Entry | null;
}

/**
 * The scope as one string: organisation, department, model, task, system
 * prompt hash, temperature (to 3 decimals) and tools hash. Two requests may
 * share a cached answer only when their scope keys are equal.
 */
export function scopeKey(scope: CacheScope): string {
  const temperature = scope.temperature === null ? null : Math.round(scope.temperature * 1000) / 1000;
  return JSON.stringify([scope.organisationId, scope.departmentId, scope.model, scope.task, scope.systemHash, temperature, scope.toolsHash]);
}

/** 53-bit hash of a set of terms: two 32-bit hash sums, so removing a term is a subtraction. */
function termSetKeys(terms: readonly string[]): number[] {
  let sumA = 0;
  let sumB = 0;
  const partsA = new Array<number>(terms.length);
  const partsB = new Array<number>(terms.length);
  for (let i = 0; i < terms.length; i++) {
    const a = hash32(terms[i]!);
    // hash32(`${term}\u0001`): FNV-1a continued over one more code unit.
    const b = Math.imul(a ^ 1, 0x01000193) >>> 0;
    partsA[i] = a;
    partsB[i] = b;
    sumA = (sumA + a) >>> 0;
    sumB = (sumB + b) >>> 0;
  }
  const keys = new Array<number>(terms.length + 1);
  keys[0] = setKey(sumA, sumB);
  for (let i = 0; i < terms.length; i++) keys[i + 1] = setKey(sumA - partsA[i]!, sumB - partsB[i]!);
  return keys;
}

function setKey(x: number, y: number): number {
  return (x >>> 0) * 0x200000 + (y & 0x1fffff);
}

/** The distinct keys, in order of first appearance (`[...new Set(keys)]`). */
function distinctKeys(keys: number[]): number[] {
  const out: number[] = [];
  for (const k of keys) if (!out.includes(k)) out.push(k);
  return out;
}

/** Prompts whose analysis is remembered between lookup and store (covers many concurrent calls). */
const ANALYSIS_MEMO = 2_048;

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxSemanticChars: number;
  private readonly minSemanticTerms: number;
  private readonly maxSemanticTerms: number;

  constructor(private readonly options: ResponseCacheOptions) {
    if (!(options.maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
    if (!(options.ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    if (!(options.semanticThreshold > 0 && options.semanticThreshold <= 1)) throw new RangeError('semanticThreshold must be in (0, 1]');
    this.maxSemanticChars = options.maxSemanticChars ?? 4_000;
    this.minSemanticTerms = options.minSemanticTerms ?? 2;
    this.maxSemanticTerms = options.maxSemanticTerms ?? 80;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.buckets.clear();
  }

  /** The cached answer for `prompt` in `scope`, exact first, then semantic; null on a miss. */
  lookup(scope: CacheScope, prompt: string, now: number): CacheHit | null {
    const scopeText = this.scopeText(scope);
    const canonical = canonicalText(prompt);
    const exact = this.entries.get(exactKey(scopeText, canonical));
    if (exact) {
      if (now >= exact.expiresAt) this.remove(exact);
      else {
        this.touch(exact);
        return { kind: 'exact', similarity: 1, response: exact.response };
      }
    }
    const analysis = this.analyse(canonical);
    if (!analysis) return null;
    const bucket = this.buckets.get(bucketKey(scopeText, analysis));
    if (!bucket) return null;
    const seen = new Set<Entry>();
    const expired: Entry[] = [];
    let best: Entry | null = null;
    let bestSimilarity = 0;
    const keys = termSetKeys(analysis.facts.terms);
    const lists: (readonly Entry[])[] = [];
    if (bucket.index === null) {
      // One entry: a candidate when it is listed under one of the keys, as an index would have it.
      const only = bucket.only!;
      if (keys.some((key) => only.semantic!.indexKeys.includes(key))) lists.push([only]);
    } else {
      for (const key of keys) {
        const list = bucket.index.get(key);
        if (list) lists.push(list);
      }
    }
    for (const list of lists) {
      for (const candidate of list) {
        if (seen.has(candidate)) continue;
        seen.add(candidate);
        if (now >= candidate.expiresAt) {
          expired.push(candidate);
          continue;
        }
        const stored = candidate.semantic!.analysis;
        if (factsVerdict(analysis.facts, stored.facts) !== null) continue;
        // The vectors are computed here, on first read: a prompt whose bucket is empty never needs one.
        const similarity = cosine(analysis.vector, stored.vector);
        if (similarity >= this.options.semanticThreshold && similarity > bestSimilarity) {
          best = candidate;
          bestSimilarity = similarity;
        }
      }
    }
    for (const entry of expired) this.remove(entry);
    if (!best) return null;
    this.touch(best);
    return { kind: 'semantic', similarity: bestSimilarity, response: best.response };
  }

  /** Stores `response` as the answer to `prompt` in `scope`, replacing an exact duplicate. */
  store(scope: CacheScope, prompt: string, response: CachedResponse, now: number): void {
    const scopeText = this.scopeText(scope);
    const canonical = canonicalText(prompt);
    const key = exactKey(scopeText, canonical);
    const previous = this.entries.get(key);
    if (previous) this.remove(previous);
    const entry: Entry = { exactKey: key, expiresAt: now + this.options.ttlMs, response, semantic: null };
    const analysis = this.analyse(canonical);
    if (analysis) {
      const bucketId = bucketKey(scopeText, analysis);
      const indexKeys = distinctKeys(termSetKeys(analysis.facts.terms));
      entry.semantic = { bucket: bucketId, analysis, indexKeys };
      const bucket = this.buckets.get(bucketId);
      if (!bucket) this.buckets.set(bucketId, { size: 1, index: null, only: entry });
      else {
        if (bucket.index === null) {
          bucket.index = new Map();
          indexEntry(bucket.index, bucket.only!);
          bucket.only = null;
        }
        indexEntry(bucket.index, entry);
        bucket.size++;
      }
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.values().next().value as Entry;
      this.remove(oldest);
    }
  }

  /** Drops every expired entry; returns how many. Lookups also drop the expired entries they meet. */
  prune(now: number): number {
    let removed = 0;
    for (const entry of [...this.entries.values()]) {
      if (now >= entry.expiresAt) {
        this.remove(entry);
        removed++;
      }
    }
    return removed;
  }

  /**
   * A miss is looked up, then stored once the upstream answers: the analysis
   * of the same prompt is kept between the two (a small memo, oldest out), so
   * each prompt is analysed once.
   */
  private readonly analysed = new Map<string, PromptAnalysis | null>();

  private analyse(canonical: string): PromptAnalysis | null {
    if (!this.options.semantic || canonical.length > this.maxSemanticChars) return null;
    const memo = this.analysed.get(canonical);
    if (memo !== undefined) return memo;
    const analysis = analysePrompt(canonical);
    const terms = analysis.facts.terms.length;
    const result = terms >= this.minSemanticTerms && terms <= this.maxSemanticTerms ? analysis : null;
    if (this.analysed.size >= ANALYSIS_MEMO) this.analysed.delete(this.analysed.keys().next().value!);
    this.analysed.set(canonical, result);
    return result;
  }

  /** The last scope's fields and key: a lookup and its store, and a busy tenant's requests, share one scope. */
  private lastScope: (CacheScope & { key: string }) | null = null;

  /** `scopeKey(scope)`, reused while the scope's fields are the last scope's. */
  private scopeText(scope: CacheScope): string {
    const last = this.lastScope;
    if (
      last !== null &&
      last.organisationId === scope.organisationId &&
      last.departmentId === scope.departmentId &&
      last.model === scope.model &&
      last.task === scope.task &&
      last.systemHash === scope.systemHash &&
      last.temperature === scope.temperature &&
      last.toolsHash === scope.toolsHash
    ) {
      return last.key;
    }
    const key = scopeKey(scope);
    this.lastScope = {
      organisationId: scope.organisationId,
      departmentId: scope.departmentId,
      model: scope.model,
      task: scope.task,
      systemHash: scope.systemHash,
      temperature: scope.temperature,
      toolsHash: scope.toolsHash,
      key,
    };
    return key;
  }

  private touch(entry: Entry): void {
    this.entries.delete(entry.exactKey);
    this.entries.set(entry.exactKey, entry);
  }

  private remove(entry: Entry): void {
    if (this.entries.get(entry.exactKey) !== entry) return;
    this.entries.delete(entry.exactKey);
    const semantic = entry.semantic;
    if (!semantic) return;
    const bucket = this.buckets.get(semantic.bucket);
    if (!bucket) return;
    if (bucket.index !== null) {
      for (const k of semantic.indexKeys) {
        const list = bucket.index.get(k);
        if (!list) continue;
        const at = list.indexOf(entry);
        if (at >= 0) list.splice(at, 1);
        if (list.length === 0) bucket.index.delete(k);
      }
    }
    if (--bucket.size === 0) this.buckets.delete(semantic.bucket);
  }
}

function indexEntry(index: Map<number, Entry[]>, entry: Entry): void {
  for (const k of entry.semantic!.indexKeys) {
    const list = index.get(k);
    if (list) list.push(entry);
    else index.set(k, [entry]);
  }
}

/** Scope text plus the canonical prompt's length and FNV-1a 64: the scope is compared as text, never only by hash. */
function exactKey(scopeText: string, canonical: string): string {
  return `${scopeText}\u0000${canonical.length}:${hashText(canonical)}`;
}

function bucketKey(scopeText: string, analysis: PromptAnalysis): string {
  return `${scopeText}\u0000${analysis.facts.key}`;
}
