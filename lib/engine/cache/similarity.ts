/**
 * A lexical vector for semantic lookups, computed here and offline: content
 * terms (stemmed, synonyms folded), bigrams of adjacent content terms, the
 * canonical facts (so `2025-03-14` and `14 March 2025` are one feature), and
 * character 3- and 4-grams of every term (so a typo still shares most of its
 * grams). Features are hashed (FNV-1a 32) into a
 * sparse vector with sublinear term frequency and unit length; similarity is
 * the cosine. Stop words stay in at a low weight instead of an IDF table:
 * a per-cache document frequency would make stored vectors drift, and a
 * shipped corpus table would tie the cache to that corpus.
 */
import { extractFacts, type Facts } from './guards';
import { hash32 } from './hash';
import { canonicalText, prepareText, tokenize, type Token } from './normalise';

export interface SparseVector {
  /** Feature hashes, ascending. */
  keys: Uint32Array;
  /** Weights, unit L2 norm overall. */
  values: Float32Array;
}

/** Relative weights of the feature families. */
export const FEATURE_WEIGHTS = {
  term: 1,
  stopWord: 0.15,
  fact: 1,
  bigram: 0.5,
  charGram: 0.15,
} as const;

const GRAM_CACHE = new Map<string, Uint32Array>();

/** Hashes of a word's character 3- and 4-grams (with a space either side), memoised per word. */
function charGrams(lower: string): Uint32Array {
  const cached = GRAM_CACHE.get(lower);
  if (cached) return cached;
  const padded = ` ${lower} `;
  const n = padded.length;
  const out = new Uint32Array(Math.max(0, n - 2) + Math.max(0, n - 3));
  let k = 0;
  for (let size = 3; size <= 4; size++) {
    for (let i = 0; i + size <= n; i++) out[k++] = hash32(`c:${padded.slice(i, i + size)}`);
  }
  if (GRAM_CACHE.size < 50_000) GRAM_CACHE.set(lower, out);
  return out;
}

const FAMILY_WEIGHT = [FEATURE_WEIGHTS.term, FEATURE_WEIGHTS.stopWord, FEATURE_WEIGHTS.fact, FEATURE_WEIGHTS.bigram, FEATURE_WEIGHTS.charGram];
const Family = { Term: 0, StopWord: 1, Fact: 2, Bigram: 3, CharGram: 4 } as const;

/** Builds the sparse vector of a tokenised prompt from its words and its canonical facts. */
export function vectorise(tokens: readonly Token[], facts: Facts): SparseVector {
  // Each feature as hash * 8 + family in a float64 (exact below 2^53), sorted natively, then counted in runs.
  let packed = new Float64Array(256);
  let n = 0;
  const push = (key: number, family: number) => {
    if (n === packed.length) {
      const grown = new Float64Array(n * 2);
      grown.set(packed);
      packed = grown;
    }
    packed[n++] = key * 8 + family;
  };
  for (const list of [facts.numbers, facts.ids, facts.dates, facts.negations, facts.polarity, facts.quoted, facts.directions]) {
    for (const fact of list) push(hash32(`f:${fact}`), Family.Fact);
  }
  let previous: Token | null = null;
  for (const t of tokens) {
    if (t.type === 'punct') {
      previous = null;
      continue;
    }
    if (t.type !== 'word' || t.fact) continue;
    if (t.stop) {
      push(hash32(`w:${t.term}`), Family.StopWord);
      continue;
    }
    push(hash32(`w:${t.term}`), Family.Term);
    if (previous) push(hash32(`b:${previous.term} ${t.term}`), Family.Bigram);
    previous = t;
    for (const gram of charGrams(t.term)) push(gram, Family.CharGram);
  }
  const sorted = packed.subarray(0, n).sort();
  const keys: number[] = [];
  const values: number[] = [];
  let norm = 0;
  for (let i = 0; i < n; ) {
    const key = Math.floor(sorted[i]! / 8);
    const weight = FAMILY_WEIGHT[sorted[i]! - key * 8]!;
    let count = 0;
    while (i < n && Math.floor(sorted[i]! / 8) === key) {
      count++;
      i++;
    }
    const v = weight * (1 + Math.log(count));
    keys.push(key);
    values.push(v);
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! / norm;
  return { keys: Uint32Array.from(keys), values: out };
}

/** Cosine similarity of two unit-length sparse vectors: a merge over the sorted keys. */
export function cosine(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let dot = 0;
  const ak = a.keys;
  const bk = b.keys;
  while (i < ak.length && j < bk.length) {
    const x = ak[i]!;
    const y = bk[j]!;
    if (x === y) {
      dot += a.values[i]! * b.values[j]!;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return Math.min(1, dot);
}

/** Everything the semantic cache keeps about a prompt. */
export interface PromptAnalysis {
  facts: Facts;
  vector: SparseVector;
}

export function analysePrompt(text: string): PromptAnalysis {
  const prepared = prepareText(text);
  const tokens = tokenize(prepared);
  const facts = extractFacts(tokens, prepared, canonicalText(text));
  return { facts, vector: vectorise(tokens, facts) };
}

/** Cosine similarity of two prompts' vectors (no guards). */
export function textSimilarity(a: string, b: string): number {
  return cosine(analysePrompt(a).vector, analysePrompt(b).vector);
}
