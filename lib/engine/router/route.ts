/**
 * The routing decision: which model serves a call, which ones it falls back
 * to, and why. Pure and synchronous; a handful of comparisons and bigint
 * multiplications per catalog model.
 */
import { formatUsd } from '../money';
import { costNanoTokens, DEFAULT_REPLY_ALLOWANCE, estimateCostNano, expectedOutputTokens } from './cost';
import { meetsThreshold } from './thresholds';
import type { RoutableModel, RouteDecision, RouteFailure, RouteRequest } from './types';

export const DEFAULT_MAX_CHAIN = 3;
/** `route_reason` is cut to this many characters. */
export const MAX_REASON_CHARS = 299;
/** How many cheaper, below-threshold models the reason names. */
const REASON_NAMES = 3;

interface Candidate {
  model: RoutableModel;
  quality: number;
  /** Estimated cost in nano-dollar-tokens (compare only). */
  cost: bigint;
  meets: boolean;
}

interface Survey {
  candidates: Candidate[];
  forbidden: number;
  /** Allowed, but the requested max tokens exceed their limit. */
  tooFewOutputTokens: number;
  /** Allowed and the max tokens are fine, but the prompt and reply do not fit. */
  tooSmall: number;
  unhealthy: string[];
}

/** Name and id lookups per models array, built once per array. */
const NAME_INDEX = new WeakMap<readonly RoutableModel[], Map<string, RoutableModel>>();

function findModel(models: readonly RoutableModel[], requested: string): RoutableModel | undefined {
  let index = NAME_INDEX.get(models);
  if (!index) {
    index = new Map();
    for (const m of models) {
      index.set(m.name.toLowerCase(), m);
      index.set(m.id.toLowerCase(), m);
    }
    NAME_INDEX.set(models, index);
  }
  return index.get(requested.trim().toLowerCase());
}

/** Reply room reserved when a model is chosen for the caller: the caller's limit, else the default allowance. */
function replyRoom(model: RoutableModel, maxOutputTokens: number | null): number {
  return maxOutputTokens ?? Math.min(DEFAULT_REPLY_ALLOWANCE, model.maxOutputTokens);
}

/** Every model the router may choose for this request, with the reasons the others were left out. */
function survey(req: RouteRequest, exclude: RoutableModel | null): Survey {
  const threshold = req.thresholds[req.task];
  const prompt = BigInt(req.promptTokens);
  const output = BigInt(expectedOutputTokens(req.task, req.maxOutputTokens));
  const s: Survey = { candidates: [], forbidden: 0, tooFewOutputTokens: 0, tooSmall: 0, unhealthy: [] };
  for (const m of req.models) {
    if (m === exclude) continue;
    if (req.forbidden?.has(m.id)) {
      s.forbidden++;
      continue;
    }
    if (req.maxOutputTokens !== null && req.maxOutputTokens > m.maxOutputTokens) {
      s.tooFewOutputTokens++;
      continue;
    }
    if (req.promptTokens + replyRoom(m, req.maxOutputTokens) > m.contextWindow) {
      s.tooSmall++;
      continue;
    }
    if (!req.health(m.id).healthy) {
      s.unhealthy.push(m.name);
      continue;
    }
    const quality = req.quality(m.id, req.task);
    s.candidates.push({ model: m, quality, cost: costNanoTokens(m, prompt, output), meets: meetsThreshold(quality, threshold) });
  }
  return s;
}

const byCost = (a: Candidate, b: Candidate): number => (a.cost < b.cost ? -1 : a.cost > b.cost ? 1 : b.quality - a.quality);
const byQuality = (a: Candidate, b: Candidate): number => b.quality - a.quality || (a.cost < b.cost ? -1 : a.cost > b.cost ? 1 : 0);

/** Up to `room` of `ordered`, keeping its order except that the first model from another provider than `first` leads. */
function fallbacks(first: RoutableModel, ordered: readonly Candidate[], room: number): RoutableModel[] {
  const out: RoutableModel[] = [];
  if (room <= 0) return out;
  const other = ordered.findIndex((c) => c.model.provider !== first.provider);
  if (other >= 0) out.push(ordered[other]!.model);
  for (let i = 0; i < ordered.length && out.length < room; i++) {
    if (i !== other) out.push(ordered[i]!.model);
  }
  return out;
}

const q2 = (q: number): string => q.toFixed(2);

function estimate(req: RouteRequest, m: RoutableModel): string {
  return formatUsd(estimateCostNano(m, req.promptTokens, expectedOutputTokens(req.task, req.maxOutputTokens)));
}

function skippedText(s: Survey): string {
  const parts: string[] = [];
  if (s.unhealthy.length) parts.push(`${s.unhealthy.join(', ')} unhealthy`);
  if (s.forbidden) parts.push(`${s.forbidden} forbidden`);
  if (s.tooSmall) parts.push(`${s.tooSmall} too small`);
  if (s.tooFewOutputTokens) parts.push(`${s.tooFewOutputTokens} max_tokens too low`);
  return parts.length ? `; skipped: ${parts.join(', ')}` : '';
}

