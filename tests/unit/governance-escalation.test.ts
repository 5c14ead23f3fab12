import { describe, expect, it } from 'vitest';
import { DEFAULT_ESCALATION, shouldEscalate } from '@/lib/engine/governance';

const USD = 1_000_000_000n;

describe('shouldEscalate', () => {
  it('escalates a low-confidence call above the cost threshold', () => {
    const decision = shouldEscalate(0.6, 5n * USD + 1n, DEFAULT_ESCALATION);
    expect(decision.escalate).toBe(true);
    expect(decision.reason).toBe('confidence 0.6 is below 0.85 and the projected cost $5.000000001 exceeds $5');
  });

  it('does not escalate at exactly the confidence minimum or the cost threshold', () => {
    expect(shouldEscalate(0.85, 50n * USD, DEFAULT_ESCALATION).escalate).toBe(false);
    expect(shouldEscalate(0.849, 5n * USD, DEFAULT_ESCALATION).escalate).toBe(false);
    expect(shouldEscalate(0.849, 5n * USD + 1n, DEFAULT_ESCALATION).escalate).toBe(true);
  });

  it('never escalates without a confidence, or on a cheap or confident call', () => {
    expect(shouldEscalate(null, 1_000n * USD, DEFAULT_ESCALATION)).toEqual({ escalate: false, reason: 'no confidence sent' });
    expect(shouldEscalate(Number.NaN, 1_000n * USD, DEFAULT_ESCALATION).escalate).toBe(false);
    expect(shouldEscalate(0.1, USD, DEFAULT_ESCALATION).escalate).toBe(false);
    expect(shouldEscalate(0.99, 1_000n * USD, DEFAULT_ESCALATION).escalate).toBe(false);
  });

  it('follows a custom policy', () => {
    const policy = { minConfidence: 0.5, maxCostNano: USD };
    expect(shouldEscalate(0.49, USD + 1n, policy).escalate).toBe(true);
    expect(shouldEscalate(0.5, USD + 1n, policy).escalate).toBe(false);
  });
});
