/**
 * Budget-aware escalation: an agent unsure of itself (confidence below the
 * policy's minimum) about to take an expensive step (projected cost above
 * the policy's amount) is handed to a human instead of continuing.
 *
 * Both comparisons are strict: confidence exactly at the minimum, or cost
 * exactly at the amount, continues. A call that sends no confidence never
 * escalates.
 */
import { nanoToUsdString } from '../money';
import type { EscalationPolicy } from './types';

export interface EscalationDecision {
  escalate: boolean;
  reason: string;
}

export function shouldEscalate(confidence: number | null, projectedCostNano: bigint, policy: EscalationPolicy): EscalationDecision {
  if (confidence === null || Number.isNaN(confidence)) return { escalate: false, reason: 'no confidence sent' };
  const cost = `$${nanoToUsdString(projectedCostNano)}`;
  const limit = `$${nanoToUsdString(policy.maxCostNano)}`;
  if (confidence >= policy.minConfidence) {
    return { escalate: false, reason: `confidence ${confidence} is not below ${policy.minConfidence}` };
  }
  if (projectedCostNano <= policy.maxCostNano) {
    return { escalate: false, reason: `projected cost ${cost} does not exceed ${limit}` };
  }
  return {
    escalate: true,
    reason: `confidence ${confidence} is below ${policy.minConfidence} and the projected cost ${cost} exceeds ${limit}`,
  };
}
