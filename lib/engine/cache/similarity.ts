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
import { canonicalText, prepareCanonical, tokenize, type Token } from './normalise';

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

/** What the vector needs of one term: the hash of `w:<term>`, its character grams, and FNV-1a's state after `b:<term> `. */
interface TermFeatures {
  word: number;
  grams: Uint32Array;
  bigramPrefix: number;
}

const TERM_FEATURES = new Map<string, TermFeatures>();

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a 32 continued from `state` over `text`: `fnv(fnv(FNV_OFFSET, a), b) === hash32(a + b)`. */
function fnv(state: number, text: string): number {
  let h = state;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const WORD_PREFIX = fnv(FNV_OFFSET, 'w:');
const BIGRAM_PREFIX = fnv(FNV_OFFSET, 'b:');

/** Hashes of a word's character 3- and 4-grams (with a space either side). */
function charGrams(lower: string): Uint32Array {
  const padded = ` ${lower} `;
  const n = padded.length;
  const out = new Uint32Array(Math.max(0, n - 2) + Math.max(0, n - 3));
  let k = 0;
  for (let size = 3; size <= 4; size++) {
    for (let i = 0; i + size <= n; i++) out[k++] = hash32(`c:${padded.slice(i, i + size)}`);
  }
  return out;
}

/** A term's feature hashes, memoised per term. */
function termFeatures(term: string): TermFeatures {
  let features = TERM_FEATURES.get(term);
  if (features) return features;
  features = { word: fnv(WORD_PREFIX, term), grams: charGrams(term), bigramPrefix: fnv(fnv(BIGRAM_PREFIX, term), ' ') };
  if (TERM_FEATURES.size < 50_000) TERM_FEATURES.set(term, features);
  return features;
}

const FAMILY_WEIGHT = [FEATURE_WEIGHTS.term, FEATURE_WEIGHTS.stopWord, FEATURE_WEIGHTS.fact, FEATURE_WEIGHTS.bigram, FEATURE_WEIGHTS.charGram];
const Family = { Term: 0, StopWord: 1, Fact: 2, Bigram: 3, CharGram: 4 } as const;

/**
 * What the vector needs of a prompt's tokens, kept instead of the tokens
 * until the vector is wanted: the words that are not facts, in order, and
 * the punctuation that breaks a bigram.
 */
interface WordSequence {
  /** The word's term; '' at a break. */
  terms: string[];
  kinds: Uint8Array;
}
const Kind = { Break: 0, StopWord: 1, Content: 2 } as const;

function wordSequence(tokens: readonly Token[]): WordSequence {
  const terms: string[] = [];
  const kinds = new Uint8Array(tokens.length);
  for (const t of tokens) {
    if (t.type === 'punct') {
      kinds[terms.length] = Kind.Break;
      terms.push('');
    } else if (t.type === 'word' && !t.fact) {
      kinds[terms.length] = t.stop ? Kind.StopWord : Kind.Content;
      terms.push(t.term);
    }
  }
  return { terms, kinds };
}

/** Builds the sparse vector of a tokenised prompt from its words and its canonical facts. */
export function vectorise(tokens: readonly Token[], facts: Facts): SparseVector {
  return vectoriseSequence(wordSequence(tokens), facts);
}

function vectoriseSequence({ terms, kinds }: WordSequence, facts: Facts): SparseVector {
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
  let previous: TermFeatures | null = null;
  for (let i = 0; i < terms.length; i++) {
    const kind = kinds[i]!;
    if (kind === Kind.Break) {
      previous = null;
      continue;
    }
    const term = terms[i]!;
    const features = termFeatures(term);
    if (kind === Kind.StopWord) {
      push(features.word, Family.StopWord);
      continue;
    }
    push(features.word, Family.Term);
    if (previous) push(fnv(previous.bigramPrefix, term), Family.Bigram);
    previous = features;
    const grams = features.grams;
    for (let g = 0; g < grams.length; g++) push(grams[g]!, Family.CharGram);
  }
  const sorted = packed.subarray(0, n).sort();
  const keys = new Uint32Array(n);
  const values = new Float64Array(n);
  let m = 0;
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
    keys[m] = key;
    values[m++] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  const out = new Float32Array(m);
  for (let i = 0; i < m; i++) out[i] = values[i]! / norm;
  return { keys: keys.slice(0, m), values: out };
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
  /**
   * The sparse vector, computed on first read and kept: a lookup needs it
   * only when a candidate with the same facts is compared by cosine.
   */
  readonly vector: SparseVector;
}

class LazyAnalysis implements PromptAnalysis {
  facts: Facts;
  /** What the vector is built from, until it is. */
  private source: { sequence: WordSequence; facts: Facts } | null;
  private computed: SparseVector | null = null;

  constructor(facts: Facts, tokens: readonly Token[]) {
    this.facts = facts;
    this.source = { sequence: wordSequence(tokens), facts };
  }

  get vector(): SparseVector {
    if (this.computed === null) {
      this.computed = vectoriseSequence(this.source!.sequence, this.source!.facts);
      this.source = null;
    }
    return this.computed;
  }
}

/** A prompt's facts now, its vector when first read (`analysePrompt(t).vector` equals `vectorise` of its tokens and facts). */
export function analysePrompt(text: string): PromptAnalysis {
  const canonical = canonicalText(text);
  const prepared = prepareCanonical(canonical);
  const tokens = tokenize(prepared);
  const facts = extractFacts(tokens, prepared, canonical);
  return new LazyAnalysis(facts, tokens);
}

/** Cosine similarity of two prompts' vectors (no guards). */
export function textSimilarity(a: string, b: string): number {
  return cosine(analysePrompt(a).vector, analysePrompt(b).vector);
}
