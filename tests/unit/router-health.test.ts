import { describe, expect, it } from 'vitest';
import { COOL_DOWN_MS, HEALTH_WINDOW_ATTEMPTS, HEALTH_WINDOW_MS, HealthTracker, MAX_COOL_DOWN_MS } from '@/lib/engine/router';

const M = 'openai/gpt-5';

/** `n` failed attempts ending at `now`. */
function fail(t: HealthTracker, now: number, n = 1) {
  for (let i = 0; i < n; i++) t.record({ modelId: M, ok: false, latencyMs: 1_000, now });
}
function succeed(t: HealthTracker, now: number, n = 1) {
  for (let i = 0; i < n; i++) t.record({ modelId: M, ok: true, latencyMs: 100, now });
}

describe('HealthTracker', () => {
  it('reports an unseen model healthy with no latency', () => {
    expect(new HealthTracker().health(M, 0)).toEqual({ healthy: true, errorRate: 0, p95LatencyMs: null });
  });

  it('needs at least five attempts before opening', () => {
    const t = new HealthTracker();
    fail(t, 0, 4);
    expect(t.health(M, 10)).toMatchObject({ healthy: true, errorRate: 1 });
    fail(t, 10);
    expect(t.health(M, 20).healthy).toBe(false);
  });

  it('opens at half errors, not below', () => {
    const t = new HealthTracker();
    succeed(t, 0, 6);
    fail(t, 100, 5);
    expect(t.health(M, 200)).toMatchObject({ healthy: true });
    fail(t, 300);
    expect(t.health(M, 400)).toMatchObject({ healthy: false, errorRate: 0.5 });
  });

  it('half-opens after the cool-down; a good probe closes it with a fresh window', () => {
    const t = new HealthTracker();
    fail(t, 0, 5);
    expect(t.health(M, COOL_DOWN_MS - 1).healthy).toBe(false);
    expect(t.snapshot(COOL_DOWN_MS)[0]).toMatchObject({ state: 'half_open', healthy: true });
    succeed(t, COOL_DOWN_MS + 10);
    expect(t.snapshot(COOL_DOWN_MS + 20)[0]).toMatchObject({ state: 'closed', healthy: true, errorRate: 0, attempts: 1 });
  });

  it('a failed probe reopens it for twice as long, up to the cap', () => {
    const t = new HealthTracker();
    fail(t, 0, 5);
    let now = COOL_DOWN_MS;
    let cool = COOL_DOWN_MS;
    for (let round = 0; round < 6; round++) {
      fail(t, now);
      cool = Math.min(cool * 2, MAX_COOL_DOWN_MS);
      expect(t.health(M, now + cool - 1).healthy).toBe(false);
      expect(t.health(M, now + cool).healthy).toBe(true);
      now += cool;
    }
    expect(cool).toBe(MAX_COOL_DOWN_MS);
  });

  it('errors age out of the window', () => {
    // Four old errors, then four successes and one error: 1 of 5 inside the window, healthy.
    const aged = new HealthTracker();
    fail(aged, 0, 4);
    succeed(aged, HEALTH_WINDOW_MS + 1_000, 4);
    fail(aged, HEALTH_WINDOW_MS + 2_000);
    expect(aged.health(M, HEALTH_WINDOW_MS + 3_000)).toMatchObject({ healthy: true, errorRate: 0.2 });
    // The same attempts within one minute: 5 of 9, open.
    const recent = new HealthTracker();
    fail(recent, 0, 4);
    succeed(recent, 1_000, 4);
    fail(recent, 2_000);
    expect(recent.health(M, 3_000)).toMatchObject({ healthy: false });
  });

  it('keeps the last 50 attempts and their p95 latency', () => {
    const t = new HealthTracker();
    for (let i = 1; i <= 120; i++) t.record({ modelId: M, ok: true, latencyMs: i, now: i });
    const h = t.health(M, 200);
    // Latencies 71..120 remain; p95 of 50 values is the 48th: 118.
    expect(h.p95LatencyMs).toBe(118);
    expect(t.snapshot(200)[0]!.attempts).toBe(HEALTH_WINDOW_ATTEMPTS);
  });

  it('gives the router a lookup fixed at one instant', () => {
    const t = new HealthTracker();
    fail(t, 0, 5);
    const before = t.at(1_000);
    const after = t.at(COOL_DOWN_MS + 1);
    expect(before(M).healthy).toBe(false);
    expect(after(M).healthy).toBe(true);
    expect(before('google/gemini-2.5-pro').healthy).toBe(true);
  });
});
