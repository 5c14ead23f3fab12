/**
 * OpenAI's chat completions API and everything that speaks it: OpenAI, Azure
 * OpenAI (deployment path and `?api-version=` in the base URL, `api-key`
 * header), vLLM, Ollama, LiteLLM or any other base URL. The request goes out
 * as the gateway received it; the reply comes back as the upstream sent it.
 */
import type { UpstreamAuthHeader } from '@/lib/engine/enums';
import { endpoint, httpError, isObject, postJson, readJson, startAttempt, upstreamMessage, redact, type Attempt } from './attempt';
import { keptAliveFetch, type FetchLike } from './http-transport';
import { parseSse } from './sse';
import {
  UpstreamError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type CompletionResult,
  type ProviderAdapter,
  type StreamResult,
  type UpstreamCall,
  type UpstreamUsage,
} from './types';

export interface OpenAiCompatibleOptions {
  /** e.g. `https://api.openai.com/v1`, `https://res.openai.azure.com/openai/deployments/gpt-4o?api-version=2024-10-21`, `http://localhost:11434/v1`. */
  baseUrl: string;
  /** Omitted for servers without auth (a local vLLM or Ollama). */
  apiKey?: string | null;
  /** `authorization` sends `Bearer <key>`; `api-key` (Azure) and `x-api-key` send the key as is. Default `authorization`. */
  authHeader?: UpstreamAuthHeader;
  extraHeaders?: Record<string, string>;
  /** The HTTP client; node:http with kept-alive connections unless a test passes another. */
  fetch?: FetchLike | typeof fetch;
}

export function authHeaders(authHeader: UpstreamAuthHeader, apiKey: string | null | undefined): Record<string, string> {
  if (!apiKey) return {};
  return authHeader === 'authorization' ? { authorization: `Bearer ${apiKey}` } : { [authHeader]: apiKey };
}

export function openAiCompatibleAdapter(options: OpenAiCompatibleOptions): ProviderAdapter {
  const url = endpoint(options.baseUrl, '/chat/completions');
  const fetchImpl = (options.fetch ?? keptAliveFetch) as FetchLike;
  const secrets = [options.apiKey];
  const headers = (accept: string): Record<string, string> => ({
    ...options.extraHeaders,
    'content-type': 'application/json',
    accept,
    ...authHeaders(options.authHeader ?? 'authorization', options.apiKey),
  });

  return {
    kind: 'openai_compatible',

    async complete(call: UpstreamCall): Promise<CompletionResult> {
      const attempt = startAttempt(call);
      try {
        const { stream: _stream, stream_options: _streamOptions, ...body } = call.request;
        const res = await postJson(fetchImpl, url, headers('application/json'), body, attempt);
        if (!res.ok) throw await httpError(res, secrets);
        const completion = asCompletion(await readJson(res, attempt));
        return { completion, usage: usageOf(completion.usage) };
      } finally {
        attempt.end();
      }
    },

    async stream(call: UpstreamCall): Promise<StreamResult> {
      const attempt = startAttempt(call);
      // The attempt lasts until its stream closes (openAiChunks ends it), or until it fails here.
      try {
        // Usage is always asked for, so the ledger never has to estimate; the gateway shows it to the client only if asked.
        const body = { ...call.request, stream: true, stream_options: { ...call.request.stream_options, include_usage: true } };
        let res = await postJson(fetchImpl, url, headers('text/event-stream'), body, attempt);
        if (!res.ok) {
          const error = await httpError(res, secrets);
          // Servers that predate stream_options (Azure api-versions before 2024-09-01-preview, older vLLM) refuse it:
          // asked again without it, they stream without usage and the gateway counts the tokens itself.
          // The gateway writes the client's usage chunk itself, so the client's own stream_options can go too.
          if (error.status !== 400 || !/stream_options/i.test(error.message)) throw error;
          const { stream_options: _dropped, ...plain } = body;
          res = await postJson(fetchImpl, url, headers('text/event-stream'), plain, attempt);
          if (!res.ok) throw await httpError(res, secrets);
        }
        if ((res.headers.get('content-type') ?? '').includes('application/json')) {
          // A server that ignored `stream: true`: replay its completion as chunks.
          const completion = asCompletion(await readJson(res, attempt));
          attempt.end();
          return { chunks: completionAsChunks(completion), usage: () => usageOf(completion.usage) };
        }
        const bytes = res.chunks?.() ?? res.body;
        if (!bytes) throw new UpstreamError('protocol', 'the upstream sent no event stream');
        let usage: UpstreamUsage | null = null;
        return {
          chunks: openAiChunks(
            bytes,
            attempt,
            secrets,
            (raw) => {
              usage = usageOf(raw);
            },
            (finished) => res.release?.(finished),
          ),
          usage: () => usage,
        };
      } catch (error) {
        attempt.end();
        throw error;
      }
    },
  };
}

