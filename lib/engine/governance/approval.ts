/**
 * Approval gates: a call whose projected cost exceeds a matching policy's
 * threshold waits for a human; once approved, the caller retries with the
 * approval id and is admitted once, within the approved amount.
 *
 * Invariants:
 * - A policy matches by scope exactly as budgets do (`scopeCovers`), and by
 *   task type and workflow when it names them (null: any).
 * - The gate needs approval when the projection is strictly greater than the
 *   threshold; exactly at the threshold passes.
 * - Of several matching policies that trip, the lowest threshold wins (the
 *   strictest gate), then the narrowest scope, then the first listed.
 * - An approval covers one call: of the same organisation, and of the same
 *   API key and session when the approval names them; approved, unused, not
 *   expired, and projected within the approved amount.
 */
import type { ApprovalStatus, TaskType } from '../enums';
import { SCOPE_SPECIFICITY, scopeCovers } from './scope';
import type { ApprovalPolicy, CallAttribution } from './types';

export function approvalNeeded(
  policies: readonly ApprovalPolicy[],
  attribution: CallAttribution,
  task: TaskType | null,
  workflow: string | null,
  projectedCostNano: bigint,
): ApprovalPolicy | null {
  let chosen: ApprovalPolicy | null = null;
  for (const policy of policies) {
    if (!scopeCovers(policy.scopeType, policy.scopeId, attribution)) continue;
    if (policy.task !== null && policy.task !== task) continue;
    if (policy.workflow !== null && policy.workflow !== workflow) continue;
    if (projectedCostNano <= policy.thresholdNano) continue;
    if (
      chosen === null ||
      policy.thresholdNano < chosen.thresholdNano ||
      (policy.thresholdNano === chosen.thresholdNano && SCOPE_SPECIFICITY[policy.scopeType] > SCOPE_SPECIFICITY[chosen.scopeType])
    ) {
      chosen = policy;
    }
  }
  return chosen;
}

/** The parts of an approval request that decide whether it covers a call. */
export interface ApprovalGrant {
  status: ApprovalStatus;
  approvedAmountNano: bigint | null;
  expiresAt: Date;
  usedAt: Date | null;
  organisationId: string;
  /** Null: any key of the organisation may use it. */
  apiKeyId: string | null;
  /** Null: any session (or none) may use it. */
  sessionId: string | null;
}

export interface ApprovalCall {
  projectedCostNano: bigint;
  now: Date;
  organisationId: string;
  apiKeyId: string | null;
  sessionId: string | null;
}

export type ApprovalRefusalReason = 'not_approved' | 'expired' | 'used' | 'rejected' | 'amount_exceeded' | 'other_caller';

export type ApprovalCoverage = { ok: true } | { ok: false; reason: ApprovalRefusalReason };

/**
 * Whether an approval lets this call through. Checked in this order, so a
 * caller who does not own the approval learns nothing about its state:
 * `other_caller`, then `rejected`, `used`, `expired` (by status, or `now` at
 * or after `expiresAt`, pending requests included), `not_approved` (pending,
 * or approved without an amount), `amount_exceeded` (projection strictly
 * above the approved amount).
 */
export function approvalCovers(approval: ApprovalGrant, call: ApprovalCall): ApprovalCoverage {
  if (
    approval.organisationId !== call.organisationId ||
    (approval.apiKeyId !== null && approval.apiKeyId !== call.apiKeyId) ||
    (approval.sessionId !== null && approval.sessionId !== call.sessionId)
  ) {
    return { ok: false, reason: 'other_caller' };
  }
  if (approval.status === 'rejected') return { ok: false, reason: 'rejected' };
  if (approval.status === 'used' || approval.usedAt !== null) return { ok: false, reason: 'used' };
  if (approval.status === 'expired' || call.now.getTime() >= approval.expiresAt.getTime()) return { ok: false, reason: 'expired' };
  if (approval.status !== 'approved' || approval.approvedAmountNano === null) return { ok: false, reason: 'not_approved' };
  if (call.projectedCostNano > approval.approvedAmountNano) return { ok: false, reason: 'amount_exceeded' };
  return { ok: true };
}
