/**
 * Expected answer quality per (model, task type), starting at the catalog's
 * figure and drifting with feedback. Pure: the gateway feeds it signals and
 * hands `lookup` to the router; at startup it is rebuilt from stored feedback.
 *
 * The estimate is a bounded exponential moving average. Each signal pulls it
 * toward a target (good 1, wrong 0, corrected 0.5, retry 0 at a quarter
 * weight) by `weight / (n + weight)`, where n starts at PRIOR_WEIGHT: early
 * on this is the average of the prior (counted as PRIOR_WEIGHT observations)
 * and the signals, so a handful of signals moves it without overturning it.
 * The step never falls below MIN_STEP times the weight, so after a few hundred
 * signals it becomes an EMA over roughly the last 1 / MIN_STEP of them and
 * keeps following drift instead of freezing.
 *
 * Only the model that served a call hears about it, so a model the router
 * has left (because a few wrong answers took it under the threshold) would
 * otherwise keep that verdict for ever while its rivals keep their priors: a
 * ratchet toward dearer models. So an estimate relaxes back toward its prior
 * as other models take the task's traffic: halfway after RELAX_HALF_LIFE
 * signals on that task type that it did not get. A model that really got
 * worse is pushed straight back down by the next few signals when it is
 * tried again. No clock: "time" is the task's signal count.
 */
import { TASK_TYPES, type FeedbackKind, type TaskType } from '../enums';
import type { QualityLookup } from './types';

/** Feedback on a call (`good`, `wrong`, `corrected`), or `retry`: the caller asked the same thing again soon after. */
export type QualitySignal = FeedbackKind | 'retry';
export const QUALITY_SIGNALS = ['good', 'wrong', 'corrected', 'retry'] as const satisfies readonly QualitySignal[];

/** Where each signal pulls the estimate, and with how many observations' weight. */
export const SIGNAL_EFFECT: Readonly<Record<QualitySignal, { target: number; weight: number }>> = {
  good: { target: 1, weight: 1 },
  wrong: { target: 0, weight: 1 },
  /** A person had to fix the answer: half right. */
  corrected: { target: 0.5, weight: 1 },
  /** A weak negative: callers also retry for reasons that are not the answer's fault. */
  retry: { target: 0, weight: 0.25 },
};

/**
 * The catalog prior counts as 100 observations (it comes from evaluations far
 * larger than a day's feedback). With GPT-5 at 0.93 on kyc_check (threshold
 * 0.90): one `wrong` gives 0.921, three 0.903, four 0.894 (`auto` moves to the
 * next model); 15 `good` after five wrongs bring it back above 0.90. A real
 * regression to half the answers wrong moves it off within 7 signals. A
 * model whose prior sits only 0.01 above its threshold (gpt-5-nano on
 * summarize, Llama on support_reply) moves after two wrong answers in a row.
 */
export const PRIOR_WEIGHT = 100;
/** Smallest step per unit of weight: memory of about the last 200 signals. */
export const MIN_STEP = 1 / 200;
/** Signals on a task type, to other models, after which an estimate is halfway back to its prior: the same memory as MIN_STEP. */
export const RELAX_HALF_LIFE = 200;

export interface QualityHistoryRow {
  modelId: string;
  task: TaskType;
  signal: QualitySignal;
}

export interface QualityEstimate {
  modelId: string;
  task: TaskType;
  /** The prior (catalog) figure. */
  prior: number;
  /** The current estimate. */
  expected: number;
  /** Signals seen, per kind. */
  signals: Record<QualitySignal, number>;
}

export interface QualityTrackerOptions {
  priorWeight?: number;
  minStep?: number;
  relaxHalfLife?: number;
}

const TASK_INDEX = new Map<TaskType, number>(TASK_TYPES.map((t, i) => [t, i]));
const SIGNAL_INDEX = new Map<QualitySignal, number>(QUALITY_SIGNALS.map((s, i) => [s, i]));
const TASKS = TASK_TYPES.length;
const SIGNALS = QUALITY_SIGNALS.length;

interface ModelState {
  /** Estimate per task index as of its last signal; NaN before the first. */
  expected: Float64Array;
  /** Effective observation count per task index (prior included). */
  weight: Float64Array;
  /** The task's signal clock when this model last had a signal for it. */
  heardAt: Float64Array;
  /** Signal counts, task index * SIGNALS + signal index. */
  counts: Uint32Array;
}

export class QualityTracker {
  private readonly models = new Map<string, ModelState>();
  /** Signal weight received per task type, over all models: the relaxation clock. */
  private readonly clock = new Float64Array(TASKS);
  private readonly priorWeight: number;
  private readonly minStep: number;
  private readonly relaxHalfLife: number;

  constructor(
    private readonly prior: QualityLookup,
    options: QualityTrackerOptions = {},
  ) {
    this.priorWeight = options.priorWeight ?? PRIOR_WEIGHT;
    this.minStep = options.minStep ?? MIN_STEP;
    this.relaxHalfLife = options.relaxHalfLife ?? RELAX_HALF_LIFE;
    if (!(this.priorWeight > 0) || !(this.minStep > 0 && this.minStep <= 1) || !(this.relaxHalfLife > 0)) {
      throw new RangeError('priorWeight and relaxHalfLife must be > 0 and minStep in (0, 1]');
    }
  }

