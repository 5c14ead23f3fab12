/**
 * The providers' usage objects, as their API references and guides print
 * them, normalised into ledger buckets and priced by hand at the catalog's
 * list prices (USD per 1M tokens; 1 µ$ = 1,000 nano-dollars).
 */
import { describe, expect, it } from 'vitest';
import { CATALOG_MODELS, catalogRates, tierFor } from '@/lib/engine/catalog';
import { costNano, promptTokens, ZERO_TOKENS, type TokenBuckets } from '@/lib/engine/pricing';
import { normaliseUsage, UsageError, type UsageProvider } from '@/lib/engine/usage';

function price(modelId: string, tokens: TokenBuckets): bigint {
  const model = CATALOG_MODELS.find((m) => m.id === modelId)!;
  return costNano(tokens, catalogRates(tierFor(model.prices, promptTokens(tokens))!));
}

const buckets = (b: Partial<TokenBuckets>): TokenBuckets => ({ ...ZERO_TOKENS, ...b });

describe('OpenAI', () => {
  it('Chat Completions reference example: details present, all zero', () => {
    const usage = {
      prompt_tokens: 19,
      completion_tokens: 10,
      total_tokens: 29,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    const t = normaliseUsage('openai', usage);
    expect(t).toEqual(buckets({ inputTokens: 19, outputTokens: 10 }));
    // gpt-4.1-mini: 19 × $0.40 + 10 × $1.60 = 7.6 + 16 = 23.6 µ$
    expect(price('openai/gpt-4.1-mini', t)).toBe(23_600n);
  });

  it('prompt-caching guide example: cached tokens are carved out of prompt_tokens', () => {
    const usage = {
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920 },
      completion_tokens_details: { reasoning_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    const t = normaliseUsage('openai', usage);
    expect(t).toEqual(buckets({ inputTokens: 86, cachedInputTokens: 1920, outputTokens: 300 }));
    // gpt-5: 86 × $1.25 + 1920 × $0.125 + 300 × $10 = 107.5 + 240 + 3000 = 3347.5 µ$
    expect(price('openai/gpt-5', t)).toBe(3_347_500n);
  });

  it('reads reasoning outside completion_tokens when total_tokens says so (xAI), and inside otherwise', () => {
    const outside = normaliseUsage('openai_compatible', { prompt_tokens: 10, completion_tokens: 400, total_tokens: 720, completion_tokens_details: { reasoning_tokens: 310 } });
    expect(outside).toEqual(buckets({ inputTokens: 10, outputTokens: 400, reasoningTokens: 310 }));
    const larger = normaliseUsage('openai_compatible', { prompt_tokens: 10, completion_tokens: 5, total_tokens: 515, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 500 } });
    expect(larger).toEqual(buckets({ inputTokens: 6, cachedInputTokens: 4, outputTokens: 5, reasoningTokens: 500 }));
    const inside = normaliseUsage('openai', { prompt_tokens: 10, completion_tokens: 400, total_tokens: 410, completion_tokens_details: { reasoning_tokens: 310 } });
    expect(inside).toEqual(buckets({ inputTokens: 10, outputTokens: 90, reasoningTokens: 310 }));
  });

  it('reasoning guide example: reasoning tokens are carved out of completion_tokens', () => {
    const usage = {
      prompt_tokens: 75,
      completion_tokens: 1186,
      total_tokens: 1261,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 1024, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    const t = normaliseUsage('openai', usage);
    expect(t).toEqual(buckets({ inputTokens: 75, outputTokens: 162, reasoningTokens: 1024 }));
    // gpt-5: 75 × $1.25 + 1186 × $10 = 93.75 + 11860 = 11953.75 µ$
    expect(price('openai/gpt-5', t)).toBe(11_953_750n);
  });

  it('Responses API usage', () => {
    const usage = {
      input_tokens: 36,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 87,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 123,
    };
    expect(normaliseUsage('openai', usage)).toEqual(buckets({ inputTokens: 36, outputTokens: 87 }));
  });

  it('OpenAI-compatible servers: detail objects missing or null', () => {
    expect(normaliseUsage('openai_compatible', { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 })).toEqual(
      buckets({ inputTokens: 50, outputTokens: 20 }),
    );
    expect(
      normaliseUsage('openai_compatible', {
        prompt_tokens: 50,
        completion_tokens: 20,
        total_tokens: 70,
        prompt_tokens_details: null,
        completion_tokens_details: { reasoning_tokens: null },
      }),
    ).toEqual(buckets({ inputTokens: 50, outputTokens: 20 }));
  });
});

describe('Anthropic', () => {
  it('Messages reference example', () => {
    const t = normaliseUsage('anthropic', { input_tokens: 2095, output_tokens: 503 });
    expect(t).toEqual(buckets({ inputTokens: 2095, outputTokens: 503 }));
    // claude-sonnet-4-5: 2095 × $3 + 503 × $15 = 6285 + 7545 = 13830 µ$
    expect(price('anthropic/claude-sonnet-4-5', t)).toBe(13_830_000n);
  });

  it('prompt-caching guide example: cache writes are outside input_tokens', () => {
    const t = normaliseUsage('anthropic', { input_tokens: 21, cache_creation_input_tokens: 188_086, cache_read_input_tokens: 0, output_tokens: 393 });
    expect(t).toEqual(buckets({ inputTokens: 21, cacheWrite5mTokens: 188_086, outputTokens: 393 }));
    // 21 × $3 + 188086 × $3.75 + 393 × $15 = 63 + 705322.5 + 5895 = 711280.5 µ$ (prompt 188,107 < 200k: base tier)
    expect(price('anthropic/claude-sonnet-4-5', t)).toBe(711_280_500n);
  });

  it('1-hour cache guide example, whose 5m/1h split disagrees with the total: the total wins', () => {
    const usage = {
      input_tokens: 2048,
      cache_read_input_tokens: 1800,
      cache_creation_input_tokens: 248,
      output_tokens: 503,
      cache_creation: { ephemeral_5m_input_tokens: 456, ephemeral_1h_input_tokens: 100 },
    };
    const t = normaliseUsage('anthropic', usage);
    expect(t).toEqual(buckets({ inputTokens: 2048, cachedInputTokens: 1800, cacheWrite5mTokens: 148, cacheWrite1hTokens: 100, outputTokens: 503 }));
    // 2048 × $3 + 1800 × $0.30 + 148 × $3.75 + 100 × $6 + 503 × $15 = 6144 + 540 + 555 + 600 + 7545 = 15384 µ$
    expect(price('anthropic/claude-sonnet-4-5', t)).toBe(15_384_000n);
  });

  it('a split larger than the total caps the 1-hour share at the total', () => {
    const t = normaliseUsage('anthropic', {
      input_tokens: 10,
      output_tokens: 1,
      cache_creation_input_tokens: 50,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 80 },
    });
    expect([t.cacheWrite5mTokens, t.cacheWrite1hTokens]).toEqual([0, 50]);
  });

  it('long prompts bill the whole request at the long-context tier', () => {
    const t = normaliseUsage('anthropic', { input_tokens: 150_000, cache_read_input_tokens: 60_000, output_tokens: 1_000 });
    // 210,000 prompt tokens >= 200k: $6 in, $0.60 read, $22.50 out
    // 150000 × 6 + 60000 × 0.6 + 1000 × 22.5 = 900000 + 36000 + 22500 = 958500 µ$
    expect(price('anthropic/claude-sonnet-4-5', t)).toBe(958_500_000n);
  });
});

describe('Gemini', () => {
  it('usageMetadata with thinking: thoughts are outside candidates', () => {
    const t = normaliseUsage('google', { usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 372, thoughtsTokenCount: 935, totalTokenCount: 1317 } });
    expect(t).toEqual(buckets({ inputTokens: 10, outputTokens: 372, reasoningTokens: 935 }));
    // gemini-2.5-flash: 10 × $0.30 + (372 + 935) × $2.50 = 3 + 3267.5 = 3270.5 µ$
    expect(price('google/gemini-2.5-flash', t)).toBe(3_270_500n);
  });

  it('context caching: cached content is inside promptTokenCount', () => {
    const t = normaliseUsage('google', { promptTokenCount: 12_000, cachedContentTokenCount: 10_000, candidatesTokenCount: 500, totalTokenCount: 12_500 });
    expect(t).toEqual(buckets({ inputTokens: 2_000, cachedInputTokens: 10_000, outputTokens: 500 }));
    // gemini-2.5-pro: 2000 × $1.25 + 10000 × $0.125 + 500 × $10 = 2500 + 1250 + 5000 = 8750 µ$
    expect(price('google/gemini-2.5-pro', t)).toBe(8_750_000n);
  });
});

