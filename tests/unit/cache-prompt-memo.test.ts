/**
 * What a lookup works out about a prompt (canonical text, exact key) is kept
 * for the store that follows, long prompts included (an agent sends its whole
 * conversation again every turn), within a character budget.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ResponseCache } from '@/lib/engine/cache';
import { CACHE_SCOPE as SCOPE, CACHED_RESPONSE as RESPONSE } from '../support/cache';

const counts = vi.hoisted(() => ({ canonical: 0 }));

vi.mock('@/lib/engine/cache/canonical', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/engine/cache/canonical')>();
  return {
    ...actual,
    canonicalText: (text: string) => {
      counts.canonical++;
      return actual.canonicalText(text);
    },
  };
});


/** A conversation of about `chars` characters, different for each `seed`. */
function conversation(chars: number, seed: number): string {
  let text = `user: claim ${seed}\nassistant:`;
  for (let i = 0; text.length < chars; i++) text += ` the adjuster reviewed section ${(i * 31 + seed) % 97} of the policy`;
  return text;
}

const cacheOptions = { maxEntries: 1_000, ttlMs: 60_000, semanticThreshold: 0.9, semantic: true };

describe('the prompt memo', () => {
  beforeEach(() => {
    counts.canonical = 0;
  });

  it('canonicalises a long conversation once for its lookup and its store', () => {
    const cache = new ResponseCache(cacheOptions);
    const prompt = conversation(120_000, 1);
    expect(cache.lookup(SCOPE, prompt, 0)).toBeNull();
    // A new string with the same characters, as the store gets it.
    cache.store(SCOPE, `${prompt.slice(0, 50_000)}${prompt.slice(50_000)}`, RESPONSE, 0);
    expect(counts.canonical).toBe(1);
    expect(cache.lookup(SCOPE, prompt, 1)?.kind).toBe('exact');
  });

  it('holds no more than its character budget, oldest out, and answers the same after', () => {
    const cache = new ResponseCache(cacheOptions);
    const prompts = Array.from({ length: 30 }, (_, i) => conversation(300_000, 10 + i));
    for (const prompt of prompts) {
      cache.lookup(SCOPE, prompt, 0);
      cache.store(SCOPE, prompt, { ...RESPONSE, sourceRequestId: prompt.slice(0, 20) }, 0);
    }
    const { chars, entries } = cache.promptMemoSize;
    expect(chars).toBeLessThanOrEqual(8_000_000);
    expect(entries).toBeGreaterThan(0);
    expect(entries).toBeLessThan(30);
    // Dropped from the memo, not from the cache: every one still answers exactly, with its own answer.
    for (const prompt of [prompts[0]!, prompts[29]!]) {
      const hit = cache.lookup(SCOPE, prompt, 1);
      expect(hit?.kind).toBe('exact');
      expect(hit?.response.sourceRequestId).toBe(prompt.slice(0, 20));
    }
    expect(cache.promptMemoSize.chars).toBeLessThanOrEqual(8_000_000);
  });

  it('does not keep a prompt over a tenth of the budget', () => {
    const cache = new ResponseCache(cacheOptions);
    cache.lookup(SCOPE, conversation(900_000, 3), 0);
    expect(cache.promptMemoSize).toEqual({ entries: 0, chars: 0 });
  });
});
