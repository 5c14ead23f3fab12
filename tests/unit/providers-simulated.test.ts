/**
 * The simulator: deterministic replies that fit the task, usage that matches
 * the text token for token, an exact max_tokens cap, latency that honours the
 * abort signal, and failures that tests can count on.
 */
import { describe, expect, it } from 'vitest';
import { ZERO_TOKENS } from '@/lib/engine/pricing';
import { countChatTokens, countTokens } from '@/lib/engine/tokens';
import { normaliseUsage } from '@/lib/engine/usage';
import { simulatedAdapter } from '@/lib/providers/simulated';
import { cutToTokens } from '@/lib/providers/simulated-reply';
import { UpstreamError, type ChatRequest, type UpstreamCall } from '@/lib/providers/types';
import { collect, failure } from '../support/providers';

const NO_LATENCY = { firstTokenMs: 0, perTokenMs: 0, jitterMs: 0 };
const sim = (options: Parameters<typeof simulatedAdapter>[0] = {}) => simulatedAdapter({ latency: NO_LATENCY, now: () => 1_767_225_600_000, ...options });

const REPORT =
  'Summarize the following incident report for the weekly risk committee. On 3 March the payments gateway suffered an outage lasting ' +
  '47 minutes. Card authorisations failed for customers in the EU region. The root cause was an expired TLS certificate on the load ' +
  'balancer. The on-call engineer rotated the certificate and traffic recovered. Finance estimates lost revenue of about 120,000 euros, ' +
  'and the certificate inventory is being moved to automated renewal across all regions.';

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'gpt-5-mini',
  messages: [
    { role: 'system', content: 'You are a careful assistant at a bank-insurer.' },
    { role: 'user', content },
  ],
  ...extra,
});
const call = (request: ChatRequest, overrides: Partial<UpstreamCall> = {}): UpstreamCall => ({ request, signal: new AbortController().signal, timeoutMs: 5_000, ...overrides });


type OpenAiUsage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };

