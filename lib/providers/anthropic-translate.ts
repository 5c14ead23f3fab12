/**
 * OpenAI chat completions <-> Anthropic Messages, as pure functions.
 *
 * Request: system and developer messages become `system`; user, assistant and
 * tool messages become alternating turns (consecutive turns of one role are
 * merged, tool results ride in the user turn); `max_tokens` is required
 * (`max_completion_tokens`, then `max_tokens`, then a default); temperature is
 * clamped to Anthropic's [0, 1]; `stop` becomes `stop_sequences`; function
 * tools become tools with `input_schema`; `tool_choice` and
 * `parallel_tool_calls` map to Anthropic's `tool_choice`; `user` becomes
 * `metadata.user_id`; image parts become image blocks. Anthropic has no
 * `response_format`: JSON mode (and a JSON schema) becomes an instruction
 * at the end of `system`, rather than being dropped without a word.
 *
 * Reply: text blocks are concatenated, tool_use blocks become tool_calls,
 * thinking blocks are dropped, stop_reason maps to finish_reason.
 */
import { messageText } from '@/lib/engine/tokens';
import { isObject } from './attempt';
import { UpstreamError, type ChatCompletion, type ChatContentPart, type ChatMessage, type ChatRequest, type ChatToolCall } from './types';

export const DEFAULT_MAX_TOKENS = 4096;

type Block = Record<string, unknown> & { type: string };
interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: Turn[];
  system?: string;
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  tools?: { name: string; description?: string; input_schema: unknown }[];
  tool_choice?: Record<string, unknown>;
  metadata?: { user_id: string };
  stream?: boolean;
}

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Block[];
  stop_reason: string | null;
  stop_sequence?: string | null;
  usage: Record<string, unknown>;
}

function invalid(message: string): UpstreamError {
  // The request cannot be expressed for Anthropic: the caller's to fix (a 400), and the same request elsewhere would fail the same way.
  return new UpstreamError('protocol', message, { status: 400, retryable: false });
}

function imageBlock(part: ChatContentPart): Block | null {
  const image = part.image_url;
  const url = typeof image === 'string' ? image : isObject(image) && typeof image.url === 'string' ? image.url : null;
  if (!url) return null;
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } };
  return { type: 'image', source: { type: 'url', url } };
}

/** Text Anthropic takes as a block: it refuses blocks of only whitespace (400 "text content blocks must contain non-whitespace text"). */
const hasText = (text: string) => text.trim() !== '';

function contentBlocks(content: ChatMessage['content']): Block[] {
  if (typeof content === 'string') return hasText(content) ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) return [];
  const blocks: Block[] = [];
  for (const part of content) {
    if (part.type === 'image_url') {
      const block = imageBlock(part);
      if (block) blocks.push(block);
    } else if (typeof part.text === 'string' && hasText(part.text)) {
      blocks.push({ type: 'text', text: part.text });
    }
  }
  return blocks;
}

function toolUse(call: ChatToolCall): Block {
  let input: unknown;
  try {
    input = call.function.arguments ? JSON.parse(call.function.arguments) : {};
  } catch {
    throw invalid(`tool call ${call.id} has arguments that are not JSON`);
  }
  return { type: 'tool_use', id: call.id, name: call.function.name, input: isObject(input) ? input : {} };
}

function tools(request: ChatRequest): AnthropicRequest['tools'] {
  if (!Array.isArray(request.tools) || request.tools.length === 0) return undefined;
  return request.tools.map((tool) => {
    const fn = isObject(tool) && isObject(tool.function) ? tool.function : null;
    if (!fn || typeof fn.name !== 'string') throw invalid('only function tools can be sent to Anthropic');
    return {
      name: fn.name,
      ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
      input_schema: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
    };
  });
}

function toolChoice(request: ChatRequest): Record<string, unknown> | undefined {
  const choice = request.tool_choice;
  const noParallel = request.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...noParallel };
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') {
    return { type: 'tool', name: choice.function.name, ...noParallel };
  }
  if (choice === 'auto' || request.parallel_tool_calls === false) return request.tools ? { type: 'auto', ...noParallel } : undefined;
  return undefined;
}

