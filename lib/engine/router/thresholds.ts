/**
 * The minimum expected quality a model needs before `auto` may pick it for a
 * task type. Policies may override these per organisation; these are the
 * defaults.
 *
 * Chosen against the catalog's qualities (lib/engine/catalog.ts) so that:
 * - easy, high-volume tasks (summarize, classify, extract, support_reply:
 *   0.85) land on a small model: gpt-5-nano (0.85 to 0.88) or the
 *   self-hosted Llama (0.86 to 0.89) meet them, whichever is cheaper for
 *   the call's shape;
 * - regulated or hard tasks (kyc_check, claims_adjust, underwrite, code,
 *   analysis: 0.90) land on a frontier model: no small model reaches 0.80 on
 *   them, GPT-5 reaches 0.90 to 0.93;
 * - `other` (0.80) is cheap by default: an unlabelled call is usually chat.
 */
import type { TaskType } from '../enums';

export const DEFAULT_THRESHOLDS: Readonly<Record<TaskType, number>> = {
  summarize: 0.85,
  classify: 0.85,
  extract: 0.85,
  support_reply: 0.85,
  kyc_check: 0.9,
  claims_adjust: 0.9,
  underwrite: 0.9,
  code: 0.9,
  analysis: 0.9,
  other: 0.8,
};

/**
 * Quality comparisons allow this much float slack: catalog qualities are
 * written as sums (0.93 - 0.03) that may land a hair below the decimal.
 */
export const QUALITY_EPSILON = 1e-9;

export function meetsThreshold(quality: number, threshold: number): boolean {
  return quality + QUALITY_EPSILON >= threshold;
}
