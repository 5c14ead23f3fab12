import { divRound, TOKENS_PER_MTOK } from './money';

/** Disjoint token buckets, as a ledger row stores them. */
export interface TokenBuckets {
  inputTokens: number;
  cachedInputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

/** Rates in integer nano-dollars per million tokens. Null rates fall back as providers bill them. */
export interface PriceRates {
  inputPerMtok: bigint;
  cachedInputPerMtok: bigint | null;
  cacheWrite5mPerMtok: bigint | null;
  cacheWrite1hPerMtok: bigint | null;
  outputPerMtok: bigint;
  reasoningPerMtok: bigint | null;
}

export const ZERO_TOKENS: TokenBuckets = {
  inputTokens: 0,
  cachedInputTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  outputTokens: 0,
  reasoningTokens: 0,
};

/** Completion-side tokens: output plus reasoning, as OpenAI's `completion_tokens` counts them. */
export function completionTokens(t: TokenBuckets): number {
  return t.outputTokens + t.reasoningTokens;
}

/** Bucket-wise sum of token counts. */
export function addTokens(a: TokenBuckets, b: TokenBuckets): TokenBuckets {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    cacheWrite5mTokens: a.cacheWrite5mTokens + b.cacheWrite5mTokens,
    cacheWrite1hTokens: a.cacheWrite1hTokens + b.cacheWrite1hTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
  };
}

/** Total prompt-side tokens: what long-context tiers are judged by. */
export function promptTokens(t: TokenBuckets): number {
  return t.inputTokens + t.cachedInputTokens + t.cacheWrite5mTokens + t.cacheWrite1hTokens;
}

/**
 * The exact cost of one call in nano-dollars: each bucket times its rate,
 * summed in nano-dollar-tokens, then divided once by 1e6 (rounded half up), so
 * a row carries a single rounding. Missing cache rates bill at the input rate;
 * a missing reasoning rate bills at the output rate.
 */
export function costNano(tokens: TokenBuckets, rates: PriceRates): bigint {
  const sum =
    BigInt(tokens.inputTokens) * rates.inputPerMtok +
    BigInt(tokens.cachedInputTokens) * (rates.cachedInputPerMtok ?? rates.inputPerMtok) +
    BigInt(tokens.cacheWrite5mTokens) * (rates.cacheWrite5mPerMtok ?? rates.inputPerMtok) +
    BigInt(tokens.cacheWrite1hTokens) * (rates.cacheWrite1hPerMtok ?? rates.cacheWrite5mPerMtok ?? rates.inputPerMtok) +
    BigInt(tokens.outputTokens) * rates.outputPerMtok +
    BigInt(tokens.reasoningTokens) * (rates.reasoningPerMtok ?? rates.outputPerMtok);
  return divRound(sum, TOKENS_PER_MTOK);
}
