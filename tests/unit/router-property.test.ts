import { describe, expect, it } from 'vitest';
import { TASK_TYPES } from '@/lib/engine/enums';
import { Random } from '@/lib/engine/random';
import {
  catalogQuality,
  DEFAULT_REPLY_ALLOWANCE,
  DEFAULT_THRESHOLDS,
  expectedOutputTokens,
  HealthTracker,
  inferTask,
  MAX_REASON_CHARS,
  QualityTracker,
  QUALITY_SIGNALS,
  routableModels,
  routeRequest,
  type RoutableModel,
  type RouteRequest,
} from '@/lib/engine/router';

const MODELS = routableModels();
const PRIOR = catalogQuality();
const RUNS = 3_000;

function randomRequest(r: Random): RouteRequest {
  const health = new HealthTracker();
  for (const m of MODELS) {
    if (r.chance(0.25)) for (let i = 0; i < 5; i++) health.record({ modelId: m.id, ok: r.chance(0.2), latencyMs: r.int(50, 5_000), now: i });
  }
  const quality = new QualityTracker(PRIOR);
  for (let i = r.int(0, 30); i > 0; i--) quality.observe(r.pick(MODELS).id, r.pick(TASK_TYPES), r.pick(QUALITY_SIGNALS));
  const forbidden = new Set(MODELS.filter(() => r.chance(0.15)).map((m) => m.id));
  const named = r.weighted<string>([
    ['auto', 6],
    [r.pick(MODELS).name, 3],
    [r.pick(MODELS).id.toUpperCase(), 1],
    ['not-a-model', 1],
  ]);
  const promptTokens = r.weighted<number>([
    [r.int(1, 4_000), 6],
    [r.int(4_000, 200_000), 3],
    [r.int(120_000, 1_100_000), 1],
  ]);
  return {
    requestedModel: named,
    task: r.pick(TASK_TYPES),
    taskSource: r.chance(0.5) ? 'header' : 'inferred',
    promptTokens,
    maxOutputTokens: r.chance(0.5) ? null : r.weighted<number>([[r.int(1, 8_192), 6], [r.int(8_192, 140_000), 2]]),
    models: MODELS,
    thresholds: DEFAULT_THRESHOLDS,
    quality: quality.lookup,
    health: health.at(r.chance(0.3) ? 40_000 : 100),
    forbidden,
    maxChain: r.int(1, 5),
  };
}

describe('routeRequest properties', () => {
  it('every chained model fits, is allowed, appears once; auto chains are healthy', () => {
    const r = new Random(7);
    const failures = new Map<string, number>();
    for (let run = 0; run < RUNS; run++) {
      const req = randomRequest(r);
      const d = routeRequest(req);
      if (!d.ok) {
        failures.set(d.failure, (failures.get(d.failure) ?? 0) + 1);
        expect(d.message.length).toBeGreaterThan(0);
        continue;
      }
      const auto = req.requestedModel === 'auto';
      expect(d.chain.length).toBeGreaterThanOrEqual(1);
      expect(d.chain.length).toBeLessThanOrEqual(req.maxChain!);
      expect(new Set(d.chain).size).toBe(d.chain.length);
      expect(d.reason.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
      d.chain.forEach((m, i) => {
        expect(req.forbidden!.has(m.id)).toBe(false);
        if (req.maxOutputTokens !== null) expect(req.maxOutputTokens).toBeLessThanOrEqual(m.maxOutputTokens);
        const namedFirst = !auto && i === 0;
        const room = req.maxOutputTokens ?? (namedFirst ? 1 : Math.min(DEFAULT_REPLY_ALLOWANCE, m.maxOutputTokens));
        expect(req.promptTokens + room).toBeLessThanOrEqual(m.contextWindow);
        if (auto) expect(req.health(m.id).healthy).toBe(true);
      });
      if (auto) {
        // The choice is the cheapest qualified model, or the best when none qualifies.
        expect(d.expectedQuality).toBe(req.quality(d.chain[0]!.id, req.task));
      } else {
        const wanted = req.requestedModel.toLowerCase();
        const named = MODELS.find((m) => m.name === wanted || m.id === wanted)!;
        // A named model is honoured while healthy; an unhealthy one leads only when nothing else qualifies.
        if (req.health(named.id).healthy) expect(d.chain[0]).toBe(named);
        else expect(d.chain[0] === named).toBe(d.chain.length === 1 && d.reason.includes('trying it anyway'));
      }
    }
    // The generator reaches every outcome.
    for (const f of ['unknown_model', 'model_forbidden', 'context_too_large', 'max_tokens_too_large']) expect(failures.get(f) ?? 0).toBeGreaterThan(0);
  });

  it('auto takes the cheapest qualified model, else the best one', () => {
    const r = new Random(11);
    for (let run = 0; run < RUNS; run++) {
      const req = { ...randomRequest(r), requestedModel: 'auto' };
      const d = routeRequest(req);
      if (!d.ok) continue;
      const chosen = d.chain[0]!;
      const threshold = req.thresholds[req.task];
      const meets = (id: string) => req.quality(id, req.task) + 1e-9 >= threshold;
      const output = expectedOutputTokens(req.task, req.maxOutputTokens);
      const cost = (m: RoutableModel) => BigInt(req.promptTokens) * m.inputNanoPerMtok + BigInt(output) * m.outputNanoPerMtok;
      for (const m of MODELS) {
        const eligible =
          !req.forbidden!.has(m.id) &&
          (req.maxOutputTokens === null || req.maxOutputTokens <= m.maxOutputTokens) &&
          req.promptTokens + (req.maxOutputTokens ?? Math.min(DEFAULT_REPLY_ALLOWANCE, m.maxOutputTokens)) <= m.contextWindow &&
          req.health(m.id).healthy;
        if (!eligible) continue;
        if (meets(chosen.id)) {
          // No eligible model that also meets the threshold is cheaper.
          if (meets(m.id)) expect(cost(m) >= cost(chosen)).toBe(true);
        } else {
          // Nothing eligible met the threshold, and the choice is the best there was.
          expect(meets(m.id)).toBe(false);
          expect(req.quality(m.id, req.task)).toBeLessThanOrEqual(req.quality(chosen.id, req.task));
        }
      }
    }
  });

  it('is deterministic', () => {
    const a = new Random(3);
    const b = new Random(3);
    for (let run = 0; run < 200; run++) expect(routeRequest(randomRequest(a))).toEqual(routeRequest(randomRequest(b)));
  });
});

describe('inferTask properties', () => {
  it('always returns a task type for random text', () => {
    const r = new Random(5);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz ABCXYZ\n\t{};?`\'’-é🙂0123456789';
    const chars = [...alphabet];
    for (let run = 0; run < 500; run++) {
      let text = '';
      for (let i = r.int(0, 3_000); i > 0; i--) text += r.pick(chars);
      const result = inferTask([{ role: 'system', content: text.slice(0, 100) }, { role: 'user', content: text }]);
      expect(TASK_TYPES).toContain(result.task);
      expect(result.features.length).toBeLessThanOrEqual(11);
    }
  });
});
