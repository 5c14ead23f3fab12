import { describe, expect, it } from 'vitest';
import { projectCall, settleAmounts } from '@/lib/engine/governance';
import { usdToNano } from '@/lib/engine/money';
import type { PriceVersion } from '@/lib/engine/prices';
import { costNano, type TokenBuckets } from '@/lib/engine/pricing';
import { Random } from '@/lib/engine/random';

/** A price in dollars per million tokens, as nano-dollars per million tokens. */
const perMtok = (usd: string) => usdToNano(usd);

const version = (over: Partial<PriceVersion> & Pick<PriceVersion, 'id'>): PriceVersion => ({
  modelId: 'model',
  kind: 'list',
  organisationId: null,
  serviceTier: 'standard',
  contextTierMinTokens: 0,
  effectiveFrom: new Date('2025-01-01T00:00:00Z'),
  inputPerMtok: perMtok('1.25'),
  cachedInputPerMtok: perMtok('0.125'),
  cacheWrite5mPerMtok: null,
  cacheWrite1hPerMtok: null,
  outputPerMtok: perMtok('10'),
  reasoningPerMtok: null,
  ...over,
});

const base = {
  organisationId: 'org_1',
  at: new Date('2026-03-10T12:00:00Z'),
  serviceTier: 'standard' as const,
};

