/**
 * The gateway end to end, with the official `openai` SDK over HTTP against
 * the production server's Node layer (and the Next.js route handler for the
 * web path): routing easy and hard tasks, streaming with usage, the cache,
 * fallback on upstream failure, a client that disconnects mid-stream, bad
 * input refused with nothing written and nothing sent upstream, models,
 * metrics and feedback. Every reply is checked against its ledger row.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ORG_ID } from '@/db/seed/fixtures';
import { POST as webChat } from '@/app/api/v1/chat/completions/route';
import { POST as postFeedback } from '@/app/api/v1/feedback/route';
import { POST as createKey } from '@/app/api/v1/keys/route';
import { GET as getModels } from '@/app/api/v1/models/route';
import { POST as createPolicy } from '@/app/api/v1/policies/route';
import { POST as createUpstream } from '@/app/api/v1/upstreams/route';
import { GET as getMetrics } from '@/app/metrics/route';
import { CATALOG_MODELS } from '@/lib/engine/catalog';
import { nanoToUsdString } from '@/lib/engine/money';
import { countChatTokens } from '@/lib/engine/tokens';
import { gatewayIdle } from '@/lib/gateway/node-server';
import type { GatewayRuntime } from '@/lib/gateway/runtime';
import type { TestDb } from '../support/db';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway';

const AGENT_KEY = 'tg_gatewayAgentKey0000000000000000000000000';
const ADMIN_KEY = 'tg_gatewayAdminKey0000000000000000000000000';
let db: TestDb;
let rt: GatewayRuntime;

let baseURL: string;
let client: OpenAI;
/** A slow OpenAI-compatible upstream for the disconnect test. */
let slow: http.Server;
/** Streams the slow upstream has open. */
let slowOpen = 0;
/** Calls the revoked upstream has refused. */
let revokedCalls = 0;
/** OpenAI's full usage object, with fields the ledger does not keep. */
const EXTRA_USAGE = {
  prompt_tokens: 40,
  completion_tokens: 12,
  total_tokens: 52,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};
/** Lets the silent upstream answer. */
let releaseSilent!: () => void;
const silentReleased = new Promise<void>((resolve) => (releaseSilent = resolve));

interface LedgerRow {
  id: string;
  tier: string;
  model_name: string;
  model_id: string | null;
  status: string;
  error_type: string | null;
  http_status: number | null;
  attempt: number;
  retry_of: string | null;
  route_reason: string | null;
  cache_hit: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_nano: string;
  saved_nano: string;
  task_type: string | null;
  session_id: string | null;
  department_id: string | null;
  api_key_id: string | null;
}

async function ledgerRows(where = 'true', params: unknown[] = []): Promise<LedgerRow[]> {
  await rt.writer.flush();
  return db.query<LedgerRow>(
    `select id, tier, model_name, model_id, status, error_type, http_status, attempt, retry_of, route_reason, cache_hit,
            input_tokens, output_tokens, cost_nano::text, saved_nano::text, task_type, session_id, department_id, api_key_id
       from ledger_events where source = 'gateway' and ${where} order by recorded_at, attempt`,
    params,
  );
}

async function row(id: string): Promise<LedgerRow> {
  const [found] = await ledgerRows('id = $1', [id]);
  expect(found, `ledger row ${id}`).toBeDefined();
  return found!;
}