function usageOf(raw: unknown): UpstreamUsage | null {
  return isObject(raw) ? { provider: 'openai', raw } : null;
}

function asCompletion(body: unknown): ChatCompletion {
  if (!isObject(body) || !Array.isArray(body.choices)) {
    throw new UpstreamError('protocol', 'the upstream reply is not a chat completion');
  }
  if (!body.choices.every((choice) => isObject(choice) && isObject(choice.message))) {
    throw new UpstreamError('protocol', 'the upstream reply is not a chat completion: a choice has no message');
  }
  return body as ChatCompletion;
}

async function* completionAsChunks(completion: ChatCompletion): AsyncGenerator<ChatCompletionChunk> {
  const base = { id: completion.id, object: 'chat.completion.chunk' as const, created: completion.created, model: completion.model };
  for (const choice of completion.choices) {
    const { role, content, tool_calls } = choice.message;
    const toolCalls = tool_calls?.map((call, index) => ({ index, ...call }));
    yield { ...base, choices: [{ index: choice.index, delta: { role, content, ...(toolCalls ? { tool_calls: toolCalls } : {}) }, finish_reason: null }] };
    yield { ...base, choices: [{ index: choice.index, delta: {}, finish_reason: choice.finish_reason }] };
  }
}

/**
 * The chunks of an OpenAI stream, without usage: a usage-only chunk
 * (`choices: []`) is captured and not yielded, and `usage` is stripped from
 * the others (vLLM may put it on every chunk; the last one wins).
 */
async function* openAiChunks(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  attempt: Attempt,
  secrets: readonly (string | null | undefined)[],
  onUsage: (raw: unknown) => void,
  release: (finished: boolean) => void,
): AsyncGenerator<ChatCompletionChunk> {
  let done = false;
  let finished = false;
  try {
    for await (const event of parseSse(body)) {
      if (event.data === '[DONE]') {
        done = true;
        break;
      }
      let value: unknown;
      try {
        value = JSON.parse(event.data);
      } catch (error) {
        throw new UpstreamError('protocol', 'the upstream sent an event that is not JSON', { cause: error });
      }
      if (!isObject(value)) throw new UpstreamError('protocol', 'the upstream sent an event that is not a chunk');
      if (value.error != null || event.event === 'error') {
        // An error reported mid-stream (OpenAI, vLLM): the status line said 200.
        const message = upstreamMessage(value) ?? 'the upstream reported an error mid-stream';
        throw new UpstreamError('http', redact(message, secrets), { retryable: false });
      }
      if (!Array.isArray(value.choices)) throw new UpstreamError('protocol', 'the upstream sent an event that is not a chunk');
      if (isObject(value.usage)) onUsage(value.usage);
      if (value.choices.length === 0) continue;
      // Azure's asynchronous content filter sends chunks whose choices carry only filter results, no delta.
      for (const choice of value.choices as Record<string, unknown>[]) {
        if (isObject(choice) && !isObject(choice.delta)) choice.delta = {};
      }
      const { usage: _usage, ...chunk } = value;
      if ((chunk.choices as { finish_reason?: unknown }[]).some((c) => c.finish_reason != null)) finished = true;
      yield chunk as ChatCompletionChunk;
    }
  } catch (error) {
    throw attempt.fail(error);
  } finally {
    // Past [DONE] the connection goes back to the pool; a reader that stopped early closes it.
    release(done);
    attempt.end();
  }
  if (!done && !finished) throw new UpstreamError('protocol', 'the upstream stream ended before the completion did');
}