describe('replies', () => {
  it('are deterministic: the same request gives the same text and usage, on any adapter instance', async () => {
    const a = await sim().complete(call(ask(REPORT, { temperature: 0.3 })));
    const b = await sim().complete(call(ask(REPORT, { temperature: 0.3 })));
    expect(b.completion.choices).toEqual(a.completion.choices);
    expect(b.usage).toEqual(a.usage);
    expect(b.completion.id).toBe(a.completion.id);
  });

  it('depend on model, temperature and seed', async () => {
    const text = async (request: ChatRequest, seed = 0) => (await sim({ seed }).complete(call(request))).completion.choices[0]!.message.content;
    const base = await text(ask(REPORT));
    const variants = [await text(ask(REPORT, { model: 'claude-haiku-4-5' })), await text(ask(REPORT, { temperature: 0.9 })), await text(ask(REPORT), 7)];
    for (const variant of variants) expect(variant).not.toBe(base);
  });

  it('report usage that matches the text exactly, OpenAI-style, accepted by the normaliser', async () => {
    const request = ask(REPORT);
    const { completion, usage } = await sim().complete(call(request));
    const text = completion.choices[0]!.message.content!;
    const raw = usage!.raw as OpenAiUsage;
    expect(usage!.provider).toBe('openai');
    expect(raw).toEqual({
      prompt_tokens: countChatTokens(request.messages),
      completion_tokens: countTokens(text),
      total_tokens: countChatTokens(request.messages) + countTokens(text),
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(completion.usage).toEqual(raw);
    expect(normaliseUsage('openai', raw)).toEqual({ ...ZERO_TOKENS, inputTokens: raw.prompt_tokens, outputTokens: raw.completion_tokens });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
  });

  it('fit the task: a summary reads like one, a classification is one of the offered labels, an extraction is JSON', async () => {
    const summary = (await sim().complete(call(ask(REPORT)))).completion.choices[0]!.message.content!;
    expect(summary).toMatch(/summary|in short|the passage|the text/i);
    expect(countTokens(summary)).toBeLessThan(countTokens(REPORT));

    const labels = ['billing', 'fraud', 'technical', 'other'];
    for (const ticket of ['I was charged twice for my card.', 'The app crashes on login.', 'Someone used my card abroad.']) {
      const label = (await sim().complete(call(ask(`Classify this support ticket into one of: billing, fraud, technical, other.\nTicket: ${ticket}`)))).completion.choices[0]!.message.content!;
      expect(labels).toContain(label);
    }

    const extracted = (await sim().complete(call(ask('Extract the name, date and amount from this invoice as JSON: Jane Doe, 2026-01-04, total 450 EUR')))).completion.choices[0]!.message.content!;
    expect(Object.keys(JSON.parse(extracted) as object)).toEqual(expect.arrayContaining(['name', 'date', 'amount']));

    const kyc = (await sim().complete(call(ask('KYC check for new customer Maria Gonzalez, self-employed architect.')))).completion.choices[0]!.message.content!;
    expect(kyc).toMatch(/Risk rating: (low|medium|high)\. Recommendation: /);
    const claim = (await sim().complete(call(ask('Adjust this claim: a burst pipe in the kitchen caused water damage to the flooring.')))).completion.choices[0]!.message.content!;
    expect(claim).toMatch(/^(Claim|Assessment of claim) CLM-\d{6}/);
  });

  it('call a tool when tools are given and the prompt asks for one', async () => {
    const tools = [{ type: 'function', function: { name: 'get_policy', parameters: { type: 'object', properties: { policy_id: { type: 'string' }, as_of: { type: 'string', format: 'date' } }, required: ['policy_id'] } } }];
    const request = ask('Use the get_policy tool to look up the policy for this claim.', { tools });
    const { completion, usage } = await sim().complete(call(request));
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const toolCall = choice.message.tool_calls![0]!;
    expect(toolCall.function.name).toBe('get_policy');
    expect(Object.keys(JSON.parse(toolCall.function.arguments) as object)).toEqual(['policy_id']);
    expect((usage!.raw as OpenAiUsage).completion_tokens).toBe(countTokens('get_policy') + countTokens(toolCall.function.arguments));

    const streamed = await collect((await sim().stream(call(request))).chunks);
    const args = streamed.flatMap((c) => (c.choices[0]!.delta.tool_calls ?? []) as { function: { arguments: string } }[]).map((t) => t.function.arguments);
    expect(args.join('')).toBe(toolCall.function.arguments);
    expect(streamed.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');

    const plain = await sim().complete(call(ask('What does this policy cover?', { tools })));
    expect(plain.completion.choices[0]!.finish_reason).toBe('stop');
  });
});

describe('max tokens', () => {
  it('cuts the reply at exactly the cap, with finish_reason length', async () => {
    const full = (await sim().complete(call(ask(REPORT)))).completion.choices[0]!.message.content!;
    for (const cap of [1, 2, 5, 17, 33, 40]) {
      for (const key of ['max_tokens', 'max_completion_tokens'] as const) {
        const { completion, usage } = await sim().complete(call(ask(REPORT, { [key]: cap })));
        const text = completion.choices[0]!.message.content!;
        expect(completion.choices[0]!.finish_reason).toBe('length');
        expect(countTokens(text)).toBe(cap);
        expect((usage!.raw as OpenAiUsage).completion_tokens).toBe(cap);
        expect(full.startsWith(text)).toBe(true);
      }
    }
  });

  it('a cap above the reply changes nothing', async () => {
    const full = await sim().complete(call(ask(REPORT)));
    const roomy = await sim().complete(call(ask(REPORT, { max_tokens: 10_000 })));
    expect(roomy.completion.choices).toEqual(full.completion.choices);
  });

  it('cutToTokens re-tokenises to exactly n across many texts and caps', () => {
    const texts = [REPORT, 'naïve café déjà vu — “quotes” and emoji 👋🏽 mixed with code: const x = a?.b ?? 0;', 'internationalisation '.repeat(20)];
    for (const text of texts) {
      for (let n = 1; n < Math.min(60, countTokens(text)); n++) expect(countTokens(cutToTokens(text, n)), `${n} of ${text.slice(0, 20)}`).toBeLessThanOrEqual(n);
    }
    for (let n = 1; n < countTokens(REPORT); n++) expect(countTokens(cutToTokens(REPORT, n))).toBe(n);
  });
});

describe('streaming', () => {
  it('yields the same text as complete, in token-sized pieces, and the same usage once read', async () => {
    const request = ask(REPORT);
    const whole = await sim().complete(call(request));
    const result = await sim().stream(call({ ...request, stream: true }));
    expect(result.usage()).toBeNull();
    const chunks = await collect(result.chunks);

    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.at(-1)!.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    const pieces = chunks.slice(1, -1).map((c) => c.choices[0]!.delta.content!);
    expect(pieces.join('')).toBe(whole.completion.choices[0]!.message.content);
    expect(pieces.length).toBe((whole.usage!.raw as OpenAiUsage).completion_tokens);
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(result.usage()).toEqual(whole.usage);
  });

  it('a capped stream ends with finish_reason length and exactly the cap in usage', async () => {
    const result = await sim().stream(call(ask(REPORT, { max_tokens: 9 })));
    const chunks = await collect(result.chunks);
    expect(countTokens(chunks.map((c) => c.choices[0]!.delta.content ?? '').join(''))).toBe(9);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('length');
    expect((result.usage()!.raw as OpenAiUsage).completion_tokens).toBe(9);
  });

  it('paces tokens with the configured latency', async () => {
    const adapter = sim({ latency: { firstTokenMs: 30, perTokenMs: 1, jitterMs: 0 } });
    const started = Date.now();
    const result = await adapter.stream(call(ask(REPORT, { max_tokens: 60 })));
    await collect(result.chunks);
    // 30 ms to the first token, then 60 × 1 ms, slept in groups.
    expect(Date.now() - started).toBeGreaterThanOrEqual(85);
  });
});

describe('failures', () => {
  it('markers in the last user message force errors', async () => {
    const e503 = await failure(sim().complete(call(ask('Summarize this. [simulate:error 503]'))));
    expect([e503.kind, e503.status, e503.retryable]).toEqual(['http', 503, true]);
    expect(e503.message).toMatch(/^503 /);

    const e429 = await failure(sim().stream(call(ask('[simulate:error 429] Classify this.'))));
    expect([e429.kind, e429.status, e429.retryable]).toEqual(['http', 429, true]);

    const e400 = await failure(sim().complete(call(ask('[simulate:error 400]'))));
    expect([e400.status, e400.retryable]).toEqual([400, false]);

    const timeout = await failure(sim().complete(call(ask('Hello [simulate:timeout]'), { timeoutMs: 50 })));
    expect([timeout.kind, timeout.retryable]).toEqual(['timeout', true]);
    const streamTimeout = await failure(sim().stream(call(ask('Hello [simulate:timeout]'), { timeoutMs: 50 })));
    expect(streamTimeout.kind).toBe('timeout');
  });

  it('a marker in an earlier message does not count', async () => {
    const request: ChatRequest = {
      model: 'gpt-5-mini',
      messages: [
        { role: 'user', content: '[simulate:error 503]' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'Now summarize the thread.' },
      ],
    };
    await expect(sim().complete(call(request))).resolves.toBeDefined();
  });

  it('latency longer than the timeout gives timeout; a client abort gives aborted', async () => {
    const slow = sim({ latency: { firstTokenMs: 2_000, perTokenMs: 0, jitterMs: 0 } });
    const started = Date.now();
    expect((await failure(slow.complete(call(ask(REPORT), { timeoutMs: 40 })))).kind).toBe('timeout');
    const stream = await slow.stream(call(ask(REPORT), { timeoutMs: 40 }));
    expect((await failure(collect(stream.chunks))).kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_500);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const aborted = await failure(slow.complete(call(ask(REPORT), { signal: controller.signal })));
    expect([aborted.kind, aborted.retryable]).toEqual(['aborted', false]);
  });

  it('errorRate fails the same requests every time, and per-model profiles override it', async () => {
    const prompts = Array.from({ length: 40 }, (_, i) => ask(`Summarize ticket number ${i}: the customer cannot log in.`));
    const outcome = async (adapter: ReturnType<typeof sim>) =>
      Promise.all(prompts.map((p) => adapter.complete(call(p)).then(() => 'ok', (e: UpstreamError) => `${e.kind}:${e.status}`)));
    const first = await outcome(sim({ errorRate: 0.3, seed: 1 }));
    const second = await outcome(sim({ errorRate: 0.3, seed: 1 }));
    expect(second).toEqual(first);
    const failed = first.filter((o) => o !== 'ok');
    expect(failed.length).toBeGreaterThan(4);
    expect(failed.length).toBeLessThan(24);
    expect(new Set(failed)).toEqual(new Set(['http:503']));

    const healthy = await outcome(sim({ errorRate: 0.3, seed: 1, profiles: { 'openai/gpt-5-mini': { errorRate: 0 } } }));
    expect(healthy.every((o) => o === 'ok')).toBe(true);

    const hanging = await failure(sim({ timeoutRate: 1 }).complete(call(ask(REPORT), { timeoutMs: 30 })));
    expect(hanging.kind).toBe('timeout');
  });
});
