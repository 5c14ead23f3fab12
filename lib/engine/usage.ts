/**
 * Normalises the providers' usage objects, exactly as their APIs return them,
 * into the ledger's disjoint token buckets.
 *
 *   OpenAI (Chat Completions and Responses) and OpenAI-compatible servers:
 *     cached tokens are inside prompt/input tokens, reasoning tokens inside
 *     completion/output tokens; the detail objects may be missing or null.
 *     Servers that count reasoning outside completion_tokens (xAI) say so in
 *     total_tokens (= prompt + completion + reasoning), and are read that way.
 *   Anthropic Messages: cache reads and writes are outside input_tokens; the
 *     5-minute/1-hour split in `cache_creation` may disagree with
 *     `cache_creation_input_tokens`, in which case the total wins and the
 *     1-hour share is capped by it.
 *   Gemini usageMetadata: cachedContentTokenCount is inside promptTokenCount;
 *     thoughtsTokenCount is outside candidatesTokenCount; tool-use prompt
 *     tokens are billed as input.
 *
 * Bad input is refused with a UsageError naming the field: negative,
 * fractional or non-numeric counts, a cached count larger than the total it
 * belongs to, or an object of another provider's shape.
 */
import type { TokenBuckets } from './pricing';

export const USAGE_PROVIDERS = ['openai', 'azure_openai', 'openai_compatible', 'anthropic', 'google'] as const;
export type UsageProvider = (typeof USAGE_PROVIDERS)[number];

