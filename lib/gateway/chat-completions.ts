/**
 * POST /api/v1/chat/completions, written once over the engine and the
 * stores and mounted both as a Next.js route handler and on the production
 * server's thin Node layer.
 *
 *   key -> body (zod) -> task -> route (engine) -> cache -> upstream attempts
 *   down the fallback chain -> ledger (every attempt) -> reply
 *
 * Nothing is written and nothing is sent upstream until the request has
 * passed every check. The reply does not wait for the ledger commit: rows go
 * to the group-commit writer as the reply leaves (see README, "Gateway").
 */
import { performance } from 'node:perf_hooks';
import type { Actor } from '@/lib/auth/actor';
import { can } from '@/lib/auth/permissions';
import { hashText } from '@/lib/engine/cache';
import type { CacheScope, CachedResponse } from '@/lib/engine/cache/types';
import { AuthenticationError, PermissionError, TollgateError, ValidationError } from '@/lib/engine/errors';
import { nanoToUsdString } from '@/lib/engine/money';
import { addTokens, completionTokens, promptTokens as promptSide, ZERO_TOKENS, type TokenBuckets } from '@/lib/engine/pricing';
import { inferTask, routeRequest, DEFAULT_THRESHOLDS } from '@/lib/engine/router';
import type { RouteDecision, RoutableModel } from '@/lib/engine/router/types';
import { countChatTokens, countTokens, messageText } from '@/lib/engine/tokens';
import { normaliseUsage } from '@/lib/engine/usage';
import { actorForApiKey, bearerToken } from '@/lib/http/authenticate';
import { errorResponseBody } from '@/lib/http/errors';
import { sseData, SSE_DONE } from '@/lib/providers';
import { UpstreamError, type ChatCompletion, type ChatCompletionChunk, type ChatRequest, type StreamResult, type UpstreamUsage } from '@/lib/providers/types';
import { cacheScope, conversationText, requestOptionsHash, servable } from './cache-key';
import { attemptRows, cacheHitRow, newRequestId, type AttemptRecord, type CallContext } from './call-context';
import { loopSessionKey } from '@/lib/engine/governance/loop-guard';
import { admit, attributionOf, callPolicies, checkGuards, giveBackApproval, GuardRefusal, projectChain, settleAdmission, type Admission } from './governance';
import { recordAttemptUsage, recordFallback, recordRequest, recordUpstreamAttempt } from './metrics';
import { chatRequestSchema, maxBodyBytes, parseTollgateHeaders, requestedMaxTokens, type HeaderSource, type ParsedChatRequest } from './request';
import type { GatewayRuntime } from './runtime';
import type { ReplyHeaders, ReplySink } from './sink';
import { openAiUsage } from './usage-shape';

export interface GatewayRequest {
  headers: HeaderSource;
  /** Reads the JSON body: content type checked, size capped (413), parsed. */
  readJson(maxBytes: number): Promise<unknown>;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
}

/** How long a repeated prompt in the same session counts as a retry of the previous answer. */
const RETRY_WINDOW_MS = 10 * 60_000;

export async function authenticateAgent(rt: GatewayRuntime, headers: HeaderSource): Promise<Actor> {
  const key = bearerToken(headers);
  if (!key) throw new AuthenticationError('Send an API key as `Authorization: Bearer <key>`.');
  const actor = await actorForApiKey(rt.db, key);
  if (!actor) throw new AuthenticationError('Incorrect API key provided.');
  if (!can(actor.role, 'gateway.call')) throw new PermissionError('This key cannot call the gateway.');
  return actor;
}

function routeFailure(decision: Extract<RouteDecision, { ok: false }>): TollgateError {
  switch (decision.failure) {
    case 'unknown_model':
      return new TollgateError('not_found_error', 404, decision.message, { param: 'model', code: 'model_not_found' });
    case 'model_forbidden':
      return new PermissionError(decision.message);
    case 'context_too_large':
      return new ValidationError(decision.message, { param: 'messages', code: 'context_length_exceeded' });
    case 'max_tokens_too_large':
      return new ValidationError(decision.message, { param: 'max_tokens' });
    case 'no_model_available':
      return new TollgateError('upstream_error', 503, decision.message);
  }
}

function replyHeaders(requestId: string, model: string, tier: string, cache: 'hit' | 'miss', costNano: bigint | null, overheadMs: number): ReplyHeaders {
  const headers: ReplyHeaders = {
    'x-tollgate-request-id': requestId,
    'x-tollgate-model': model,
    'x-tollgate-tier': tier,
    'x-tollgate-cache': cache,
    'x-tollgate-overhead-ms': overheadMs.toFixed(3),
  };
  if (costNano !== null) headers['x-tollgate-cost-usd'] = nanoToUsdString(costNano, 2);
  return headers;
}