const gatewayCount = async () => (await ledgerRows()).length;
const upstreamAttempts = () => {
  const text = rt.metrics.render();
  return [...text.matchAll(/^tollgate_upstream_attempts_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
};

let fixture: GatewayFixture;

beforeAll(async () => {
  fixture = await startGatewayFixture({
    seed: 11,
    agentKey: AGENT_KEY,
    adminKey: ADMIN_KEY,
    fallback: (req, res) => {
      if (req.method !== 'GET' || req.url !== '/api/v1/models') return false;
      void getModels(new Request(`http://localhost${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } })).then(async (reply) => {
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(await reply.text());
      });
      return true;
    },
  });
  ({ db, rt, baseURL } = fixture);
  client = new OpenAI({ apiKey: AGENT_KEY, baseURL, maxRetries: 0 });

  // An upstream that streams one word every 50 ms, forever (until the client goes): OpenAI's chunks, or Anthropic's events on /v1/messages.
  slow = http.createServer((req, res) => {
    req.resume();
    // A stream whose usage has fields Tollgate does not keep (audio, predictions), and a structured-output refusal.
    if (req.url?.startsWith('/usage-extra/') || req.url?.startsWith('/refusal/')) {
      req.on('end', () => {
        if (req.url?.startsWith('/refusal/')) {
          const reply = { id: 'chatcmpl-refusal', object: 'chat.completion', created: 1, model: 'gpt-4.1-mini', choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: "I can't help with that." }, finish_reason: 'stop' }], usage: { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 } };
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
        }
        const base = { id: 'chatcmpl-extra', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1-mini' };
        const chunks = [
          { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null },
          { ...base, choices: [{ index: 0, delta: { content: 'All clear.' }, finish_reason: null }], usage: null },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null },
          { ...base, choices: [], usage: EXTRA_USAGE },
        ];
        res.writeHead(200, { 'content-type': 'text/event-stream' }).end(`${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`);
      });
      return;
    }
    // A reasoning model: the role at once, then silence until the test lets it answer.
    if (req.url?.startsWith('/silent/')) {
      req.on('end', () => {
        const base = { id: 'chatcmpl-silent', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1-mini' };
        const data = (chunk: object) => `data: ${JSON.stringify({ ...base, ...chunk })}\n\n`;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(data({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }));
        void silentReleased.then(() =>
          res.end(`${data({ choices: [{ index: 0, delta: { content: 'Thought it through.' }, finish_reason: null }] })}${data({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}data: [DONE]\n\n`),
        );
      });
      return;
    }
    // A forced tool call, streamed and ended with `stop` as OpenAI does when tool_choice names the function.
    if (req.url?.startsWith('/toolstop/')) {
      req.on('end', () => {
        const base = { id: 'chatcmpl-tool', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1-mini' };
        const chunks = [
          { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup_policy', arguments: '' } }] }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"policy":"HX-1"}' } }] }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
          { ...base, choices: [], usage: { prompt_tokens: 30, completion_tokens: 9, total_tokens: 39 } },
        ];
        res.writeHead(200, { 'content-type': 'text/event-stream' }).end(`${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`);
      });
      return;
    }
    // A stream as fast as the socket takes it, for a client that stops reading.
    if (req.url?.startsWith('/flood/')) {
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const base = { id: 'chatcmpl-flood', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1-mini' };
        const event = `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: 'word '.repeat(3_000) }, finish_reason: null }] })}\n\n`;
        slowOpen += 1;
        const timer = setInterval(() => {
          for (let i = 0; i < 8 && res.write(event); i++);
        }, 1);
        res.on('close', () => {
          slowOpen -= 1;
          clearInterval(timer);
        });
      });
      return;
    }
    // A reply that is not a chat completion, and a revoked key.
    if (req.url?.startsWith('/broken/')) {
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'chatcmpl-broken', object: 'chat.completion', created: 1, model: 'x', choices: [{}] })));
      return;
    }
    if (req.url?.startsWith('/overloaded/') || req.url?.startsWith('/overloaded-late/')) {
      // Anthropic's way: a 200 stream whose first event is the refusal, or (late) one that starts the message, pings, then refuses.
      const overloaded = `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`;
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        if (req.url?.startsWith('/overloaded/')) return void res.end(overloaded);
        const start = { type: 'message_start', message: { id: 'msg_late', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 12, output_tokens: 1 } } };
        res.write(`event: message_start\ndata: ${JSON.stringify(start)}\n\n`);
        setTimeout(() => res.write(`event: ping\ndata: ${JSON.stringify({ type: 'ping' })}\n\n`), 20);
        setTimeout(() => res.end(overloaded), 60);
      });
      return;
    }
    if (req.url?.startsWith('/revoked/')) {
      revokedCalls += 1;
      req.on('end', () => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Incorrect API key provided: sk-proj-****1234.', type: 'invalid_request_error', code: 'invalid_api_key' } })));
      return;
    }
    if (req.url?.endsWith('/messages')) {
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const event = (data: Record<string, unknown>) => res.write(`event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`);
        // As Anthropic sends it: the prompt side of the usage, cache reads and writes apart, comes first.
        event({ type: 'message_start', message: { id: 'msg_slow', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 120, cache_read_input_tokens: 4000, cache_creation_input_tokens: 600, output_tokens: 1 } } });
        event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
        slowOpen += 1;
        const timer = setInterval(() => event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'word ' } }), 50);
        res.on('close', () => {
          slowOpen -= 1;
          clearInterval(timer);
        });
      });
      return;
    }
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = { id: 'chatcmpl-slow', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1-mini' };
      res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`);
      slowOpen += 1;
      const timer = setInterval(() => {
        res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: 'word ' }, finish_reason: null }] })}\n\n`);
      }, 50);
      res.on('close', () => {
        slowOpen -= 1;
        clearInterval(timer);
      });
    });
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  slow?.close();
  await fixture?.close();
});

describe('the official openai SDK against the gateway', () => {
  it('routes an easy task to a small model and says why, with headers that match the ledger', async () => {
    const { data, response } = await client.chat.completions
      .create(
        { model: 'auto', messages: [{ role: 'user', content: 'Summarise in one sentence: the customer was charged twice for a card replacement.' }] },
        { headers: { 'x-tollgate-task': 'summarize', 'x-tollgate-session': 'sess-easy' } },
      )
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]!.message.content).toBeTruthy();
    expect(response.headers.get('x-tollgate-tier')).toBe('small');
    expect(response.headers.get('x-tollgate-cache')).toBe('miss');
    expect(Number(response.headers.get('x-tollgate-overhead-ms'))).toBeGreaterThanOrEqual(0);
    const ledger = await row(response.headers.get('x-tollgate-request-id')!);
    expect(ledger).toMatchObject({ tier: 'small', status: 'ok', task_type: 'summarize', session_id: 'sess-easy', api_key_id: 'key_claims_agent' });
    expect(ledger.model_name).toBe(response.headers.get('x-tollgate-model'));
    expect(ledger.route_reason).toMatch(/summarize/);
    // The usage the client saw is what the ledger charged.
    expect(ledger.input_tokens).toBe(data.usage!.prompt_tokens);
    expect(ledger.output_tokens).toBe(data.usage!.completion_tokens);
    expect(nanoToUsdString(BigInt(ledger.cost_nano), 2)).toBe(response.headers.get('x-tollgate-cost-usd'));
    expect(BigInt(ledger.cost_nano)).toBeGreaterThan(0n);
  });

  it('routes a hard task to a frontier model, inferred from the prompt when no header says', async () => {
    const { response } = await client.chat.completions
      .create({
        model: 'auto',
        messages: [
          { role: 'system', content: 'You are a KYC analyst.' },
          { role: 'user', content: 'Verify the identity documents for new customer Ada Okoye: passport P1234567, proof of address dated 2026-10-02. Screen against sanctions and PEP lists and decide pass, refer or fail.' },
        ],
      })
      .withResponse();
    expect(response.headers.get('x-tollgate-tier')).toBe('frontier');
    const ledger = await row(response.headers.get('x-tollgate-request-id')!);
    expect(ledger).toMatchObject({ tier: 'frontier', task_type: 'kyc_check' });
    expect(ledger.route_reason).toMatch(/kyc_check/);
  });

  it('honours a named model', async () => {
    const { response } = await client.chat.completions
      .create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Classify this email: my card was declined.' }] })
      .withResponse();
    expect(response.headers.get('x-tollgate-model')).toBe('gpt-4.1-mini');
  });

  it('streams, with usage in the final chunk exactly as OpenAI sends it, and the ledger agrees', async () => {
    const messages = [{ role: 'user' as const, content: 'Write a short incident summary: the quotes API slowed after a deploy and a rollback fixed it.' }];
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'auto', messages, stream: true, stream_options: { include_usage: true } }, { headers: { 'x-tollgate-task': 'summarize' } })
      .withResponse();
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) text += chunk.choices[0].delta.content;
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) {
        expect(chunk.choices).toEqual([]);
        usage = chunk.usage;
      }
    }
    expect(text.length).toBeGreaterThan(10);
    expect(finish).toBe('stop');
    expect(usage!.prompt_tokens).toBe(countChatTokens(messages));
    const ledger = await row(response.headers.get('x-tollgate-request-id')!);
    expect(ledger.input_tokens).toBe(usage!.prompt_tokens);
    expect(ledger.output_tokens).toBe(usage!.completion_tokens);
    expect(ledger.status).toBe('ok');
  });

  it('answers a repeated request from the cache at $0 provider cost, with the saving on the ledger', async () => {
    const ask = () =>
      client.chat.completions
        .create({ model: 'auto', messages: [{ role: 'user', content: 'Summarise: the customer wants a no-claims discount certificate for policy HX-2231.' }] }, { headers: { 'x-tollgate-task': 'summarize' } })
        .withResponse();
    const first = await ask();
    const second = await ask();
    expect(first.response.headers.get('x-tollgate-cache')).toBe('miss');
    expect(second.response.headers.get('x-tollgate-cache')).toBe('hit');
    expect(second.response.headers.get('x-tollgate-tier')).toBe('cache');
    expect(second.response.headers.get('x-tollgate-cost-usd')).toBe('0.00');
    expect(second.data.choices[0]!.message.content).toBe(first.data.choices[0]!.message.content);
    const original = await row(first.response.headers.get('x-tollgate-request-id')!);
    const hit = await row(second.response.headers.get('x-tollgate-request-id')!);
    expect(hit).toMatchObject({ tier: 'cache', cache_hit: 'exact', cost_nano: '0', input_tokens: 0, output_tokens: 0 });
    expect(hit.saved_nano).toBe(original.cost_nano);
  });

  it('does not serve a session re-asking the same question the answer it just got', async () => {
    const ask = () =>
      client.chat.completions
        .create({ model: 'auto', messages: [{ role: 'user', content: 'Summarise: the customer disputes a fee on statement 2211.' }] }, { headers: { 'x-tollgate-task': 'summarize', 'x-tollgate-session': 'sess-retry' } })
        .withResponse();
    await ask();
    const again = await ask();
    expect(again.response.headers.get('x-tollgate-cache')).toBe('miss');
  });

  it('never serves a cached answer to a request whose numbers differ', async () => {
    const ask = (amount: string) =>
      client.chat.completions
        .create({ model: 'auto', messages: [{ role: 'user', content: `Summarise: refund of ${amount} EUR approved for claim CLM-55120.` }] }, { headers: { 'x-tollgate-task': 'summarize' } })
        .withResponse();
    await ask('120.00');
    const other = await ask('1200.00');
    expect(other.response.headers.get('x-tollgate-cache')).toBe('miss');
  });

  it('keys the cache on what the messages hold beyond text, and on the options that shape the answer', async () => {
    const text = 'Summarise what this scanned claim form says about the vehicle.';
    const withImage = (url: string) =>
      client.chat.completions
        .create(
          { model: 'auto', messages: [{ role: 'user', content: [{ type: 'text', text }, { type: 'image_url', image_url: { url } }] }] },
          { headers: { 'x-tollgate-task': 'summarize' } },
        )
        .withResponse();
    expect((await withImage('https://files.example.com/claim-a.png')).response.headers.get('x-tollgate-cache')).toBe('miss');
    expect((await withImage('https://files.example.com/claim-a.png')).response.headers.get('x-tollgate-cache')).toBe('hit');
    // The same words about another image are another question.
    expect((await withImage('https://files.example.com/claim-b.png')).response.headers.get('x-tollgate-cache')).toBe('miss');

    const shaped = (extra: Record<string, unknown>) =>
      client.chat.completions
        .create({ model: 'auto', messages: [{ role: 'user', content: 'Summarise: the policyholder moved to Leeds.' }], ...extra }, { headers: { 'x-tollgate-task': 'summarize' } })
        .withResponse();
    expect((await shaped({})).response.headers.get('x-tollgate-cache')).toBe('miss');
    expect((await shaped({})).response.headers.get('x-tollgate-cache')).toBe('hit');
    expect((await shaped({ response_format: { type: 'json_object' } })).response.headers.get('x-tollgate-cache')).toBe('miss');
    expect((await shaped({ stop: ['\n'] })).response.headers.get('x-tollgate-cache')).toBe('miss');
    expect((await shaped({ seed: 7 })).response.headers.get('x-tollgate-cache')).toBe('miss');
    // Fields that do not change the answer do not split the cache.
    expect((await shaped({ user: 'agent-7', metadata: { ticket: 'T-1' }, store: false })).response.headers.get('x-tollgate-cache')).toBe('hit');
  });

  it('caches only whole answers, and serves none longer than the caller allows', async () => {
    const ask = (maxTokens?: number) =>
      client.chat.completions
        .create(
          { model: 'auto', messages: [{ role: 'user', content: 'Summarise: the loss adjuster visited the property on Tuesday and found water damage in two rooms.' }], ...(maxTokens ? { max_tokens: maxTokens } : {}) },
          { headers: { 'x-tollgate-task': 'summarize' } },
        )
        .withResponse();
    const cut = await ask(2);
    expect(cut.data.choices[0]!.finish_reason).toBe('length');
    // The cut answer was not stored: the full request goes upstream and gets a whole answer.
    const whole = await ask();
    expect(whole.response.headers.get('x-tollgate-cache')).toBe('miss');
    expect(whole.data.choices[0]!.finish_reason).toBe('stop');
    expect(whole.data.usage!.completion_tokens).toBeGreaterThan(2);
    expect((await ask()).response.headers.get('x-tollgate-cache')).toBe('hit');
    // The stored answer is longer than 2 tokens: a caller allowing 2 is answered upstream.
    const limited = await ask(2);
    expect(limited.response.headers.get('x-tollgate-cache')).toBe('miss');
    expect(limited.data.usage!.completion_tokens).toBeLessThanOrEqual(2);
    expect((await ask(whole.data.usage!.completion_tokens)).response.headers.get('x-tollgate-cache')).toBe('hit');
  });

  it('falls back down the chain when the first model fails, with every attempt on the ledger', async () => {
    const probe = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Summarise the broker note for Lars Becker.' }] }, { headers: { 'x-tollgate-task': 'summarize', 'x-tollgate-cache': 'off' } })
      .withResponse();
    const first = probe.response.headers.get('x-tollgate-model')!;
    const { response } = await client.chat.completions
      .create(
        { model: 'auto', messages: [{ role: 'user', content: `Summarise the broker note for Lars Becker. [simulate:error 503 ${first}]` }] },
        { headers: { 'x-tollgate-task': 'summarize', 'x-tollgate-cache': 'off' } },
      )
      .withResponse();
    const id = response.headers.get('x-tollgate-request-id')!;
    const final = await row(id);
    expect(final.status).toBe('ok');
    expect(final.attempt).toBe(2);
    expect(final.retry_of).toBe(`${id}-1`);
    expect(final.model_name).not.toBe(first);
    expect(final.route_reason).toContain(`fallback 1 after upstream_error on ${first}`);
    const failed = await row(`${id}-1`);
    expect(failed).toMatchObject({ model_name: first, status: 'error', error_type: 'upstream_error', http_status: 503, attempt: 1, cost_nano: '0' });
  });

  it('replies 502 upstream_error when every model fails, and keeps the failed attempts', async () => {
    const before = await gatewayCount();
    const error = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Summarise this. [simulate:error 503]' }] }, { headers: { 'x-tollgate-task': 'summarize' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((error as InstanceType<typeof OpenAI.APIError>).type).toBe('upstream_error');
    const rows = (await ledgerRows()).slice(before);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((r) => r.status === 'error')).toBe(true);
    expect(rows.map((r) => r.attempt)).toEqual(rows.map((_, i) => i + 1));
  });
});

/** Reads a streamed reply until it has held `n` words (or it ends): how many it saw. */
async function readWords(res: Response, n: number): Promise<number> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let received = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return (received.match(/word/g) ?? []).length;
    received += decoder.decode(value, { stream: true });
    const words = (received.match(/word/g) ?? []).length;
    if (words >= n) return words;
  }
}

/** POSTs a chat completion as the agent, the cache off: the raw response. */
function postChat(body: Record<string, unknown>, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${AGENT_KEY}`, 'content-type': 'application/json', 'x-tollgate-cache': 'off', ...headers },
    body: JSON.stringify(body),
    signal,
  });
}

