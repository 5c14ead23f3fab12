import { describe, expect, it } from 'vitest';
import { catalogQuality, MIN_STEP, PRIOR_WEIGHT, QualityTracker, RELAX_HALF_LIFE, UNKNOWN_QUALITY } from '@/lib/engine/router';

const PRIOR = catalogQuality();
const GPT5 = 'openai/gpt-5';

describe('QualityTracker', () => {
  it('starts at the catalog and falls back for unknown models', () => {
    const t = new QualityTracker(PRIOR);
    expect(t.lookup(GPT5, 'kyc_check')).toBeCloseTo(0.93, 9);
    expect(t.lookup('acme/unknown', 'summarize')).toBe(UNKNOWN_QUALITY);
  });

  it('moves by 1 / (prior weight + n) while the history is short', () => {
    const t = new QualityTracker(PRIOR);
    t.observe(GPT5, 'kyc_check', 'wrong');
    expect(t.lookup(GPT5, 'kyc_check')).toBeCloseTo((0.93 * PRIOR_WEIGHT) / (PRIOR_WEIGHT + 1), 12);
    t.observe(GPT5, 'kyc_check', 'good');
    expect(t.lookup(GPT5, 'kyc_check')).toBeCloseTo((0.93 * PRIOR_WEIGHT + 1) / (PRIOR_WEIGHT + 2), 12);
    // Other tasks and models are untouched.
    expect(t.lookup(GPT5, 'code')).toBeCloseTo(0.9, 9);
  });

  it('a handful of wrong answers lowers but does not overturn the prior', () => {
    const t = new QualityTracker(PRIOR);
    for (let i = 0; i < 5; i++) t.observe(GPT5, 'kyc_check', 'wrong');
    const after = t.lookup(GPT5, 'kyc_check');
    expect(after).toBeLessThan(0.9);
    expect(after).toBeGreaterThan(0.88);
    // 15 good answers bring it back above the 0.90 threshold.
    let goods = 0;
    while (t.lookup(GPT5, 'kyc_check') < 0.9) {
      t.observe(GPT5, 'kyc_check', 'good');
      goods++;
    }
    expect(goods).toBe(15);
  });

  it('weighs a retry at a quarter of a wrong answer and a correction at half', () => {
    const a = new QualityTracker(PRIOR);
    const b = new QualityTracker(PRIOR);
    const c = new QualityTracker(PRIOR);
    a.observe(GPT5, 'code', 'retry');
    b.observe(GPT5, 'code', 'wrong');
    c.observe(GPT5, 'code', 'corrected');
    const drop = (t: QualityTracker) => 0.9 - t.lookup(GPT5, 'code');
    expect(drop(a)).toBeGreaterThan(0);
    expect(drop(a)).toBeLessThan(drop(b) / 3);
    expect(drop(c)).toBeCloseTo(drop(b) - 0.5 / (PRIOR_WEIGHT + 1), 12);
  });

  it('keeps following drift after a long history (bounded step)', () => {
    const t = new QualityTracker(PRIOR);
    for (let i = 0; i < 5_000; i++) t.observe(GPT5, 'summarize', 'good');
    expect(t.lookup(GPT5, 'summarize')).toBeGreaterThan(0.999);
    // A sudden regression shows within a few hundred signals, not thousands.
    for (let i = 0; i < 300; i++) t.observe(GPT5, 'summarize', 'wrong');
    expect(t.lookup(GPT5, 'summarize')).toBeLessThan(0.25);
    expect(MIN_STEP).toBeGreaterThan(0);
  });

  it('relaxes an estimate back toward its prior while other models take the traffic', () => {
    const t = new QualityTracker(PRIOR);
    for (let i = 0; i < 5; i++) t.observe(GPT5, 'kyc_check', 'wrong');
    const low = t.lookup(GPT5, 'kyc_check');
    // Signals on other tasks do not count; signals on the same task to another model do.
    for (let i = 0; i < RELAX_HALF_LIFE; i++) t.observe('google/gemini-2.5-pro', 'code', 'good');
    expect(t.lookup(GPT5, 'kyc_check')).toBe(low);
    for (let i = 0; i < RELAX_HALF_LIFE; i++) t.observe('google/gemini-2.5-pro', 'kyc_check', 'good');
    expect(t.lookup(GPT5, 'kyc_check')).toBeCloseTo(0.93 + (low - 0.93) / 2, 12);
    // Tried again, a model that is still bad goes straight back down.
    for (let i = 0; i < 5; i++) t.observe(GPT5, 'kyc_check', 'wrong');
    expect(t.lookup(GPT5, 'kyc_check')).toBeLessThan(low);
  });

  it('rebuilds the same state from history', () => {
    const rows = [
      { modelId: GPT5, task: 'kyc_check' as const, signal: 'wrong' as const },
      { modelId: GPT5, task: 'kyc_check' as const, signal: 'good' as const },
      { modelId: 'openai/gpt-5-nano', task: 'classify' as const, signal: 'retry' as const },
    ];
    const live = new QualityTracker(PRIOR);
    for (const r of rows) live.observe(r.modelId, r.task, r.signal);
    const rebuilt = QualityTracker.fromHistory(PRIOR, rows);
    expect(rebuilt.snapshot()).toEqual(live.snapshot());
    expect(rebuilt.snapshot()).toHaveLength(2);
    expect(rebuilt.snapshot().find((e) => e.task === 'kyc_check')).toMatchObject({ modelId: GPT5, signals: { wrong: 1, good: 1, corrected: 0, retry: 0 } });
    expect(rebuilt.snapshot([GPT5])).toHaveLength(10);
  });
});
