/**
 * The response cache: exact hits, scope isolation, TTL and LRU, and guarded
 * semantic hits (paraphrases hit; near-duplicates that differ in a fact miss).
 */
import { describe, expect, it } from 'vitest';
import { ResponseCache, scopeKey, type CachedResponse, type CacheScope } from '@/lib/engine/cache';

const SCOPE: CacheScope = {
  organisationId: 'org_1',
  departmentId: 'dep_claims',
  model: 'auto',
  task: 'summarize',
  systemHash: 'a1b2c3d4e5f60718',
  temperature: 0,
  optionsHash: '',
};

function response(content = 'answer', costNano = 42_000n): CachedResponse {
  return {
    modelId: 'openai/gpt-5-nano',
    modelName: 'gpt-5-nano',
    content,
    finishReason: 'stop',
    promptTokens: 120,
    completionTokens: 80,
    costNano,
    sourceRequestId: 'req_1',
    storedAt: 0,
  };
}

const options = { maxEntries: 100, ttlMs: 60_000, semanticThreshold: 0.7, semantic: true };

function cacheWith(prompt: string, scope = SCOPE, opts = options): ResponseCache {
  const cache = new ResponseCache(opts);
  cache.store(scope, prompt, response(), 0);
  return cache;
}

const PROMPT = 'Summarise the adjuster notes for claim CLM-10023 in 3 bullet points.';

describe('exact matches', () => {
  it('serves the stored answer for the same prompt, at similarity 1', () => {
    const hit = cacheWith(PROMPT).lookup(SCOPE, PROMPT, 1);
    expect(hit).toEqual({ kind: 'exact', similarity: 1, response: response() });
    expect(hit!.response.costNano).toBe(42_000n);
  });

  it('ignores Unicode width, curly quotes and runs of whitespace', () => {
    const cache = cacheWith('Is the claim “urgent”?  Answer yes or no.');
    expect(cache.lookup(SCOPE, ' Is the claim "urgent"? Answer\tyes or no. ', 1)?.kind).toBe('exact');
  });

  it('works with the semantic cache off', () => {
    const cache = cacheWith(PROMPT, SCOPE, { ...options, semantic: false });
    expect(cache.lookup(SCOPE, PROMPT, 1)?.kind).toBe('exact');
    expect(cache.lookup(SCOPE, PROMPT.toLowerCase(), 1)).toBeNull();
  });
});

describe('scope isolation', () => {
  const variants: [string, Partial<CacheScope>][] = [
    ['organisation', { organisationId: 'org_2' }],
    ['department', { departmentId: 'dep_kyc' }],
    ['no department', { departmentId: null }],
    ['model', { model: 'gpt-5' }],
    ['task', { task: 'classify' }],
    ['system prompt', { systemHash: 'ffffffffffffffff' }],
    ['temperature', { temperature: 0.7 }],
    ['no temperature', { temperature: null }],
    ['tools', { optionsHash: '0123456789abcdef' }],
  ];
  for (const [name, change] of variants) {
    it(`another ${name} never sees the entry, exact or semantic`, () => {
      const cache = cacheWith(PROMPT);
      const other = { ...SCOPE, ...change };
      expect(cache.lookup(other, PROMPT, 1)).toBeNull();
      expect(cache.lookup(other, PROMPT.toLowerCase(), 1)).toBeNull();
      expect(cache.lookup(SCOPE, PROMPT, 1)?.kind).toBe('exact');
    });
  }

  it('the scope key is the scope as text; temperature is compared to 3 decimals', () => {
    expect(scopeKey(SCOPE)).toBe('["org_1","dep_claims","auto","summarize","a1b2c3d4e5f60718",0,""]');
    expect(scopeKey({ ...SCOPE, temperature: 0.70000001 })).toBe(scopeKey({ ...SCOPE, temperature: 0.7 }));
    expect(scopeKey({ ...SCOPE, departmentId: null })).not.toBe(scopeKey({ ...SCOPE, departmentId: 'null' }));
  });
});

