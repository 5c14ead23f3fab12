/**
 * The router: task inference, thresholds, quality drift, provider health and
 * the routing decision. See README.md in this folder.
 */
export type * from './types';
export { inferTask, parseTaskHeader, type InferredTask } from './task';
export { DEFAULT_THRESHOLDS, meetsThreshold, QUALITY_EPSILON } from './thresholds';
export { DEFAULT_REPLY_ALLOWANCE, EXPECTED_OUTPUT_TOKENS, estimateCostNano, expectedOutputTokens } from './cost';
export { catalogQuality, routableModels, UNKNOWN_QUALITY } from './models';
export {
  MIN_STEP,
  OrganisationQuality,
  RELAX_HALF_LIFE,
  PRIOR_WEIGHT,
  QUALITY_SIGNALS,
  QualityTracker,
  SIGNAL_EFFECT,
  type OrganisationQualityRow,
  type QualityEstimate,
  type QualityHistoryRow,
  type QualitySignal,
  type QualityTrackerOptions,
} from './quality';
export {
  COOL_DOWN_MS,
  ERROR_RATE_THRESHOLD,
  HEALTH_WINDOW_ATTEMPTS,
  HEALTH_WINDOW_MS,
  HealthTracker,
  MAX_COOL_DOWN_MS,
  MIN_ATTEMPTS,
  type CircuitState,
  type ModelHealthSnapshot,
  type UpstreamAttempt,
} from './health';
export { DEFAULT_MAX_CHAIN, MAX_REASON_CHARS, routeRequest } from './route';