/** Starts a streamed call and reads it until three words have come: its request id, and the means to hang up. */
async function streamThreeWords(model: string, content: string): Promise<{ id: string; controller: AbortController }> {
  const controller = new AbortController();
  const res = await postChat({ model, stream: true, messages: [{ role: 'user', content }] }, {}, controller.signal);
  expect(res.status).toBe(200);
  expect(await readWords(res, 3), 'the stream ended before three words').toBeGreaterThanOrEqual(3);
  return { id: res.headers.get('x-tollgate-request-id')!, controller };
}

/** Configures an upstream through the ops API (its credential sealed, as in production). */
async function addUpstream(body: Record<string, unknown>): Promise<void> {
  // Upstream credentials are sealed under a key derived from AUTH_SECRET.
  process.env.AUTH_SECRET ??= 'gateway-test-secret-0123456789abcdef0123456789';
  const created = await createUpstream(
    new Request('http://localhost/api/v1/upstreams', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
  expect(created.status).toBe(201);
  rt.invalidate();
}

describe('a client that disconnects mid-stream', () => {
  it('leaves a correct ledger row: the tokens received so far, marked client_disconnected', async () => {
    await db.query(
      `insert into upstreams (id, organisation_id, name, kind, base_url, models) values ('ups_slow', $1, 'slow', 'openai_compatible', $2, '{"openai/gpt-4.1-mini": "gpt-4.1-mini"}'::jsonb)`,
      [ORG_ID, `http://127.0.0.1:${(slow.address() as AddressInfo).port}/v1`],
    );
    rt.invalidate();
    const { id, controller } = await streamThreeWords('gpt-4.1-mini', 'Write a very long essay.');
    // Shutdown waits on calls in flight (scripts/start.ts): this one is.
    expect(await gatewayIdle(20)).toBe(false);
    controller.abort();
    // Once the call has ended it has handed its row to the writer: a shutdown that waited for it loses nothing.
    expect(await gatewayIdle(5_000)).toBe(true);
    expect(rt.writer.pendingRows + (await ledgerRows('id = $1', [id])).length).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => (await ledgerRows('id = $1', [id])).length, { timeout: 5_000 }).toBe(1);
    const ledger = await row(id);
    expect(ledger).toMatchObject({ status: 'error', error_type: 'client_disconnected', http_status: 499 });
    expect(ledger.output_tokens).toBeGreaterThanOrEqual(3);
    expect(ledger.input_tokens).toBeGreaterThan(0);
    expect(BigInt(ledger.cost_nano)).toBeGreaterThan(0n);
    // The gateway hung up on the upstream too: nothing keeps streaming (and billing) into the void.
    await expect.poll(() => slowOpen, { timeout: 5_000 }).toBe(0);
    await db.query(`delete from upstreams where id = 'ups_slow'`);
    rt.invalidate();
  });

  it('keeps the usage the upstream had already reported: cache reads and writes stay apart, output at least what was sent', async () => {
    await addUpstream({ name: 'slow-anthropic', kind: 'anthropic', base_url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`, api_key: 'sk-ant-test-key', models: ['anthropic/claude-sonnet-4-5'] });
    const { id, controller } = await streamThreeWords('claude-sonnet-4-5', 'Review this long contract.');
    controller.abort();
    await expect.poll(async () => (await ledgerRows('id = $1', [id])).length, { timeout: 5_000 }).toBe(1);
    const [ledger] = await db.query<{ input_tokens: number; cached_input_tokens: number; cache_write_5m_tokens: number; output_tokens: number; error_type: string; route_reason: string }>(
      `select input_tokens, cached_input_tokens, cache_write_5m_tokens, output_tokens, error_type, route_reason from ledger_events where id = $1`,
      [id],
    );
    expect(ledger).toMatchObject({ error_type: 'client_disconnected', input_tokens: 120, cached_input_tokens: 4000, cache_write_5m_tokens: 600 });
    expect(ledger!.output_tokens).toBeGreaterThanOrEqual(3);
    expect(ledger!.route_reason).toContain('prompt side as the upstream reported it');
    await expect.poll(() => slowOpen, { timeout: 5_000 }).toBe(0);
    await db.query(`delete from upstreams where name = 'slow-anthropic'`);
    rt.invalidate();
  });
});

describe('upstreams that misbehave', () => {
  const useUpstream = async (name: string, path: string, modelId: string, modelName: string) => {
    await db.query(`insert into upstreams (id, organisation_id, name, kind, base_url, models) values ($1, $2, $1, 'openai_compatible', $3, $4::jsonb)`, [
      name,
      ORG_ID,
      `http://127.0.0.1:${(slow.address() as AddressInfo).port}/${path}/v1`,
      JSON.stringify({ [modelId]: modelName }),
    ]);
    rt.invalidate();
  };
  const dropUpstream = async (name: string) => {
    await db.query(`delete from upstreams where id = $1`, [name]);
    rt.invalidate();
  };

  it("passes an OpenAI upstream's streamed usage on as it came, with usage: null on every other chunk, as OpenAI sends them", async () => {
    await useUpstream('usage-extra', 'usage-extra', 'openai/gpt-4.1-mini', 'gpt-4.1-mini');
    try {
      const res = await postChat({ model: 'gpt-4.1-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Is the claim file complete?' }] });
      const events = (await res.text())
        .split('\n\n')
        .filter((e) => e.startsWith('data: {'))
        .map((e) => JSON.parse(e.slice('data: '.length)) as { choices: unknown[]; usage?: unknown });
      const last = events.pop()!;
      expect(last.choices).toEqual([]);
      expect(last.usage).toEqual(EXTRA_USAGE);
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) expect(event).toHaveProperty('usage', null);
      expect(await row(res.headers.get('x-tollgate-request-id')!)).toMatchObject({ input_tokens: 40, output_tokens: 12, status: 'ok' });
    } finally {
      await dropUpstream('usage-extra');
    }
  });

  it('does not cache a refusal: the same request asks the upstream again', async () => {
    await useUpstream('refusal', 'refusal', 'openai/gpt-4.1-mini', 'gpt-4.1-mini');
    try {
      const ask = () => client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Fill in the claimant profile with guesses.' }] }).withResponse();
      for (let i = 0; i < 2; i++) {
        const { data, response } = await ask();
        expect(data.choices[0]!.message.refusal).toBe("I can't help with that.");
        expect(response.headers.get('x-tollgate-cache')).toBe('miss');
      }
    } finally {
      await dropUpstream('refusal');
    }
  });

  it("holds a call's budget reservation for as long as its fallback chain may run at the organisation's longest upstream timeout", async () => {
    const admit = vi.spyOn(rt.admitter, 'admit');
    const ask = () => client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Classify: a windscreen claim.' }] }, { headers: { 'x-tollgate-cache': 'off' } });
    try {
      await ask();
      expect(admit.mock.lastCall![0].ttlMs).toBe(5 * 60_000);
      // Ops allow one upstream ten minutes an attempt: three attempts of it, plus a minute.
      await db.query(
        `insert into upstreams (id, organisation_id, name, kind, base_url, models, timeout_ms) values ('ups_patient', $1, 'patient', 'openai_compatible', $2, '{"openai/o3": "o3"}'::jsonb, 600000)`,
        [ORG_ID, `http://127.0.0.1:${(slow.address() as AddressInfo).port}/v1`],
      );
      rt.invalidate();
      await ask();
      expect(admit.mock.lastCall![0].ttlMs).toBe(3 * 600_000 + 60_000);
    } finally {
      admit.mockRestore();
      await db.query(`delete from upstreams where id = 'ups_patient'`);
      rt.invalidate();
    }
  });

  it('records a stream its upstream timeout cuts off mid-way as a 504 upstream_timeout', async () => {
    await db.query(
      `insert into upstreams (id, organisation_id, name, kind, base_url, models, timeout_ms) values ('ups_timeout', $1, 'timeout', 'openai_compatible', $2, '{"openai/gpt-4.1-mini": "gpt-4.1-mini"}'::jsonb, 1000)`,
      [ORG_ID, `http://127.0.0.1:${(slow.address() as AddressInfo).port}/v1`],
    );
    rt.invalidate();
    try {
      const res = await postChat({ model: 'gpt-4.1-mini', stream: true, messages: [{ role: 'user', content: 'Write the whole claims manual.' }] });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('"type":"upstream_error"');
      const id = res.headers.get('x-tollgate-request-id')!;
      await expect.poll(async () => (await ledgerRows('id = $1', [id])).length, { timeout: 5_000 }).toBe(1);
      expect(await row(id)).toMatchObject({ status: 'error', http_status: 504, error_type: 'upstream_timeout' });
      await expect.poll(() => slowOpen, { timeout: 5_000 }).toBe(0);
    } finally {
      await db.query(`delete from upstreams where id = 'ups_timeout'`);
      rt.invalidate();
    }
  });

  it('a reply that is not a chat completion is a 502 with the attempt on the ledger, not a 500 with nothing written', async () => {
    await useUpstream('broken', 'broken', 'openai/gpt-4.1-mini', 'gpt-4.1-mini');
    const res = await postChat({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Summarise: a broken reply.' }] });
    const id = res.headers.get('x-tollgate-request-id')!;
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('upstream_error');
    const rows = await ledgerRows(`id like $1`, [`${id}%`]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'error', error_type: 'upstream_error', model_name: 'gpt-4.1-mini' });
    await dropUpstream('broken');
  });

  it('does not cache a streamed tool call that ended with stop as if it were a text answer', async () => {
    await useUpstream('toolstop', 'toolstop', 'openai/gpt-4.1-mini', 'gpt-4.1-mini');
    try {
      const ask = async () => {
        const { data, response } = await client.chat.completions
          .create({
            model: 'gpt-4.1-mini',
            stream: true,
            messages: [{ role: 'user', content: 'Look up policy HX-1.' }],
            tools: [{ type: 'function', function: { name: 'lookup_policy', parameters: { type: 'object', properties: { policy: { type: 'string' } } } } }],
            tool_choice: { type: 'function', function: { name: 'lookup_policy' } },
          })
          .withResponse();
        let args = '';
        for await (const chunk of data) args += (chunk.choices[0]?.delta?.tool_calls ?? []).map((c) => c.function?.arguments ?? '').join('');
        return { cache: response.headers.get('x-tollgate-cache'), args };
      };
      expect(await ask()).toEqual({ cache: 'miss', args: '{"policy":"HX-1"}' });
      // The same request again goes upstream and gets the tool call, not an empty cached message.
      expect(await ask()).toEqual({ cache: 'miss', args: '{"policy":"HX-1"}' });
    } finally {
      await dropUpstream('toolstop');
    }
  });

  it('cuts off a client that stops reading, instead of holding the stream (and the upstream) open', async () => {
    await useUpstream('flood', 'flood', 'openai/gpt-4.1-mini', 'gpt-4.1-mini');
    process.env.TOLLGATE_CLIENT_STALL_MS = '300';
    try {
      const res = await postChat({ model: 'gpt-4.1-mini', stream: true, messages: [{ role: 'user', content: 'Write everything.' }] });
      expect(res.status).toBe(200);
      const id = res.headers.get('x-tollgate-request-id')!;
      // The client never reads the body.
      await expect.poll(async () => (await ledgerRows('id = $1', [id])).length, { timeout: 15_000 }).toBe(1);
      expect(await row(id)).toMatchObject({ status: 'error', error_type: 'client_disconnected', http_status: 499 });
      expect((await row(id)).route_reason).toContain('client stopped reading for 300 ms');
      await expect.poll(() => slowOpen, { timeout: 5_000 }).toBe(0);
      await res.body?.cancel().catch(() => undefined);
    } finally {
      delete process.env.TOLLGATE_CLIENT_STALL_MS;
      await dropUpstream('flood');
    }
  });

  it('a revoked upstream key (401) falls back to the next model instead of failing the call', async () => {
    const probe = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Summarise the renewal note for Oskar Lind.' }] }, { headers: { 'x-tollgate-task': 'summarize', 'x-tollgate-cache': 'off' } })
      .withResponse();
    const first = probe.data.model;
    const firstId = CATALOG_MODELS.find((m) => m.name === first)!.id;
    await useUpstream('revoked', 'revoked', firstId, first);
    const { data, response } = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Summarise the renewal note for Oskar Lind.' }] }, { headers: { 'x-tollgate-task': 'summarize', 'x-tollgate-cache': 'off' } })
      .withResponse();
    expect(data.model).not.toBe(first);
    const id = response.headers.get('x-tollgate-request-id')!;
    expect(await row(`${id}-1`)).toMatchObject({ model_name: first, status: 'error', http_status: 401, attempt: 1 });
    await dropUpstream('revoked');
  });

  it('keeps the failed attempts on the ledger when the upstream registry cannot be read as the fallback begins', async () => {
    const probe = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Summarise the lapse note for Ines Moreau.' }] }, { headers: { 'x-tollgate-task': 'summarize', 'x-tollgate-cache': 'off' } })
      .withResponse();
    const first = probe.data.model;
    await useUpstream('revoked', 'revoked', CATALOG_MODELS.find((m) => m.name === first)!.id, first);
    // Lookups answer until the revoked upstream has been tried; the fallback's finds the database gone.
    const lookup = rt.upstreams.bind(rt);
    const triedBefore = revokedCalls;
    const spy = vi.spyOn(rt, 'upstreams').mockImplementation((organisationId) =>
      revokedCalls > triedBefore ? Promise.reject(new Error('connection terminated')) : lookup(organisationId),
    );
    try {
      const response = await postChat({ model: 'auto', messages: [{ role: 'user', content: 'Summarise the lapse note for Ines Moreau.' }] }, { 'x-tollgate-task': 'summarize' });
      expect(response.status).toBe(500);
      const id = response.headers.get('x-tollgate-request-id')!;
      // The only attempt made carries the request id.
      await expect.poll(async () => (await ledgerRows('id = $1', [id])).length, { timeout: 5_000 }).toBe(1);
      expect(await row(id)).toMatchObject({ model_name: first, status: 'error', http_status: 401, attempt: 1 });
    } finally {
      spy.mockRestore();
      await dropUpstream('revoked');
    }
  });

  it('sends the headers of a stream whose upstream stays silent after its first chunk, without waiting for the answer', async () => {
    await addUpstream({ name: 'silent', kind: 'openai_compatible', base_url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/silent`, models: { 'openai/gpt-4.1-mini': 'gpt-4.1-mini' } });
    // Resolves with the headers: the upstream has not answered yet, and will not until they are here.
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4.1-mini', stream: true, messages: [{ role: 'user', content: 'Think about the claim for a while.' }] }, { headers: { 'x-tollgate-cache': 'off' } })
      .withResponse();
    expect(response.headers.get('x-tollgate-model')).toBe('gpt-4.1-mini');
    releaseSilent();
    let text = '';
    for await (const chunk of data) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Thought it through.');
    const id = response.headers.get('x-tollgate-request-id')!;
    await expect.poll(async () => (await ledgerRows('id = $1', [id])).length, { timeout: 5_000 }).toBe(1);
    expect(await row(id)).toMatchObject({ model_name: 'gpt-4.1-mini', status: 'ok', attempt: 1 });
    await db.query(`delete from upstreams where name = 'silent'`);
    rt.invalidate();
  });

  it.each([
    ['in its first event', 'overloaded'],
    ['right after the message starts', 'overloaded-late'],
  ])('a stream refused %s (Anthropic overloaded) falls back before the client gets headers', async (_when, path) => {
    const ask = () =>
      client.chat.completions
        .create({ model: 'auto', stream: true, messages: [{ role: 'user', content: 'Summarise the survey note for Petra Novak.' }] }, { headers: { 'x-tollgate-task': 'summarize', 'x-tollgate-cache': 'off' } })
        .withResponse();
    const probe = await ask();
    const first = probe.response.headers.get('x-tollgate-model')!;
    for await (const _ of probe.data) void _;
    await addUpstream({
      name: 'overloaded',
      kind: 'anthropic',
      base_url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/${path}`,
      api_key: 'sk-ant-test-key',
      models: { [CATALOG_MODELS.find((m) => m.name === first)!.id]: first },
    });
    const { data, response } = await ask();
    expect(response.headers.get('x-tollgate-model')).not.toBe(first);
    let text = '';
    for await (const chunk of data) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    const id = response.headers.get('x-tollgate-request-id')!;
    expect(await row(`${id}-1`)).toMatchObject({ model_name: first, status: 'error', http_status: 529, attempt: 1 });
    await db.query(`delete from upstreams where name = 'overloaded'`);
    rt.invalidate();
  });
});

