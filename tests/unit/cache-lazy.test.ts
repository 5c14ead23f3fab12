/**
 * The semantic vector is computed lazily, at most once per prompt: a lookup
 * whose facts bucket is empty (the usual miss: prompts that differ only in a
 * number or an id) computes no vector, in the lookup or in the store that
 * follows it. Observed through the feature hashes: vectorising a prompt
 * hashes each of its facts as an `f:<fact>` feature.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { analysePrompt, ResponseCache } from '@/lib/engine/cache';
import { CACHE_SCOPE as SCOPE, CACHED_RESPONSE as RESPONSE } from '../support/cache';

const counts = vi.hoisted(() => ({ factFeatures: 0 }));

vi.mock('@/lib/engine/cache/hash', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/engine/cache/hash')>();
  return {
    ...actual,
    hash32: (text: string) => {
      if (text.startsWith('f:')) counts.factFeatures++;
      return actual.hash32(text);
    },
  };
});



/** One fact each: the ticket id `#n`. */
const prompt = (n: number) => `Summarise ticket #${n} for the support agent and flag any refund the customer asked for.`;

const cacheOptions = { maxEntries: 1_000, ttlMs: 60_000, semanticThreshold: 0.7, semantic: true };

describe('lazy vectors', () => {
  beforeEach(() => {
    counts.factFeatures = 0;
  });

  it('the observable works: reading a vector hashes its facts, once', () => {
    const analysis = analysePrompt(prompt(1));
    expect(analysis.facts.ids).toEqual(['#1']);
    expect(counts.factFeatures).toBe(0);
    const vector = analysis.vector;
    expect(counts.factFeatures).toBe(1);
    expect(analysis.vector).toBe(vector);
    expect(counts.factFeatures).toBe(1);
  });

  it('a miss whose facts bucket is empty, and its store, compute no vector', () => {
    const cache = new ResponseCache(cacheOptions);
    for (let n = 1; n <= 300; n++) {
      expect(cache.lookup(SCOPE, prompt(n), n)).toBeNull();
      cache.store(SCOPE, prompt(n), RESPONSE, n);
    }
    expect(cache.size).toBe(300);
    expect(counts.factFeatures).toBe(0);
  });

  it('a candidate with the same facts is compared by cosine: each vector is computed once', () => {
    const cache = new ResponseCache(cacheOptions);
    for (let n = 1; n <= 50; n++) cache.store(SCOPE, prompt(n), RESPONSE, 0);
    expect(counts.factFeatures).toBe(0);
    const query = prompt(7).toLowerCase();
    const hit = cache.lookup(SCOPE, query, 1);
    expect(hit?.kind).toBe('semantic');
    expect(hit!.similarity).toBeGreaterThan(0.7);
    // The query's vector and ticket #7's (the only entry with the same facts).
    expect(counts.factFeatures).toBe(2);
    // Both are kept: the same lookup again computes nothing.
    expect(cache.lookup(SCOPE, query, 2)?.similarity).toBe(hit!.similarity);
    expect(counts.factFeatures).toBe(2);
  });
});
