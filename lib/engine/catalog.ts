import type { ModelTier, Provider, ServiceTier, TaskType } from './enums';
import { usdToNano } from './money';
import type { PriceRates } from './pricing';

/**
 * The built-in model catalog: the models Tollgate routes and prices out of
 * the box. List prices are USD per million tokens as published by the
 * providers, taken from the pydantic/genai-prices feed of 2026-08-21 and
 * cross-checked against BerriAI/litellm's price map of 2025-11-21. Batch,
 * flex and priority prices are the providers' published service-tier rates
 * (OpenAI: Batch and Flex at half the standard rates for the GPT-5 family,
 * Priority above them; Anthropic: Message Batches at half, cache multipliers
 * applied on top). The
 * self-hosted model carries an amortised cost per token (GPU hours / tokens).
 */
export interface CatalogPrice {
  /** Prompt size (tokens) from which this tier bills the whole request; 0 for the base tier. */
  contextTierMinTokens: number;
  inputUsdPerMtok: string;
  cachedInputUsdPerMtok?: string;
  cacheWrite5mUsdPerMtok?: string;
  cacheWrite1hUsdPerMtok?: string;
  outputUsdPerMtok: string;
  reasoningUsdPerMtok?: string;
}

export interface CatalogModel {
  id: string;
  provider: Provider;
  name: string;
  displayName: string;
  tier: Exclude<ModelTier, 'cache'>;
  contextWindow: number;
  maxOutputTokens: number;
  kind: 'list' | 'amortised';
  prices: CatalogPrice[];
  /** Prices of the non-standard service tiers the provider publishes (batch, flex, priority). */
  serviceTierPrices?: (CatalogPrice & { serviceTier: Exclude<ServiceTier, 'standard'> })[];
  /** Expected answer quality per task type, in [0, 1]. */
  quality: Partial<Record<TaskType, number>>;
}

export const PRICE_SOURCE = 'genai-prices 2026-08-21';
/** The catalog's prices apply from this date unless a later version replaces them. */
export const CATALOG_EFFECTIVE_FROM = '2025-09-01T00:00:00Z';

const q = (base: number, hard: number): Partial<Record<TaskType, number>> => ({
  summarize: base,
  classify: base + 0.02,
  extract: base,
  support_reply: base - 0.01,
  kyc_check: hard,
  claims_adjust: hard,
  underwrite: hard - 0.02,
  code: hard - 0.03,
  analysis: hard - 0.01,
  other: base - 0.02,
});

