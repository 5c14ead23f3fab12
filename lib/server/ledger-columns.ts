/**
 * The ledger columns a writer sends, in one fixed order, with their Postgres
 * types and the defaults a row may omit: the group-commit statement, the
 * binary COPY encoder and the bulk path's staging table are all built from
 * this one list.
 */
import type { NewLedgerEvent } from '@/db/schema';
import { ZERO_TOKENS } from '@/lib/engine/pricing';

/** What a writer needs per row: the insert shape with the id and idempotency key required. */
export type LedgerRowInput = NewLedgerEvent & { id: string; idempotencyKey: string };

export type ColumnType = 'text' | 'timestamptz' | 'int4' | 'int8' | 'float4';

export const COLUMNS: [keyof LedgerRowInput, string, ColumnType][] = [
  ['id', 'id', 'text'],
  ['idempotencyKey', 'idempotency_key', 'text'],
  ['organisationId', 'organisation_id', 'text'],
  ['occurredAt', 'occurred_at', 'timestamptz'],
  ['source', 'source', 'text'],
  ['provider', 'provider', 'text'],
  ['modelName', 'model_name', 'text'],
  ['modelId', 'model_id', 'text'],
  ['tier', 'tier', 'text'],
  ['serviceTier', 'service_tier', 'text'],
  ['departmentId', 'department_id', 'text'],
  ['projectId', 'project_id', 'text'],
  ['userId', 'user_id', 'text'],
  ['apiKeyId', 'api_key_id', 'text'],
  ['agent', 'agent', 'text'],
  ['sessionId', 'session_id', 'text'],
  ['workflowRunId', 'workflow_run_id', 'text'],
  ['taskType', 'task_type', 'text'],
  ['inputTokens', 'input_tokens', 'int4'],
  ['cachedInputTokens', 'cached_input_tokens', 'int4'],
  ['cacheWrite5mTokens', 'cache_write_5m_tokens', 'int4'],
  ['cacheWrite1hTokens', 'cache_write_1h_tokens', 'int4'],
  ['outputTokens', 'output_tokens', 'int4'],
  ['reasoningTokens', 'reasoning_tokens', 'int4'],
  ['costNano', 'cost_nano', 'int8'],
  ['listCostNano', 'list_cost_nano', 'int8'],
  ['savedNano', 'saved_nano', 'int8'],
  ['priceId', 'price_id', 'int4'],
  ['priceStatus', 'price_status', 'text'],
  ['costSource', 'cost_source', 'text'],
  ['status', 'status', 'text'],
  ['httpStatus', 'http_status', 'int4'],
  ['errorType', 'error_type', 'text'],
  ['cacheHit', 'cache_hit', 'text'],
  ['attempt', 'attempt', 'int4'],
  ['retryOf', 'retry_of', 'text'],
  ['routeReason', 'route_reason', 'text'],
  ['latencyMs', 'latency_ms', 'int4'],
  ['overheadMs', 'overhead_ms', 'float4'],
];

export const DEFAULTS: Partial<Record<keyof LedgerRowInput, unknown>> = {
  serviceTier: 'standard',
  ...ZERO_TOKENS,
  costNano: 0n,
  listCostNano: 0n,
  savedNano: 0n,
  costSource: 'estimated',
  status: 'ok',
  attempt: 1,
};

export const COLUMN_NAMES = COLUMNS.map(([, name]) => name);
export const COLUMN_LIST = COLUMN_NAMES.join(', ');
