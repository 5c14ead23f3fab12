/**
 * Governance contracts: budgets and quotas, admission (reserve, then settle),
 * escalation, the loop guard and approval gates. The engine decides with pure
 * functions over these types; the stores (lib/server/governance) make the
 * decisions durable and atomic across app instances through PostgreSQL.
 */
import type { BudgetMetric, BudgetScope, BudgetWindow, Enforcement, TaskType } from '../enums';

/** A budget or token/request quota as the engine sees it. `limit` is nano-dollars (cost), tokens or requests. */
export interface BudgetRule {
  id: string;
  name: string;
  scopeType: BudgetScope;
  /** Null for the organisation scope. For `session` scope: a session id. */
  scopeId: string | null;
  window: BudgetWindow;
  metric: BudgetMetric;
  limit: bigint;
  enforcement: Enforcement;
  /** Fractions of the limit that alert (default [0.8, 0.95]). */
  alertThresholds: readonly number[];
}

/** Where a call is charged: what budgets may cover it. */
export interface CallAttribution {
  organisationId: string;
  departmentId: string | null;
  projectId: string | null;
  userId: string | null;
  apiKeyId: string | null;
  sessionId: string | null;
}

/**
 * One budget's counter for one window: `windowKey` is the window's start
 * (ISO) for minute/day/month, `total`, or `session:<id>` for per-session
 * windows. `resetsAt` is null when the window never resets.
 */
export interface WindowSlot {
  budgetId: string;
  windowKey: string;
  resetsAt: Date | null;
}

/** What one call may consume at most, per metric: reserved before the call. */
export interface CallProjection {
  costNano: bigint;
  tokens: bigint;
  requests: bigint;
  /**
   * Set by `projectCall` when no price is known for the model: `costNano` is
   * then 0 and a cost budget cannot bound the call, so the gateway must
   * decide (refuse, or admit and flag the row). Absent on settled amounts.
   */
  unpriced?: boolean;
}

/** Why a call was refused, for the `budget_exceeded` / `quota_exceeded` error body. */
export interface BudgetRefusal {
  type: 'budget_exceeded' | 'quota_exceeded';
  budgetId: string;
  budgetName: string;
  metric: BudgetMetric;
  window: BudgetWindow;
  limit: bigint;
  /** Committed in this window, before this call. */
  spent: bigint;
  /** Held by calls in flight. */
  reserved: bigint;
  /** What this call needed. */
  requested: bigint;
  resetsAt: Date | null;
}

/** A soft or hard budget crossing an alert threshold after a settle or reservation. */
export interface ThresholdCrossing {
  budgetId: string;
  budgetName: string;
  threshold: number;
  used: bigint;
  limit: bigint;
}

/** Escalation policy: below `minConfidence` and above `maxCostNano` the gateway answers `escalate_to_human`. */
export interface EscalationPolicy {
  minConfidence: number;
  maxCostNano: bigint;
}

export const DEFAULT_ESCALATION: EscalationPolicy = { minConfidence: 0.85, maxCostNano: 5_000_000_000n };

/** Approval gate: a call whose projected cost exceeds `thresholdNano` waits for a human. */
export interface ApprovalPolicy {
  id: string;
  scopeType: BudgetScope;
  scopeId: string | null;
  /** Only calls of this task type / workflow (null: any). */
  task: TaskType | null;
  workflow: string | null;
  thresholdNano: bigint;
  /** How long an approval stays usable once granted, and how long a request waits before it expires. */
  ttlMs: number;
}

/** Loop guard thresholds (policy). */
export interface LoopGuardPolicy {
  /** Near-identical prompts in a row (similarity >= `similarity`) that freeze the session. */
  maxRepeats: number;
  similarity: number;
  /** A->B->A->B... cycles: how many full cycles freeze the session. */
  maxCycles: number;
  /** Spend-rate spike: spend in the last `rateWindowMs` above `spikeFactor` x the session's earlier rate, and above `minSpikeNano`. */
  rateWindowMs: number;
  spikeFactor: number;
  minSpikeNano: bigint;
}

export const DEFAULT_LOOP_GUARD: LoopGuardPolicy = {
  maxRepeats: 5,
  similarity: 0.92,
  maxCycles: 3,
  rateWindowMs: 60_000,
  spikeFactor: 5,
  minSpikeNano: 1_000_000_000n,
};

export type LoopReason = 'repeated_prompt' | 'cycle' | 'spend_spike';

/**
 * Hot-counter leases: an instance reserves room for this many calls at first
 * (doubling while a lease runs out fast, up to the maximum) and admits within
 * it locally for at most `LEASE_MAX_AGE_MS`. A lease is a reservation, so a
 * cap holds across running instances; an instance that dies holding one can
 * leave at most that lease's calls admitted but uncounted, per key and window.
 */
export const LEASE_CHUNK_CALLS = 16;
export const LEASE_MAX_CHUNK_CALLS = 16 * LEASE_CHUNK_CALLS;
export const LEASE_MAX_AGE_MS = 5_000;
