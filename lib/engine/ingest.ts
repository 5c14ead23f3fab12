/**
 * The usage-ingest contract (POST /api/v1/usage): a batch of events, each
 * carrying the provider's own usage object. Each event is validated and
 * priced on its own; a rejected event gets its index and a reason, and
 * writes nothing.
 */
import { z } from 'zod';
import { SERVICE_TIERS, TASK_TYPES, type ServiceTier } from './enums';
import { priceTokens, type PriceVersion } from './prices';
import type { TokenBuckets } from './pricing';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from './storable-text';
import { normaliseUsage, USAGE_PROVIDERS, UsageError, type UsageProvider } from './usage';

export const MAX_EVENTS_PER_BATCH = 1_000;
export const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Clock skew tolerated for an event's timestamp. */
export const MAX_FUTURE_MS = 5 * 60_000;

/** Text that goes into the ledger as sent: stored exactly, or refused per event. */
const storable = z.string().refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);
const id = storable.trim().min(1).max(200);

/** The envelope; each event is checked on its own below so one bad event never sinks the batch. */
export const usageBatchSchema = z.object({
  events: z.array(z.unknown()).min(1, 'events must hold at least one event').max(MAX_EVENTS_PER_BATCH, `at most ${MAX_EVENTS_PER_BATCH} events per batch`),
});

export const usageEventSchema = z
  .object({
    id,
    timestamp: z.iso.datetime({ offset: true }),
    provider: storable.min(1).max(64),
    model: storable.trim().min(1).max(200),
    usage: z.unknown(),
    service_tier: z.enum(SERVICE_TIERS).optional(),
    session: id.optional(),
    workflow_run: id.optional(),
    task: z.enum(TASK_TYPES).optional(),
    user: id.optional(),
    project: id.optional(),
  })
  .strict();
export type UsageEventInput = z.infer<typeof usageEventSchema>;

export interface IngestError {
  index: number;
  type: 'invalid_request_error' | 'permission_error';
  message: string;
}

/** A validated, normalised, priced event, ready for the ledger writer. */
export interface PreparedEvent {
  index: number;
  idempotencyKey: string;
  occurredAt: Date;
  provider: UsageProvider;
  modelName: string;
  modelId: string | null;
  serviceTier: ServiceTier;
  tokens: TokenBuckets;
  costNano: bigint;
  listCostNano: bigint;
  priceId: number | null;
  priceStatus: 'priced' | 'earliest_known' | 'unpriced';
  sessionId: string | null;
  workflowRunId: string | null;
  taskType: string | null;
  userId: string | null;
  projectId: string | null;
}

/** What the engine needs to know about the catalog and the caller. */
export interface IngestContext {
  organisationId: string;
  now: Date;
  /** Catalog model id for a provider's model name, or null when unknown. */
  resolveModel(provider: UsageProvider, model: string): string | null;
  /** Every price version of a catalog model. */
  pricesOf(modelId: string): readonly PriceVersion[];
}

function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid event';
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') return `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  return path ? `${path}: ${issue.message}` : issue.message;
}

export function prepareUsageEvent(raw: unknown, index: number, ctx: IngestContext): PreparedEvent | IngestError {
  const parsed = usageEventSchema.safeParse(raw);
  if (!parsed.success) return { index, type: 'invalid_request_error', message: zodMessage(parsed.error) };
  const event = parsed.data;
  if (!(USAGE_PROVIDERS as readonly string[]).includes(event.provider)) {
    return { index, type: 'invalid_request_error', message: `unknown provider ${JSON.stringify(event.provider)}; expected one of ${USAGE_PROVIDERS.join(', ')}` };
  }
  const provider = event.provider as UsageProvider;
  const occurredAt = new Date(event.timestamp);
  if (occurredAt.getTime() > ctx.now.getTime() + MAX_FUTURE_MS) {
    return { index, type: 'invalid_request_error', message: `timestamp ${event.timestamp} is in the future` };
  }
  let tokens: TokenBuckets;
  try {
    tokens = normaliseUsage(provider, event.usage);
  } catch (error) {
    if (error instanceof UsageError) {
      return { index, type: 'invalid_request_error', message: `usage: ${error.message}` };
    }
    throw error;
  }
  const serviceTier = event.service_tier ?? 'standard';
  const modelId = ctx.resolveModel(provider, event.model);
  const cost = modelId
    ? priceTokens(ctx.pricesOf(modelId), { organisationId: ctx.organisationId, at: occurredAt, serviceTier }, tokens)
    : { costNano: 0n, listCostNano: 0n, priceId: null, priceStatus: 'unpriced' as const };
  return {
    index,
    idempotencyKey: event.id,
    occurredAt,
    provider,
    modelName: event.model,
    modelId,
    serviceTier,
    tokens,
    ...cost,
    sessionId: event.session ?? null,
    workflowRunId: event.workflow_run ?? null,
    taskType: event.task ?? null,
    userId: event.user ?? null,
    projectId: event.project ?? null,
  };
}

export function isIngestError(value: PreparedEvent | IngestError): value is IngestError {
  return 'type' in value;
}

/** Strips a dated snapshot suffix: gpt-4o-mini-2024-07-18 -> gpt-4o-mini, claude-sonnet-4-5-20250929 -> claude-sonnet-4-5. */
export function baseModelName(model: string): string {
  return model.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, '').replace(/-latest$/, '');
}
