/**
 * The loop guard: stops an agent session that repeats itself or whose spend
 * rate jumps, before it burns its budget. Pure and in memory; the gateway
 * calls `observe` on every call that names a session and persists a freeze
 * (agent_sessions.status = frozen) so every app instance refuses the session.
 *
 * A session freezes when, counting the call being observed:
 * - repeated prompt: its last `maxRepeats` prompts are all near-identical to
 *   the first of them (same text, or same facts and word similarity >=
 *   `policy.similarity`; see fingerprint.ts). With 5, the 5th freezes.
 * - cycle: its prompts end in `maxCycles` full cycles of period 2 (A B A B
 *   A B, A != B) or period 3 (A B C A B C A B C), each letter standing for a
 *   group of near-identical prompts.
 * - spend spike: it spent more than `minSpikeNano` within the last
 *   `rateWindowMs`, and more than `spikeFactor` times its average spend per
 *   `rateWindowMs` before that. A spike needs history: at least one full
 *   window and `MIN_HISTORY_CALLS` calls before the current window, so a
 *   brand-new session never spikes. The current window is measured in
 *   twelfths of `rateWindowMs`, so it spans between 11/12 and all of it.
 *
 * Sessions are keyed by `loopSessionKey(organisationId, sessionId)`: session
 * ids are the callers' own names, so two organisations may use the same one
 * and neither may see, or freeze, the other's.
 *
 * Once frozen, a session stays frozen (further calls are not recorded and
 * return the same answer) until `reset`, which forgets the session entirely.
 * A policy with `maxRepeats < 2` or `maxCycles < 2` disables that check.
 *
 * Bounded memory: at most `maxSessions` sessions (least recently seen
 * evicted first), and per session the last three prompts' groups, run
 * counters and twelve spend buckets, never a growing list. `promptText`
 * should be the call's new content (its last message or tool result), not
 * the whole transcript, which grows on every turn and reads alike.
 */
import { formatUsd } from '../money';
import { fingerprint, nearIdentical, type PromptFingerprint } from './fingerprint';
import type { LoopGuardPolicy, LoopReason } from './types';

export const MIN_HISTORY_CALLS = 3;
const BUCKETS = 12;

export interface LoopObservation {
  promptText: string;
  /** What the call is charged: the projection at admission, or the settled cost; use one consistently. */
  costNano: bigint;
  at: Date;
}

export type LoopVerdict = { frozen: false } | { frozen: true; reason: LoopReason; detail: string };

const NOT_FROZEN: LoopVerdict = Object.freeze({ frozen: false });

/** An organisation's session as one key (two organisations may name their sessions alike): the guard's, the session-status cache's and the gateway's retry memory's. */
export function loopSessionKey(organisationId: string, sessionId: string): string {
  return `${organisationId}\u0000${sessionId}`;
}

interface SessionState {
  /** Group ids of the last three prompts, most recent first (-1: none). */
  g1: number;
  g2: number;
  g3: number;
  /** The first prompt of each of those groups: what a new prompt is compared with. */
  a1: PromptFingerprint | null;
  a2: PromptFingerprint | null;
  a3: PromptFingerprint | null;
  nextGroup: number;
  /** Consecutive prompts of the latest group. */
  run: number;
  /** Consecutive prompts equal to the one two (three) back. */
  period2: number;
  period3: number;
  frozen: LoopVerdict | null;
  firstAt: number;
  lastAt: number;
  calls: number;
  totalNano: number;
  bucketWidth: number;
  /** Per bucket slot: [bucket index, spend, calls] x BUCKETS. */
  buckets: Float64Array;
}

export interface LoopGuardOptions {
  maxSessions?: number;
}

export class LoopGuard {
  private readonly sessions = new Map<string, SessionState>();
  private readonly maxSessions: number;

  constructor(options: LoopGuardOptions = {}) {
    this.maxSessions = Math.max(1, options.maxSessions ?? 50_000);
  }

  /** Sessions currently tracked. */
  get size(): number {
    return this.sessions.size;
  }

  /** `key`: `loopSessionKey(organisationId, sessionId)`, as for every method. */
  isFrozen(key: string): boolean {
    return (this.sessions.get(key)?.frozen ?? null) !== null;
  }

  /** Forgets a session (ops unfroze it): its next call starts a fresh history. */
  reset(key: string): void {
    this.sessions.delete(key);
  }

  observe(key: string, call: LoopObservation, policy: LoopGuardPolicy): LoopVerdict {
    const s = this.touch(key, call.at.getTime());
    if (s.frozen) return s.frozen;

    const fp = fingerprint(call.promptText);
    this.recordPrompt(s, fp, policy.similarity);
    const at = Math.max(call.at.getTime(), s.lastAt);
    const cost = call.costNano > 0n ? Number(call.costNano) : 0;
    this.recordSpend(s, at, cost, policy.rateWindowMs);

    const verdict = repeatVerdict(s, policy) ?? cycleVerdict(s, policy) ?? spikeVerdict(s, at, policy);
    if (!verdict) return NOT_FROZEN;
    s.frozen = verdict;
    return verdict;
  }