export class UsageError extends Error {
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

type Json = Record<string, unknown>;

const MAX_TOKENS = 100_000_000;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A token count: absent or null reads as 0 only where `optional`; anything else must be a whole number >= 0. */
function count(obj: Json, key: string, path: string, optional: boolean): number {
  const value = obj[key];
  if (value === undefined || value === null) {
    if (optional) return 0;
    throw new UsageError(`${path}${key} is required`, `${path}${key}`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new UsageError(`${path}${key} must be a number`, `${path}${key}`);
  if (!Number.isInteger(value)) throw new UsageError(`${path}${key} must be a whole number`, `${path}${key}`);
  if (value < 0) throw new UsageError(`${path}${key} must not be negative`, `${path}${key}`);
  if (value > MAX_TOKENS) throw new UsageError(`${path}${key} is implausibly large`, `${path}${key}`);
  return value;
}

/** A detail object that may be absent or null. */
function details(obj: Json, key: string): Json {
  const value = obj[key];
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new UsageError(`${key} must be an object`, key);
  return value;
}

function openAi(usage: Json): TokenBuckets {
  // Responses API: input_tokens / output_tokens with *_details.
  if ('input_tokens' in usage && !('prompt_tokens' in usage)) {
    if ('cache_read_input_tokens' in usage || 'cache_creation_input_tokens' in usage) {
      throw new UsageError('this is an Anthropic usage object, not an OpenAI one', null);
    }
    const input = count(usage, 'input_tokens', '', false);
    const output = count(usage, 'output_tokens', '', false);
    const cached = count(details(usage, 'input_tokens_details'), 'cached_tokens', 'input_tokens_details.', true);
    const reasoning = count(details(usage, 'output_tokens_details'), 'reasoning_tokens', 'output_tokens_details.', true);
    return split(input, cached, output, reasoning, 'input_tokens', 'output_tokens', 'input_tokens_details.cached_tokens', 'output_tokens_details.reasoning_tokens');
  }
  if (!('prompt_tokens' in usage)) {
    throw new UsageError(
      'not an OpenAI usage object: expected prompt_tokens and completion_tokens (or input_tokens and output_tokens)',
      null,
    );
  }
  const prompt = count(usage, 'prompt_tokens', '', false);
  const completion = count(usage, 'completion_tokens', '', true);
  const cached = count(details(usage, 'prompt_tokens_details'), 'cached_tokens', 'prompt_tokens_details.', true);
  const reasoning = count(details(usage, 'completion_tokens_details'), 'reasoning_tokens', 'completion_tokens_details.', true);
  if (usage.total_tokens !== undefined && usage.total_tokens !== null) {
    const total = count(usage, 'total_tokens', '', true);
    if (total < prompt + completion) {
      throw new UsageError('total_tokens is smaller than prompt_tokens + completion_tokens', 'total_tokens');
    }
    // Some OpenAI-compatible servers (xAI's, for one) count reasoning outside completion_tokens, and their
    // total says so: total = prompt + completion + reasoning. OpenAI's own is prompt + completion.
    // Read as output = completion + reasoning, of which reasoning.
    if (reasoning > 0 && total === prompt + completion + reasoning) return openAiSplit(prompt, cached, completion + reasoning, reasoning);
  }
  return openAiSplit(prompt, cached, completion, reasoning);
}

function openAiSplit(prompt: number, cached: number, output: number, reasoning: number): TokenBuckets {
  return split(prompt, cached, output, reasoning, 'prompt_tokens', 'completion_tokens', 'prompt_tokens_details.cached_tokens', 'completion_tokens_details.reasoning_tokens');
}

function split(
  input: number,
  cached: number,
  output: number,
  reasoning: number,
  inputField: string,
  outputField: string,
  cachedField: string,
  reasoningField: string,
): TokenBuckets {
  if (cached > input) throw new UsageError(`${cachedField} (${cached}) is larger than ${inputField} (${input})`, cachedField);
  if (reasoning > output) throw new UsageError(`${reasoningField} (${reasoning}) is larger than ${outputField} (${output})`, reasoningField);
  return {
    inputTokens: input - cached,
    cachedInputTokens: cached,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: output - reasoning,
    reasoningTokens: reasoning,
  };
}

function anthropic(usage: Json): TokenBuckets {
  if ('prompt_tokens' in usage || 'promptTokenCount' in usage) {
    throw new UsageError('not an Anthropic usage object: expected input_tokens and output_tokens', null);
  }
  if (!('input_tokens' in usage)) throw new UsageError('not an Anthropic usage object: expected input_tokens and output_tokens', null);
  const input = count(usage, 'input_tokens', '', false);
  const output = count(usage, 'output_tokens', '', false);
  const read = count(usage, 'cache_read_input_tokens', '', true);
  const writeTotal = count(usage, 'cache_creation_input_tokens', '', true);
  const creation = details(usage, 'cache_creation');
  const split5m = count(creation, 'ephemeral_5m_input_tokens', 'cache_creation.', true);
  const split1h = count(creation, 'ephemeral_1h_input_tokens', 'cache_creation.', true);
  let write5m: number;
  let write1h: number;
  if (usage.cache_creation_input_tokens === undefined || usage.cache_creation_input_tokens === null) {
    // Only the split was sent: it is the total.
    write5m = split5m;
    write1h = split1h;
  } else {
    // The total is what is billed; the split only says how much of it was 1-hour.
    write1h = Math.min(split1h, writeTotal);
    write5m = writeTotal - write1h;
  }
  return {
    inputTokens: input,
    cachedInputTokens: read,
    cacheWrite5mTokens: write5m,
    cacheWrite1hTokens: write1h,
    outputTokens: output,
    reasoningTokens: 0,
  };
}

function gemini(raw: Json): TokenBuckets {
  const usage = isObject(raw.usageMetadata) ? raw.usageMetadata : isObject(raw.usage_metadata) ? raw.usage_metadata : raw;
  const camel = 'promptTokenCount' in usage;
  const key = (name: string) => (camel ? name : name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  if (!(key('promptTokenCount') in usage)) {
    throw new UsageError('not a Gemini usage object: expected usageMetadata.promptTokenCount', null);
  }
  const prompt = count(usage, key('promptTokenCount'), '', false);
  const candidates = count(usage, key('candidatesTokenCount'), '', true);
  const cached = count(usage, key('cachedContentTokenCount'), '', true);
  const thoughts = count(usage, key('thoughtsTokenCount'), '', true);
  const toolPrompt = count(usage, key('toolUsePromptTokenCount'), '', true);
  if (cached > prompt) {
    throw new UsageError(`${key('cachedContentTokenCount')} (${cached}) is larger than ${key('promptTokenCount')} (${prompt})`, key('cachedContentTokenCount'));
  }
  return {
    inputTokens: prompt - cached + toolPrompt,
    cachedInputTokens: cached,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: candidates,
    reasoningTokens: thoughts,
  };
}

export function normaliseUsage(provider: UsageProvider, usage: unknown): TokenBuckets {
  if (!isObject(usage)) throw new UsageError('usage must be an object', 'usage');
  switch (provider) {
    case 'openai':
    case 'azure_openai':
    case 'openai_compatible':
      return openAi(usage);
    case 'anthropic':
      return anthropic(usage);
    case 'google':
      return gemini(usage);
  }
}
