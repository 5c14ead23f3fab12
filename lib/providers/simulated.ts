/**
 * The built-in provider: no network, deterministic. The reply comes from
 * `simulated-reply.ts`; this module adds latency (first token, per token,
 * seeded jitter, all honouring the abort signal), failures (seeded per
 * request by `errorRate` / `timeoutRate`, or forced by a marker in the last
 * user message: `[simulate:error 503]`, `[simulate:error 429]` (add a model
 * names, `[simulate:error 503 gpt-5-nano,llama-3.3-70b]`, to fail only those),
 * `[simulate:timeout]`), streaming in the tokenizer's own pieces, and usage
 * that matches the text exactly, OpenAI-style.
 */
import { Random } from '@/lib/engine/random';
import { countChatTokens, countTokens } from '@/lib/engine/tokens';
import { sleep, startAttempt, untilAborted, type Attempt } from './attempt';
import { lastUserText, requestHash, simulateReply, tokenPieces, type SimulatedReply } from './simulated-reply';
import {
  UpstreamError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatRequest,
  type CompletionResult,
  type ProviderAdapter,
  type StreamResult,
  type UpstreamCall,
  type UpstreamUsage,
} from './types';

export interface SimulatedLatency {
  /** Time to the first token (streaming) or the fixed part of a whole reply. */
  firstTokenMs: number;
  perTokenMs: number;
  /** Up to this much is added to `firstTokenMs`, seeded per request. */
  jitterMs: number;
}

export interface SimulatedProfile {
  seed?: number;
  latency?: Partial<SimulatedLatency>;
  /** Share of requests, in [0, 1], that fail with a 503 (chosen by the request's hash, so always the same ones). */
  errorRate?: number;
  /** Share of requests, in [0, 1], that never answer (so the gateway's timeout fires). */
  timeoutRate?: number;
}

export interface SimulatedOptions extends SimulatedProfile {
  /** Per model (`request.model`, or a catalog id ending in `/<model>`): overrides of the options above. */
  profiles?: Record<string, SimulatedProfile>;
  /** Unix milliseconds, for `created`. Default `Date.now`. */
  now?: () => number;
}

/** Lively but believable: ~0.1 s to the first token, then ~500 tokens/s. Small models run faster, frontier ones slower. */
export const DEFAULT_SIMULATED_LATENCY: SimulatedLatency = { firstTokenMs: 120, perTokenMs: 2, jitterMs: 80 };

/** Timers shorter than this are batched: streaming sleeps once per group of pieces, never once per token. */
const MIN_SLEEP_MS = 8;

function speedFactor(model: string): number {
  if (/nano|mini|haiku|flash|lite|small|\b[1-9]b\b/i.test(model)) return 0.6;
  if (/opus|\bpro\b|large|70b|405b/i.test(model)) return 1.6;
  return 1;
}

interface Plan {
  seed: number;
  latency: SimulatedLatency;
  /** Seeded per request: decides failures and jitter, independent of the reply text. */
  rng: Random;
  failure: { kind: 'error'; status: number } | { kind: 'timeout' } | null;
}

function profileFor(profiles: Record<string, SimulatedProfile> | undefined, model: string): SimulatedProfile {
  if (!profiles) return {};
  if (profiles[model]) return profiles[model];
  const key = Object.keys(profiles).find((k) => k.endsWith(`/${model}`) || model.endsWith(`/${k}`));
  return key ? profiles[key]! : {};
}

/** `[simulate:error 503]` fails every model; `[simulate:error 503 gpt-5-nano]` only that one (so a fallback can succeed). */
const MARKER_ERROR = /\[simulate:error\s+(\d{3})(?:\s+([A-Za-z0-9._\/,-]+))?\]/i;
const MARKER_TIMEOUT = /\[simulate:timeout(?:\s+([A-Za-z0-9._\/,-]+))?\]/i;

/** Whether a marker naming models (comma-separated) applies to this request's model. */
function markerApplies(named: string | undefined, model: string): boolean {
  return !named || named.split(',').some((n) => n === model || model.endsWith(`/${n}`));
}

function plan(options: SimulatedOptions, request: ChatRequest): Plan {
  const profile = profileFor(options.profiles, request.model);
  const seed = profile.seed ?? options.seed ?? 0;
  const factor = speedFactor(request.model);
  const latency: SimulatedLatency = {
    firstTokenMs: DEFAULT_SIMULATED_LATENCY.firstTokenMs * factor,
    perTokenMs: DEFAULT_SIMULATED_LATENCY.perTokenMs * factor,
    jitterMs: DEFAULT_SIMULATED_LATENCY.jitterMs,
    ...options.latency,
    ...profile.latency,
  };
  const rng = new Random(requestHash(request, seed) ^ 0x5bd1e995);
  const roll = rng.next();
  const errorRate = profile.errorRate ?? options.errorRate ?? 0;
  const timeoutRate = profile.timeoutRate ?? options.timeoutRate ?? 0;

  const text = lastUserText(request);
  const marked = MARKER_ERROR.exec(text);
  const status = marked && markerApplies(marked[2], request.model) ? Number(marked[1]) : 0;
  const timeoutMarked = MARKER_TIMEOUT.exec(text);
  let failure: Plan['failure'] = null;
  if (status >= 400 && status <= 599) failure = { kind: 'error', status };
  else if (timeoutMarked && markerApplies(timeoutMarked[1], request.model)) failure = { kind: 'timeout' };
  else if (roll < errorRate) failure = { kind: 'error', status: 503 };
  else if (roll < errorRate + timeoutRate) failure = { kind: 'timeout' };
  return { seed, latency, rng, failure };
}