  /** The session's state, most recently used last in the map; evicts the least recent beyond the bound. */
  private touch(key: string, at: number): SessionState {
    let s = this.sessions.get(key);
    if (s) {
      this.sessions.delete(key);
      this.sessions.set(key, s);
      return s;
    }
    s = {
      g1: -1,
      g2: -1,
      g3: -1,
      a1: null,
      a2: null,
      a3: null,
      nextGroup: 0,
      run: 0,
      period2: 0,
      period3: 0,
      frozen: null,
      firstAt: at,
      lastAt: at,
      calls: 0,
      totalNano: 0,
      bucketWidth: 0,
      buckets: new Float64Array(BUCKETS * 3).fill(-1),
    };
    this.sessions.set(key, s);
    if (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    return s;
  }

  private recordPrompt(s: SessionState, fp: PromptFingerprint, threshold: number): void {
    let group: number;
    let anchor: PromptFingerprint;
    if (s.a1 && nearIdentical(fp, s.a1, threshold)) {
      group = s.g1;
      anchor = s.a1;
    } else if (s.a2 && nearIdentical(fp, s.a2, threshold)) {
      group = s.g2;
      anchor = s.a2;
    } else if (s.a3 && nearIdentical(fp, s.a3, threshold)) {
      group = s.g3;
      anchor = s.a3;
    } else {
      group = s.nextGroup++;
      anchor = fp;
    }
    s.run = group === s.g1 ? s.run + 1 : 1;
    s.period2 = group === s.g2 ? s.period2 + 1 : 0;
    s.period3 = group === s.g3 ? s.period3 + 1 : 0;
    s.g3 = s.g2;
    s.a3 = s.a2;
    s.g2 = s.g1;
    s.a2 = s.a1;
    s.g1 = group;
    s.a1 = anchor;
  }

  private recordSpend(s: SessionState, at: number, cost: number, windowMs: number): void {
    const width = Math.max(1, windowMs / BUCKETS);
    if (width !== s.bucketWidth) {
      // A changed window: what was recorded so far counts as history.
      s.bucketWidth = width;
      s.buckets.fill(-1);
    }
    const index = Math.floor(at / width);
    const slot = (index % BUCKETS) * 3;
    const b = s.buckets;
    if (b[slot] !== index) {
      b[slot] = index;
      b[slot + 1] = 0;
      b[slot + 2] = 0;
    }
    b[slot + 1] = b[slot + 1]! + cost;
    b[slot + 2] = b[slot + 2]! + 1;
    s.calls++;
    s.totalNano += cost;
    s.lastAt = at;
  }
}

function repeatVerdict(s: SessionState, policy: LoopGuardPolicy): LoopVerdict | null {
  if (policy.maxRepeats < 2 || s.run < policy.maxRepeats) return null;
  return { frozen: true, reason: 'repeated_prompt', detail: `${s.run} near-identical prompts in a row` };
}

function cycleVerdict(s: SessionState, policy: LoopGuardPolicy): LoopVerdict | null {
  const cycles = policy.maxCycles;
  if (cycles < 2) return null;
  if (s.g1 !== s.g2 && s.period2 >= 2 * cycles - 2) {
    return { frozen: true, reason: 'cycle', detail: `prompts alternate A-B-A-B: ${cycles} full cycles in a row` };
  }
  if ((s.g1 !== s.g2 || s.g2 !== s.g3) && s.period3 >= 3 * cycles - 3) {
    return { frozen: true, reason: 'cycle', detail: `prompts repeat A-B-C: ${cycles} full cycles in a row` };
  }
  return null;
}

function spikeVerdict(s: SessionState, at: number, policy: LoopGuardPolicy): LoopVerdict | null {
  const width = s.bucketWidth;
  const current = Math.floor(at / width);
  let recent = 0;
  let recentCalls = 0;
  const b = s.buckets;
  for (let slot = 0; slot < BUCKETS * 3; slot += 3) {
    const index = b[slot]!;
    if (index > current - BUCKETS && index <= current) {
      recent += b[slot + 1]!;
      recentCalls += b[slot + 2]!;
    }
  }
  if (recent <= Number(policy.minSpikeNano)) return null;
  const windowStart = (current - BUCKETS + 1) * width;
  const history = windowStart - s.firstAt;
  if (history < policy.rateWindowMs || s.calls - recentCalls < MIN_HISTORY_CALLS) return null;
  const before = Math.max(0, s.totalNano - recent);
  // recent > factor x (before per window), without dividing: recent x history > factor x before x window.
  if (recent * history <= policy.spikeFactor * before * policy.rateWindowMs) return null;
  const average = (before * policy.rateWindowMs) / history;
  const seconds = Math.round(policy.rateWindowMs / 1000);
  return {
    frozen: true,
    reason: 'spend_spike',
    detail:
      `spent ${usd(recent)} in the last ${seconds}s against an earlier average of ${usd(average)} per ${seconds}s` +
      ` (more than ${policy.spikeFactor}x)`,
  };
}

function usd(nano: number): string {
  return formatUsd(BigInt(Math.round(nano)));
}
