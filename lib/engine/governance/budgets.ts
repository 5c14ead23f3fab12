/**
 * Budgets and quotas: which rules cover a call, which counter (window) each
 * charges, how much a call reserves against each, whether the call is
 * admitted, and which alert thresholds a change of usage crosses.
 *
 * Invariants:
 * - Admission is `committed + reserved + requested <= limit` for every hard
 *   rule. A call that lands exactly on the limit is admitted; one unit more is
 *   refused. Once `committed + reserved` has reached the limit, every further
 *   call that requests anything (`requested > 0`) is refused; a call that
 *   requests nothing (a zero-cost call against a cost budget) is admitted at
 *   the limit and refused only when usage is already over it.
 * - Soft rules never refuse; they only alert.
 * - The stores run `checkAdmission` on rows they hold locked, then add each
 *   rule's `projectionFor` to `reserved` in the same transaction: that is what
 *   makes the check hold across concurrent calls and app instances.
 */
import { windowResetsAt, windowStart } from '../periods';
import type { BudgetMetric } from '../enums';
import { SCOPE_SPECIFICITY, scopeCovers } from './scope';
import type { BudgetRefusal, BudgetRule, CallAttribution, CallProjection, ThresholdCrossing, WindowSlot } from './types';

/**
 * The rules that cover a call: by scope (see `scopeCovers`), and a rule with
 * a `session` window (whatever its scope) only when the call names a
 * session, since it counts per session.
 */
export function applicableBudgets(rules: readonly BudgetRule[], attribution: CallAttribution): BudgetRule[] {
  return rules.filter(
    (rule) =>
      scopeCovers(rule.scopeType, rule.scopeId, attribution) && (rule.window !== 'session' || attribution.sessionId !== null),
  );
}

/**
 * The counter a call charges for one rule at `now`: the window's UTC start
 * as ISO text for minute/day/month windows, `total` for all-time rules, and
 * `session:<id>` for per-session rules. Throws for a session window without
 * a session id: `applicableBudgets` never returns such a rule.
 */
export function windowSlot(rule: BudgetRule, attribution: CallAttribution, now: Date): WindowSlot {
  if (rule.window === 'session') {
    if (attribution.sessionId === null) throw new RangeError(`budget ${rule.id} counts per session, and the call has none`);
    return { budgetId: rule.id, windowKey: `session:${attribution.sessionId}`, resetsAt: null };
  }
  if (rule.window === 'total') return { budgetId: rule.id, windowKey: 'total', resetsAt: null };
  const window = calendarWindow(rule.window, now);
  return { budgetId: rule.id, windowKey: window.key, resetsAt: window.resetsAt };
}

interface CalendarWindow {
  fromMs: number;
  untilMs: number;
  key: string;
  resetsAt: Date;
}

/**
 * The last minute, day and month a call fell in. Every rule of a call, and
 * every call until the window turns, shares it: no Date or ISO string per
 * rule per call on the admission path. `resetsAt` is one shared Date; its
 * readers only read it.
 */
const lastWindows = new Map<'minute' | 'day' | 'month', CalendarWindow>();

function calendarWindow(window: 'minute' | 'day' | 'month', now: Date): CalendarWindow {
  const ms = now.getTime();
  const known = lastWindows.get(window);
  if (known && ms >= known.fromMs && ms < known.untilMs) return known;
  const start = windowStart(window, now)!;
  const resetsAt = windowResetsAt(window, now)!;
  const fresh = { fromMs: start.getTime(), untilMs: resetsAt.getTime(), key: start.toISOString(), resetsAt };
  lastWindows.set(window, fresh);
  return fresh;
}

/** What a call reserves against a rule of this metric: nano-dollars, tokens, or one request. */
export function projectionFor(metric: BudgetMetric, projection: CallProjection): bigint {
  if (metric === 'cost') return projection.costNano;
  if (metric === 'tokens') return projection.tokens;
  return projection.requests;
}

/** One rule's counter for the current window, as the store read it (locked). */
export interface BudgetRow {
  rule: BudgetRule;
  slot: WindowSlot;
  committed: bigint;
  reserved: bigint;
}

