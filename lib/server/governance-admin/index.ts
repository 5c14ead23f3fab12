/**
 * The governance admin API's domain layer (keys, budgets, policies, the
 * approval inbox, sessions) and the functions the gateway calls. See README.md.
 */
import type { DbHandle } from '@/db/client';
import { startAlertDrain } from '@/lib/server/alerts';
import { expireApprovals } from './approvals';

export { archiveBudget, budgetInputSchema, createBudget, listBudgets } from './budgets';
export { createKey, createKeySchema, listKeys, revokeKey } from './keys';
export {
  archivePolicy,
  createPolicy,
  invalidatePolicies,
  listPolicies,
  loadPolicies,
  policiesForCall,
  policyInputSchema,
  type CallPolicies,
  type LoadedPolicies,
  type RoutingPolicy,
} from './policies';
export {
  consumeApproval,
  releaseApproval,
  decideApproval,
  decisionSchema,
  expireApprovals,
  getApproval,
  listApprovals,
  openApprovalRequest,
  type ConsumeApprovalInput,
  type ConsumeRefusal,
  type ConsumeResult,
  type OpenApprovalInput,
} from './approvals';
export { freezeSession, invalidateSessionStatus, listSessions, sessionStatus, unfreezeSession, type FreezeSessionInput } from './sessions';

const SWEEP_INTERVAL_MS = 30_000;
const globalForSweeps = globalThis as unknown as { __tollgateGovernanceSweep?: ReturnType<typeof setInterval> };

/**
 * Starts the background work governance needs in each app process
 * (idempotent; the timers never keep the process alive): alert delivery,
 * resuming whatever a previous process left undelivered, and recording
 * expired approvals.
 */
export function startGovernanceTimers(db: DbHandle): void {
  startAlertDrain(db);
  if (globalForSweeps.__tollgateGovernanceSweep) return;
  const timer = setInterval(() => {
    expireApprovals(db).catch((error: unknown) => console.error('[tollgate] approval expiry sweep failed', error));
  }, SWEEP_INTERVAL_MS);
  timer.unref?.();
  globalForSweeps.__tollgateGovernanceSweep = timer;
}
