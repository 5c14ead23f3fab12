/**
 * The gateway's guardrails, in the order a call meets them, before anything
 * is sent upstream:
 *
 *   frozen session -> loop guard -> escalation (low confidence, high cost)
 *   -> approval gate (or the approval the caller brings) -> budgets and quotas
 *
 * Admission reserves the call's projected maximum (prompt tokens counted with
 * the tokenizer, plus max_tokens at the output rate, at the context tier the
 * prompt reaches, for the dearest model of the fallback chain) in every
 * budget that covers it, through PostgreSQL (leases for hot counters: the
 * lease is itself a reservation, so the cap holds across instances). After
 * the call the actual cost settles; a failed call releases its hold.
 */
import type { Actor } from '@/lib/auth/actor';
import type { TaskType } from '@/lib/engine/enums';
import { TollgateError } from '@/lib/engine/errors';
import {
  approvalNeeded,
  projectCall,
  settleAmounts,
  shouldEscalate,
  type ApprovalPolicy,
  type BudgetRefusal,
  type CallAttribution,
  type CallProjection,
} from '@/lib/engine/governance';
import { loopSessionKey } from '@/lib/engine/governance/loop-guard';
import { nanoToUsdString } from '@/lib/engine/money';
import type { TokenBuckets } from '@/lib/engine/pricing';
import { DEFAULT_MAX_CHAIN } from '@/lib/engine/router';
import type { RoutableModel } from '@/lib/engine/router/types';
import { raiseAlert } from '@/lib/server/alerts';
import { consumeApproval, freezeSession, loadPolicies, openApprovalRequest, policiesForCall, releaseApproval, sessionStatus } from '@/lib/server/governance-admin';
import type { CallPolicies } from '@/lib/server/governance-admin/policies';
import { admissionSlots } from '@/lib/server/governance/slots';
import { loadBudgetRules } from '@/lib/server/governance/quota-store';
import type { LeaseTicket } from '@/lib/server/governance/leases';
import type { PriceBook } from '@/lib/server/price-book';
import type { GatewayRuntime } from './runtime';

/** A hold lasts at least this long (3 attempts x the 60 s default timeout, plus slack)... */
const RESERVATION_TTL_MS = 5 * 60_000;
const RESERVATION_SLACK_MS = 60_000;

/**
 * ...and longer than any call can run: a full fallback chain of attempts, each
 * up to the organisation's longest upstream timeout (ops may set 10 minutes),
 * plus slack. One value per organisation, so every call a lease admits is
 * covered by the lease's own hold. A hold that expired mid-call would free its
 * room for others and the call's cost would then never be counted.
 */
export function reservationHoldMs(maxUpstreamTimeoutMs: number): number {
  return Math.max(RESERVATION_TTL_MS, DEFAULT_MAX_CHAIN * maxUpstreamTimeoutMs + RESERVATION_SLACK_MS);
}
/** An escalation waits this long in the inbox. */
const ESCALATION_TTL_MS = 60 * 60_000;

export function attributionOf(actor: Actor, sessionId: string | null): CallAttribution {
  return {
    organisationId: actor.organisationId,
    departmentId: actor.departmentId,
    projectId: actor.projectId,
    userId: actor.userId ?? null,
    apiKeyId: actor.type === 'api_key' ? actor.id : null,
    sessionId,
  };
}

export async function callPolicies(rt: GatewayRuntime, attribution: CallAttribution): Promise<CallPolicies> {
  return policiesForCall(await loadPolicies(rt.db, attribution.organisationId), attribution);
}

/** The most the call can cost on any model of its chain. */
export function projectChain(book: PriceBook, chain: readonly RoutableModel[], organisationId: string, promptTokens: number, maxTokens: number | null, at: Date): CallProjection & { unpriced: boolean } {
  let worst: CallProjection & { unpriced: boolean } = { costNano: 0n, tokens: 0n, requests: 1n, unpriced: false };
  for (const model of chain) {
    const output = Math.min(maxTokens ?? model.maxOutputTokens, Math.max(1, model.contextWindow - promptTokens));
    const p = projectCall({ versions: book.pricesOf(model.id), organisationId, at, promptTokens, maxOutputTokens: output, serviceTier: 'standard' });
    if (p.costNano > worst.costNano) worst = { ...p, unpriced: worst.unpriced || p.unpriced };
    if (p.tokens > worst.tokens) worst = { ...worst, tokens: p.tokens };
  }
  return worst;
}

const usd = (nano: bigint) => `$${nanoToUsdString(nano, 2)}`;

