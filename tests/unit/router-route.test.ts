import { describe, expect, it } from 'vitest';
import { TASK_TYPES, type TaskType } from '@/lib/engine/enums';
import {
  catalogQuality,
  DEFAULT_THRESHOLDS,
  HealthTracker,
  MAX_REASON_CHARS,
  QualityTracker,
  routableModels,
  routeRequest,
  type RouteDecision,
  type RouteRequest,
} from '@/lib/engine/router';

const MODELS = routableModels();
const QUALITY = catalogQuality();
const ALL_HEALTHY = new HealthTracker().at(0);
const SMALL = new Set(MODELS.filter((m) => m.tier === 'small').map((m) => m.name));
const FRONTIER = new Set(MODELS.filter((m) => m.tier === 'frontier').map((m) => m.name));

function request(overrides: Partial<RouteRequest> = {}): RouteRequest {
  return {
    requestedModel: 'auto',
    task: 'summarize',
    taskSource: 'header',
    promptTokens: 1_200,
    maxOutputTokens: null,
    models: MODELS,
    thresholds: DEFAULT_THRESHOLDS,
    quality: QUALITY,
    health: ALL_HEALTHY,
    ...overrides,
  };
}

function ok(decision: RouteDecision) {
  if (!decision.ok) throw new Error(`expected a route, got ${decision.failure}: ${decision.message}`);
  return decision;
}

const names = (d: RouteDecision) => ok(d).chain.map((m) => m.name);

describe('routeRequest auto', () => {
  it.each(['summarize', 'classify', 'extract', 'support_reply', 'other'] as TaskType[])('sends an easy %s call to a small model', (task) => {
    const d = ok(routeRequest(request({ task })));
    expect(SMALL.has(d.chain[0]!.name)).toBe(true);
    expect(d.expectedQuality).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS[task] - 1e-9);
  });

  it.each(['kyc_check', 'claims_adjust', 'underwrite', 'code', 'analysis'] as TaskType[])('sends a hard %s call to a frontier model', (task) => {
    const d = ok(routeRequest(request({ task })));
    expect(FRONTIER.has(d.chain[0]!.name)).toBe(true);
    expect(d.chain.every((m) => FRONTIER.has(m.name))).toBe(true);
  });

  it('picks the cheapest model that meets the threshold, by the shape of the call', () => {
    // A short prompt with a long reply favours the self-hosted model's flat rate;
    // a long prompt with a short reply favours gpt-5-nano's cheap input.
    expect(names(routeRequest(request({ task: 'support_reply', promptTokens: 200 })))[0]).toBe('llama-3.3-70b');
    expect(names(routeRequest(request({ task: 'classify', promptTokens: 5_000 })))[0]).toBe('gpt-5-nano');
  });

  it('puts another provider first among the fallbacks', () => {
    const d = ok(routeRequest(request({ task: 'kyc_check' })));
    expect(d.chain.map((m) => m.name)).toEqual(['gpt-5', 'gemini-2.5-pro', 'claude-sonnet-4-5']);
    expect(d.chain[1]!.provider).not.toBe(d.chain[0]!.provider);
  });

  it('explains itself in one short line', () => {
    const d = ok(routeRequest(request({ task: 'kyc_check', taskSource: 'header' })));
    expect(d.reason).toMatch(/^auto task=kyc_check\(header\) min_q=0\.90 -> gpt-5 \(q=0\.93, est \$[\d.]+\); cheaper below threshold: /);
    expect(d.reason).toContain('gpt-5-nano q=0.62');
    expect(d.reason.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
    expect(d.reason).not.toContain('\n');
  });

  it('takes the best quality and says so when nothing meets the threshold', () => {
    const d = ok(routeRequest(request({ task: 'code', thresholds: { ...DEFAULT_THRESHOLDS, code: 0.99 } })));
    expect(d.chain[0]!.name).toBe('claude-opus-4-1');
    expect(d.reason).toContain('none meets min_q');
  });

  it('never picks a forbidden model', () => {
    const forbidden = new Set(['openai/gpt-5', 'google/gemini-2.5-pro']);
    const d = ok(routeRequest(request({ task: 'kyc_check', forbidden })));
    expect(d.chain[0]!.name).toBe('claude-sonnet-4-5');
    expect(d.chain.some((m) => forbidden.has(m.id))).toBe(false);
    expect(d.reason).toContain('2 forbidden');
  });

  it('skips models whose context or output limit is too small', () => {
    // 150k prompt: llama (128k) cannot hold it; gpt-5-nano can.
    expect(names(routeRequest(request({ task: 'summarize', promptTokens: 150_000 })))).not.toContain('llama-3.3-70b');
    // 40k reply: gpt-4.1-mini (32k) and llama (8k) cannot give it.
    const d = ok(routeRequest(request({ task: 'summarize', maxOutputTokens: 40_000 })));
    expect(d.chain.every((m) => m.maxOutputTokens >= 40_000)).toBe(true);
  });

  it('refuses what no model can hold', () => {
    const tooLong = routeRequest(request({ promptTokens: 2_000_000 }));
    expect(tooLong).toMatchObject({ ok: false, failure: 'context_too_large' });
    const tooMany = routeRequest(request({ maxOutputTokens: 500_000 }));
    expect(tooMany).toMatchObject({ ok: false, failure: 'max_tokens_too_large' });
    const allForbidden = routeRequest(request({ forbidden: new Set(MODELS.map((m) => m.id)) }));
    expect(allForbidden).toMatchObject({ ok: false, failure: 'no_model_available' });
  });

  it('honours maxChain', () => {
    expect(ok(routeRequest(request({ maxChain: 1 }))).chain).toHaveLength(1);
    expect(ok(routeRequest(request({ maxChain: 5 }))).chain).toHaveLength(5);
  });
});

