/**
 * The counters a call touches and by how much, from the engine's decisions
 * (lib/engine/governance: applicableBudgets, windowSlot, projectionFor), in
 * the shape the quota store takes; and what a window key means when the
 * store reads the ledger.
 */
import { applicableBudgets, projectionFor, windowSlot } from '@/lib/engine/governance';
import type { BudgetRule, CallAttribution, CallProjection, WindowSlot } from '@/lib/engine/governance/types';

/** One counter a call is admitted against: the budget, its window, and the amount in the budget's metric. */
export interface AdmissionSlot {
  rule: BudgetRule;
  slot: WindowSlot;
  amount: bigint;
}

/** Every counter the call touches, each with the call's amount in that budget's metric. */
export function admissionSlots(rules: readonly BudgetRule[], call: CallAttribution, amounts: CallProjection, at: Date): AdmissionSlot[] {
  return applicableBudgets(rules, call).map((rule) => ({ rule, slot: windowSlot(rule, call, at), amount: projectionFor(rule.metric, amounts) }));
}

/** What a window key means for reading the ledger: its time range or its session. */
export interface WindowRange {
  from: Date | null;
  to: Date | null;
  sessionId: string | null;
}

export function windowRange(slot: WindowSlot): WindowRange {
  if (slot.windowKey === 'total') return { from: null, to: null, sessionId: null };
  if (slot.windowKey.startsWith('session:')) return { from: null, to: null, sessionId: slot.windowKey.slice('session:'.length) };
  const from = new Date(slot.windowKey);
  if (Number.isNaN(from.getTime())) throw new RangeError(`not a window key: ${slot.windowKey}`);
  return { from, to: slot.resetsAt, sessionId: null };
}
