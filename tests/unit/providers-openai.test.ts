/**
 * The OpenAI-compatible adapter against a local server replaying OpenAI's
 * documented chat completion and include_usage stream, plus the failures a
 * gateway has to tell apart.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { normaliseUsage } from '@/lib/engine/usage';
import { ZERO_TOKENS } from '@/lib/engine/pricing';
import { openAiCompatibleAdapter } from '@/lib/providers/openai-compatible';
import { UpstreamError, type ChatRequest, type UpstreamCall } from '@/lib/providers/types';
import { collect, failure } from '../support/providers';

const API_KEY = 'sk-test-Zq8rT4vW2xY6aB0cD3eF';
const PROMPT = 'confidential prompt text about account 4242';

// API reference, "Create chat completion" example response.
const COMPLETION = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion',
  created: 1741569952,
  model: 'gpt-4.1-2025-04-14',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello! How can I assist you today?', refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 19,
    completion_tokens: 10,
    total_tokens: 29,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
  service_tier: 'default',
};

// API reference, streaming example with `stream_options: { include_usage: true }`: every chunk carries
// `usage: null`, then a last chunk with `choices: []` carries the usage. One delta holds multi-byte text.
const base = { id: 'chatcmpl-123', object: 'chat.completion.chunk', created: 1694268190, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_44709d6fcb' };
const STREAM_EVENTS = [
  { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], usage: null },
  { ...base, choices: [{ index: 0, delta: { content: 'Hello' }, logprobs: null, finish_reason: null }], usage: null },
  { ...base, choices: [{ index: 0, delta: { content: '! Ça va ? 👋' }, logprobs: null, finish_reason: null }], usage: null },
  { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null },
  {
    ...base,
    choices: [],
    usage: {
      prompt_tokens: 9,
      completion_tokens: 12,
      total_tokens: 21,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
  },
];
const STREAM_BODY = STREAM_EVENTS.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}
type Handler = (res: ServerResponse, seen: Seen) => void | Promise<void>;

let handler: Handler = (res) => void res.end();
const seen: Seen[] = [];
const server = createServer(async (req, res) => {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} };
  seen.push(entry);
  await handler(res, entry);
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

const json = (status: number, body: unknown, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** Writes `text` in `size`-byte pieces, yielding to the event loop between them so they leave as separate reads. */
async function writeInPieces(res: ServerResponse, text: string, size: number): Promise<void> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) {
    res.write(bytes.subarray(i, i + size));
    await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}

const request: ChatRequest = { model: 'gpt-4.1', messages: [{ role: 'user', content: PROMPT }], temperature: 0.2 };
const call = (overrides: Partial<UpstreamCall> = {}): UpstreamCall => ({ request, signal: new AbortController().signal, timeoutMs: 5_000, ...overrides });
const adapter = () => openAiCompatibleAdapter({ baseUrl: `${origin}/v1`, apiKey: API_KEY, authHeader: 'authorization' });


function expectNoSecrets(error: UpstreamError): void {
  expect(error.message).not.toContain(API_KEY);
  expect(error.message).not.toContain(PROMPT);
  expect(error.message.toLowerCase()).not.toContain('bearer');
}