/** OpenAI's `response_format` as a system instruction; null for plain text (or none). */
export function responseFormatInstruction(format: unknown): string | null {
  if (!isObject(format) || format.type === 'text') return null;
  if (format.type === 'json_object') return 'Respond with one valid JSON object and nothing else: no prose and no code fences.';
  if (format.type === 'json_schema') {
    const spec = isObject(format.json_schema) ? format.json_schema : {};
    if (!isObject(spec.schema)) throw invalid('response_format.json_schema.schema must be an object');
    return `Respond with one valid JSON object that matches this JSON Schema, and nothing else: no prose and no code fences.\n${JSON.stringify(spec.schema)}`;
  }
  throw invalid(`response_format.type ${JSON.stringify(format.type)} is not one Tollgate can express for Anthropic (text, json_object, json_schema)`);
}

export function toAnthropicRequest(request: ChatRequest, defaultMaxTokens = DEFAULT_MAX_TOKENS): AnthropicRequest {
  const system: string[] = [];
  const turns: Turn[] = [];
  const append = (role: Turn['role'], blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };

  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = messageText(message.content);
        if (text) system.push(text);
        break;
      }
      case 'user':
        append('user', contentBlocks(message.content));
        break;
      case 'assistant':
        append('assistant', [...contentBlocks(message.content), ...(message.tool_calls ?? []).map(toolUse)]);
        break;
      case 'tool':
        if (!message.tool_call_id) throw invalid('a tool message needs tool_call_id');
        append('user', [{ type: 'tool_result', tool_use_id: message.tool_call_id, content: messageText(message.content) }]);
        break;
    }
  }

  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? defaultMaxTokens;
  const stop = typeof request.stop === 'string' ? [request.stop] : Array.isArray(request.stop) ? request.stop : [];
  const out: AnthropicRequest = { model: request.model, max_tokens: maxTokens, messages: turns };
  const format = responseFormatInstruction(request.response_format);
  if (format) system.push(format);
  if (system.length > 0) out.system = system.join('\n\n');
  if (typeof request.temperature === 'number') out.temperature = Math.min(Math.max(request.temperature, 0), 1);
  // Current Claude models refuse temperature and top_p together: temperature, the usual knob, wins.
  if (typeof request.top_p === 'number' && out.temperature === undefined) out.top_p = request.top_p;
  if (stop.length > 0) out.stop_sequences = stop;
  const anthropicTools = tools(request);
  if (anthropicTools) out.tools = anthropicTools;
  const choice = toolChoice(request);
  if (choice) out.tool_choice = choice;
  if (typeof request.user === 'string' && request.user) out.metadata = { user_id: request.user };
  return out;
}

export type FinishReason = ChatCompletion['choices'][number]['finish_reason'];

export function finishReason(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return null;
  }
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Anthropic usage as OpenAI would print it, for the client (the ledger reads the raw object). */
export function openAiStyleUsage(usage: Record<string, unknown>): Record<string, unknown> {
  const cacheRead = num(usage.cache_read_input_tokens);
  const prompt = num(usage.input_tokens) + cacheRead + num(usage.cache_creation_input_tokens);
  const completion = num(usage.output_tokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

export function asAnthropicMessage(body: unknown): AnthropicMessage {
  if (!isObject(body) || body.type !== 'message' || !Array.isArray(body.content) || !isObject(body.usage)) {
    throw new UpstreamError('protocol', 'the upstream reply is not an Anthropic message');
  }
  return body as unknown as AnthropicMessage;
}

export function fromAnthropicMessage(message: AnthropicMessage, created: number): ChatCompletion {
  let text = '';
  let hasText = false;
  const toolCalls: ChatToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text' && typeof block.text === 'string') {
      text += block.text;
      hasText = true;
    } else if (block.type === 'tool_use') {
      toolCalls.push({ id: String(block.id), type: 'function', function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  return {
    id: message.id,
    object: 'chat.completion',
    created,
    model: message.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: hasText || toolCalls.length === 0 ? text : null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          refusal: null,
        },
        finish_reason: finishReason(message.stop_reason),
        logprobs: null,
      },
    ],
    usage: openAiStyleUsage(message.usage),
  };
}

/** Anthropic's streaming `error` event and error bodies name a type; this is the HTTP status it stands for. */
export function statusOfErrorType(type: unknown): number | null {
  switch (type) {
    case 'invalid_request_error':
      return 400;
    case 'authentication_error':
      return 401;
    case 'billing_error':
      return 402;
    case 'permission_error':
      return 403;
    case 'not_found_error':
      return 404;
    case 'request_too_large':
      return 413;
    case 'rate_limit_error':
      return 429;
    case 'api_error':
      return 500;
    case 'timeout_error':
      return 504;
    case 'overloaded_error':
      return 529;
    default:
      return null;
  }
}
