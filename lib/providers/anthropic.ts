/**
 * Anthropic's Messages API behind the OpenAI shape. Requests and replies are
 * translated by `anthropic-translate.ts`; this module does the HTTP and turns
 * Anthropic's streaming events into OpenAI chunks. The usage handed to the
 * ledger is Anthropic's own usage object (`message_start`'s, overlaid with
 * the cumulative counts of each `message_delta`), read by the 'anthropic'
 * normaliser.
 */
import { endpoint, httpError, isObject, postJson, readJson, redact, startAttempt, type Attempt } from './attempt';
import { asAnthropicMessage, DEFAULT_MAX_TOKENS, finishReason, fromAnthropicMessage, statusOfErrorType, toAnthropicRequest } from './anthropic-translate';
import { keptAliveFetch, type FetchLike } from './http-transport';
import { parseSse } from './sse';
import {
  UpstreamError,
  type ChatCompletionChunk,
  type CompletionResult,
  type ProviderAdapter,
  type StreamResult,
  type UpstreamCall,
} from './types';

export interface AnthropicOptions {
  /** Default `https://api.anthropic.com`; a trailing `/v1` is accepted. */
  baseUrl?: string;
  apiKey: string;
  /** The `anthropic-version` header. Default `2023-06-01`. */
  version?: string;
  /** `max_tokens` when the request names none (Anthropic requires one). Default 4096. */
  defaultMaxTokens?: number;
  /** e.g. `{ 'anthropic-beta': '...' }`. */
  extraHeaders?: Record<string, string>;
  /** The HTTP client; node:http with kept-alive connections unless a test passes another. */
  fetch?: FetchLike | typeof fetch;
  /** Unix milliseconds, for `created` (Anthropic's replies carry no timestamp). Default `Date.now`. */
  now?: () => number;
}

export function anthropicAdapter(options: AnthropicOptions): ProviderAdapter {
  const base = options.baseUrl ?? 'https://api.anthropic.com';
  const url = endpoint(base, '/v1/messages');
  const fetchImpl = (options.fetch ?? keptAliveFetch) as FetchLike;
  const now = options.now ?? Date.now;
  const secrets = [options.apiKey];
  const headers = (accept: string): Record<string, string> => ({
    ...options.extraHeaders,
    'content-type': 'application/json',
    accept,
    'anthropic-version': options.version ?? '2023-06-01',
    'x-api-key': options.apiKey,
  });

  return {
    kind: 'anthropic',

    async complete(call: UpstreamCall): Promise<CompletionResult> {
      const attempt = startAttempt(call);
      try {
        const body = toAnthropicRequest(call.request, options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS);
        const res = await postJson(fetchImpl, url, headers('application/json'), body, attempt);
        if (!res.ok) throw await httpError(res, secrets);
        const message = asAnthropicMessage(await readJson(res, attempt));
        return {
          completion: fromAnthropicMessage(message, Math.floor(now() / 1000)),
          usage: { provider: 'anthropic', raw: message.usage },
        };
      } finally {
        attempt.end();
      }
    },

    async stream(call: UpstreamCall): Promise<StreamResult> {
      const attempt = startAttempt(call);
      // The attempt lasts until its stream closes (anthropicChunks ends it), or until it fails here.
      try {
        const body = { ...toAnthropicRequest(call.request, options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS), stream: true };
        const res = await postJson(fetchImpl, url, headers('text/event-stream'), body, attempt);
        if (!res.ok) throw await httpError(res, secrets);
        const bytes = res.chunks?.() ?? res.body;
        if (!bytes) throw new UpstreamError('protocol', 'the upstream sent no event stream');
        const state: StreamState = { usage: null };
        return {
          chunks: anthropicChunks(bytes, attempt, secrets, Math.floor(now() / 1000), state, (finished) => res.release?.(finished)),
          usage: () => (state.usage ? { provider: 'anthropic', raw: state.usage } : null),
        };
      } catch (error) {
        attempt.end();
        throw error;
      }
    },
  };
}

interface StreamState {
  /** Anthropic's usage so far: message_start's, overlaid by each message_delta's (cumulative) counts. */
  usage: Record<string, unknown> | null;
}

