/**
 * A lexical vector for semantic lookups, computed here and offline: content
 * terms (stemmed, synonyms folded), bigrams of adjacent content terms, the
 * facts as tokens, and character 3- and 4-grams of every word (so a typo
 * still shares most of its grams). Features are hashed (FNV-1a 32) into a
 * sparse vector with sublinear term frequency and unit length; similarity is
 * the cosine. Stop words stay in at a low weight instead of an IDF table:
 * a per-cache document frequency would make stored vectors drift, and a
 * shipped corpus table would tie the cache to that corpus.
 */
import { extractFacts, type Facts } from './guards';
import { hash32 } from './hash';
import { prepareText, tokenize, type Token } from './normalise';

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

/** Builds the sparse vector of a tokenised prompt. */
export function vectorise(tokens: readonly Token[]): SparseVector {
  const weights = new Map<number, number>();
  const counts = new Map<number, number>();
  const add = (feature: string, weight: number) => {
    const key = hash32(feature);
    weights.set(key, weight);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  let previous: Token | null = null;
  for (const t of tokens) {
    if (t.type === 'punct') {
      previous = null;
      continue;
    }
    if (t.type !== 'word') {
      if (t.type !== 'symbol') add(`f:${t.lower}`, FEATURE_WEIGHTS.fact);
      continue;
    }
    if (t.stop) {
      add(`w:${t.term}`, FEATURE_WEIGHTS.stopWord);
      continue;
    }
    add(`w:${t.term}`, FEATURE_WEIGHTS.term);
    if (previous) add(`b:${previous.term} ${t.term}`, FEATURE_WEIGHTS.bigram);
    previous = t;
    const padded = ` ${t.lower} `;
    for (let n = 3; n <= 4; n++) {
      for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.slice(i, i + n)}`, FEATURE_WEIGHTS.charGram);
    }
  }
  const keys = Uint32Array.from(weights.keys()).sort();
  const values = new Float32Array(keys.length);
  let norm = 0;
  for (let i = 0; i < keys.length; i++) {
    const v = weights.get(keys[i]!)! * (1 + Math.log(counts.get(keys[i]!)!));
    values[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < values.length; i++) values[i] = values[i]! / norm;
  return { keys, values };
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
  return { facts: extractFacts(tokens, prepared), vector: vectorise(tokens) };
}

/** Cosine similarity of two prompts' vectors (no guards). */
export function textSimilarity(a: string, b: string): number {
  return cosine(analysePrompt(a).vector, analysePrompt(b).vector);
}
