/**
 * One interface over every upstream: OpenAI-compatible servers, Anthropic's
 * Messages API and the built-in simulator. The gateway speaks OpenAI's chat
 * completions shape on both sides of this interface; adapters translate.
 * Usage comes back as the provider's own usage object (`usage.raw`), so the
 * ledger prices it through the same normaliser as `POST /api/v1/usage`.
 */
import type { UpstreamKind } from '@/lib/engine/enums';
import type { UsageProvider } from '@/lib/engine/usage';

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface ChatContentPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: ChatRole;
  content: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
}

/** An OpenAI chat completions request body, as the gateway forwards it (model already resolved). */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string | string[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: unknown[];
  tool_choice?: unknown;
  user?: string;
  [key: string]: unknown;
}

/** An OpenAI chat completion object (non-streaming reply). */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[]; refusal?: string | null };
    finish_reason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | null;
    logprobs?: null;
  }[];
  usage?: Record<string, unknown>;
  system_fingerprint?: string | null;
  [key: string]: unknown;
}

/** An OpenAI chat completion chunk (one SSE `data:` line). */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: number;
    delta: { role?: 'assistant'; content?: string | null; tool_calls?: unknown[]; refusal?: string | null };
    finish_reason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | null;
    logprobs?: null;
  }[];
  usage?: Record<string, unknown> | null;
  [key: string]: unknown;
}

/** The provider's own usage object and which normaliser reads it. */
export interface UpstreamUsage {
  provider: UsageProvider;
  raw: unknown;
}

export interface UpstreamCall {
  /** The body to send, with `model` set to the upstream's model name. */
  request: ChatRequest;
  /** Aborted when the client goes away or the gateway's timeout fires. */
  signal: AbortSignal;
  /** The gateway's timeout for this attempt; adapters fail with kind `timeout` when it passes. */
  timeoutMs: number;
}

export interface CompletionResult {
  /** OpenAI-shaped, whatever the upstream spoke. */
  completion: ChatCompletion;
  usage: UpstreamUsage | null;
}

export interface StreamResult {
  /** OpenAI-shaped chunks, whatever the upstream spoke. Never includes a usage-only chunk: the gateway adds that itself. */
  chunks: AsyncIterable<ChatCompletionChunk>;
  /** The usage, once `chunks` has been read to the end; null if the upstream sent none. */
  usage(): UpstreamUsage | null;
}

export type UpstreamErrorKind = 'http' | 'timeout' | 'network' | 'protocol' | 'aborted';

/**
 * An upstream failure. `message` is safe to log and to show: adapters never
 * put credentials, request bodies or raw upstream error bodies in it beyond
 * the upstream's own error message.
 */
export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  readonly status: number | null;
  /** Whether another attempt (the same or a fallback model) may succeed. */
  readonly retryable: boolean;

  constructor(kind: UpstreamErrorKind, message: string, options: { status?: number | null; retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'UpstreamError';
    this.kind = kind;
    this.status = options.status ?? null;
    this.retryable = options.retryable ?? (kind === 'timeout' || kind === 'network' || retryableStatus(this.status));
  }
}

/**
 * Upstream statuses after which another attempt (a fallback model) may
 * succeed: 5xx, 408 and 429; 401 and 403, which say this upstream's
 * credential is bad (revoked, expired), not the request; and 402, out of
 * credit (Anthropic's `billing_error`, OpenRouter's insufficient credits).
 */
export function retryableStatus(status: number | null): boolean {
  return status !== null && (status >= 500 || status === 408 || status === 429 || status === 401 || status === 402 || status === 403);
}


export interface ProviderAdapter {
  readonly kind: UpstreamKind;
  complete(call: UpstreamCall): Promise<CompletionResult>;
  /** Resolves once the upstream has accepted the request (headers received), so a refusal can still fall back. */
  stream(call: UpstreamCall): Promise<StreamResult>;
}