function errorMessage(status: number): string {
  if (status === 429) return 'Rate limit reached for requests (simulated)';
  if (status === 529) return 'Overloaded (simulated)';
  if (status >= 500) return status === 500 ? 'The server had an error while processing your request (simulated)' : 'The upstream is temporarily unavailable (simulated)';
  return 'The request was refused (simulated)';
}

/** Waits as a failing upstream would, then fails; a hanging one waits for the signal. */
async function fail(plan: Plan, attempt: Attempt): Promise<void> {
  if (!plan.failure) return;
  if (plan.failure.kind === 'timeout') await untilAborted(attempt.signal);
  else {
    await sleep(plan.latency.firstTokenMs, attempt.signal);
    throw new UpstreamError('http', `${plan.failure.status} ${errorMessage(plan.failure.status)}`, { status: plan.failure.status });
  }
}

function usageOf(promptTokens: number, completionTokens: number): UpstreamUsage {
  return {
    provider: 'openai',
    raw: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
  };
}

function completionOf(request: ChatRequest, reply: SimulatedReply, id: string, created: number, usage: UpstreamUsage): ChatCompletion {
  return {
    id,
    object: 'chat.completion',
    created,
    model: request.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.toolCall ? null : reply.text,
          ...(reply.toolCall ? { tool_calls: [reply.toolCall] } : {}),
          refusal: null,
        },
        finish_reason: reply.finishReason,
        logprobs: null,
      },
    ],
    usage: usage.raw as Record<string, unknown>,
    system_fingerprint: 'fp_tollgate_sim',
  };
}

export function simulatedAdapter(options: SimulatedOptions = {}): ProviderAdapter {
  const now = options.now ?? Date.now;

  return {
    kind: 'simulated',

    async complete(call: UpstreamCall): Promise<CompletionResult> {
      const attempt = startAttempt(call);
      const p = plan(options, call.request);
      try {
        await fail(p, attempt);
        const reply = simulateReply(call.request, p.seed);
        const usage = usageOf(countChatTokens(call.request.messages), reply.completionTokens);
        const { firstTokenMs, perTokenMs, jitterMs } = p.latency;
        await sleep(firstTokenMs + p.rng.next() * jitterMs + perTokenMs * reply.completionTokens, attempt.signal);
        const completion = completionOf(call.request, reply, `chatcmpl-sim${p.rng.hex(24)}`, Math.floor(now() / 1000), usage);
        return { completion, usage };
      } catch (error) {
        throw attempt.fail(error);
      } finally {
        attempt.end();
      }
    },

    async stream(call: UpstreamCall): Promise<StreamResult> {
      const attempt = startAttempt(call);
      const p = plan(options, call.request);
      try {
        await fail(p, attempt);
      } catch (error) {
        attempt.end();
        throw attempt.fail(error);
      }
      // From here the attempt lasts until its stream closes (simulatedChunks ends it).
      const reply = simulateReply(call.request, p.seed);
      const promptTokens = countChatTokens(call.request.messages);
      let emitted = '';
      let complete = false;
      let started = false;
      return {
        chunks: simulatedChunks(call.request, reply, p, attempt, Math.floor(now() / 1000), {
          started: () => (started = true),
          emit: (piece) => (emitted += piece),
          done: () => (complete = true),
        }),
        // Cut short, the upstream has still produced (and would bill) what it sent.
        usage: () =>
          complete ? usageOf(promptTokens, reply.completionTokens) : started ? usageOf(promptTokens, countTokens(emitted)) : null,
      };
    },
  };
}

async function* simulatedChunks(
  request: ChatRequest,
  reply: SimulatedReply,
  p: Plan,
  attempt: Attempt,
  created: number,
  track: { started(): void; emit(piece: string): void; done(): void },
): AsyncGenerator<ChatCompletionChunk> {
  const id = `chatcmpl-sim${p.rng.hex(24)}`;
  const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish: ChatCompletionChunk['choices'][number]['finish_reason'] = null): ChatCompletionChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: request.model,
    system_fingerprint: 'fp_tollgate_sim',
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  const { firstTokenMs, perTokenMs, jitterMs } = p.latency;
  try {
    await sleep(firstTokenMs + p.rng.next() * jitterMs, attempt.signal);
    track.started();
    const call = reply.toolCall;
    yield chunk(call ? { role: 'assistant', content: null } : { role: 'assistant', content: '' });
    if (call) yield chunk({ tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] });
    let owed = 0;
    for (const piece of tokenPieces(call ? call.function.arguments : reply.text)) {
      owed += perTokenMs;
      if (owed >= MIN_SLEEP_MS) {
        await sleep(owed, attempt.signal);
        owed = 0;
      }
      track.emit(piece);
      yield chunk(call ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece });
    }
    await sleep(owed, attempt.signal);
    track.done();
    yield chunk({}, reply.finishReason);
  } catch (error) {
    throw attempt.fail(error);
  } finally {
    attempt.end();
  }
}