export type AdmissionResult = { ok: true } | { ok: false; refusal: BudgetRefusal };

/**
 * Admits a call iff no hard rule would go over its limit:
 * refused when `committed + reserved + requested > limit` (strictly greater;
 * see the module invariants for the exact-limit cases).
 *
 * When several hard rules would trip, the refusal names the one with the
 * least headroom relative to what the call asks of it (`headroom /
 * requested`, compared exactly by cross-multiplication), so the answer is
 * the tightest bound whatever the metrics; among equals, the narrowest scope,
 * then the first row.
 */
export function checkAdmission(rows: readonly BudgetRow[], projection: CallProjection): AdmissionResult {
  let worst: { row: BudgetRow; requested: bigint; headroom: bigint } | null = null;
  for (const row of rows) {
    if (row.rule.enforcement !== 'hard') continue;
    const requested = projectionFor(row.rule.metric, projection);
    const headroom = row.rule.limit - row.committed - row.reserved;
    if (requested <= headroom) continue;
    const candidate = { row, requested, headroom };
    if (worst === null || tighter(candidate, worst)) worst = candidate;
  }
  if (worst === null) return { ok: true };
  const { rule, slot, committed, reserved } = worst.row;
  return {
    ok: false,
    refusal: {
      type: rule.metric === 'cost' ? 'budget_exceeded' : 'quota_exceeded',
      budgetId: rule.id,
      budgetName: rule.name,
      metric: rule.metric,
      window: rule.window,
      limit: rule.limit,
      spent: committed,
      reserved,
      requested: worst.requested,
      resetsAt: slot.resetsAt,
    },
  };
}

interface Tripped {
  row: BudgetRow;
  requested: bigint;
  headroom: bigint;
}

/**
 * Whether `a` leaves less of the call's request covered than `b`:
 * `a.headroom / a.requested < b.headroom / b.requested`. A tripped rule with
 * `requested == 0` is already over its limit (negative headroom), which
 * counts as the tightest there is.
 */
function tighter(a: Tripped, b: Tripped): boolean {
  let order: number;
  if (a.requested === 0n || b.requested === 0n) {
    if (a.requested === 0n && b.requested === 0n) order = compare(a.headroom, b.headroom);
    else order = a.requested === 0n ? -1 : 1;
  } else {
    order = compare(a.headroom * b.requested, b.headroom * a.requested);
  }
  if (order !== 0) return order < 0;
  return SCOPE_SPECIFICITY[a.row.rule.scopeType] > SCOPE_SPECIFICITY[b.row.rule.scopeType];
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Thresholds are fractions; they are compared in parts per million so no float multiplies an amount. */
const PPM = 1_000_000n;

/**
 * The alert thresholds (fractions of the limit) that usage reaches when it
 * moves from `before` to `after` (committed spend), ascending,
 * each at most once: only thresholds above `alreadyAlerted` (the highest one
 * already sent for this window) count, and a move that does not increase
 * usage (a release, a settle below the reservation) crosses nothing.
 *
 * A threshold counts once `after >= threshold * limit`, even when `before`
 * was already past it: a threshold nobody recorded (a counter seeded from the
 * ledger above 80%, a limit lowered) alerts on the next increase instead of
 * never. `alreadyAlerted` is what keeps this free of duplicates, so the store
 * must raise it to the highest threshold returned.
 */
export function thresholdCrossings(
  rule: BudgetRule,
  before: bigint,
  after: bigint,
  alreadyAlerted: number,
): ThresholdCrossing[] {
  if (after <= before || rule.limit < 0n) return [];
  const crossed = [...new Set(rule.alertThresholds)]
    .filter((t) => Number.isFinite(t) && t > alreadyAlerted && t > 0)
    .sort((a, b) => a - b)
    .filter((t) => after * PPM >= BigInt(Math.round(t * 1_000_000)) * rule.limit);
  return crossed.map((threshold) => ({
    budgetId: rule.id,
    budgetName: rule.name,
    threshold,
    used: after,
    limit: rule.limit,
  }));
}
