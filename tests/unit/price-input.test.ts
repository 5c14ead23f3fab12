import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { parsePriceVersion } from '@/lib/engine/price-input';

const base = { model: 'openai/gpt-4o-mini', input: '0.15', output: 0.6 };

describe('parsePriceVersion', () => {
  it('reads USD per Mtok exactly from strings and numbers, with defaults', () => {
    expect(parsePriceVersion({ ...base, cached_input: 0.075, cache_write_1h: '6', reasoning: null })).toEqual({
      modelId: 'openai/gpt-4o-mini',
      kind: 'list',
      serviceTier: 'standard',
      contextTierMinTokens: 0,
      effectiveFrom: null,
      rates: {
        inputPerMtok: 150_000_000n,
        outputPerMtok: 600_000_000n,
        cachedInputPerMtok: 75_000_000n,
        cacheWrite5mPerMtok: null,
        cacheWrite1hPerMtok: 6_000_000_000n,
        reasoningPerMtok: null,
      },
      source: null,
    });
    expect(parsePriceVersion({ ...base, input: 1.5e-7 }).rates.inputPerMtok).toBe(150n);
  });

  it('takes a day as midnight UTC and a date-time with its zone', () => {
    expect(parsePriceVersion({ ...base, effective_from: '2026-03-01' }).effectiveFrom?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parsePriceVersion({ ...base, effective_from: '2026-03-01T09:30:00+02:00' }).effectiveFrom?.toISOString()).toBe('2026-03-01T07:30:00.000Z');
  });

  it.each([
    ['a negative rate', { input: '-1' }, 'input'],
    ['a negative number', { output: -0.5 }, 'output'],
    ['NaN', { input: 'NaN' }, 'input'],
    ['an exponent in a string', { input: '1e-3' }, 'input'],
    ['ten decimals', { output: '0.0000000001' }, 'output'],
    ['a rate above $1M per Mtok', { output: '1000001' }, 'output'],
    ['an unknown service tier', { service_tier: 'turbo' }, 'service_tier'],
    ['an unknown kind', { kind: 'discount' }, 'kind'],
    ['a day that does not exist', { effective_from: '2026-02-30' }, 'effective_from'],
    ['a date-time without a zone', { effective_from: '2026-03-01T00:00:00' }, 'effective_from'],
    ['a fractional context tier', { context_tier_min_tokens: 1.5 }, 'context_tier_min_tokens'],
    ['an unknown field', { inptu: '1' }, ''],
    ['a missing output', { output: undefined }, 'output'],
  ])('refuses %s', (_label, change, path) => {
    try {
      parsePriceVersion({ ...base, ...change });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ZodError);
      expect((error as ZodError).issues[0]!.path.join('.')).toBe(path);
    }
  });
});