function mergeUsage(into: Record<string, unknown> | null, delta: unknown): Record<string, unknown> | null {
  if (!isObject(delta)) return into;
  const merged: Record<string, unknown> = { ...into };
  for (const [key, value] of Object.entries(delta)) {
    if (value !== null && value !== undefined) merged[key] = value;
  }
  return merged;
}

function parseEvent(data: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    throw new UpstreamError('protocol', 'the upstream sent an event that is not JSON', { cause: error });
  }
  if (!isObject(value)) throw new UpstreamError('protocol', 'the upstream sent an event that is not an object');
  return value;
}

async function* anthropicChunks(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  attempt: Attempt,
  secrets: readonly (string | null | undefined)[],
  created: number,
  state: StreamState,
  release: (finished: boolean) => void,
): AsyncGenerator<ChatCompletionChunk> {
  let id = '';
  let model = '';
  let stopped = false;
  /** Anthropic content block index -> OpenAI tool call index. */
  const toolIndex = new Map<number, number>();
  /** Tool blocks that have streamed some input: one that ends with none gets `{}`, as the non-streaming reply and OpenAI give. */
  const toolWithInput = new Set<number>();
  const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish: ChatCompletionChunk['choices'][number]['finish_reason'] = null): ChatCompletionChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });

  try {
    for await (const event of parseSse(body)) {
      const data = parseEvent(event.data);
      const type = typeof data.type === 'string' ? data.type : event.event;
      switch (type) {
        case 'message_start': {
          const message = isObject(data.message) ? data.message : {};
          id = typeof message.id === 'string' ? message.id : id;
          model = typeof message.model === 'string' ? message.model : model;
          state.usage = mergeUsage(state.usage, message.usage);
          yield chunk({ role: 'assistant', content: '' });
          break;
        }
        case 'content_block_start': {
          const block = isObject(data.content_block) ? data.content_block : {};
          const index = typeof data.index === 'number' ? data.index : -1;
          if (block.type === 'text' && typeof block.text === 'string' && block.text) {
            yield chunk({ content: block.text });
          } else if (block.type === 'tool_use') {
            const n = toolIndex.size;
            toolIndex.set(index, n);
            yield chunk({ tool_calls: [{ index: n, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] });
          }
          break;
        }
        case 'content_block_delta': {
          const delta = isObject(data.delta) ? data.delta : {};
          if (delta.type === 'text_delta' && typeof delta.text === 'string') {
            yield chunk({ content: delta.text });
          } else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string' && delta.partial_json) {
            const n = toolIndex.get(typeof data.index === 'number' ? data.index : -1);
            if (n === undefined) throw new UpstreamError('protocol', 'the upstream sent tool input for a block it never started');
            toolWithInput.add(n);
            yield chunk({ tool_calls: [{ index: n, function: { arguments: delta.partial_json } }] });
          }
          // thinking_delta, signature_delta, citations_delta: not part of the OpenAI shape.
          break;
        }
        case 'content_block_stop': {
          const n = toolIndex.get(typeof data.index === 'number' ? data.index : -1);
          if (n !== undefined && !toolWithInput.has(n)) yield chunk({ tool_calls: [{ index: n, function: { arguments: '{}' } }] });
          break;
        }
        case 'message_delta': {
          state.usage = mergeUsage(state.usage, data.usage);
          const delta = isObject(data.delta) ? data.delta : {};
          if (delta.stop_reason != null) yield chunk({}, finishReason(delta.stop_reason));
          break;
        }
        case 'message_stop':
          stopped = true;
          break;
        case 'error': {
          const error = isObject(data.error) ? data.error : {};
          const status = statusOfErrorType(error.type);
          const message = typeof error.message === 'string' ? redact(error.message, secrets) : 'the upstream reported an error mid-stream';
          throw new UpstreamError('http', status ? `${status} ${message}` : message, { status });
        }
        default:
        // ping and event types added later are ignored, as Anthropic's versioning policy asks.
      }
      if (stopped) break;
    }
  } catch (error) {
    throw attempt.fail(error);
  } finally {
    // Past message_stop the connection goes back to the pool; a reader that stopped early closes it.
    release(stopped);
    attempt.end();
  }
  if (!stopped) throw new UpstreamError('protocol', 'the upstream stream ended before message_stop');
}
