/**
 * What the router expects a call to cost: prompt tokens at the input rate
 * plus the expected reply at the output rate, in exact nano-dollar arithmetic.
 * The estimate ranks candidates and is shown in `route_reason`; admission
 * projects and the ledger settles with their own figures.
 */
import type { TaskType } from '../enums';
import { divRound, TOKENS_PER_MTOK } from '../money';
import type { RoutableModel } from './types';

/**
 * Typical reply length per task type (output tokens), used to rank models by
 * cost when the caller does not say how long the answer will be. A label is a
 * few tokens, a claim assessment a few hundred.
 */
export const EXPECTED_OUTPUT_TOKENS: Readonly<Record<TaskType, number>> = {
  summarize: 200,
  classify: 20,
  extract: 150,
  kyc_check: 250,
  claims_adjust: 350,
  underwrite: 350,
  support_reply: 220,
  code: 500,
  analysis: 600,
  other: 250,
};

/**
 * Reply room a chosen model must leave when the caller sets no output limit:
 * `auto` (and a fallback) only picks a model whose context window holds the
 * prompt plus this many tokens (or the model's own output limit, if smaller).
 */
export const DEFAULT_REPLY_ALLOWANCE = 4_096;

/** The reply length used for the estimate: the task's typical reply, never more than the caller allows. */
export function expectedOutputTokens(task: TaskType, maxOutputTokens: number | null): number {
  const typical = EXPECTED_OUTPUT_TOKENS[task];
  return maxOutputTokens === null ? typical : Math.min(typical, maxOutputTokens);
}

/**
 * Cost in nano-dollar-tokens (nano-dollars times one million), before the
 * single division: candidates are compared on this, so ranking never rounds.
 */
export function costNanoTokens(model: RoutableModel, promptTokens: bigint, outputTokens: bigint): bigint {
  return promptTokens * model.inputNanoPerMtok + outputTokens * model.outputNanoPerMtok;
}

/** Estimated cost of one call in nano-dollars, rounded once, half up. */
export function estimateCostNano(model: RoutableModel, promptTokens: number, outputTokens: number): bigint {
  return divRound(costNanoTokens(model, BigInt(promptTokens), BigInt(outputTokens)), TOKENS_PER_MTOK);
}