function completionFromCache(requestId: string, cached: CachedResponse, created: number): ChatCompletion {
  return {
    id: `chatcmpl-${requestId}`,
    object: 'chat.completion',
    created,
    model: cached.modelName,
    choices: [{ index: 0, message: { role: 'assistant', content: cached.content, refusal: null }, finish_reason: cached.finishReason, logprobs: null }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
    system_fingerprint: null,
  };
}

/** Token buckets from the upstream's own usage object; the tokenizer's count when it sent none. */
function bucketsFrom(usage: UpstreamUsage | null, promptTokens: number, completionText: string): { tokens: TokenBuckets; estimated: boolean } {
  if (usage) {
    try {
      return { tokens: normaliseUsage(usage.provider, usage.raw), estimated: false };
    } catch (error) {
      console.error('[tollgate] upstream usage could not be read; counting tokens instead', error instanceof Error ? error.message : error);
    }
  }
  return { tokens: { ...ZERO_TOKENS, inputTokens: promptTokens, outputTokens: countTokens(completionText) }, estimated: true };
}

function upstreamStatus(error: UpstreamError): number {
  if (error.kind === 'timeout') return 504;
  if (error.kind === 'aborted') return 499;
  return error.status ?? 502;
}

/** The ledger's error type for an upstream's failure. */
function upstreamErrorType(error: UpstreamError): 'upstream_timeout' | 'upstream_error' {
  return error.kind === 'timeout' ? 'upstream_timeout' : 'upstream_error';
}

function completionContent(completion: ChatCompletion): string {
  return completion.choices[0]?.message?.content ?? '';
}

/** Everything the model wrote, for counting its tokens when the upstream did not: the text and each tool call's name and arguments. */
function generatedText(completion: ChatCompletion): string {
  const message = completion.choices[0]?.message;
  let text = message?.content ?? '';
  for (const call of message?.tool_calls ?? []) text += (call.function?.name ?? '') + (call.function?.arguments ?? '');
  return text;
}

/**
 * Token buckets of a stream cut short (the client left, or the upstream
 * failed mid-way): what the upstream had already reported (Anthropic sends
 * the prompt side, cache reads and writes included, when the message
 * starts), with at least the output the client was sent, counted.
 */
function cutShortBuckets(usage: UpstreamUsage | null, promptTokens: number, generated: string): { tokens: TokenBuckets; reported: boolean } {
  const { tokens, estimated } = bucketsFrom(usage, promptTokens, generated);
  if (estimated) return { tokens, reported: false };
  return { tokens: { ...tokens, outputTokens: Math.max(tokens.outputTokens, countTokens(generated) - tokens.reasoningTokens) }, reported: true };
}

/** Upstream rejections that are the caller's fault go back as 400; the rest are Tollgate's problem (502). */
function nonRetryableError(error: UpstreamError): TollgateError {
  if (error.status === 400 || error.status === 404 || error.status === 413 || error.status === 422) {
    return new ValidationError(`The upstream rejected the request: ${error.message}`);
  }
  return new TollgateError('upstream_error', 502, `The upstream failed: ${error.message}`);
}

export async function chatCompletions(rt: GatewayRuntime, req: GatewayRequest, sink: ReplySink): Promise<void> {
  const requestId = newRequestId();
  let streaming = false;
  /** Set while an approval admitted this call and no answer has gone out: a call that ends unanswered gives it back. */
  let giveBack: ((error: unknown) => Promise<void>) | null = null;
  try {
    const actor = await authenticateAgent(rt, req.headers);
    const body = chatRequestSchema.parse(await req.readJson(maxBodyBytes()));
    const tg = parseTollgateHeaders(req.headers);
    const occurredAt = new Date();
    const { book, models } = await rt.models(actor.organisationId);
    const promptTokens = countChatTokens(body.messages);
    const inferred = tg.task ? null : inferTask(body.messages);
    const task = tg.task ?? inferred!.task;
    const attribution = attributionOf(actor, tg.session);
    const policies = await callPolicies(rt, attribution);
    const decision = routeRequest({
      requestedModel: body.model,
      task,
      taskSource: tg.task ? 'header' : 'inferred',
      promptTokens,
      maxOutputTokens: requestedMaxTokens(body),
      models,
      thresholds: { ...DEFAULT_THRESHOLDS, ...policies.thresholds },
      quality: rt.quality.lookupFor(actor.organisationId),
      health: rt.health.at(Date.now()),
      forbidden: policies.forbidden,
    });
    if (!decision.ok) throw routeFailure(decision);

    const ctx: CallContext = { requestId, actor, occurredAt, task, sessionId: tg.session, workflowRunId: tg.workflowRun, book };
    const conversation = conversationText(body);
    const optionsHash = requestOptionsHash(body);
    // Retry tracking sees the whole request (the same words about another image are a new question), and only a session has retries.
    const promptHash = tg.session ? hashText(optionsHash ? `${conversation}\u0000${optionsHash}` : conversation) : null;
    const projection = projectChain(book, decision.chain, actor.organisationId, promptTokens, requestedMaxTokens(body), occurredAt);
    /** Whether the response cache was asked and could not answer, for the request's metrics. */
    let cacheAsked: 'none' | 'miss' = 'none';
    // A refused call is on the ledger with why, then answered with the refusal's error.
    const refuse = (error: unknown): never => {
      if (!(error instanceof GuardRefusal)) throw error;
      const model = decision.chain[0]!;
      commit(rt, attemptRows(ctx, [refusedAttempt(model, error, decision.reason)]));
      recordRequest(rt.metrics, { organisation: actor.organisationId, tier: model.tier, model: model.name, department: actor.departmentId ?? '', status: error.error.type, cache: cacheAsked, savedNano: 0n, overheadMs: null });
      throw error.error;
    };
    const { approvalUsed } = await checkGuards({
      rt, actor, attribution, policies, requestId, task, workflowRunId: tg.workflowRun, confidence: tg.confidence, approvalId: tg.approval,
      latestTurn: latestTurn(body), model: decision.chain[0]!, projection, now: occurredAt,
    }).catch(refuse);
    if (approvalUsed) giveBack = (error) => giveBackApproval(rt, attribution, approvalUsed, requestId, error);
    const retried = noteRetry(rt, ctx, promptHash);

    // A session re-asking the same thing wants a new answer, not the cached one it just got.
    const cacheable = !retried && (req.headers.get('x-tollgate-cache') ?? '').toLowerCase() !== 'off';
    const scope = cacheScope(actor, body, task, optionsHash);
    if (cacheable) {
      const hit = rt.cache.lookup(scope, conversation, Date.now());
      if (hit && servable(hit, body)) {
        giveBack = null;
        const created = Math.floor(occurredAt.getTime() / 1000);
        const completion = completionFromCache(requestId, hit.response, created);
        const overheadMs = performance.now() - req.startedAt;
        const reason = `cache ${hit.kind} hit (similarity ${hit.similarity.toFixed(3)}) of ${hit.response.sourceRequestId}, answered by ${hit.response.modelName}; saved ${nanoToUsdString(hit.response.costNano, 2)} USD`;
        const row = cacheHitRow(ctx, {
          modelId: hit.response.modelId,
          modelName: hit.response.modelName,
          provider: models.find((m) => m.id === hit.response.modelId)?.provider ?? 'simulated',
          savedNano: hit.response.costNano,
          kind: hit.kind,
          similarity: hit.similarity,
          overheadMs,
          routeReason: reason,
        });
        commit(rt, [row]);
        recordRequest(rt.metrics, {
          organisation: actor.organisationId, tier: 'cache', model: hit.response.modelName, department: actor.departmentId ?? '', status: 'ok', cache: 'hit', savedNano: hit.response.costNano, overheadMs,
        });
        const headers = replyHeaders(requestId, hit.response.modelName, 'cache', 'hit', 0n, overheadMs);
        if (body.stream) {
          streaming = true;
          sink.startStream(headers);
          writeCachedStream(sink, completion, body.stream_options?.include_usage === true);
        } else {
          sink.json(200, headers, completion);
        }
        return;
      }
    }

    if (cacheable) cacheAsked = 'miss';
    const admission: Admission = await admit(rt, attribution, requestId, projection, occurredAt).catch(refuse);
    const attempts: AttemptRecord[] = [];
    let upstreamMs = 0;
    const chain = decision.chain;
    let settled = false;
    const settle = (rows: readonly { costNano: bigint }[] | null) => {
      if (settled) return;
      settled = true;
      settleAdmission(rt, admission, rows ? { tokens: sumTokens(attempts), costNano: rows.reduce((sum, r) => sum + r.costNano, 0n) } : null);
    };
    /** A call that ends unanswered: its attempts go on the ledger, its hold settles at what they cost, and it is counted. */
    const writeAttempts = () => {
      const rows = attemptRows(ctx, attempts);
      commit(rt, rows);
      settle(rows);
      recordAttempts(rt, actor, attempts, rows.map((r) => r.costNano), cacheAsked);
    };
    try {
    for (let i = 0; i < chain.length; i++) {
      const model = chain[i]!;
      const target = await rt
        .upstreams(actor.organisationId)
        .then((registry) => registry.resolve(model.id, model.name))
        .catch((error: unknown) => {
          // The registry reloads as a fallback begins: if that fails, the attempts already made still go on the ledger.
          if (attempts.length > 0) writeAttempts();
          throw error;
        });
      const reason = i === 0 ? decision.reason : `fallback ${i} after ${attempts[i - 1]?.errorType ?? 'no upstream'} on ${chain[i - 1]!.name}; ${decision.reason}`;
      if (!target) {
        attempts.push(failedAttempt(model, 'none', 503, 'no_upstream', 0, reason));
        continue;
      }
      const request: ChatRequest = { ...(body as unknown as ChatRequest), model: target.upstreamModel };
      const t0 = performance.now();
      try {
        if (body.stream) {
          const upstream = await target.adapter.stream({ request: { ...request, stream: true }, signal: req.signal, timeoutMs: target.timeoutMs });
          // The stream's opening is read before the reply starts: an upstream can refuse there too (Anthropic sends an
          // overload as the first event of a 200 stream, or right after the message starts), and until the client has
          // headers that can still fall back.
          const chunks = upstream.chunks[Symbol.asyncIterator]();
          const opening = await readOpening(chunks, OPENING_HOLD_MS);
          upstreamMs += performance.now() - t0;
          streaming = true;
          giveBack = null;
          const rows = await relayStream(rt, { req, sink, ctx, body, model, reason, upstreamName: target.upstreamName, upstream, chunks, opening, attempts, promptTokens, upstreamMs, scope, conversation, cacheable, promptHash });
          settle(rows);
          return;
        }
        const result = await target.adapter.complete({ request, signal: req.signal, timeoutMs: target.timeoutMs });
        const latencyMs = performance.now() - t0;
        upstreamMs += latencyMs;
        rt.health.record({ modelId: model.id, ok: true, latencyMs, now: Date.now() });
        recordUpstreamAttempt(rt.metrics, actor.organisationId, model.name, 'ok', latencyMs);
        const content = completionContent(result.completion);
        const { tokens, estimated } = bucketsFrom(result.usage, promptTokens, generatedText(result.completion));
        const overheadMs = performance.now() - req.startedAt - upstreamMs;
        attempts.push({
          model, upstreamName: target.upstreamName, status: 'ok', httpStatus: 200, errorType: null, tokens, latencyMs, overheadMs,
          routeReason: estimated ? `${reason} [usage counted by Tollgate: upstream sent none]` : reason,
        });
        const rows = attemptRows(ctx, attempts);
        const final = rows[rows.length - 1]!;
        const headers = replyHeaders(requestId, model.name, model.tier, 'miss', final.costNano, overheadMs);
        const completion: ChatCompletion = { ...result.completion, model: model.name };
        giveBack = null;
        sink.json(200, headers, completion);
        commit(rt, rows);
        settle(rows);
        afterReply(() => {
          recordAttempts(rt, actor, attempts, rows.map((r) => r.costNano), cacheAsked);
          rememberAnswer(rt, ctx, promptHash, model.id);
          const finish = result.completion.choices[0]?.finish_reason;
          // Only whole answers are cached: one cut off by the caller's token limit would be served to callers with a larger one.
          // Nor are refusals (a structured-output refusal has no content, only `refusal`): served again they would read as an empty answer.
          const message = result.completion.choices[0]?.message;
          if (cacheable && finish === 'stop' && !message?.tool_calls?.length && !message?.refusal) {
            rt.cache.store(scope, conversation, cachedFrom(model, content, tokens, final.costNano, requestId), Date.now());
          }
        });
        return;
      } catch (error) {
        const latencyMs = performance.now() - t0;
        upstreamMs += latencyMs;
        if (!(error instanceof UpstreamError)) {
          // A fault of Tollgate's own after the call went out: the attempts so far still go on the ledger, once.
          try {
            attempts.push(failedAttempt(model, target.upstreamName, 500, 'gateway_error', latencyMs, `${reason}; failed in Tollgate: ${error instanceof Error ? error.message : 'unknown error'}`));
            writeAttempts();
          } catch (bookkeeping) {
            console.error('[tollgate] recording the attempts of a failed call failed', bookkeeping);
          }
          throw error;
        }
        if (error.kind === 'aborted' || req.signal.aborted) {
          attempts.push(failedAttempt(model, target.upstreamName, 499, 'client_disconnected', latencyMs, reason));
          writeAttempts();
          // No answer went out: an approval this call used is free again for the retry.
          if (giveBack) await giveBack(new Error('the client disconnected before the answer'));
          giveBack = null;
          return;
        }
        rt.health.record({ modelId: model.id, ok: false, latencyMs, now: Date.now() });
        recordUpstreamAttempt(rt.metrics, actor.organisationId, model.name, error.kind, latencyMs);
        attempts.push(failedAttempt(model, target.upstreamName, upstreamStatus(error), upstreamErrorType(error), latencyMs, `${reason}; failed: ${error.message}`));
        if (!error.retryable) {
          writeAttempts();
          throw nonRetryableError(error);
        }
        if (chain[i + 1]) recordFallback(rt.metrics, actor.organisationId, model.name, chain[i + 1]!.name, error.kind);
      }
    }
    writeAttempts();
    const tried = attempts.map((a) => `${a.model.name} (${a.errorType})`).join(', ');
    throw new TollgateError('upstream_error', 502, `Every upstream in the fallback chain failed: ${tried}.`);
    } finally {
      // Anything that left without settling (an unexpected error) releases its hold.
      settle(null);
    }
  } catch (error) {
    // Before the reply: the caller's retry with the same approval must find it free.
    if (giveBack) await giveBack(error);
    if (streaming) {
      // Headers are gone: the error travels as a final SSE event, as OpenAI sends it.
      const { body } = errorResponseBody(error);
      sink.write(sseData(body));
      sink.end();
      return;
    }
    const { status, body } = errorResponseBody(error);
    sink.json(status, { 'x-tollgate-request-id': requestId }, body);
  }
}

function failedAttempt(model: RoutableModel, upstreamName: string, httpStatus: number, errorType: string, latencyMs: number, routeReason: string): AttemptRecord {
  return { model, upstreamName, status: 'error', httpStatus, errorType, tokens: { ...ZERO_TOKENS }, latencyMs, overheadMs: null, routeReason };
}

function refusedAttempt(model: RoutableModel, refusal: GuardRefusal, routeReason: string): AttemptRecord {
  return {
    model,
    upstreamName: 'none',
    status: 'refused',
    httpStatus: refusal.error.status,
    errorType: refusal.error.type,
    tokens: { ...ZERO_TOKENS },
    latencyMs: 0,
    overheadMs: null,
    routeReason: `${refusal.reason}; ${routeReason}`,
  };
}

function sumTokens(attempts: readonly AttemptRecord[]): TokenBuckets {
  return attempts.reduce((total, a) => addTokens(total, a.tokens), ZERO_TOKENS);
}

/** The newest turn: what the loop guard compares between calls (not the whole, growing transcript). */
function latestTurn(body: ParsedChatRequest): string {
  const last = body.messages[body.messages.length - 1]!;
  return messageText(last.content) || JSON.stringify(last.tool_calls ?? '');
}

function cachedFrom(model: RoutableModel, content: string, tokens: TokenBuckets, costNano: bigint, requestId: string): CachedResponse {
  return {
    modelId: model.id,
    modelName: model.name,
    content,
    finishReason: 'stop',
    promptTokens: promptSide(tokens),
    completionTokens: completionTokens(tokens),
    costNano,
    sourceRequestId: requestId,
    storedAt: Date.now(),
  };
}

/**
 * Bookkeeping the caller does not wait for (metrics, the session's last
 * answer, storing the answer in the cache), run once the reply has left:
 * Node sends a reply at the end of the tick it was written in, so work done
 * inline after it would hold it back.
 */
function afterReply(work: () => void): void {
  setImmediate(() => {
    try {
      work();
    } catch (error) {
      console.error('[tollgate] gateway bookkeeping after the reply failed', error);
    }
  });
}

/** Hands rows to the group-commit writer without holding the reply; a failure is logged and counted. */
function commit(rt: GatewayRuntime, rows: Parameters<GatewayRuntime['writer']['write']>[0]): void {
  rt.writer.write(rows).catch((error: unknown) => {
    rt.metrics.inc('tollgate_ledger_write_failures_total', 'Gateway ledger writes that failed after retry.', {}, rows.length);
    console.error(`[tollgate] ledger write of ${rows.length} gateway row(s) failed`, error);
  });
}

/** Metrics of a request that went upstream: each attempt's tokens and spend, then the request once, by how it ended. */
function recordAttempts(rt: GatewayRuntime, actor: Actor, attempts: readonly AttemptRecord[], costs: readonly bigint[], cache: 'miss' | 'none'): void {
  const department = actor.departmentId ?? '';
  const organisation = actor.organisationId;
  attempts.forEach((a, i) => {
    recordAttemptUsage(rt.metrics, { organisation, tier: a.model.tier, model: a.model.name, department }, { promptTokens: promptSide(a.tokens), completionTokens: completionTokens(a.tokens), costNano: costs[i] ?? 0n });
  });
  const last = attempts[attempts.length - 1];
  if (!last) return;
  recordRequest(rt.metrics, {
    organisation,
    tier: last.model.tier,
    model: last.model.name,
    department,
    status: last.status === 'ok' ? 'ok' : (last.errorType ?? 'error'),
    cache,
    savedNano: 0n,
    overheadMs: last.status === 'ok' ? last.overheadMs : null,
  });
}

function sessionKey(ctx: CallContext): string | null {
  return ctx.sessionId ? loopSessionKey(ctx.actor.organisationId, ctx.sessionId) : null;
}

/** The same prompt again in the same session soon after: the previous answer was not good enough. */
function noteRetry(rt: GatewayRuntime, ctx: CallContext, promptHash: string | null): boolean {
  const key = sessionKey(ctx);
  const previous = key ? rt.lastPrompt.get(key) : undefined;
  if (previous && previous.hash === promptHash && Date.now() - previous.at < RETRY_WINDOW_MS) {
    rt.observeQuality({ organisationId: ctx.actor.organisationId, modelId: previous.modelId, task: ctx.task, signal: 'retry' }, false);
    return true;
  }
  return false;
}

function rememberAnswer(rt: GatewayRuntime, ctx: CallContext, promptHash: string | null, modelId: string): void {
  const key = sessionKey(ctx);
  if (!key || promptHash === null) return;
  if (rt.lastPrompt.size >= 50_000) rt.lastPrompt.clear();
  rt.lastPrompt.set(key, { hash: promptHash, modelId, task: ctx.task, at: Date.now() });
}

function writeCachedStream(sink: ReplySink, completion: ChatCompletion, includeUsage: boolean): void {
  const base = { id: completion.id, object: 'chat.completion.chunk' as const, created: completion.created, model: completion.model };
  const choice = completion.choices[0]!;
  sink.write(sseData({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }] }));
  sink.write(sseData({ ...base, choices: [{ index: 0, delta: { content: choice.message.content }, finish_reason: null, logprobs: null }] }));
  sink.write(sseData({ ...base, choices: [{ index: 0, delta: {}, finish_reason: choice.finish_reason, logprobs: null }] }));
  if (includeUsage) sink.write(sseData({ ...base, choices: [], usage: completion.usage }));
  sink.write(': x-tollgate-cost-usd=0.00\n\n');
  sink.write(SSE_DONE);
  sink.end();
}

