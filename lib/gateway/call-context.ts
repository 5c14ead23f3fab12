/**
 * What one gateway call carries from start to ledger: who called, where the
 * call is charged, and each upstream attempt's outcome. Turning attempts into
 * ledger rows lives here so every path (reply, fallback, cache hit, client
 * gone) writes the same shape.
 */
import { randomBytes } from 'node:crypto';
import type { Actor } from '@/lib/auth/actor';
import type { CallStatus, ModelTier, TaskType } from '@/lib/engine/enums';
import { priceTokens } from '@/lib/engine/prices';
import { ZERO_TOKENS, type TokenBuckets } from '@/lib/engine/pricing';
import type { RoutableModel } from '@/lib/engine/router/types';
import type { LedgerRowInput } from '@/lib/server/ledger-writer';
import type { PriceBook } from '@/lib/server/price-book';

/** Random bytes drawn 4 KB at a time: one system call per 341 request ids instead of one each. */
const ID_BYTES = 12;
let pool = Buffer.alloc(0);
let poolAt = 0;

export function newRequestId(): string {
  if (poolAt + ID_BYTES > pool.length) {
    pool = randomBytes(4_092);
    poolAt = 0;
  }
  poolAt += ID_BYTES;
  return `req_${pool.toString('hex', poolAt - ID_BYTES, poolAt)}`;
}

export interface CallContext {
  requestId: string;
  actor: Actor;
  occurredAt: Date;
  task: TaskType;
  sessionId: string | null;
  workflowRunId: string | null;
  book: PriceBook;
}

export interface AttemptRecord {
  model: RoutableModel;
  /** The upstream that served it (`simulated` for the built-in simulator). */
  upstreamName: string;
  status: CallStatus;
  httpStatus: number;
  errorType: string | null;
  tokens: TokenBuckets;
  latencyMs: number;
  overheadMs: number | null;
  routeReason: string;
}

/** A cache hit: no provider tokens, no provider cost, the original call's cost saved. */
export interface CacheHitRecord {
  modelId: string;
  modelName: string;
  provider: string;
  savedNano: bigint;
  kind: 'exact' | 'semantic';
  similarity: number;
  overheadMs: number;
  routeReason: string;
}

function attribution(ctx: CallContext) {
  const { actor } = ctx;
  return {
    organisationId: actor.organisationId,
    occurredAt: ctx.occurredAt,
    source: 'gateway' as const,
    departmentId: actor.departmentId,
    projectId: actor.projectId,
    userId: actor.userId ?? null,
    apiKeyId: actor.type === 'api_key' ? actor.id : null,
    agent: actor.type === 'api_key' ? (actor.agent ?? actor.name) : null,
    sessionId: ctx.sessionId,
    workflowRunId: ctx.workflowRunId,
    taskType: ctx.task,
  };
}

/**
 * Ledger rows for a call's attempts, in order. The last attempt carries the
 * request id (`x-tollgate-request-id`); earlier ones `<request id>-<n>`. Each
 * names the attempt it retries.
 */
export function attemptRows(ctx: CallContext, attempts: readonly AttemptRecord[]): (LedgerRowInput & { costNano: bigint })[] {
  const ids = attempts.map((_, i) => (i === attempts.length - 1 ? ctx.requestId : `${ctx.requestId}-${i + 1}`));
  return attempts.map((a, i) => {
    const cost = priceTokens(
      ctx.book.pricesOf(a.model.id),
      { organisationId: ctx.actor.organisationId, at: ctx.occurredAt, serviceTier: 'standard' },
      a.tokens,
    );
    return {
      id: ids[i]!,
      idempotencyKey: ids[i]!,
      ...attribution(ctx),
      provider: a.model.provider,
      modelName: a.model.name,
      modelId: a.model.id,
      tier: a.model.tier as ModelTier,
      serviceTier: 'standard',
      ...a.tokens,
      ...cost,
      status: a.status,
      httpStatus: a.httpStatus,
      errorType: a.errorType,
      cacheHit: 'miss',
      attempt: i + 1,
      retryOf: i > 0 ? ids[i - 1]! : null,
      routeReason: a.upstreamName === 'simulated' ? `${a.routeReason} [simulated upstream]` : a.routeReason,
      latencyMs: Math.round(a.latencyMs),
      overheadMs: a.overheadMs,
    };
  });
}

export function cacheHitRow(ctx: CallContext, hit: CacheHitRecord): LedgerRowInput {
  return {
    id: ctx.requestId,
    idempotencyKey: ctx.requestId,
    ...attribution(ctx),
    provider: hit.provider,
    modelName: hit.modelName,
    modelId: hit.modelId,
    tier: 'cache',
    serviceTier: 'standard',
    ...ZERO_TOKENS,
    costNano: 0n,
    listCostNano: 0n,
    savedNano: hit.savedNano,
    priceId: null,
    priceStatus: 'priced',
    status: 'ok',
    httpStatus: 200,
    cacheHit: hit.kind,
    attempt: 1,
    routeReason: hit.routeReason,
    latencyMs: 0,
    overheadMs: hit.overheadMs,
  };
}