describe('bad input: a 4xx in OpenAI shape, nothing written, nothing sent upstream', () => {
  const raw = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${AGENT_KEY}`, 'content-type': 'application/json', ...headers }, body });
  const cases: [string, () => Promise<Response>, number, string][] = [
    ['malformed JSON', () => raw('{"model": "auto", "messages": ['), 400, 'invalid_request_error'],
    ['missing messages', () => raw(JSON.stringify({ model: 'auto' })), 400, 'invalid_request_error'],
    ['empty messages', () => raw(JSON.stringify({ model: 'auto', messages: [] })), 400, 'invalid_request_error'],
    ['a user message without content', () => raw(JSON.stringify({ model: 'auto', messages: [{ role: 'user' }] })), 400, 'invalid_request_error'],
    ['a user message with no content parts', () => raw(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: [] }] })), 400, 'invalid_request_error'],
    ['a tool message without its tool_call_id', () => raw(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }, { role: 'tool', content: '42' }] })), 400, 'invalid_request_error'],
    ['an assistant message with neither content nor tool calls', () => raw(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant' }] })), 400, 'invalid_request_error'],
    ['an unknown model', () => raw(JSON.stringify({ model: 'gpt-nonexistent', messages: [{ role: 'user', content: 'hi' }] })), 404, 'not_found_error'],
    ['max_tokens beyond the model', () => raw(JSON.stringify({ model: 'gpt-4.1-mini', max_tokens: 1_000_000, messages: [{ role: 'user', content: 'hi' }] })), 400, 'invalid_request_error'],
    ['a wrong content type', () => raw(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }), { 'content-type': 'text/plain' }), 400, 'invalid_request_error'],
    ['an invalid key', () => raw(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }), { authorization: 'Bearer tg_wrong' }), 401, 'authentication_error'],
    ['a body over the size limit', () => raw(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'x'.repeat(5 * 1024 * 1024) }] })), 413, 'invalid_request_error'],
    ['an unknown task header', () => raw(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }), { 'x-tollgate-task': 'astrology' }), 400, 'invalid_request_error'],
  ];
  for (const [name, send, status, type] of cases) {
    it(`refuses ${name}`, async () => {
      const [rowsBefore, attemptsBefore] = [await gatewayCount(), upstreamAttempts()];
      const res = await send();
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { type: string; message: string } };
      expect(body.error.type).toBe(type);
      expect(body.error.message.length).toBeGreaterThan(5);
      expect(await gatewayCount()).toBe(rowsBefore);
      expect(upstreamAttempts()).toBe(attemptsBefore);
    });
  }
});

describe('the web (Next.js route handler) path', () => {
  it('serves the same gateway, plain', async () => {
    const res = await webChat(
      new Request('http://localhost/api/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${AGENT_KEY}`, 'content-type': 'application/json', 'x-tollgate-task': 'classify' },
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Classify this email: where is my refund?' }] }),
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]!.message.content).toBeTruthy();
    expect((await row(res.headers.get('x-tollgate-request-id')!)).tier).toBe('small');
  });
});