interface RelayInput {
  req: GatewayRequest;
  sink: ReplySink;
  ctx: CallContext;
  body: ParsedChatRequest;
  model: RoutableModel;
  reason: string;
  upstreamName: string;
  upstream: StreamResult;
  /** The upstream's chunks, the opening of them already read (`opening`). */
  chunks: AsyncIterator<ChatCompletionChunk>;
  opening: Opening;
  promptHash: string | null;
  attempts: AttemptRecord[];
  promptTokens: number;
  upstreamMs: number;
  scope: CacheScope;
  conversation: string;
  cacheable: boolean;
}

/**
 * How long a stream's opening chunks that carry nothing for the client yet
 * (the assistant's role, empty text) are held before the headers go out: an
 * upstream that fails right after them (Anthropic's in-stream overload after
 * `message_start`) can still fall back. A reasoning model may stay silent for
 * minutes after its first chunk, so the hold is short.
 */
const OPENING_HOLD_MS = 2_000;

/** The chunks read before the reply's headers: results, and at most one read still pending when the hold ran out. */
type Opening = readonly (IteratorResult<ChatCompletionChunk> | Promise<IteratorResult<ChatCompletionChunk>>)[];

/** A chunk with nothing for the client but the role: no text, tool call, refusal, finish or usage. */
function isPreamble(chunk: ChatCompletionChunk): boolean {
  if (chunk.usage || chunk.choices.length === 0) return false;
  return chunk.choices.every((c) => !c.finish_reason && !c.delta?.content && !c.delta?.tool_calls?.length && !c.delta?.refusal);
}