function refusalError(refusal: BudgetRefusal): TollgateError {
  const unit = refusal.metric === 'cost' ? usd : (v: bigint) => `${v} ${refusal.metric}`;
  const resets = refusal.resetsAt ? `; it resets at ${refusal.resetsAt.toISOString()}` : '';
  return new TollgateError(
    refusal.type,
    429,
    `${refusal.budgetName} (${refusal.window}) would be exceeded: limit ${unit(refusal.limit)}, spent ${unit(refusal.spent)}, held by calls in flight ${unit(refusal.reserved)}, this call needs up to ${unit(refusal.requested)}${resets}.`,
    {
      code: refusal.type,
      budget: {
        id: refusal.budgetId,
        name: refusal.budgetName,
        metric: refusal.metric,
        window: refusal.window,
        limit: refusal.limit.toString(),
        spent: refusal.spent.toString(),
        reserved: refusal.reserved.toString(),
        requested: refusal.requested.toString(),
        resets_at: refusal.resetsAt?.toISOString() ?? null,
      },
    },
  );
}

async function sessionSpend(rt: GatewayRuntime, organisationId: string, sessionId: string | null): Promise<bigint> {
  if (!sessionId) return 0n;
  const [row] = await rt.db.query<{ spent: string }>(
    'select coalesce(sum(cost_nano), 0)::text as spent from ledger_events where organisation_id = $1 and session_id = $2',
    [organisationId, sessionId],
  );
  return BigInt(row?.spent ?? 0);
}

export interface GuardInput {
  rt: GatewayRuntime;
  actor: Actor;
  attribution: CallAttribution;
  policies: CallPolicies;
  requestId: string;
  task: TaskType;
  workflowRunId: string | null;
  confidence: number | null;
  approvalId: string | null;
  /** The newest turn of the conversation, what the loop guard compares. */
  latestTurn: string;
  model: RoutableModel;
  projection: CallProjection & { unpriced: boolean };
  now: Date;
}

/** A refused call: the error to send, with what the ledger row should say. */
export class GuardRefusal extends Error {
  constructor(
    readonly error: TollgateError,
    readonly reason: string,
  ) {
    super(error.message);
  }
}

/** Opens a task in the ops inbox for this call (an approval gate or an escalation), with the session's spend so far. */
async function openInboxTask(g: GuardInput, policy: Pick<ApprovalPolicy, 'id' | 'ttlMs' | 'thresholdNano'>, reason: string, context?: Record<string, unknown>) {
  const { attribution } = g;
  const { approval } = await openApprovalRequest(g.rt.db, {
    organisationId: attribution.organisationId,
    policy,
    reason,
    departmentId: attribution.departmentId,
    projectId: attribution.projectId,
    apiKeyId: attribution.apiKeyId,
    sessionId: attribution.sessionId,
    workflowRunId: g.workflowRunId,
    taskType: g.task,
    modelName: g.model.name,
    projectedCostNano: g.projection.costNano,
    sessionSpendNano: await sessionSpend(g.rt, attribution.organisationId, attribution.sessionId),
    context,
  });
  return approval;
}