function clip(reason: string): string {
  return reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS - 1)}…`;
}

function fail(failure: RouteFailure, message: string): RouteDecision {
  return { ok: false, failure, message };
}

function routeAuto(req: RouteRequest, maxChain: number): RouteDecision {
  const s = survey(req, null);
  if (s.candidates.length === 0) {
    const allowed = req.models.length - s.forbidden;
    if (allowed === 0) return fail('no_model_available', 'policy forbids every model for this caller');
    if (s.tooFewOutputTokens === allowed) return fail('max_tokens_too_large', `max tokens ${req.maxOutputTokens} exceeds every allowed model's output limit`);
    if (s.tooFewOutputTokens + s.tooSmall === allowed) {
      return fail('context_too_large', `a prompt of ${req.promptTokens} tokens plus its reply fits no allowed model's context window`);
    }
    return fail('no_model_available', `every model that fits is unhealthy (${s.unhealthy.join(', ')})`);
  }
  const meeting = s.candidates.filter((c) => c.meets).sort(byCost);
  const below = s.candidates.filter((c) => !c.meets).sort(byQuality);
  // The cheapest model that meets the threshold; else the best one. Fallbacks: the rest of that group, then the best of the others.
  const group = meeting.length ? meeting : below;
  const first = group[0]!;
  const chain = [first.model, ...fallbacks(first.model, group.slice(1), maxChain - 1)];
  if (meeting.length) {
    for (let i = 0; i < below.length && chain.length < maxChain; i++) chain.push(below[i]!.model);
  }

  const threshold = req.thresholds[req.task];
  let reason = `auto task=${req.task}(${req.taskSource}) min_q=${q2(threshold)} -> ${first.model.name} (q=${q2(first.quality)}, est ${estimate(req, first.model)})`;
  if (!first.meets) reason += '; none meets min_q, best quality chosen';
  const cheaper = s.candidates.filter((c) => !c.meets && c.cost < first.cost).sort(byCost);
  if (cheaper.length) {
    const named = cheaper.slice(0, REASON_NAMES).map((c) => `${c.model.name} q=${q2(c.quality)}`);
    if (cheaper.length > REASON_NAMES) named.push(`+${cheaper.length - REASON_NAMES}`);
    reason += `; cheaper below threshold: ${named.join(', ')}`;
  }
  reason += skippedText(s);
  if (chain.length > 1) reason += `; then ${chain.slice(1).map((m) => m.name).join(', ')}`;
  return { ok: true, chain, reason: clip(reason), expectedQuality: first.quality };
}

function routeNamed(req: RouteRequest, maxChain: number): RouteDecision {
  const model = findModel(req.models, req.requestedModel);
  if (!model) {
    return fail('unknown_model', `model ${JSON.stringify(req.requestedModel)} is not routable; use "auto" or one of: ${req.models.map((m) => m.name).join(', ')}`);
  }
  if (req.forbidden?.has(model.id)) return fail('model_forbidden', `policy forbids ${model.name} for this caller`);
  if (req.maxOutputTokens !== null && req.maxOutputTokens > model.maxOutputTokens) {
    return fail('max_tokens_too_large', `max tokens ${req.maxOutputTokens} exceeds ${model.name}'s limit of ${model.maxOutputTokens}`);
  }
  // The client chose this model: the prompt must leave room for its reply limit, or for one token when it set none.
  if (req.promptTokens + (req.maxOutputTokens ?? 1) > model.contextWindow) {
    return fail('context_too_large', `a prompt of ${req.promptTokens} tokens plus its reply exceeds ${model.name}'s context window of ${model.contextWindow}`);
  }

  const threshold = req.thresholds[req.task];
  const quality = req.quality(model.id, req.task);
  const health = req.health(model.id);
  const s = survey(req, model);
  // Fallbacks keep the tier and leave the provider, and are no worse than the model named (or than the threshold).
  const bar = Math.min(threshold, quality);
  const sameTier = s.candidates.filter((c) => c.model.tier === model.tier && c.model.provider !== model.provider && meetsThreshold(c.quality, bar)).sort(byCost);
  const head = `model=${model.name} task=${req.task}(${req.taskSource}) min_q=${q2(threshold)}`;

  if (health.healthy) {
    const chain = [model, ...sameTier.slice(0, maxChain - 1).map((c) => c.model)];
    let reason = `${head} -> ${model.name} as named (q=${q2(quality)}${meetsThreshold(quality, threshold) ? '' : ' below min_q'}, est ${estimate(req, model)})`;
    if (chain.length > 1) reason += `; then ${chain.slice(1).map((m) => m.name).join(', ')}`;
    return { ok: true, chain, reason: clip(reason), expectedQuality: quality };
  }

  // The named model is unhealthy: another provider in its tier, else the cheapest model of any tier that meets the bar.
  const crossTier = s.candidates.filter((c) => c.model.tier !== model.tier && meetsThreshold(c.quality, bar)).sort(byCost);
  const alternatives = sameTier.concat(crossTier);
  const sick = `${head}; ${model.name} unhealthy (errors ${Math.round(health.errorRate * 100)}%)`;
  if (alternatives.length === 0) {
    return { ok: true, chain: [model], reason: clip(`${sick}, no alternative meets q>=${q2(bar)}: trying it anyway`), expectedQuality: quality };
  }
  const first = alternatives[0]!;
  const chain = alternatives.slice(0, maxChain).map((c) => c.model);
  let reason = `${sick} -> ${first.model.name} (${first.model.tier === model.tier ? 'same tier' : `tier changed to ${first.model.tier}`}, q=${q2(first.quality)}, est ${estimate(req, first.model)})`;
  if (chain.length > 1) reason += `; then ${chain.slice(1).map((m) => m.name).join(', ')}`;
  return { ok: true, chain, reason: clip(reason), expectedQuality: first.quality };
}

/** Chooses the model chain for one call. See README.md in this folder for the rules. */
export function routeRequest(req: RouteRequest): RouteDecision {
  const maxChain = Math.max(1, Math.floor(req.maxChain ?? DEFAULT_MAX_CHAIN));
  return req.requestedModel.trim().toLowerCase() === 'auto' ? routeAuto(req, maxChain) : routeNamed(req, maxChain);
}