describe('models, metrics and feedback', () => {
  it('lists auto and the routable models', async () => {
    const list = await client.models.list();
    const ids = list.data.map((m) => m.id);
    expect(ids[0]).toBe('auto');
    expect(ids).toEqual(expect.arrayContaining(['gpt-5-nano', 'gpt-5', 'claude-sonnet-4-5']));
    const viaRoute = await getModels(new Request('http://localhost/api/v1/models', { headers: { authorization: `Bearer ${AGENT_KEY}` } }));
    expect(viaRoute.status).toBe(200);
  });

  it('neither lists nor routes to a model a policy forbids the caller, and honours it for others', async () => {
    const asOps = (url: string, body: unknown) =>
      new Request(`http://localhost${url}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const policy = await createPolicy(asOps('/api/v1/policies', { kind: 'routing', scope: { type: 'department', id: 'dep_underwriting' }, config: { forbidden_models: ['openai/gpt-5'] } }));
    expect(policy.status).toBe(201);
    const created = await createKey(asOps('/api/v1/keys', { name: 'underwriting-bot', department: 'dep_underwriting', agent: 'underwriting-bot' }));
    expect(created.status).toBe(201);
    const underwriting = new OpenAI({ apiKey: ((await created.json()) as { key: string }).key, baseURL, maxRetries: 0 });

    const listed = (await underwriting.models.list()).data.map((m) => m.id);
    expect(listed).not.toContain('gpt-5');
    expect(listed).toEqual(expect.arrayContaining(['auto', 'gpt-5-nano', 'claude-sonnet-4-5']));
    const refused = await underwriting.chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'Price this risk.' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    // The policy covers Underwriting only: the Claims agent still sees and gets gpt-5.
    expect((await client.models.list()).data.map((m) => m.id)).toContain('gpt-5');
    const named = await client.chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'Price this risk.' }] }, { headers: { 'x-tollgate-cache': 'off' } });
    expect(named.model).toBe('gpt-5');
  });

  it('exports Prometheus metrics to ops, and refuses agents', async () => {
    const denied = await getMetrics(new Request('http://localhost/metrics', { headers: { authorization: `Bearer ${AGENT_KEY}` } }));
    expect(denied.status).toBe(403);
    const res = await getMetrics(new Request('http://localhost/metrics', { headers: { authorization: `Bearer ${ADMIN_KEY}` } }));
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const name of ['tollgate_requests_total', 'tollgate_tokens_total', 'tollgate_spend_usd_total', 'tollgate_cache_hits_total', 'tollgate_fallbacks_total', 'tollgate_overhead_ms_bucket']) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/tollgate_requests_total\{[^}]*tier="small"[^}]*\} \d+/);
  });

  it('counts each request once in /metrics however many attempts it took, refusals included, and each attempt\'s spend under its model', async () => {
    /** Sum of every series of a metric, optionally only those whose labels match. */
    const total = (name: string, labels = '') => {
      let sum = 0;
      for (const line of rt.metrics.render().split('\n')) {
        const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
        if (m && (m[1] ?? '').includes(labels)) sum += Number(m[2]);
      }
      return sum;
    };
    const snapshot = () => ({
      requests: total('tollgate_requests_total'),
      misses: total('tollgate_cache_misses_total'),
      failed: total('tollgate_requests_total', 'status="upstream_error"'),
      refused: total('tollgate_requests_total', 'status="budget_exceeded"'),
      overheads: total('tollgate_overhead_ms_count'),
    });
    const before = snapshot();
    const probe = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Summarise the note for Ines Duarte.' }] }, { headers: { 'x-tollgate-task': 'summarize', 'x-tollgate-cache': 'off' } })
      .withResponse();
    const first = probe.response.headers.get('x-tollgate-model')!;
    // Two attempts (a fallback), one request; the cache was not asked.
    await client.chat.completions.create(
      { model: 'auto', messages: [{ role: 'user', content: `Summarise the note for Ines Duarte. [simulate:error 503 ${first}]` }] },
      { headers: { 'x-tollgate-task': 'summarize', 'x-tollgate-cache': 'off' } },
    );
    // Every attempt fails: one request, answered 502, its cache miss counted once.
    await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Summarise the note for Ines Duarte. [simulate:error 503]' }] }, { headers: { 'x-tollgate-task': 'summarize' } }).catch(() => null);
    // A budget refuses before any attempt (after the cache was asked: a miss too).
    const created = await createKey(
      new Request('http://localhost/api/v1/keys', {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'metrics-broke-bot', department: 'dep_claims', agent: 'metrics-broke-bot', budget: { limit_usd: '0.000001', window: 'day', enforcement: 'hard' } }),
      }),
    );
    const broke = new OpenAI({ apiKey: ((await created.json()) as { key: string }).key, baseURL, maxRetries: 0 });
    expect(await broke.chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'Summarise.' }] }).catch((e: unknown) => (e as { status?: number }).status)).toBe(429);

    const after = snapshot();
    expect(after.requests - before.requests).toBe(4);
    expect(after.failed - before.failed).toBe(1);
    expect(after.refused - before.refused).toBe(1);
    expect(after.misses - before.misses).toBe(2);
    // Overhead is observed once per answered request (the probe and the fallback), never as 0 for a failed attempt.
    expect(after.overheads - before.overheads).toBe(2);
  });

  it("lowers a model's expected quality when its answers are reported wrong", async () => {
    const { response } = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Summarise: branch closing times changed.' }] }, { headers: { 'x-tollgate-task': 'summarize', 'x-tollgate-cache': 'off' } })
      .withResponse();
    const id = response.headers.get('x-tollgate-request-id')!;
    const ledger = await row(id);
    const before = rt.quality.lookupFor(ORG_ID)(ledger.model_id!, 'summarize');
    const res = await postFeedback(
      new Request('http://localhost/api/v1/feedback', {
        method: 'POST',
        headers: { authorization: `Bearer ${AGENT_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ request_id: id, kind: 'wrong', note: 'missed the weekend hours' }),
      }),
    );
    expect(res.status).toBe(201);
    expect(rt.quality.lookupFor(ORG_ID)(ledger.model_id!, 'summarize')).toBeLessThan(before);
    const unknown = await postFeedback(
      new Request('http://localhost/api/v1/feedback', {
        method: 'POST',
        headers: { authorization: `Bearer ${AGENT_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ request_id: 'req_nope', kind: 'wrong' }),
      }),
    );
    expect(unknown.status).toBe(404);
  });
});