describe('routeRequest with a named model', () => {
  it('honours a model by name or id, case-insensitive', () => {
    expect(names(routeRequest(request({ requestedModel: 'claude-haiku-4-5' })))[0]).toBe('claude-haiku-4-5');
    expect(names(routeRequest(request({ requestedModel: 'Anthropic/Claude-Opus-4-1', task: 'summarize' })))[0]).toBe('claude-opus-4-1');
  });

  it('keeps fallbacks in the tier, on other providers, and says it was named', () => {
    const d = ok(routeRequest(request({ requestedModel: 'gpt-5', task: 'kyc_check' })));
    expect(d.chain[0]!.name).toBe('gpt-5');
    expect(d.chain.slice(1).every((m) => m.tier === 'frontier' && m.provider !== 'openai')).toBe(true);
    expect(d.reason).toContain('as named');
  });

  it('honours a named small model on a hard task, flagged below threshold', () => {
    const d = ok(routeRequest(request({ requestedModel: 'gpt-5-nano', task: 'underwrite' })));
    expect(d.chain[0]!.name).toBe('gpt-5-nano');
    expect(d.chain.every((m) => m.tier === 'small')).toBe(true);
    expect(d.reason).toContain('below min_q');
  });

  it('refuses unknown, forbidden and oversized requests', () => {
    expect(routeRequest(request({ requestedModel: 'gpt-9' }))).toMatchObject({ ok: false, failure: 'unknown_model' });
    expect(routeRequest(request({ requestedModel: 'gpt-5', forbidden: new Set(['openai/gpt-5']) }))).toMatchObject({
      ok: false,
      failure: 'model_forbidden',
    });
    expect(routeRequest(request({ requestedModel: 'llama-3.3-70b', maxOutputTokens: 10_000 }))).toMatchObject({
      ok: false,
      failure: 'max_tokens_too_large',
    });
    expect(routeRequest(request({ requestedModel: 'llama-3.3-70b', promptTokens: 127_000, maxOutputTokens: 2_000 }))).toMatchObject({
      ok: false,
      failure: 'context_too_large',
    });
    // With no reply limit the named model only needs room for one token.
    expect(routeRequest(request({ requestedModel: 'llama-3.3-70b', promptTokens: 127_000 })).ok).toBe(true);
  });

  it('moves off an unhealthy named model and says so', () => {
    const health = new HealthTracker();
    for (let i = 0; i < 6; i++) health.record({ modelId: 'openai/gpt-5', ok: false, latencyMs: 900, now: 1_000 + i });
    const d = ok(routeRequest(request({ requestedModel: 'gpt-5', task: 'code', health: health.at(2_000) })));
    expect(d.chain[0]!.name).toBe('claude-sonnet-4-5');
    expect(d.chain.map((m) => m.name)).not.toContain('gpt-5');
    expect(d.reason).toMatch(/gpt-5 unhealthy \(errors 100%\) -> claude-sonnet-4-5 \(same tier/);
  });

  it('changes tier only when the named model is unhealthy and its tier has no alternative', () => {
    const health = new HealthTracker();
    for (let i = 0; i < 6; i++) health.record({ modelId: 'openai/gpt-5-nano', ok: false, latencyMs: 900, now: i });
    const forbidden = new Set(['self_hosted/llama-3.3-70b', 'google/gemini-2.5-flash', 'anthropic/claude-haiku-4-5']);
    const d = ok(routeRequest(request({ requestedModel: 'gpt-5-nano', task: 'summarize', forbidden, health: health.at(10) })));
    expect(d.chain[0]!.tier).toBe('frontier');
    expect(d.reason).toContain('tier changed to frontier');
  });
});

describe('routing with health and drift', () => {
  it('skips an unhealthy provider and returns to it after the cool-down', () => {
    const health = new HealthTracker();
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) health.record({ modelId: 'openai/gpt-5', ok: i === 0, latencyMs: 800, now: t0 + i * 100 });
    const during = ok(routeRequest(request({ task: 'analysis', health: health.at(t0 + 1_000) })));
    expect(during.chain.map((m) => m.name)).not.toContain('gpt-5');
    expect(during.reason).toContain('gpt-5 unhealthy');
    // After the cool-down it is probed again; a success closes the circuit.
    const later = t0 + 31_000;
    expect(names(routeRequest(request({ task: 'analysis', health: health.at(later) })))[0]).toBe('gpt-5');
    health.record({ modelId: 'openai/gpt-5', ok: true, latencyMs: 700, now: later + 500 });
    expect(health.health('openai/gpt-5', later + 600)).toMatchObject({ healthy: true, errorRate: 0 });
  });

  it('moves the choice after enough wrong answers, not after one', () => {
    const tracker = new QualityTracker(QUALITY);
    // Gemini 2.5 Pro costs the same as GPT-5 and wins ties on quality; leave it out to see the step to the next price.
    const forbidden = new Set(['google/gemini-2.5-pro']);
    const route = () => names(routeRequest(request({ task: 'kyc_check', quality: tracker.lookup, forbidden })))[0];
    expect(route()).toBe('gpt-5');
    for (let i = 0; i < 3; i++) tracker.observe('openai/gpt-5', 'kyc_check', 'wrong');
    expect(tracker.lookup('openai/gpt-5', 'kyc_check')).toBeCloseTo(0.9029, 4);
    expect(route()).toBe('gpt-5');
    tracker.observe('openai/gpt-5', 'kyc_check', 'wrong');
    expect(route()).toBe('claude-sonnet-4-5');
    // Good answers bring it back.
    for (let i = 0; i < 20; i++) tracker.observe('openai/gpt-5', 'kyc_check', 'good');
    expect(route()).toBe('gpt-5');
  });

  it('moves an easy task to the next small model when the cheap one drifts', () => {
    const tracker = new QualityTracker(QUALITY);
    const route = () => names(routeRequest(request({ task: 'classify', promptTokens: 5_000, quality: tracker.lookup })))[0];
    expect(route()).toBe('gpt-5-nano');
    for (let i = 0; i < 2; i++) tracker.observe('openai/gpt-5-nano', 'classify', 'wrong');
    expect(route()).toBe('gpt-5-nano');
    for (let i = 0; i < 2; i++) tracker.observe('openai/gpt-5-nano', 'classify', 'wrong');
    expect(SMALL.has(route()!)).toBe(true);
    expect(route()).not.toBe('gpt-5-nano');
  });
});

describe('routeRequest reasons', () => {
  it('stays under the length limit for every task and source', () => {
    const health = new HealthTracker();
    for (const id of ['openai/gpt-5', 'google/gemini-2.5-pro', 'anthropic/claude-haiku-4-5']) {
      for (let i = 0; i < 5; i++) health.record({ modelId: id, ok: false, latencyMs: 1, now: i });
    }
    for (const task of TASK_TYPES) {
      const d = ok(routeRequest(request({ task, taskSource: 'inferred', health: health.at(10), forbidden: new Set(['openai/gpt-4.1-mini']) })));
      expect(d.reason.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
    }
  });
});
