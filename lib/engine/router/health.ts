/**
 * Provider health per model: a circuit breaker over the recent upstream
 * attempts. Pure: the gateway records each attempt's outcome and latency with
 * the time it ended (`now`, from its clock, never read here) and hands
 * `at(now)` to the router.
 *
 * - The window is the last HEALTH_WINDOW_ATTEMPTS attempts that are also
 *   younger than HEALTH_WINDOW_MS.
 * - closed -> open: an error leaves the window at ERROR_RATE_THRESHOLD or more
 *   errors over at least MIN_ATTEMPTS attempts. Open means unhealthy: `auto`
 *   skips the model and a named one falls back.
 * - open -> half-open: COOL_DOWN_MS after opening the model reports healthy
 *   again so traffic probes it. The next attempt decides: a success closes the
 *   circuit with a fresh window; an error opens it again for twice the
 *   cool-down (at most MAX_COOL_DOWN_MS). Calls already in flight when it
 *   opened do not close it.
 */
import type { HealthLookup, ProviderHealth } from './types';

export const HEALTH_WINDOW_ATTEMPTS = 50;
export const HEALTH_WINDOW_MS = 60_000;
export const ERROR_RATE_THRESHOLD = 0.5;
export const MIN_ATTEMPTS = 5;
export const COOL_DOWN_MS = 30_000;
export const MAX_COOL_DOWN_MS = 300_000;

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface UpstreamAttempt {
  modelId: string;
  ok: boolean;
  latencyMs: number;
  /** When the attempt ended, ms (the gateway's clock). */
  now: number;
}

export interface ModelHealthSnapshot extends ProviderHealth {
  modelId: string;
  state: CircuitState;
  /** Attempts in the window. */
  attempts: number;
  /** When the circuit last opened, null while closed. */
  openedAt: number | null;
}

const HEALTHY_UNSEEN: ProviderHealth = Object.freeze({ healthy: true, errorRate: 0, p95LatencyMs: null });

class ModelWindow {
  readonly endedAt = new Float64Array(HEALTH_WINDOW_ATTEMPTS);
  readonly ok = new Uint8Array(HEALTH_WINDOW_ATTEMPTS);
  readonly latency = new Float64Array(HEALTH_WINDOW_ATTEMPTS);
  /** Next slot to write. */
  next = 0;
  size = 0;
  openedAt: number | null = null;
  coolDownMs = COOL_DOWN_MS;
  /** p95 of the ring's latencies; undefined when stale. */
  p95: number | null | undefined = null;

  push(ok: boolean, latencyMs: number, now: number): void {
    this.endedAt[this.next] = now;
    this.ok[this.next] = ok ? 1 : 0;
    this.latency[this.next] = latencyMs;
    this.next = (this.next + 1) % HEALTH_WINDOW_ATTEMPTS;
    if (this.size < HEALTH_WINDOW_ATTEMPTS) this.size++;
    this.p95 = undefined;
  }

  clear(): void {
    this.next = 0;
    this.size = 0;
    this.p95 = null;
  }

  /** Attempts and errors younger than the window at `now`. */
  counts(now: number): { attempts: number; errors: number } {
    let attempts = 0;
    let errors = 0;
    const since = now - HEALTH_WINDOW_MS;
    for (let k = 0; k < this.size; k++) {
      if (this.endedAt[k]! > since) {
        attempts++;
        if (this.ok[k] === 0) errors++;
      }
    }
    return { attempts, errors };
  }

  state(now: number): CircuitState {
    if (this.openedAt === null) return 'closed';
    return now - this.openedAt >= this.coolDownMs ? 'half_open' : 'open';
  }

  p95Latency(): number | null {
    if (this.p95 === undefined) {
      // A typed array sorts numerically without a comparator callback.
      const sorted = this.latency.slice(0, this.size).sort();
      this.p95 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]! : null;
    }
    return this.p95;
  }
}

export class HealthTracker {
  private readonly windows = new Map<string, ModelWindow>();

  record(attempt: UpstreamAttempt): void {
    let w = this.windows.get(attempt.modelId);
    if (!w) {
      w = new ModelWindow();
      this.windows.set(attempt.modelId, w);
    }
    const state = w.state(attempt.now);
    if (state === 'half_open') {
      if (attempt.ok) {
        w.openedAt = null;
        w.coolDownMs = COOL_DOWN_MS;
        w.clear();
      } else {
        w.openedAt = attempt.now;
        w.coolDownMs = Math.min(w.coolDownMs * 2, MAX_COOL_DOWN_MS);
      }
      w.push(attempt.ok, attempt.latencyMs, attempt.now);
      return;
    }
    w.push(attempt.ok, attempt.latencyMs, attempt.now);
    if (state === 'closed' && !attempt.ok) {
      const { attempts, errors } = w.counts(attempt.now);
      if (attempts >= MIN_ATTEMPTS && errors / attempts >= ERROR_RATE_THRESHOLD) w.openedAt = attempt.now;
    }
  }

  health(modelId: string, now: number): ProviderHealth {
    const w = this.windows.get(modelId);
    if (!w) return HEALTHY_UNSEEN;
    const { attempts, errors } = w.counts(now);
    return { healthy: w.state(now) !== 'open', errorRate: attempts ? errors / attempts : 0, p95LatencyMs: w.p95Latency() };
  }

  /** The router's view at one instant. */
  at(now: number): HealthLookup {
    return (modelId) => this.health(modelId, now);
  }

  snapshot(now: number): ModelHealthSnapshot[] {
    return [...this.windows].map(([modelId, w]) => {
      const { attempts } = w.counts(now);
      return { modelId, state: w.state(now), attempts, openedAt: w.openedAt, ...this.health(modelId, now) };
    });
  }
}
