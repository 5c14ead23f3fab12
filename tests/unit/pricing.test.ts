import { describe, expect, it } from 'vitest';
import { CATALOG_MODELS, catalogRates, tierFor } from '@/lib/engine/catalog';
import { costNano, ZERO_TOKENS } from '@/lib/engine/pricing';

const model = (id: string) => {
  const m = CATALOG_MODELS.find((x) => x.id === id);
  if (!m) throw new Error(id);
  return m;
};

describe('costNano', () => {
  it('prices gpt-4o-class small calls by hand', () => {
    // gpt-4.1-mini: $0.40 in, $0.10 cached, $1.60 out per 1M tokens.
    const rates = catalogRates(model('openai/gpt-4.1-mini').prices[0]!);
    const cost = costNano({ ...ZERO_TOKENS, inputTokens: 1000, cachedInputTokens: 2000, outputTokens: 500 }, rates);
    // 1000*0.4 + 2000*0.1 + 500*1.6 = 400 + 200 + 800 = 1400 µ$ = $0.0014
    expect(cost).toBe(1_400_000n);
  });

  it('prices Anthropic cache writes by TTL and reads at 0.1x', () => {
    const rates = catalogRates(model('anthropic/claude-sonnet-4-5').prices[0]!);
    const cost = costNano(
      { ...ZERO_TOKENS, inputTokens: 100, cachedInputTokens: 10_000, cacheWrite5mTokens: 2_000, cacheWrite1hTokens: 1_000, outputTokens: 300 },
      rates,
    );
    // 100*3 + 10000*0.3 + 2000*3.75 + 1000*6 + 300*15 = 300 + 3000 + 7500 + 6000 + 4500 = 21300 µ$
    expect(cost).toBe(21_300_000n);
  });

  it('rounds once per row, half up, to the nano-dollar', () => {
    // A rate of 1 nano-dollar per million tokens makes the fraction visible.
    const rates = { inputPerMtok: 1n, cachedInputPerMtok: null, cacheWrite5mPerMtok: null, cacheWrite1hPerMtok: null, outputPerMtok: 1n, reasoningPerMtok: null };
    expect(costNano({ ...ZERO_TOKENS, inputTokens: 499_999 }, rates)).toBe(0n);
    expect(costNano({ ...ZERO_TOKENS, inputTokens: 500_000 }, rates)).toBe(1n);
    // Two half-nano buckets make one nano, not two: the row is rounded once.
    expect(costNano({ ...ZERO_TOKENS, inputTokens: 500_000, outputTokens: 500_000 }, rates)).toBe(1n);
  });

  it('bills reasoning at the output rate when it has no rate of its own', () => {
    const rates = catalogRates(model('openai/gpt-5').prices[0]!);
    const withReasoning = costNano({ ...ZERO_TOKENS, outputTokens: 100, reasoningTokens: 900 }, rates);
    const allOutput = costNano({ ...ZERO_TOKENS, outputTokens: 1000 }, rates);
    expect(withReasoning).toBe(allOutput);
    expect(allOutput).toBe(10_000_000n); // 1000 * $10/M = $0.01
  });
});

describe('tierFor', () => {
  it('bills the whole request at the long-context tier once the prompt reaches it', () => {
    const prices = model('anthropic/claude-sonnet-4-5').prices;
    expect(tierFor(prices, 199_999)?.contextTierMinTokens).toBe(0);
    expect(tierFor(prices, 200_000)?.contextTierMinTokens).toBe(200_000);
  });
});