/**
 * Reads a stream's opening: chunks up to and including the first with
 * something for the client, or, once `holdMs` has passed, those that have
 * arrived and the read still pending. A failure while reading is thrown, as
 * the first read's is.
 */
async function readOpening(chunks: AsyncIterator<ChatCompletionChunk>, holdMs: number): Promise<Opening> {
  let next = await chunks.next();
  const opening: (IteratorResult<ChatCompletionChunk> | Promise<IteratorResult<ChatCompletionChunk>>)[] = [next];
  const deadline = performance.now() + holdMs;
  while (!next.done && isPreamble(next.value)) {
    const pending = chunks.next();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const held = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), Math.max(0, deadline - performance.now()));
    });
    const read = await Promise.race([pending, held]).finally(() => clearTimeout(timer));
    if (read === null) {
      opening.push(pending);
      break;
    }
    next = read;
    opening.push(next);
  }
  return opening;
}

/** How long a relay waits for a client that has stopped reading before cutting it off (TOLLGATE_CLIENT_STALL_MS, default 30 s). */
function clientStallMs(): number {
  const configured = Number(process.env.TOLLGATE_CLIENT_STALL_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : 30_000;
}

/** True once the client has taken its backlog, false if it has not after `ms`. */
function clientReads(backlog: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    backlog.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Relays an upstream stream to the client chunk by chunk. The ledger row is
 * written however the stream ends: finished, failed upstream, or the client
 * gone (then the upstream is cancelled and the tokens it had produced are
 * counted with the tokenizer).
 */
async function relayStream(rt: GatewayRuntime, input: RelayInput): Promise<{ costNano: bigint }[]> {
  const { req, sink, ctx, body, model, upstream } = input;
  const overheadAtHeaders = performance.now() - req.startedAt - input.upstreamMs;
  sink.startStream(replyHeaders(ctx.requestId, model.name, model.tier, 'miss', null, overheadAtHeaders));
  const t0 = performance.now();
  let upstreamWaitMs = 0;
  /** Time spent waiting for a slow client to read: neither the upstream's time nor the gateway's. */
  let clientWaitMs = 0;
  let content = '';
  /** Tool calls' names and arguments as streamed: output tokens too. */
  let toolText = '';
  let finish: ChatCompletionChunk['choices'][number]['finish_reason'] = null;
  /** Whether the model refused (a structured-output refusal streams `refusal`, not content): not cached. */
  let refused = false;
  let lastChunk: ChatCompletionChunk | null = null;
  /** OpenAI sends `usage: null` on every chunk when the caller asked for usage, and the usage in a last chunk of its own. */
  const includeUsage = body.stream_options?.include_usage === true;
  let outcome: { status: 'ok' | 'error'; httpStatus: number; errorType: string | null; note: string } = { status: 'ok', httpStatus: 200, errorType: null, note: '' };
  const iterator = input.chunks;
  const opening = [...input.opening];
  try {
    for (;;) {
      const waitStart = performance.now();
      const next = await (opening.shift() ?? iterator.next());
      upstreamWaitMs += performance.now() - waitStart;
      if (next.done) break;
      const chunk = next.value;
      chunk.model = model.name;
      lastChunk = chunk;
      const choice = chunk.choices[0];
      const delta = choice?.delta;
      if (delta?.content) content += delta.content;
      if (delta?.refusal) refused = true;
      if (includeUsage) chunk.usage = null;
      for (const call of (delta?.tool_calls ?? []) as { function?: { name?: string; arguments?: string } }[]) {
        toolText += (call.function?.name ?? '') + (call.function?.arguments ?? '');
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (!sink.write(sseData(chunk))) {
        // Ends the upstream's stream and closes its connection (the adapter's `finally`).
        await iterator.return?.();
        outcome = { status: 'error', httpStatus: 499, errorType: 'client_disconnected', note: 'client disconnected mid-stream' };
        break;
      }
      // A slow client: read no more from the upstream until it has taken what it was sent; one that stops reading is cut off.
      const backlog = sink.drained();
      if (backlog) {
        const waitStart = performance.now();
        const stallMs = clientStallMs();
        const reading = await clientReads(backlog, stallMs);
        clientWaitMs += performance.now() - waitStart;
        if (!reading) {
          await iterator.return?.();
          sink.abandon();
          outcome = { status: 'error', httpStatus: 499, errorType: 'client_disconnected', note: `client stopped reading for ${stallMs} ms; cut off` };
          break;
        }
      }
    }
  } catch (error) {
    if (req.signal.aborted || sink.closed) {
      outcome = { status: 'error', httpStatus: 499, errorType: 'client_disconnected', note: 'client disconnected mid-stream' };
    } else if (error instanceof UpstreamError && error.kind === 'timeout' && clientWaitMs > 0) {
      // The attempt's clock ran out while a slow client was reading: not the model's fault, so its health is left alone.
      outcome = { status: 'error', httpStatus: 504, errorType: 'upstream_timeout', note: `the upstream's time ran out after ${Math.round(clientWaitMs)} ms waiting for a slow client` };
      sink.write(sseData({ error: { type: 'upstream_error', message: 'The upstream timed out while this client was reading slowly.', param: null, code: null } }));
    } else {
      const upstreamFailure = error instanceof UpstreamError ? error : null;
      const message = upstreamFailure?.message ?? 'the stream broke';
      // As a failure before the stream would be recorded: a timeout is a 504, an upstream's own status stays.
      outcome = {
        status: 'error',
        httpStatus: upstreamFailure ? upstreamStatus(upstreamFailure) : 502,
        errorType: upstreamFailure ? upstreamErrorType(upstreamFailure) : 'upstream_error',
        note: `upstream failed mid-stream: ${message}`,
      };
      const latencyMs = performance.now() - t0 + input.upstreamMs;
      rt.health.record({ modelId: model.id, ok: false, latencyMs, now: Date.now() });
      recordUpstreamAttempt(rt.metrics, ctx.actor.organisationId, model.name, upstreamFailure?.kind ?? 'protocol', latencyMs);
      sink.write(sseData({ error: { type: 'upstream_error', message: `The upstream failed mid-stream: ${message}`, param: null, code: null } }));
    }
  }
  const latencyMs = input.upstreamMs + upstreamWaitMs;
  let tokens: TokenBuckets;
  let estimated: boolean;
  if (outcome.status === 'ok') {
    ({ tokens, estimated } = bucketsFrom(upstream.usage(), input.promptTokens, content + toolText));
  } else {
    const cut = cutShortBuckets(upstream.usage(), input.promptTokens, content + toolText);
    tokens = cut.tokens;
    estimated = false;
    outcome.note += cut.reported ? '; prompt side as the upstream reported it, output at least what was sent' : '; tokens counted by Tollgate';
  }
  const overheadMs = performance.now() - req.startedAt - latencyMs - clientWaitMs;
  if (outcome.status === 'ok') {
    rt.health.record({ modelId: model.id, ok: true, latencyMs, now: Date.now() });
    recordUpstreamAttempt(rt.metrics, ctx.actor.organisationId, model.name, 'ok', latencyMs);
  }
  const note = outcome.note || (estimated ? 'usage counted by Tollgate: upstream sent none' : '');
  input.attempts.push({
    model, upstreamName: input.upstreamName, status: outcome.status, httpStatus: outcome.httpStatus, errorType: outcome.errorType,
    tokens, latencyMs, overheadMs, routeReason: note ? `${input.reason} [${note}]` : input.reason,
  });
  const rows = attemptRows(ctx, input.attempts);
  const final = rows[rows.length - 1]!;
  if (outcome.status === 'ok' && !sink.closed) {
    if (includeUsage) {
      const id = lastChunk?.id ?? `chatcmpl-${ctx.requestId}`;
      // An OpenAI-shaped upstream's usage goes out as it came (audio and prediction tokens, a provider's own total
      // included); a translated one's (Anthropic) or one Tollgate counted is written in OpenAI's shape.
      const reported = upstream.usage();
      const usage = !estimated && reported?.provider === 'openai' ? reported.raw : openAiUsage(tokens);
      sink.write(sseData({ id, object: 'chat.completion.chunk', created: lastChunk?.created ?? Math.floor(ctx.occurredAt.getTime() / 1000), model: model.name, choices: [], usage }));
    }
    sink.write(`: x-tollgate-cost-usd=${nanoToUsdString(final.costNano, 2)}\n\n`);
    sink.write(SSE_DONE);
  }
  sink.end();
  commit(rt, rows);
  afterReply(() => {
    recordAttempts(rt, ctx.actor, input.attempts, rows.map((r) => r.costNano), input.cacheable ? 'miss' : 'none');
    if (outcome.status === 'ok') rememberAnswer(rt, ctx, input.promptHash, model.id);
    // A tool call is no text answer (OpenAI ends a forced tool call with `stop`): not cached.
    if (outcome.status === 'ok' && input.cacheable && finish === 'stop' && toolText === '' && !refused) {
      rt.cache.store(input.scope, input.conversation, cachedFrom(model, content, tokens, final.costNano, ctx.requestId), Date.now());
    }
  });
  return rows;
}
