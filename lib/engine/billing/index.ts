/**
 * Provider billing exports: parsing (pure, exact), model-name matching and
 * reconciliation arithmetic. See README.md in this folder.
 */
import { parseAnthropicCostReport, parseAnthropicUsageReport } from './anthropic';
import { parseOpenAiCosts, parseOpenAiUsage } from './openai';
import type { BillingFormat, BillingProvider, ParsedBillingExport } from './types';

export * from './types';
export { BillingFormatError } from './errors';
export { canonicalJson } from './canonical';
export { canonicalModelName, sameModel, splitOpenAiLineItem } from './models';
export { lineKey } from './lines';
export { centsStringToNano, dollarNumberToNano } from './decimal';
export { parseAnthropicCostReport, parseAnthropicUsageReport, parseOpenAiCosts, parseOpenAiUsage };

const PARSERS: Record<BillingProvider, Record<BillingFormat, (data: unknown, root?: string) => ParsedBillingExport>> = {
  openai: { costs: parseOpenAiCosts, usage: parseOpenAiUsage },
  anthropic: { costs: parseAnthropicCostReport, usage: parseAnthropicUsageReport },
};

/**
 * Parses one provider export (a page or an array of pages). `root` prefixes
 * the field paths in errors, e.g. `data` for the import request's `data`.
 * Throws BillingFormatError naming the first bad field.
 */
export function parseBillingExport(provider: BillingProvider, format: BillingFormat, data: unknown, root = ''): ParsedBillingExport {
  return PARSERS[provider][format](data, root);
}
export { reconcile, varianceBasisPoints } from './reconcile';
export type { BilledGroup, CostSource, EstimatedGroup, Reconciliation, ReconciliationRow, ReconciliationTotals, UnattributedSpend } from './reconcile';
