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

/**
 * One scope's entries, by the scope-independent part of their exact key
 * (see PromptMemo.contentKey), and its semantic buckets, by facts key.
 * Grouping by scope compares the scope as text once per call (a busy
 * tenant's scope text is one string, its hash computed once), instead of
 * within every key.
 */
interface ScopeEntries {
  scopeText: string;
  entries: Map<string, Entry>;
  buckets: Map<string, Bucket>;
}

interface Entry {
  scope: ScopeEntries;
  contentKey: string;
  expiresAt: number;
  response: CachedResponse;
  semantic: { factsKey: string; analysis: PromptAnalysis; indexKeys: number[] } | null;
  /** Neighbours in the least-recently-used order (see ResponseCache.oldest). */
  older: Entry | null;
  newer: Entry | null;
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
 * prompt hash, temperature (to 3 decimals) and options hash. Two requests may
 * share a cached answer only when their scope keys are equal.
 */
export function scopeKey(scope: CacheScope): string {
  const temperature = scope.temperature === null ? null : Math.round(scope.temperature * 1000) / 1000;
  return JSON.stringify([scope.organisationId, scope.departmentId, scope.model, scope.task, scope.systemHash, temperature, scope.optionsHash]);
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

/**
 * What a lookup works out about a prompt and the store that follows it
 * reuses: the canonical text, the part of the exact key that does not
 * depend on the scope, and (once asked) the semantic analysis.
 */
interface PromptMemo {
  canonical: string;
  /**
   * The canonical prompt's length and FNV-1a 64: with the scope, compared as
   * text (never only by hash), the exact key.
   */
  contentKey: string;
  /** `analyse`'s answer; undefined until it is asked for. */
  analysis: PromptAnalysis | null | undefined;
}

/** Prompts remembered between lookup and store (covers many concurrent calls), and the characters they may hold. */
const PROMPT_MEMO = 2_048;
const PROMPT_MEMO_CHARS = 8_000_000;

/** A memo's characters: its prompt and its canonical text. */
function memoChars(prompt: string, memo: PromptMemo): number {
  return prompt.length + memo.canonical.length;
}

export class ResponseCache {
  private readonly scopes = new Map<string, ScopeEntries>();
  private count = 0;
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
    return this.count;
  }

  clear(): void {
    this.scopes.clear();
    this.count = 0;
    this.oldest = null;
    this.newest = null;
  }

  /** The cached answer for `prompt` in `scope`, exact first, then semantic; null on a miss. */
  lookup(scope: CacheScope, prompt: string, now: number): CacheHit | null {
    const entries = this.scopes.get(this.scopeText(scope));
    if (!entries) return null;
    const memo = this.promptMemo(prompt);
    const exact = entries.entries.get(memo.contentKey);
    if (exact) {
      if (now >= exact.expiresAt) this.remove(exact);
      else {
        this.touch(exact);
        return { kind: 'exact', similarity: 1, response: exact.response };
      }
    }
    const analysis = this.analyse(memo);
    if (!analysis) return null;
    const bucket = entries.buckets.get(analysis.facts.key);
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
    const memo = this.promptMemo(prompt);
    const key = memo.contentKey;
    const previous = this.scopes.get(scopeText)?.entries.get(key);
    if (previous) this.remove(previous);
    // After the removal: removing a scope's last entry drops the scope.
    let entries = this.scopes.get(scopeText);
    if (!entries) {
      entries = { scopeText, entries: new Map(), buckets: new Map() };
      this.scopes.set(scopeText, entries);
    }
    const entry: Entry = { scope: entries, contentKey: key, expiresAt: now + this.options.ttlMs, response, semantic: null, older: null, newer: null };
    const analysis = this.analyse(memo);
    if (analysis) {
      const factsKey = analysis.facts.key;
      const indexKeys = distinctKeys(termSetKeys(analysis.facts.terms));
      entry.semantic = { factsKey, analysis, indexKeys };
      const bucket = entries.buckets.get(factsKey);
      if (!bucket) entries.buckets.set(factsKey, { size: 1, index: null, only: entry });
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
    entries.entries.set(key, entry);
    this.count++;
    this.append(entry);
    while (this.count > this.options.maxEntries) this.remove(this.oldest!);
  }

  /** Drops every expired entry; returns how many. Lookups also drop the expired entries they meet. */
  prune(now: number): number {
    const expired: Entry[] = [];
    for (let entry = this.oldest; entry !== null; entry = entry.newer) if (now >= entry.expiresAt) expired.push(entry);
    for (const entry of expired) this.remove(entry);
    return expired.length;
  }

  /**
   * A miss is looked up, then stored once the upstream answers: what the
   * lookup worked out about the prompt is kept for the store, so each prompt
   * is canonicalised, hashed and analysed once (for an agent's 120 KB
   * conversation that is about 0.7 ms saved). The last PROMPT_MEMO prompts
   * are kept, oldest out, and no more than PROMPT_MEMO_CHARS characters of
   * prompts and canonical texts together (a prompt over a tenth of that is
   * not kept). The order is a ring of keys, so the oldest is found without
   * iterating the map (which steps over every slot deleted since the map
   * was last rebuilt).
   */
  private readonly prompts = new Map<string, PromptMemo>();
  private readonly promptOrder: (string | undefined)[] = new Array<string | undefined>(PROMPT_MEMO).fill(undefined);
  private nextPrompt = 0;
  private promptChars = 0;

  private promptMemo(prompt: string): PromptMemo {
    let memo = this.prompts.get(prompt);
    if (memo) return memo;
    const canonical = canonicalText(prompt);
    memo = { canonical, contentKey: `${canonical.length}:${hashText(canonical)}`, analysis: undefined };
    const chars = memoChars(prompt, memo);
    if (chars > PROMPT_MEMO_CHARS / 10) return memo;
    // Oldest out: the slot about to be reused, then (over the character budget) the ones after it.
    for (let i = 0, slot = this.nextPrompt; i < PROMPT_MEMO && (i === 0 || this.promptChars + chars > PROMPT_MEMO_CHARS); i++, slot = (slot + 1) % PROMPT_MEMO) {
      const oldest = this.promptOrder[slot];
      if (oldest === undefined) continue;
      this.promptChars -= memoChars(oldest, this.prompts.get(oldest)!);
      this.prompts.delete(oldest);
      this.promptOrder[slot] = undefined;
    }
    this.promptOrder[this.nextPrompt] = prompt;
    this.nextPrompt = (this.nextPrompt + 1) % PROMPT_MEMO;
    this.prompts.set(prompt, memo);
    this.promptChars += chars;
    return memo;
  }

  /** What the prompt memo holds now (tests, diagnostics). */
  get promptMemoSize(): { entries: number; chars: number } {
    return { entries: this.prompts.size, chars: this.promptChars };
  }

  private analyse(memo: PromptMemo): PromptAnalysis | null {
    if (memo.analysis !== undefined) return memo.analysis;
    const { canonical } = memo;
    let result: PromptAnalysis | null = null;
    if (this.options.semantic && canonical.length <= this.maxSemanticChars) {
      const analysis = analysePrompt(canonical);
      const terms = analysis.facts.terms.length;
      if (terms >= this.minSemanticTerms && terms <= this.maxSemanticTerms) result = analysis;
    }
    memo.analysis = result;
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
      last.optionsHash === scope.optionsHash
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
      optionsHash: scope.optionsHash,
      key,
    };
    return key;
  }

  /**
   * The least and the most recently used entries, ends of a list through
   * `Entry.older` / `newer`: touching and evicting cost O(1), however many
   * entries were deleted from `entries` before (a Map's first key is found by
   * stepping over its deleted slots).
   */
  private oldest: Entry | null = null;
  private newest: Entry | null = null;

  private append(entry: Entry): void {
    entry.older = this.newest;
    entry.newer = null;
    if (this.newest) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
  }

  private unlink(entry: Entry): void {
    if (entry.older) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = null;
    entry.newer = null;
  }

  private touch(entry: Entry): void {
    this.unlink(entry);
    this.append(entry);
  }

  private remove(entry: Entry): void {
    const scope = entry.scope;
    if (scope.entries.get(entry.contentKey) !== entry) return;
    scope.entries.delete(entry.contentKey);
    if (scope.entries.size === 0) this.scopes.delete(scope.scopeText);
    this.count--;
    this.unlink(entry);
    const semantic = entry.semantic;
    if (!semantic) return;
    const bucket = scope.buckets.get(semantic.factsKey);
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
    if (--bucket.size === 0) scope.buckets.delete(semantic.factsKey);
  }
}

function indexEntry(index: Map<number, Entry[]>, entry: Entry): void {
  for (const k of entry.semantic!.indexKeys) {
    const list = index.get(k);
    if (list) list.push(entry);
    else index.set(k, [entry]);
  }
}