/** Checks every guard before budgets; throws GuardRefusal. Says which approval admitted the call, if one did. */
export async function checkGuards(g: GuardInput): Promise<{ approvalUsed: string | null }> {
  const { rt, attribution } = g;
  const organisationId = attribution.organisationId;
  const sessionId = attribution.sessionId;

  if (sessionId) {
    if ((await sessionStatus(rt.db, organisationId, sessionId)) === 'frozen') {
      throw new GuardRefusal(
        new TollgateError('loop_detected', 423, `Session ${sessionId} is frozen by the loop guard; ops can unfreeze it.`, { code: 'session_frozen', session: sessionId }),
        'session frozen',
      );
    }
    // Keyed by organisation too: session ids are the callers' own names. An unfreeze clears the key (runtime.ts).
    const verdict = rt.loopGuard.observe(loopSessionKey(organisationId, sessionId), { promptText: g.latestTurn, costNano: g.projection.costNano, at: g.now }, g.policies.loopGuard);
    if (verdict.frozen) {
      await freezeSession(rt.db, {
        organisationId,
        sessionId,
        reason: verdict.reason,
        detail: { detail: verdict.detail, model: g.model.name, task: g.task },
        departmentId: attribution.departmentId,
        apiKeyId: attribution.apiKeyId,
      });
      throw new GuardRefusal(
        new TollgateError('loop_detected', 423, `Session ${sessionId} was frozen by the loop guard (${verdict.reason}): ${verdict.detail}. Ops can unfreeze it.`, {
          code: verdict.reason,
          session: sessionId,
        }),
        `loop guard: ${verdict.reason}`,
      );
    }
  }

  // A signed-off call (an approval gate's or an escalation's) is admitted by its approval: checked before
  // escalating again, or the retry that carries the approval would open another inbox task.
  if (g.approvalId) {
    const consumed = await consumeApproval(rt.db, {
      approvalId: g.approvalId,
      organisationId,
      apiKeyId: attribution.apiKeyId,
      sessionId,
      projectedCostNano: g.projection.costNano,
      requestId: g.requestId,
    });
    if (!consumed.ok) {
      throw new GuardRefusal(
        new TollgateError('approval_required', 403, consumed.message, { code: consumed.reason, approval_id: g.approvalId }),
        `approval refused: ${consumed.reason}`,
      );
    }
    return { approvalUsed: g.approvalId };
  }

  const escalation = shouldEscalate(g.confidence, g.projection.costNano, g.policies.escalation);
  if (escalation.escalate) {
    const approval = await openInboxTask(g, { id: 'escalation', ttlMs: ESCALATION_TTL_MS, thresholdNano: g.policies.escalation.maxCostNano }, `Escalated to a human: ${escalation.reason}`, {
      kind: 'escalation',
      confidence: g.confidence,
    });
    void raiseAlert(rt.db, {
      organisationId,
      kind: 'escalation',
      severity: 'warning',
      message: `An agent escalated to a human: ${escalation.reason}.`,
      details: { approval_id: approval.id, session: sessionId, task: g.task },
      dedupeKey: `escalation:${approval.id}`,
    }).catch(() => undefined);
    throw new GuardRefusal(
      new TollgateError('escalate_to_human', 403, `Escalated to a human: ${escalation.reason}. A task is open in the ops inbox.`, { code: 'escalate_to_human', approval_id: approval.id }),
      'escalated to a human',
    );
  }

  const gate = approvalNeeded(g.policies.approvals, attribution, g.task, g.workflowRunId, g.projection.costNano);
  if (gate) {
    const reason = `projected ${usd(g.projection.costNano)} exceeds the ${usd(gate.thresholdNano)} approval threshold${gate.task ? ` for ${gate.task}` : ''}`;
    const approval = await openInboxTask(g, gate, reason);
    throw new GuardRefusal(
      new TollgateError('approval_required', 403, `This call needs a human sign-off: ${reason}. Retry with the header x-tollgate-approval: ${approval.id} once it is approved.`, {
        code: 'approval_required',
        approval_id: approval.id,
      }),
      'approval required',
    );
  }
  return { approvalUsed: null };
}

/**
 * Gives back the approval a call used when the call got no answer (a budget
 * refused it, every upstream failed): the caller retries with the same id.
 * Never throws; a failure is logged and the approval stays used.
 */
export async function giveBackApproval(rt: GatewayRuntime, attribution: CallAttribution, approvalId: string, requestId: string, error: unknown): Promise<void> {
  const reason = error instanceof TollgateError ? `${error.type}: ${error.message}` : 'the call failed';
  try {
    await releaseApproval(rt.db, { approvalId, organisationId: attribution.organisationId, requestId, apiKeyId: attribution.apiKeyId, reason });
  } catch (failure) {
    console.error(`[tollgate] giving back approval ${approvalId} after an unanswered call failed`, failure);
  }
}

export interface Admission {
  ticket: LeaseTicket | null;
}

/** Reserves the projection in every covering budget; throws GuardRefusal when a hard one would be exceeded. */
export async function admit(rt: GatewayRuntime, attribution: CallAttribution, requestId: string, projection: CallProjection, now: Date): Promise<Admission> {
  const rules = await loadBudgetRules(rt.db, attribution.organisationId);
  const slots = admissionSlots(rules, attribution, projection, now);
  if (slots.length === 0) return { ticket: null };
  const ttlMs = reservationHoldMs((await rt.upstreams(attribution.organisationId)).maxTimeoutMs);
  const result = await rt.admitter.admit({ organisationId: attribution.organisationId, requestId, slots, ttlMs, now });
  if (!result.ok) throw new GuardRefusal(refusalError(result.refusal), `refused: ${result.refusal.budgetName}`);
  // Alert thresholds are crossed by committed spend: the admitter reports them when calls settle.
  return { ticket: result.ticket };
}

/** Settles what the call really used (every attempt's cost) or releases the hold; never throws. */
export function settleAdmission(rt: GatewayRuntime, admission: Admission | null, used: { tokens: TokenBuckets; costNano: bigint } | null): void {
  if (!admission?.ticket) return;
  const ticket = admission.ticket;
  const work = used ? rt.admitter.settle(ticket, settleAmounts(used.tokens, used.costNano)) : rt.admitter.release(ticket);
  work.catch((error: unknown) => console.error('[tollgate] settling a budget reservation failed', error));
}