describe('complete', () => {
  it('posts the request to {baseUrl}/chat/completions and returns the completion and its usage', async () => {
    handler = (res) => json(200, COMPLETION, res);
    const result = await adapter().complete(call({ request: { ...request, stream: false, stream_options: { include_usage: true } } }));

    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.url).toBe('/v1/chat/completions');
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.body).toEqual({ model: 'gpt-4.1', messages: request.messages, temperature: 0.2 });

    expect(result.completion).toEqual(COMPLETION);
    expect(result.usage).toEqual({ provider: 'openai', raw: COMPLETION.usage });
    expect(normaliseUsage(result.usage!.provider, result.usage!.raw)).toEqual({ ...ZERO_TOKENS, inputTokens: 19, outputTokens: 10 });
  });

  it('returns null usage when the upstream sends none', async () => {
    const { usage: _usage, ...withoutUsage } = COMPLETION;
    handler = (res) => json(200, withoutUsage, res);
    expect((await adapter().complete(call())).usage).toBeNull();
  });

  it('speaks Azure: deployment path and api-version kept, key in api-key, no Authorization', async () => {
    handler = (res) => json(200, COMPLETION, res);
    const azure = openAiCompatibleAdapter({
      baseUrl: `${origin}/openai/deployments/gpt-4o-prod?api-version=2024-10-21`,
      apiKey: API_KEY,
      authHeader: 'api-key',
      extraHeaders: { 'x-ms-client-request-id': 'req-1' },
    });
    await azure.complete(call());
    expect(seen[0]!.url).toBe('/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21');
    expect(seen[0]!.headers['api-key']).toBe(API_KEY);
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers['x-ms-client-request-id']).toBe('req-1');
  });

  it('sends no credential to a server configured without one (vLLM, Ollama), and accepts a trailing slash', async () => {
    handler = (res) => json(200, COMPLETION, res);
    await openAiCompatibleAdapter({ baseUrl: `${origin}/v1/` }).complete(call());
    expect(seen[0]!.url).toBe('/v1/chat/completions');
    expect(seen[0]!.headers.authorization).toBeUndefined();
  });
});

