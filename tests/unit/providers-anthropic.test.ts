/**
 * The Anthropic adapter against a local server replaying the Messages API's
 * documented replies and streaming event sequences (ping and
 * input_json_delta included): translation both ways, usage for the ledger,
 * errors.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_TOKENS } from '@/lib/engine/pricing';
import { normaliseUsage } from '@/lib/engine/usage';
import { anthropicAdapter } from '@/lib/providers/anthropic';
import { toAnthropicRequest } from '@/lib/providers/anthropic-translate';
import { UpstreamError, type ChatRequest, type UpstreamCall } from '@/lib/providers/types';
import { collect, failure } from '../support/providers';

const API_KEY = 'sk-ant-api03-test-Hk2mN8pQ4rS6tU0v';

// Messages API reference example, with the full usage object the API returns today.
const MESSAGE = {
  id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [{ type: 'text', text: 'Hi! My name is Claude.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: 2095,
    cache_creation_input_tokens: 248,
    cache_read_input_tokens: 1800,
    cache_creation: { ephemeral_5m_input_tokens: 148, ephemeral_1h_input_tokens: 100 },
    output_tokens: 503,
    service_tier: 'standard',
  },
};

// Tool use guide: a reply that calls a tool.
const TOOL_MESSAGE = {
  id: 'msg_01Aq9w938a90dw8q',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'text', text: "I'll check the current weather in San Francisco for you." },
    { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 384, output_tokens: 71 },
};

const sse = (events: [string, unknown][]) => events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('');

// Streaming guide, "Basic streaming request".
const BASIC_STREAM = sse([
  ['message_start', { type: 'message_start', message: { id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', type: 'message', role: 'assistant', content: [], model: 'claude-opus-4-6', stop_reason: null, stop_sequence: null, usage: { input_tokens: 25, output_tokens: 1 } } }],
  ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
  ['ping', { type: 'ping' }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '!' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 15 } }],
  ['message_stop', { type: 'message_stop' }],
]);

// Streaming guide, "Streaming request with tool use" (text deltas shortened).
const TOOL_STREAM = sse([
  ['message_start', { type: 'message_start', message: { id: 'msg_014p7gG3wDgGV9EUtLvnow3U', type: 'message', role: 'assistant', model: 'claude-opus-4-6', stop_sequence: null, usage: { input_tokens: 472, output_tokens: 2 }, content: [], stop_reason: null } }],
  ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
  ['ping', { type: 'ping' }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Okay' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ', let me check the weather for San Francisco, CA:' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: {} } }],
  ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"location":' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ' "San' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ' Francisc' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'o,' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ' CA"' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ', ' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"unit": "fah' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'renheit"}' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 1 }],
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 89 } }],
  ['message_stop', { type: 'message_stop' }],
]);

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}
type Handler = (res: ServerResponse) => void | Promise<void>;

let handler: Handler = (res) => void res.end();
const seen: Seen[] = [];
const server = createServer(async (req, res) => {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  seen.push({ url: req.url ?? '', headers: req.headers, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} });
  await handler(res);
});
let origin = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  seen.length = 0;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const json = (status: number, body: unknown) => (res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const eventStream = (text: string, pieceBytes = 0) => async (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (!pieceBytes) return void res.end(text);
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += pieceBytes) {
    res.write(bytes.subarray(i, i + pieceBytes));
    await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
};

const request: ChatRequest = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello, Claude' }] };
const call = (overrides: Partial<UpstreamCall> = {}): UpstreamCall => ({ request, signal: new AbortController().signal, timeoutMs: 5_000, ...overrides });
const adapter = () => anthropicAdapter({ baseUrl: origin, apiKey: API_KEY, now: () => 1_767_225_600_000 });


const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a given location',
    parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['location'] },
  },
};

describe('request translation', () => {
  it('maps system, turns, tool calls and results, limits, stop and tools', () => {
    const out = toAnthropicRequest({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'You are a weather assistant.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in one sentence.' }] },
        { role: 'user', content: 'What is the weather' },
        { role: 'user', content: [{ type: 'text', text: 'in San Francisco?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_01', content: '15 degrees, foggy' },
        { role: 'user', content: 'And tomorrow?' },
      ],
      max_tokens: 300,
      max_completion_tokens: 200,
      temperature: 1.4,
      top_p: 0.9,
      stop: 'END',
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
      parallel_tool_calls: false,
      user: 'user-123',
    });
    expect(out).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      system: 'You are a weather assistant.\n\nAnswer in one sentence.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is the weather' },
            { type: 'text', text: 'in San Francisco?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { location: 'San Francisco, CA' } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: '15 degrees, foggy' },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
      // Current Claude models refuse temperature with top_p: temperature is kept.
      temperature: 1,
      stop_sequences: ['END'],
      tools: [{ name: 'get_weather', description: 'Get the current weather in a given location', input_schema: WEATHER_TOOL.function.parameters }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      metadata: { user_id: 'user-123' },
    });
  });

  it('leaves out text blocks of only whitespace, which Anthropic refuses, and the turns they leave empty', () => {
    const out = toAnthropicRequest({
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'user', content: 'Check the weather.' },
        // A reply Claude gave as a blank line before its tool call, sent back as the client got it.
        { role: 'assistant', content: '\n\n', tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Oslo"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_01', content: '3 degrees' },
        { role: 'user', content: [{ type: 'text', text: ' ' }, { type: 'text', text: 'Go on.' }] },
        { role: 'assistant', content: '  ' },
      ],
    });
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Check the weather.' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { location: 'Oslo' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: '3 degrees' }, { type: 'text', text: 'Go on.' }] },
    ]);
  });

  it('defaults max_tokens, which Anthropic requires, and maps a named tool choice', () => {
    expect(toAnthropicRequest(request).max_tokens).toBe(4096);
    expect(toAnthropicRequest({ ...request, max_tokens: 50 }).max_tokens).toBe(50);
    const named = toAnthropicRequest({ ...request, tools: [WEATHER_TOOL], tool_choice: { type: 'function', function: { name: 'get_weather' } } });
    expect(named.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
    expect(toAnthropicRequest({ ...request, tools: [WEATHER_TOOL], tool_choice: 'none' }).tool_choice).toEqual({ type: 'none' });
  });

  it('refuses tool call arguments that are not JSON, as a non-retryable error', () => {
    const bad: ChatRequest = { ...request, messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] };
    expect(() => toAnthropicRequest(bad)).toThrow(UpstreamError);
    // The caller's to fix: a 400, not an upstream failure.
    expect(() => toAnthropicRequest(bad)).toThrow(expect.objectContaining({ status: 400, retryable: false }));
  });

  it('turns response_format into an instruction at the end of system, and refuses a format it cannot express', () => {
    expect(toAnthropicRequest({ ...request, response_format: { type: 'text' } })).not.toHaveProperty('system');
    const json = toAnthropicRequest({ ...request, messages: [{ role: 'system', content: 'You classify claims.' }, ...request.messages], response_format: { type: 'json_object' } });
    expect(json.system).toBe('You classify claims.\n\nRespond with one valid JSON object and nothing else: no prose and no code fences.');
    const schema = { type: 'object', properties: { category: { type: 'string' } }, required: ['category'] };
    const structured = toAnthropicRequest({ ...request, response_format: { type: 'json_schema', json_schema: { name: 'claim', schema, strict: true } } });
    expect(structured.system).toContain(JSON.stringify(schema));
    expect(() => toAnthropicRequest({ ...request, response_format: { type: 'grammar' } })).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('sends top_p when temperature is not set', () => {
    expect(toAnthropicRequest({ ...request, temperature: undefined, top_p: 0.5 })).toMatchObject({ top_p: 0.5 });
    expect(toAnthropicRequest({ ...request, temperature: undefined, top_p: 0.5 })).not.toHaveProperty('temperature');
  });
});

describe('complete', () => {
  it('posts to /v1/messages with the key and version headers and translates the reply', async () => {
    handler = json(200, MESSAGE);
    const result = await adapter().complete(call({ request: { ...request, max_completion_tokens: 1024 } }));

    expect(seen[0]!.url).toBe('/v1/messages');
    expect(seen[0]!.headers['x-api-key']).toBe(API_KEY);
    expect(seen[0]!.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.body).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello, Claude' }] }] });

    expect(result.completion).toEqual({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      object: 'chat.completion',
      created: 1_767_225_600,
      model: 'claude-sonnet-4-5-20250929',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi! My name is Claude.', refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: {
        prompt_tokens: 2095 + 1800 + 248,
        completion_tokens: 503,
        total_tokens: 2095 + 1800 + 248 + 503,
        prompt_tokens_details: { cached_tokens: 1800 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    // The ledger gets Anthropic's own usage object, and its normaliser accepts it.
    expect(result.usage).toEqual({ provider: 'anthropic', raw: MESSAGE.usage });
    expect(normaliseUsage('anthropic', result.usage!.raw)).toEqual({
      ...ZERO_TOKENS,
      inputTokens: 2095,
      cachedInputTokens: 1800,
      cacheWrite5mTokens: 148,
      cacheWrite1hTokens: 100,
      outputTokens: 503,
    });
  });

  it('turns tool_use blocks into tool_calls', async () => {
    handler = json(200, TOOL_MESSAGE);
    const { completion } = await adapter().complete(call({ request: { ...request, tools: [WEATHER_TOOL] } }));
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: "I'll check the current weather in San Francisco for you.",
        tool_calls: [{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } }],
        refusal: null,
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    });
  });

  it('maps max_tokens to length', async () => {
    handler = json(200, { ...MESSAGE, stop_reason: 'max_tokens' });
    expect((await adapter().complete(call())).completion.choices[0]!.finish_reason).toBe('length');
  });
});

describe('stream', () => {
  it('translates the documented event sequence (with ping) into OpenAI chunks and merges the usage', async () => {
    handler = eventStream(BASIC_STREAM);
    const result = await adapter().stream(call());
    const chunks = await collect(result.chunks);

    expect(seen[0]!.body.stream).toBe(true);
    expect(chunks.map((c) => c.choices[0]!.delta)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hello' }, { content: '!' }, {}]);
    expect(chunks.map((c) => c.choices[0]!.finish_reason)).toEqual([null, null, null, 'stop']);
    expect(chunks.every((c) => c.id === 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY' && c.model === 'claude-opus-4-6' && c.object === 'chat.completion.chunk')).toBe(true);
    expect(result.usage()).toEqual({ provider: 'anthropic', raw: { input_tokens: 25, output_tokens: 15 } });
    expect(normaliseUsage('anthropic', result.usage()!.raw)).toEqual({ ...ZERO_TOKENS, inputTokens: 25, outputTokens: 15 });
  });

  it('streams a tool call from input_json_delta, split at awkward byte boundaries', async () => {
    for (const size of [0, 1, 7]) {
      handler = eventStream(TOOL_STREAM.replace(/\n/g, '\r\n'), size);
      const result = await adapter().stream(call({ request: { ...request, tools: [WEATHER_TOOL] } }));
      const chunks = await collect(result.chunks);
      const text = chunks.map((c) => c.choices[0]!.delta.content ?? '').join('');
      const calls = chunks.flatMap((c) => (c.choices[0]!.delta.tool_calls ?? []) as { index: number; id?: string; function: { name?: string; arguments: string } }[]);
      expect(text).toBe('Okay, let me check the weather for San Francisco, CA:');
      expect(calls[0]).toEqual({ index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } });
      expect(JSON.parse(calls.map((c) => c.function.arguments).join(''))).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
      expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
      expect(result.usage()!.raw).toEqual({ input_tokens: 472, output_tokens: 89 });
    }
  });

  it('streams `{}` for a tool call with no input, as the non-streaming reply and OpenAI give', async () => {
    const noInput = sse([
      ['message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', usage: { input_tokens: 20, output_tokens: 1 }, content: [] } }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'list_open_claims', input: {} } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 12 } }],
      ['message_stop', { type: 'message_stop' }],
    ]);
    handler = eventStream(noInput);
    const chunks = await collect((await adapter().stream(call({ request: { ...request, tools: [WEATHER_TOOL] } }))).chunks);
    const calls = chunks.flatMap((c) => (c.choices[0]!.delta.tool_calls ?? []) as { function: { arguments: string } }[]);
    expect(JSON.parse(calls.map((c) => c.function.arguments).join(''))).toEqual({});
  });

  it('overlays the cumulative counts of message_delta on message_start, cache fields included', async () => {
    handler = eventStream(
      sse([
        ['message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'claude-sonnet-4-5', stop_reason: null, stop_sequence: null, usage: { input_tokens: 21, cache_creation_input_tokens: 188086, cache_read_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 188086, ephemeral_1h_input_tokens: 0 }, output_tokens: 1 } } }],
        ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
        ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Done.' } }],
        ['content_block_stop', { type: 'content_block_stop', index: 0 }],
        ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: 21, cache_creation_input_tokens: 188086, cache_read_input_tokens: null, output_tokens: 393 } }],
        ['message_stop', { type: 'message_stop' }],
      ]),
    );
    const result = await adapter().stream(call());
    await collect(result.chunks);
    expect(normaliseUsage('anthropic', result.usage()!.raw)).toEqual({ ...ZERO_TOKENS, inputTokens: 21, cacheWrite5mTokens: 188086, outputTokens: 393 });
  });

  it('an overloaded_error event mid-stream is a retryable 529', async () => {
    handler = eventStream(BASIC_STREAM.split('event: content_block_stop')[0] + sse([['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]]));
    const result = await adapter().stream(call());
    const error = await failure(collect(result.chunks));
    expect([error.kind, error.status, error.retryable, error.message]).toEqual(['http', 529, true, '529 Overloaded']);
  });

  it('a stream that ends before message_stop is a protocol error', async () => {
    handler = eventStream(BASIC_STREAM.split('event: message_delta')[0]!);
    const error = await failure(collect((await adapter().stream(call())).chunks));
    expect(error.kind).toBe('protocol');
  });
});

describe('failures', () => {
  it('529 overloaded is retryable, 400 invalid_request_error is not; the message is the upstream one', async () => {
    handler = json(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const overloaded = await failure(adapter().complete(call()));
    expect([overloaded.kind, overloaded.status, overloaded.retryable, overloaded.message]).toEqual(['http', 529, true, '529 Overloaded']);

    handler = json(400, { type: 'error', error: { type: 'invalid_request_error', message: 'messages: roles must alternate between "user" and "assistant"' } });
    const invalid = await failure(adapter().stream(call()));
    expect([invalid.status, invalid.retryable]).toEqual([400, false]);
    expect(invalid.message).toBe('400 messages: roles must alternate between "user" and "assistant"');
  });

  it('402 billing_error (out of credit) is retryable: another upstream may have credit', async () => {
    handler = json(402, { type: 'error', error: { type: 'billing_error', message: 'Your credit balance is too low.' } });
    const error = await failure(adapter().complete(call()));
    expect([error.status, error.retryable]).toEqual([402, true]);
    handler = eventStream(BASIC_STREAM.split('event: content_block_stop')[0] + sse([['error', { type: 'error', error: { type: 'billing_error', message: 'Your credit balance is too low.' } }]]));
    const midStream = await failure(collect((await adapter().stream(call())).chunks));
    expect([midStream.status, midStream.retryable]).toEqual([402, true]);
  });

  it('a 401 never repeats the key', async () => {
    handler = json(401, { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${API_KEY}` } });
    const error = await failure(adapter().complete(call()));
    expect(error.message).toBe('401 invalid x-api-key [redacted]');
  });

  it('timeout and abort are told apart', async () => {
    handler = () => undefined;
    expect((await failure(adapter().complete(call({ timeoutMs: 80 })))).kind).toBe('timeout');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 40);
    expect((await failure(adapter().stream(call({ signal: controller.signal })))).kind).toBe('aborted');
  });
});