describe('projectCall', () => {
  it('prices the prompt as uncached input and max_tokens at the output rate', () => {
    // 1,000 x $1.25/Mtok + 500 x $10/Mtok = $0.00125 + $0.005 = $0.00625.
    expect(projectCall({ ...base, versions: [version({ id: 1 })], promptTokens: 1_000, maxOutputTokens: 500 })).toEqual({
      costNano: 6_250_000n,
      tokens: 1_500n,
      requests: 1n,
      unpriced: false,
    });
  });

  it('prices the whole request at the context tier the prompt reaches', () => {
    const versions = [
      version({ id: 1 }),
      version({ id: 2, contextTierMinTokens: 200_000, inputPerMtok: perMtok('2.5'), cachedInputPerMtok: perMtok('0.25'), outputPerMtok: perMtok('15') }),
    ];
    // 250,000 x $2.50/Mtok + 500 x $15/Mtok = $0.625 + $0.0075 = $0.6325.
    expect(projectCall({ ...base, versions, promptTokens: 250_000, maxOutputTokens: 500 }).costNano).toBe(632_500_000n);
    // Below the tier: 199,999 x $1.25 + 500 x $10, per Mtok.
    expect(projectCall({ ...base, versions, promptTokens: 199_999, maxOutputTokens: 500 }).costNano).toBe(254_998_750n);
  });

  it('charges output at the reasoning rate when that is higher', () => {
    const versions = [version({ id: 1, reasoningPerMtok: perMtok('40') })];
    // 1,000 x $1.25 + 500 x $40, per Mtok = $0.02125.
    expect(projectCall({ ...base, versions, promptTokens: 1_000, maxOutputTokens: 500 }).costNano).toBe(21_250_000n);
    const cheaperReasoning = [version({ id: 1, reasoningPerMtok: perMtok('5') })];
    expect(projectCall({ ...base, versions: cheaperReasoning, promptTokens: 1_000, maxOutputTokens: 500 }).costNano).toBe(6_250_000n);
  });

  it('prices the prompt at the cache-write rate when the request writes a cache', () => {
    const versions = [version({ id: 1, inputPerMtok: perMtok('3'), cacheWrite5mPerMtok: perMtok('3.75'), cacheWrite1hPerMtok: perMtok('6'), outputPerMtok: perMtok('15') })];
    const input = { ...base, versions, promptTokens: 10_000, maxOutputTokens: 1_000 };
    // 10,000 x $3 + 1,000 x $15 = $0.045; with a cache write, 10,000 x $6 + 1,000 x $15 = $0.075.
    expect(projectCall(input).costNano).toBe(45_000_000n);
    expect(projectCall({ ...input, cacheWrites: true }).costNano).toBe(75_000_000n);
  });

  it('uses the organisation contracted price where one exists', () => {
    const versions = [
      version({ id: 1 }),
      version({ id: 2, kind: 'negotiated', organisationId: 'org_1', inputPerMtok: perMtok('1'), outputPerMtok: perMtok('8') }),
      version({ id: 3, kind: 'negotiated', organisationId: 'org_2', inputPerMtok: perMtok('0.1'), outputPerMtok: perMtok('0.1') }),
    ];
    // 1,000 x $1 + 500 x $8 = $0.005.
    expect(projectCall({ ...base, versions, promptTokens: 1_000, maxOutputTokens: 500 }).costNano).toBe(5_000_000n);
    expect(projectCall({ ...base, organisationId: 'org_3', versions, promptTokens: 1_000, maxOutputTokens: 500 }).costNano).toBe(6_250_000n);
  });

  it('projects an unpriced model at zero cost and flags it', () => {
    expect(projectCall({ ...base, versions: [], promptTokens: 1_000, maxOutputTokens: 500 })).toEqual({
      costNano: 0n,
      tokens: 1_500n,
      requests: 1n,
      unpriced: true,
    });
  });

  it('refuses token counts that are not non-negative integers', () => {
    const versions = [version({ id: 1 })];
    expect(() => projectCall({ ...base, versions, promptTokens: -1, maxOutputTokens: 1 })).toThrow(RangeError);
    expect(() => projectCall({ ...base, versions, promptTokens: 1, maxOutputTokens: 1.5 })).toThrow(RangeError);
  });

  it('is never below what the call can settle at (seeded property)', () => {
    const rng = new Random(20260310);
    const versions = [
      version({ id: 1, cachedInputPerMtok: perMtok('0.3'), cacheWrite5mPerMtok: perMtok('3.75'), cacheWrite1hPerMtok: perMtok('6'), inputPerMtok: perMtok('3'), outputPerMtok: perMtok('15'), reasoningPerMtok: perMtok('20') }),
      version({ id: 2, contextTierMinTokens: 200_000, inputPerMtok: perMtok('6'), cachedInputPerMtok: perMtok('0.6'), cacheWrite5mPerMtok: perMtok('7.5'), cacheWrite1hPerMtok: perMtok('12'), outputPerMtok: perMtok('22.5'), reasoningPerMtok: null }),
    ];
    for (let i = 0; i < 400; i++) {
      const prompt = rng.int(0, 400_000);
      const maxOutput = rng.int(0, 64_000);
      const cacheWrites = rng.chance(0.5);
      // Split the prompt over the buckets the request allows, and the output cap over output and reasoning.
      const cached = rng.int(0, prompt);
      const write5m = cacheWrites ? rng.int(0, prompt - cached) : 0;
      const write1h = cacheWrites ? rng.int(0, prompt - cached - write5m) : 0;
      const output = rng.int(0, maxOutput);
      const actual: TokenBuckets = {
        inputTokens: prompt - cached - write5m - write1h,
        cachedInputTokens: cached,
        cacheWrite5mTokens: write5m,
        cacheWrite1hTokens: write1h,
        outputTokens: output,
        reasoningTokens: rng.int(0, maxOutput - output),
      };
      const projected = projectCall({ ...base, versions, promptTokens: prompt, maxOutputTokens: maxOutput, cacheWrites });
      const rates = versions.filter((v) => v.contextTierMinTokens <= prompt).at(-1)!;
      const settled = settleAmounts(actual, costNano(actual, rates));
      expect(settled.costNano).toBeLessThanOrEqual(projected.costNano);
      expect(settled.tokens).toBeLessThanOrEqual(projected.tokens);
      expect(settled.requests).toBe(projected.requests);
    }
  });
});

describe('settleAmounts', () => {
  it('counts every token bucket and one request at the priced cost', () => {
    const tokens: TokenBuckets = {
      inputTokens: 100,
      cachedInputTokens: 20,
      cacheWrite5mTokens: 3,
      cacheWrite1hTokens: 4,
      outputTokens: 50,
      reasoningTokens: 7,
    };
    expect(settleAmounts(tokens, 1_234n)).toEqual({ costNano: 1_234n, tokens: 184n, requests: 1n });
  });
});
