/**
 * Enumerations shared by the schema, zod validators and the UI.
 * Each is an `as const` tuple so Postgres enums, zod enums and TS unions agree.
 */
export const ROLES = ['cfo', 'ops', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** An API key acts as an agent (gateway, usage, outcomes) or as ops (admin routes). */
export const KEY_ROLES = ['agent', 'ops'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

/** Providers Tollgate calls, simulates or prices itself. */
export const CORE_PROVIDERS = ['openai', 'anthropic', 'google', 'openai_compatible', 'self_hosted', 'simulated'] as const;

/**
 * Further providers whose public list prices come from the catalog feed
 * (db/catalog, pydantic/genai-prices), named as the feed names them. Their
 * models are priced, never routed. A provider a later feed adds is stored as
 * the feed names it (the column is text); add it here to name it in code.
 */
export const FEED_PROVIDERS = [
  'avian',
  'aws',
  'azure',
  'cerebras',
  'cohere',
  'deepseek',
  'doubleword',
  'fireworks',
  'groq',
  'huggingface_cerebras',
  'huggingface_fireworks-ai',
  'huggingface_groq',
  'huggingface_hyperbolic',
  'huggingface_nebius',
  'huggingface_novita',
  'huggingface_nscale',
  'huggingface_ovhcloud',
  'huggingface_publicai',
  'huggingface_sambanova',
  'huggingface_together',
  'minimax',
  'mistral',
  'modal',
  'moonshotai',
  'novita',
  'openrouter',
  'ovhcloud',
  'perplexity',
  'together',
  'voyageai',
  'x-ai',
  'zai',
  'zhipuai',
] as const;

export const PROVIDERS = [...CORE_PROVIDERS, ...FEED_PROVIDERS] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Routing tiers, cheapest first. */
export const MODEL_TIERS = ['cache', 'small', 'frontier'] as const;
export type ModelTier = (typeof MODEL_TIERS)[number];

export const SERVICE_TIERS = ['standard', 'batch', 'flex', 'priority'] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];

/** list: the public price; negotiated: a contracted override; amortised: self-hosted cost per token. */
export const PRICE_KINDS = ['list', 'negotiated', 'amortised'] as const;
export type PriceKind = (typeof PRICE_KINDS)[number];

/** priced: a price in force at the event time; earliest_known: backfill priced at the earliest known price; unpriced: no price known. */
export const PRICE_STATUSES = ['priced', 'earliest_known', 'unpriced'] as const;
export type PriceStatus = (typeof PRICE_STATUSES)[number];

export const COST_SOURCES = ['estimated', 'billed'] as const;
export type CostSource = (typeof COST_SOURCES)[number];

export const EVENT_SOURCES = ['gateway', 'ingest', 'seed', 'import'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

export const CALL_STATUSES = ['ok', 'error', 'refused'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export const TASK_TYPES = [
  'summarize',
  'classify',
  'extract',
  'kyc_check',
  'claims_adjust',
  'underwrite',
  'support_reply',
  'code',
  'analysis',
  'other',
] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const BUDGET_SCOPES = ['organisation', 'department', 'project', 'user', 'api_key', 'session'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

/** `minute` windows carry RPM/TPM quotas; `session` windows count per agent session. */
export const BUDGET_WINDOWS = ['minute', 'day', 'month', 'session', 'total'] as const;
export type BudgetWindow = (typeof BUDGET_WINDOWS)[number];

/** cost limits are nano-dollars; tokens limits are tokens; requests limits are calls. */
export const BUDGET_METRICS = ['cost', 'tokens', 'requests'] as const;
export type BudgetMetric = (typeof BUDGET_METRICS)[number];

export const ENFORCEMENTS = ['hard', 'soft'] as const;
export type Enforcement = (typeof ENFORCEMENTS)[number];

export const POLICY_KINDS = ['routing', 'approval', 'escalation', 'loop_guard'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'used'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const SESSION_STATUSES = ['active', 'frozen', 'closed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const OUTCOMES = ['resolved', 'escalated', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const FEEDBACK_KINDS = ['wrong', 'corrected', 'good'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export const ACTOR_TYPES = ['user', 'api_key', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** How the gateway talks to an upstream. */
export const UPSTREAM_KINDS = ['openai_compatible', 'anthropic', 'simulated'] as const;
export type UpstreamKind = (typeof UPSTREAM_KINDS)[number];

/** The header an upstream reads its credential from: `Authorization: Bearer` (OpenAI, vLLM), `api-key` (Azure), `x-api-key` (Anthropic). */
export const UPSTREAM_AUTH_HEADERS = ['authorization', 'api-key', 'x-api-key'] as const;
export type UpstreamAuthHeader = (typeof UPSTREAM_AUTH_HEADERS)[number];

export const ALERT_KINDS = ['budget_threshold', 'budget_exceeded', 'loop_detected', 'approval_waiting', 'escalation'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
