/** Governance decisions: budgets and quotas, projection, escalation, approval gates, the loop guard. See README.md. */
export * from './types';
export { scopeCovers, SCOPE_SPECIFICITY } from './scope';
export {
  applicableBudgets,
  checkAdmission,
  projectionFor,
  thresholdCrossings,
  windowSlot,
  type AdmissionResult,
  type BudgetRow,
} from './budgets';
export { projectCall, settleAmounts, type ProjectCallInput } from './projection';
export { shouldEscalate, type EscalationDecision } from './escalation';
export {
  approvalCovers,
  approvalNeeded,
  type ApprovalCall,
  type ApprovalCoverage,
  type ApprovalGrant,
  type ApprovalRefusalReason,
} from './approval';
export { fingerprint, nearIdentical, similarity, type PromptFingerprint } from './fingerprint';
export { LoopGuard, MIN_HISTORY_CALLS, type LoopGuardOptions, type LoopObservation, type LoopVerdict } from './loop-guard';