describe('bad usage', () => {
  const bad: [UsageProvider, unknown, RegExp][] = [
    ['openai', { prompt_tokens: -1, completion_tokens: 2 }, /prompt_tokens must not be negative/],
    ['openai', { prompt_tokens: 1.5, completion_tokens: 2 }, /whole number/],
    ['openai', { prompt_tokens: Number.NaN, completion_tokens: 2 }, /must be a number/],
    ['openai', { prompt_tokens: '12', completion_tokens: 2 }, /must be a number/],
    ['openai', { prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 11 } }, /cached_tokens \(11\) is larger than prompt_tokens \(10\)/],
    ['openai', { prompt_tokens: 10, completion_tokens: 2, completion_tokens_details: { reasoning_tokens: 3 } }, /reasoning_tokens \(3\) is larger/],
    ['openai', { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 0 }, /Anthropic usage object/],
    ['anthropic', { prompt_tokens: 10, completion_tokens: 2 }, /not an Anthropic usage object/],
    ['google', { input_tokens: 10, output_tokens: 2 }, /not a Gemini usage object/],
    ['google', { promptTokenCount: 5, cachedContentTokenCount: 6 }, /larger than promptTokenCount/],
    ['anthropic', null, /usage must be an object/],
    ['anthropic', [1, 2], /usage must be an object/],
  ];
  it.each(bad)('%s %j is refused', (provider, usage, message) => {
    expect(() => normaliseUsage(provider, usage)).toThrow(UsageError);
    expect(() => normaliseUsage(provider, usage)).toThrow(message);
  });
});