describe('expiry and eviction', () => {
  it('serves an entry until its TTL, then drops it', () => {
    const cache = cacheWith(PROMPT);
    expect(cache.lookup(SCOPE, PROMPT, 59_999)).not.toBeNull();
    expect(cache.lookup(SCOPE, PROMPT.toLowerCase(), 59_999)?.kind).toBe('semantic');
    expect(cache.lookup(SCOPE, PROMPT, 60_000)).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('semantic lookups drop the expired entries they meet', () => {
    const cache = cacheWith(PROMPT);
    expect(cache.lookup(SCOPE, PROMPT.toLowerCase(), 60_000)).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('prune drops every expired entry', () => {
    const cache = new ResponseCache(options);
    cache.store(SCOPE, 'List the open claims for customer CUST-1001.', response(), 0);
    cache.store(SCOPE, 'List the open claims for customer CUST-1002.', response(), 30_000);
    expect(cache.prune(60_000)).toBe(1);
    expect(cache.size).toBe(1);
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new ResponseCache({ ...options, maxEntries: 2 });
    const a = 'Summarise ticket #10001 for the support agent.';
    const b = 'Summarise ticket #10002 for the support agent.';
    const c = 'Summarise ticket #10003 for the support agent.';
    cache.store(SCOPE, a, response('a'), 0);
    cache.store(SCOPE, b, response('b'), 0);
    expect(cache.lookup(SCOPE, a, 1)?.response.content).toBe('a'); // a is now the most recent
    cache.store(SCOPE, c, response('c'), 2);
    expect(cache.size).toBe(2);
    expect(cache.lookup(SCOPE, b, 3)).toBeNull();
    expect(cache.lookup(SCOPE, a, 3)?.response.content).toBe('a');
    expect(cache.lookup(SCOPE, c, 3)?.response.content).toBe('c');
    // An evicted entry is gone from the semantic index too.
    expect(cache.lookup(SCOPE, b.toUpperCase(), 3)).toBeNull();
  });

  it('storing the same prompt again replaces the entry', () => {
    const cache = new ResponseCache(options);
    cache.store(SCOPE, PROMPT, response('old'), 0);
    cache.store(SCOPE, PROMPT, response('new'), 10);
    expect(cache.size).toBe(1);
    expect(cache.lookup(SCOPE, PROMPT, 11)?.response.content).toBe('new');
    expect(cache.lookup(SCOPE, PROMPT.toLowerCase(), 11)?.response.content).toBe('new');
  });

  it('clear empties the cache', () => {
    const cache = cacheWith(PROMPT);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.lookup(SCOPE, PROMPT, 1)).toBeNull();
  });

  it('refuses nonsensical options', () => {
    expect(() => new ResponseCache({ ...options, maxEntries: 0 })).toThrow(RangeError);
    expect(() => new ResponseCache({ ...options, ttlMs: 0 })).toThrow(RangeError);
    expect(() => new ResponseCache({ ...options, semanticThreshold: 1.5 })).toThrow(RangeError);
  });
});

describe('semantic hits', () => {
  const same: [string, string, string][] = [
    ['paraphrase', PROMPT, "Can you sum up the adjuster's notes for claim CLM-10023 as three bullet points?"],
    ['politeness', PROMPT, 'Could you please summarize the adjuster notes for claim CLM-10023 in 3 bullet points?'],
    ['reorder', PROMPT, 'For claim CLM-10023, summarise the adjuster notes in 3 bullet points.'],
    ['case', PROMPT, PROMPT.toUpperCase()],
    ['typo', PROMPT, 'Summarise the ajduster notes for claim CLM-10023 in 3 bullet points.'],
    ['contraction', "Don't approve claim CLM-4 until the report arrives.", 'Do not approve claim CLM-4 until the report arrives.'],
    ['same date, two formats', 'Schedule payment of invoice INV2025-77 for $1,250.00 on 2025-03-14.', 'Schedule payment of invoice INV2025-77 for 1,250 dollars on 14 March 2025.'],
    ['question and instruction', 'Which of our vendors in Canada have contracts expiring before June 30?', 'List the vendors in Canada whose contracts expire before June 30.'],
    ['affixal and syntactic negation', 'Is invoice INV2024-12 unpaid?', 'Is invoice INV2024-12 not paid?'],
  ];
  for (const [name, a, b] of same) {
    it(`${name}: hits`, () => {
      const hit = cacheWith(a).lookup(SCOPE, b, 1);
      expect(hit?.kind).toBe('semantic');
      expect(hit!.similarity).toBeGreaterThanOrEqual(0.7);
      expect(hit!.similarity).toBeLessThanOrEqual(1);
    });
  }

  it('picks the most similar of several candidates', () => {
    const cache = new ResponseCache(options);
    cache.store(SCOPE, 'Summarise the adjuster notes for claim CLM-10023 in 3 bullet points, please.', response('polite'), 0);
    cache.store(SCOPE, PROMPT, response('plain'), 0);
    expect(cache.lookup(SCOPE, PROMPT.toLowerCase(), 1)?.response.content).toBe('plain');
  });

  it('needs two content words: short chit-chat is cached exactly only', () => {
    expect(cacheWith('Hi!').lookup(SCOPE, 'Thanks!', 1)).toBeNull();
    expect(cacheWith('Hello there').lookup(SCOPE, 'hello there', 1)).toBeNull();
  });

  it('caches long prompts exactly only', () => {
    const long = `Summarise this document: ${'The adjuster inspected the roof and found storm damage. '.repeat(100)}`;
    const cache = cacheWith(long);
    expect(cache.lookup(SCOPE, long, 1)?.kind).toBe('exact');
    expect(cache.lookup(SCOPE, long.toLowerCase(), 1)).toBeNull();
  });

  it('a threshold of 1 leaves only identical vectors', () => {
    const cache = cacheWith(PROMPT, SCOPE, { ...options, semanticThreshold: 1 });
    expect(cache.lookup(SCOPE, 'For claim CLM-10023, summarise the adjuster notes in 3 bullet points.', 1)).toBeNull();
  });
});

describe('near-duplicates never hit', () => {
  const different: [string, string, string][] = [
    ['amount', 'Approve the refund of $1,250 for order ORD-1001.', 'Approve the refund of $1,350 for order ORD-1001.'],
    ['quantity', PROMPT, 'Summarise the adjuster notes for claim CLM-10023 in 5 bullet points.'],
    ['claim id', PROMPT, 'Summarise the adjuster notes for claim CLM-10028 in 3 bullet points.'],
    ['email', 'Reset the VPN password for maria.lopez@acme.com.', 'Reset the VPN password for mario.lopez@acme.com.'],
    ['date', 'Book a meeting with Jane Smith on March 3 at 10:00 am.', 'Book a meeting with Jane Smith on March 4 at 10:00 am.'],
    ['time', 'Book a meeting with Jane Smith on March 3 at 10:00 am.', 'Book a meeting with Jane Smith on March 3 at 10:00 pm.'],
    ['relative date', 'List the claims filed yesterday for Acme Logistics.', 'List the claims filed today for Acme Logistics.'],
    ['negation', 'Should claim CLM-1 be approved given the report?', 'Should claim CLM-1 not be approved given the report?'],
    ['negation (contraction)', 'Flag customer CUST-1 if the passport name matches the application.', "Flag customer CUST-1 if the passport name doesn't match the application."],
    ['negation (without)', 'Reset the password for ana@acme.com and send a reset link.', 'Reset the password for ana@acme.com without sending a reset link.'],
    ['person', 'Draft a reply to Maria Lopez about claim CLM-7.', 'Draft a reply to Mario Lopez about claim CLM-7.'],
    ['company', 'Screen Jane Smith of Globex against the sanctions list.', 'Screen Jane Smith of Initech against the sanctions list.'],
    ['unit', 'Estimate shipping for a 25 kg parcel from Paris to Berlin.', 'Estimate shipping for a 25 lb parcel from Paris to Berlin.'],
    ['currency', 'Increase the reserve on claim CLM-9 by €900.', 'Increase the reserve on claim CLM-9 by £900.'],
    ['comparator', 'List claims paid over $5,000 in Q3 2025.', 'List claims paid under $5,000 in Q3 2025.'],
    ['antonym', 'Should claim CLM-1 be approved given the report?', 'Should claim CLM-1 be denied given the report?'],
    ['antonym (direction of change)', 'Explain why the premium for policy POL-1 increased.', 'Explain why the premium for policy POL-1 decreased.'],
    ['topic', 'What is the deductible on policy POL-778812?', 'What is the premium on policy POL-778812?'],
    ['added content word', PROMPT, 'Summarise the medical adjuster notes for claim CLM-10023 in 3 bullet points.'],
    ['quoted input', 'Classify the sentiment: "The agent was helpful."', 'Classify the sentiment: "The agent was rude."'],
    ['from/to swapped', 'Transfer $500 from Acme to Globex today.', 'Transfer $500 from Globex to Acme today.'],
    ['ours/theirs', 'Is ticket #4411 a P1 incident under our SLA?', 'Is ticket #4411 a P1 incident under their SLA?'],
  ];
  for (const [name, a, b] of different) {
    it(`${name}: misses`, () => {
      expect(cacheWith(a).lookup(SCOPE, b, 1)).toBeNull();
      expect(cacheWith(b).lookup(SCOPE, a, 1)).toBeNull();
    });
  }
});
