/**
 * The router's inputs and outputs. The router is pure: the gateway hands it
 * the catalog, the current quality estimates and provider health, and gets
 * back an ordered chain of models to try and the reason for the choice.
 */
import type { Provider, TaskType } from '../enums';

export interface RoutableModel {
  /** Catalog id, e.g. `openai/gpt-5-nano`. */
  id: string;
  provider: Provider;
  /** The name clients may send as `model`, e.g. `gpt-5-nano`. */
  name: string;
  tier: 'small' | 'frontier';
  contextWindow: number;
  maxOutputTokens: number;
  /** Standard list (or contracted) rates, nano-dollars per million tokens, base context tier. */
  inputNanoPerMtok: bigint;
  outputNanoPerMtok: bigint;
}

/** Expected answer quality in [0, 1] for a model on a task type. */
export type QualityLookup = (modelId: string, task: TaskType) => number;

export interface ProviderHealth {
  healthy: boolean;
  /** Recent error rate in [0, 1]. */
  errorRate: number;
  /** Recent p95 latency in ms, null before any call. */
  p95LatencyMs: number | null;
}

export type HealthLookup = (modelId: string) => ProviderHealth;

export type TaskSource = 'header' | 'inferred';

export interface RouteRequest {
  /** `auto`, or a model name or catalog id the client named. */
  requestedModel: string;
  task: TaskType;
  taskSource: TaskSource;
  /** Prompt tokens as counted by the tokenizer. */
  promptTokens: number;
  /** The output tokens the caller allows (`max_completion_tokens` / `max_tokens`), null when unset. */
  maxOutputTokens: number | null;
  models: readonly RoutableModel[];
  /** Minimum expected quality per task type. */
  thresholds: Readonly<Record<TaskType, number>>;
  quality: QualityLookup;
  health: HealthLookup;
  /** Model ids a policy forbids for this caller. */
  forbidden?: ReadonlySet<string>;
  /** How many models the fallback chain may hold, the first included (default 3). */
  maxChain?: number;
}

export type RouteFailure =
  | 'unknown_model'
  | 'model_forbidden'
  | 'context_too_large'
  | 'max_tokens_too_large'
  | 'no_model_available';

export type RouteDecision =
  | {
      ok: true;
      /** Models to try in order: the choice, then its fallbacks. */
      chain: RoutableModel[];
      /** Why, in one line for the ledger's `route_reason`. */
      reason: string;
      /** The quality the router expects from the first model. */
      expectedQuality: number;
    }
  | { ok: false; failure: RouteFailure; message: string };
