/**
 * What a call may consume at most, reserved before it runs, and what it did
 * consume, settled after.
 *
 * Invariant (the overshoot bound): for a call whose provider-counted prompt
 * is at most `promptTokens` and whose output (reasoning included) is at most
 * `maxOutputTokens`, the settled cost is never above the projected cost, so
 * settling only ever releases part of a reservation. That holds because each
 * token is projected at the highest rate it can bill at:
 * - prompt tokens at the higher of the input and cached-input rates, and, when
 *   the request asks the provider to write a prompt cache (`cacheWrites`),
 *   at the highest cache-write rate too;
 * - output tokens at the higher of the output and reasoning rates;
 * - the whole request at the context tier the prompt reaches (providers bill
 *   the whole request at the long-context rate);
 * - at the organisation's contracted price where one exists, as billing does
 *   (`choosePrices`).
 * Costs round once, half up, exactly as `costNano` does, so rounding cannot
 * break the bound either.
 */
import { divRound, TOKENS_PER_MTOK } from '../money';
import type { ServiceTier } from '../enums';
import { choosePrices, type PriceVersion } from '../prices';
import type { PriceRates, TokenBuckets } from '../pricing';
import type { CallProjection } from './types';

export interface ProjectCallInput {
  /** Every price version known for the model (all kinds, tiers and dates). */
  versions: readonly PriceVersion[];
  organisationId: string;
  at: Date;
  /** The prompt as the gateway counted it (`countChatTokens`). */
  promptTokens: number;
  /** The request's output cap (`max_tokens` / `max_completion_tokens`, or the model's own maximum when absent). */
  maxOutputTokens: number;
  serviceTier: ServiceTier;
  /** The request asks for a prompt-cache write (Anthropic `cache_control`): price the prompt at the cache-write rate. */
  cacheWrites?: boolean;
}

/**
 * The most the call can cost, use in tokens (prompt + output cap) and in
 * requests (1). A model with no known price projects cost 0 with
 * `unpriced: true`, never a silent zero.
 */
export function projectCall(input: ProjectCallInput): CallProjection & { unpriced: boolean } {
  assertCount('promptTokens', input.promptTokens);
  assertCount('maxOutputTokens', input.maxOutputTokens);
  const tokens = BigInt(input.promptTokens) + BigInt(input.maxOutputTokens);
  const priced = choosePrices(input.versions, {
    organisationId: input.organisationId,
    at: input.at,
    promptTokens: input.promptTokens,
    serviceTier: input.serviceTier,
  });
  if (!priced.billed) return { costNano: 0n, tokens, requests: 1n, unpriced: true };
  const rates = priced.billed.price;
  const sum = BigInt(input.promptTokens) * promptRate(rates, input.cacheWrites ?? false) + BigInt(input.maxOutputTokens) * outputRate(rates);
  return { costNano: divRound(sum, TOKENS_PER_MTOK), tokens, requests: 1n, unpriced: false };
}

/** The highest rate a prompt token can bill at (null rates fall back as `costNano` bills them). */
function promptRate(rates: PriceRates, cacheWrites: boolean): bigint {
  const cw5m = rates.cacheWrite5mPerMtok ?? rates.inputPerMtok;
  const candidates = [rates.inputPerMtok, rates.cachedInputPerMtok ?? rates.inputPerMtok];
  if (cacheWrites) candidates.push(cw5m, rates.cacheWrite1hPerMtok ?? cw5m);
  return candidates.reduce((a, b) => (b > a ? b : a));
}

/** The highest rate an output token can bill at: reasoning counts against the same cap. */
function outputRate(rates: PriceRates): bigint {
  const reasoning = rates.reasoningPerMtok ?? rates.outputPerMtok;
  return reasoning > rates.outputPerMtok ? reasoning : rates.outputPerMtok;
}

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

/** A finished call's actual amounts: every token bucket, the priced cost, one request. */
export function settleAmounts(tokens: TokenBuckets, costNano: bigint): CallProjection {
  const total =
    tokens.inputTokens +
    tokens.cachedInputTokens +
    tokens.cacheWrite5mTokens +
    tokens.cacheWrite1hTokens +
    tokens.outputTokens +
    tokens.reasoningTokens;
  return { costNano, tokens: BigInt(total), requests: 1n };
}