describe('stream', () => {
  it('always asks for usage, yields the content chunks and keeps the usage chunk for the ledger', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(STREAM_BODY);
    };
    const result = await adapter().stream(call({ request: { ...request, stream: true } }));
    const chunks = await collect(result.chunks);

    expect(seen[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(seen[0]!.headers.accept).toBe('text/event-stream');
    expect(chunks).toHaveLength(4);
    expect(chunks.every((c) => c.choices.length === 1 && !('usage' in c))).toBe(true);
    expect(chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe('Hello! Ça va ? 👋');
    expect(chunks[3]!.choices[0]!.finish_reason).toBe('stop');
    expect(result.usage()).toEqual({ provider: 'openai', raw: STREAM_EVENTS[4]!.usage });
    expect(normaliseUsage('openai', result.usage()!.raw)).toEqual({ ...ZERO_TOKENS, inputTokens: 9, outputTokens: 12 });
  });

  it('gives the same chunks when the bytes arrive in awkward pieces with CRLF line ends', async () => {
    const crlf = STREAM_BODY.replace(/\n/g, '\r\n');
    for (const size of [1, 5, 13]) {
      handler = async (res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        await writeInPieces(res, crlf, size);
      };
      const result = await adapter().stream(call());
      const chunks = await collect(result.chunks);
      expect(chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe('Hello! Ça va ? 👋');
      expect(result.usage()!.raw).toEqual(STREAM_EVENTS[4]!.usage);
    }
  });

  it('passes a chunk whose choice carries no delta (Azure content filter results) as an empty delta', async () => {
    const filtered = { id: 'chatcmpl-az', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, finish_reason: null, content_filter_results: { hate: { filtered: false, severity: 'safe' } } }] };
    const events = [STREAM_EVENTS[0], filtered, ...STREAM_EVENTS.slice(1)];
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`);
    };
    const chunks = await collect((await adapter().stream(call())).chunks);
    expect(chunks[1]!.choices[0]!.delta).toEqual({});
    expect(chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe('Hello! Ça va ? 👋');
  });

  it('asks again without stream_options when a server that predates it refuses it, and streams without usage', async () => {
    handler = (res) => {
      if ('stream_options' in seen.at(-1)!.body) return json(400, { error: { message: 'Unrecognized request argument supplied: stream_options', type: 'invalid_request_error' } }, res);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(STREAM_EVENTS.slice(0, 4).map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n');
    };
    const before = seen.length;
    // The client's own include_usage goes too: the gateway writes the usage chunk itself.
    const result = await adapter().stream(call({ request: { ...request, stream: true, stream_options: { include_usage: true } } }));
    const chunks = await collect(result.chunks);
    expect(seen.length - before).toBe(2);
    expect(seen.at(-1)!.body).toMatchObject({ stream: true });
    expect(seen.at(-1)!.body).not.toHaveProperty('stream_options');
    expect(chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe('Hello! Ça va ? 👋');
    expect(result.usage()).toBeNull();
  });

  it('replays a server that ignored stream: true and answered with JSON', async () => {
    handler = (res) => json(200, COMPLETION, res);
    const result = await adapter().stream(call());
    const chunks = await collect(result.chunks);
    expect(chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe('Hello! How can I assist you today?');
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(result.usage()!.raw).toEqual(COMPLETION.usage);
  });

  it('fails with protocol on an event that is not JSON, and on a stream cut before its end', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"id":"x","choices":[{"index":0,"delta":{"content":"a"}}\n\n');
    };
    expect((await failure(collect((await adapter().stream(call())).chunks))).kind).toBe('protocol');

    handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify(STREAM_EVENTS[1])}\n\n`);
    };
    const cut = await failure(collect((await adapter().stream(call())).chunks));
    expect(cut.kind).toBe('protocol');
  });

  it('turns an error event sent after a 200 into an UpstreamError', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify(STREAM_EVENTS[1])}\n\ndata: {"error":{"message":"The server had an error while processing your request.","type":"server_error"}}\n\n`);
    };
    const error = await failure(collect((await adapter().stream(call())).chunks));
    expect(error.kind).toBe('http');
    expect(error.message).toBe('The server had an error while processing your request.');
  });
});

describe('failures', () => {
  it('a 500 is a retryable http error carrying the upstream message', async () => {
    handler = (res) => json(500, { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }, res);
    const error = await failure(adapter().complete(call()));
    expect([error.kind, error.status, error.retryable]).toEqual(['http', 500, true]);
    expect(error.message).toBe('500 The server had an error while processing your request.');
    expectNoSecrets(error);
  });

  it('a 429 is retryable, a 400 is not', async () => {
    handler = (res) => json(429, { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } }, res);
    expect((await failure(adapter().complete(call()))).retryable).toBe(true);

    handler = (res) => json(400, { error: { message: "Invalid value for 'temperature'.", type: 'invalid_request_error', param: 'temperature', code: null } }, res);
    const error = await failure(adapter().stream(call()));
    expect([error.kind, error.status, error.retryable]).toEqual(['http', 400, false]);
    expect(error.message).toBe("400 Invalid value for 'temperature'.");
  });

  it('never repeats the api key, even when the upstream echoes it', async () => {
    handler = (res) => json(401, { error: { message: `Incorrect API key provided: ${API_KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', code: 'invalid_api_key' } }, res);
    const error = await failure(adapter().complete(call()));
    expect(error.status).toBe(401);
    // A bad credential is this upstream's problem, not the request's: another upstream may serve it.
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('Incorrect API key provided: [redacted]');
    expectNoSecrets(error);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(API_KEY);
  });

  it('a non-JSON error body gives the status line only', async () => {
    handler = (res) => {
      res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
      res.end(`<html>upstream echoed ${API_KEY} and ${PROMPT}</html>`);
    };
    const error = await failure(adapter().complete(call()));
    expect(error.message).toBe('502 Bad Gateway');
    expect(error.retryable).toBe(true);
  });

  it('a 200 whose body is not JSON is a protocol error', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "chatcmpl-');
    };
    const error = await failure(adapter().complete(call()));
    expect([error.kind, error.retryable]).toEqual(['protocol', false]);
  });

  it('an upstream slower than timeoutMs fails with timeout', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    const error = await failure(adapter().complete(call({ timeoutMs: 100 })));
    expect([error.kind, error.retryable]).toEqual(['timeout', true]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expectNoSecrets(error);
  });

  it('a stream that stalls after its headers fails with timeout while being read', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(STREAM_EVENTS[1])}\n\n`);
    };
    const result = await adapter().stream(call({ timeoutMs: 150 }));
    const error = await failure(collect(result.chunks));
    expect(error.kind).toBe('timeout');
  });

  it('the client going away fails with aborted, not retryable', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(adapter().complete(call({ signal: controller.signal, timeoutMs: 5_000 })));
    expect([error.kind, error.retryable]).toEqual(['aborted', false]);
  });

  it('a refused connection is a retryable network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(openAiCompatibleAdapter({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: API_KEY }).complete(call()));
    expect([error.kind, error.retryable]).toEqual(['network', true]);
    expect(error.message).toContain('ECONNREFUSED');
    expectNoSecrets(error);
  });
});