export const CATALOG_MODELS: CatalogModel[] = [
  {
    id: 'openai/gpt-5-nano',
    provider: 'openai',
    name: 'gpt-5-nano',
    displayName: 'GPT-5 nano',
    tier: 'small',
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    kind: 'list',
    prices: [{ contextTierMinTokens: 0, inputUsdPerMtok: '0.05', cachedInputUsdPerMtok: '0.005', outputUsdPerMtok: '0.4' }],
    serviceTierPrices: [
      { serviceTier: 'batch', contextTierMinTokens: 0, inputUsdPerMtok: '0.025', cachedInputUsdPerMtok: '0.0025', outputUsdPerMtok: '0.2' },
      { serviceTier: 'flex', contextTierMinTokens: 0, inputUsdPerMtok: '0.025', cachedInputUsdPerMtok: '0.0025', outputUsdPerMtok: '0.2' },
    ],
    quality: q(0.86, 0.62),
  },
  {
    id: 'openai/gpt-4.1-mini',
    provider: 'openai',
    name: 'gpt-4.1-mini',
    displayName: 'GPT-4.1 mini',
    tier: 'small',
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    kind: 'list',
    prices: [{ contextTierMinTokens: 0, inputUsdPerMtok: '0.4', cachedInputUsdPerMtok: '0.1', outputUsdPerMtok: '1.6' }],
    serviceTierPrices: [
      { serviceTier: 'priority', contextTierMinTokens: 0, inputUsdPerMtok: '0.7', cachedInputUsdPerMtok: '0.175', outputUsdPerMtok: '2.8' },
    ],
    quality: q(0.9, 0.7),
  },
  {
    id: 'anthropic/claude-haiku-4-5',
    provider: 'anthropic',
    name: 'claude-haiku-4-5',
    displayName: 'Claude Haiku 4.5',
    tier: 'small',
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    kind: 'list',
    prices: [
      {
        contextTierMinTokens: 0,
        inputUsdPerMtok: '1',
        cachedInputUsdPerMtok: '0.1',
        cacheWrite5mUsdPerMtok: '1.25',
        cacheWrite1hUsdPerMtok: '2',
        outputUsdPerMtok: '5',
      },
    ],
    serviceTierPrices: [
      {
        serviceTier: 'batch',
        contextTierMinTokens: 0,
        inputUsdPerMtok: '0.5',
        cachedInputUsdPerMtok: '0.05',
        cacheWrite5mUsdPerMtok: '0.625',
        cacheWrite1hUsdPerMtok: '1',
        outputUsdPerMtok: '2.5',
      },
    ],
    quality: q(0.92, 0.78),
  },
  {
    id: 'google/gemini-2.5-flash',
    provider: 'google',
    name: 'gemini-2.5-flash',
    displayName: 'Gemini 2.5 Flash',
    tier: 'small',
    contextWindow: 1_048_576,
    maxOutputTokens: 65_536,
    kind: 'list',
    prices: [{ contextTierMinTokens: 0, inputUsdPerMtok: '0.3', cachedInputUsdPerMtok: '0.03', outputUsdPerMtok: '2.5' }],
    quality: q(0.9, 0.74),
  },
  {
    id: 'self_hosted/llama-3.3-70b',
    provider: 'self_hosted',
    name: 'llama-3.3-70b',
    displayName: 'Llama 3.3 70B (self-hosted)',
    tier: 'small',
    contextWindow: 128_000,
    maxOutputTokens: 8_192,
    kind: 'amortised',
    prices: [{ contextTierMinTokens: 0, inputUsdPerMtok: '0.18', cachedInputUsdPerMtok: '0.18', outputUsdPerMtok: '0.18' }],
    quality: q(0.87, 0.66),
  },
  {
    id: 'openai/gpt-5',
    provider: 'openai',
    name: 'gpt-5',
    displayName: 'GPT-5',
    tier: 'frontier',
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    kind: 'list',
    prices: [{ contextTierMinTokens: 0, inputUsdPerMtok: '1.25', cachedInputUsdPerMtok: '0.125', outputUsdPerMtok: '10' }],
    serviceTierPrices: [
      { serviceTier: 'batch', contextTierMinTokens: 0, inputUsdPerMtok: '0.625', cachedInputUsdPerMtok: '0.0625', outputUsdPerMtok: '5' },
      { serviceTier: 'flex', contextTierMinTokens: 0, inputUsdPerMtok: '0.625', cachedInputUsdPerMtok: '0.0625', outputUsdPerMtok: '5' },
      { serviceTier: 'priority', contextTierMinTokens: 0, inputUsdPerMtok: '2.5', cachedInputUsdPerMtok: '0.25', outputUsdPerMtok: '20' },
    ],
    quality: q(0.96, 0.93),
  },
  {
    id: 'anthropic/claude-sonnet-4-5',
    provider: 'anthropic',
    name: 'claude-sonnet-4-5',
    displayName: 'Claude Sonnet 4.5',
    tier: 'frontier',
    contextWindow: 1_000_000,
    maxOutputTokens: 64_000,
    kind: 'list',
    prices: [
      {
        contextTierMinTokens: 0,
        inputUsdPerMtok: '3',
        cachedInputUsdPerMtok: '0.3',
        cacheWrite5mUsdPerMtok: '3.75',
        cacheWrite1hUsdPerMtok: '6',
        outputUsdPerMtok: '15',
      },
      {
        contextTierMinTokens: 200_000,
        inputUsdPerMtok: '6',
        cachedInputUsdPerMtok: '0.6',
        cacheWrite5mUsdPerMtok: '7.5',
        cacheWrite1hUsdPerMtok: '12',
        outputUsdPerMtok: '22.5',
      },
    ],
    serviceTierPrices: [
      {
        serviceTier: 'batch',
        contextTierMinTokens: 0,
        inputUsdPerMtok: '1.5',
        cachedInputUsdPerMtok: '0.15',
        cacheWrite5mUsdPerMtok: '1.875',
        cacheWrite1hUsdPerMtok: '3',
        outputUsdPerMtok: '7.5',
      },
    ],
    quality: q(0.97, 0.95),
  },
  {
    id: 'anthropic/claude-opus-4-1',
    provider: 'anthropic',
    name: 'claude-opus-4-1',
    displayName: 'Claude Opus 4.1',
    tier: 'frontier',
    contextWindow: 200_000,
    maxOutputTokens: 32_000,
    kind: 'list',
    prices: [
      {
        contextTierMinTokens: 0,
        inputUsdPerMtok: '15',
        cachedInputUsdPerMtok: '1.5',
        cacheWrite5mUsdPerMtok: '18.75',
        cacheWrite1hUsdPerMtok: '30',
        outputUsdPerMtok: '75',
      },
    ],
    serviceTierPrices: [
      {
        serviceTier: 'batch',
        contextTierMinTokens: 0,
        inputUsdPerMtok: '7.5',
        cachedInputUsdPerMtok: '0.75',
        cacheWrite5mUsdPerMtok: '9.375',
        cacheWrite1hUsdPerMtok: '15',
        outputUsdPerMtok: '37.5',
      },
    ],
    quality: q(0.97, 0.97),
  },
  {
    id: 'google/gemini-2.5-pro',
    provider: 'google',
    name: 'gemini-2.5-pro',
    displayName: 'Gemini 2.5 Pro',
    tier: 'frontier',
    contextWindow: 1_048_576,
    maxOutputTokens: 65_536,
    kind: 'list',
    prices: [
      { contextTierMinTokens: 0, inputUsdPerMtok: '1.25', cachedInputUsdPerMtok: '0.125', outputUsdPerMtok: '10' },
      { contextTierMinTokens: 200_000, inputUsdPerMtok: '2.5', cachedInputUsdPerMtok: '0.25', outputUsdPerMtok: '15' },
    ],
    quality: q(0.95, 0.92),
  },
];

const optionalNano = (usd: string | undefined): bigint | null => (usd === undefined ? null : usdToNano(usd));

/** A catalog price as integer nano-dollars per million tokens. */
export function catalogRates(price: CatalogPrice): PriceRates {
  return {
    inputPerMtok: usdToNano(price.inputUsdPerMtok),
    cachedInputPerMtok: optionalNano(price.cachedInputUsdPerMtok),
    cacheWrite5mPerMtok: optionalNano(price.cacheWrite5mUsdPerMtok),
    cacheWrite1hPerMtok: optionalNano(price.cacheWrite1hUsdPerMtok),
    outputPerMtok: usdToNano(price.outputUsdPerMtok),
    reasoningPerMtok: optionalNano(price.reasoningUsdPerMtok),
  };
}

/** The price tier that bills a request of `promptTokens` tokens: the highest tier it reaches. */
export function tierFor<T extends { contextTierMinTokens: number }>(prices: readonly T[], promptTokens: number): T | undefined {
  let chosen: T | undefined;
  for (const price of prices) {
    if (promptTokens >= price.contextTierMinTokens && (!chosen || price.contextTierMinTokens > chosen.contextTierMinTokens)) {
      chosen = price;
    }
  }
  return chosen;
}