  /** Rebuilds the estimates from stored signals, oldest first. */
  static fromHistory(prior: QualityLookup, rows: Iterable<QualityHistoryRow>, options?: QualityTrackerOptions): QualityTracker {
    const tracker = new QualityTracker(prior, options);
    for (const row of rows) tracker.observe(row.modelId, row.task, row.signal);
    return tracker;
  }

  /** How much of a (model, task) deviation from its prior is left after the task's other traffic. */
  private remaining(state: ModelState, t: number): number {
    const age = this.clock[t]! - state.heardAt[t]!;
    return age <= 0 ? 1 : 0.5 ** (age / this.relaxHalfLife);
  }

  /** The current estimate; the prior until the first signal. Hand this to the router. */
  readonly lookup: QualityLookup = (modelId, task) => {
    const prior = this.prior(modelId, task);
    const state = this.models.get(modelId);
    if (!state) return prior;
    const t = TASK_INDEX.get(task)!;
    const value = state.expected[t]!;
    if (Number.isNaN(value)) return prior;
    return prior + (value - prior) * this.remaining(state, t);
  };

  observe(modelId: string, task: TaskType, signal: QualitySignal): void {
    const t = TASK_INDEX.get(task);
    const s = SIGNAL_INDEX.get(signal);
    if (t === undefined || s === undefined) throw new RangeError(`unknown task ${task} or signal ${signal}`);
    let state = this.models.get(modelId);
    if (!state) {
      state = {
        expected: new Float64Array(TASKS).fill(Number.NaN),
        weight: new Float64Array(TASKS),
        heardAt: new Float64Array(TASKS),
        counts: new Uint32Array(TASKS * SIGNALS),
      };
      this.models.set(modelId, state);
    }
    if (Number.isNaN(state.expected[t]!)) {
      state.expected[t] = this.prior(modelId, task);
      state.weight[t] = this.priorWeight;
    } else {
      // Start from the relaxed estimate, with the evidence behind it discounted alike.
      const left = this.remaining(state, t);
      state.expected[t] = this.lookup(modelId, task);
      state.weight[t] = this.priorWeight + (state.weight[t]! - this.priorWeight) * left;
    }
    const { target, weight } = SIGNAL_EFFECT[signal];
    const step = Math.max(weight / (state.weight[t]! + weight), this.minStep * weight);
    state.expected[t] = Math.min(1, Math.max(0, state.expected[t]! + step * (target - state.expected[t]!)));
    state.weight[t]! += weight;
    state.counts[t * SIGNALS + s]! += 1;
    this.clock[t]! += weight;
    state.heardAt[t] = this.clock[t]!;
  }

  /**
   * Estimates for display. With `modelIds`, every task of those models
   * (priors included); without, only the (model, task) pairs that have signals.
   */
  snapshot(modelIds?: readonly string[]): QualityEstimate[] {
    const out: QualityEstimate[] = [];
    const ids = modelIds ?? [...this.models.keys()];
    for (const modelId of ids) {
      const state = this.models.get(modelId);
      TASK_TYPES.forEach((task, t) => {
        const observed = state !== undefined && !Number.isNaN(state.expected[t]!);
        if (!observed && !modelIds) return;
        const signals = {} as Record<QualitySignal, number>;
        QUALITY_SIGNALS.forEach((signal, s) => {
          signals[signal] = state ? state.counts[t * SIGNALS + s]! : 0;
        });
        out.push({ modelId, task, prior: this.prior(modelId, task), expected: this.lookup(modelId, task), signals });
      });
    }
    return out;
  }
}

/** A quality signal from one organisation's traffic. */
export interface OrganisationQualityRow extends QualityHistoryRow {
  organisationId: string;
}

/**
 * Quality estimates per organisation: an organisation's routing moves only
 * with its own feedback and retries, so no tenant can steer another's. An
 * organisation without signals reads the prior. `lookupFor` is one Map
 * lookup, cheap enough for every call.
 */
export class OrganisationQuality {
  private readonly trackers = new Map<string, QualityTracker>();

  constructor(
    private readonly prior: QualityLookup,
    private readonly options: QualityTrackerOptions = {},
  ) {}

  /** Rebuilds every organisation's estimates from stored signals, oldest first. */
  static fromHistory(prior: QualityLookup, rows: Iterable<OrganisationQualityRow>, options?: QualityTrackerOptions): OrganisationQuality {
    const quality = new OrganisationQuality(prior, options);
    for (const row of rows) quality.observe(row);
    return quality;
  }

  /** The organisation's estimates, to hand to the router. */
  lookupFor(organisationId: string): QualityLookup {
    return this.trackers.get(organisationId)?.lookup ?? this.prior;
  }

  /** The organisation's tracker, once it has had a signal. */
  trackerOf(organisationId: string): QualityTracker | undefined {
    return this.trackers.get(organisationId);
  }

  observe(row: OrganisationQualityRow): void {
    let tracker = this.trackers.get(row.organisationId);
    if (!tracker) {
      tracker = new QualityTracker(this.prior, this.options);
      this.trackers.set(row.organisationId, tracker);
    }
    tracker.observe(row.modelId, row.task, row.signal);
  }
}
