/** Providers whose billing exports Tollgate imports, and the two kinds of export. */
export const BILLING_PROVIDERS = ['openai', 'anthropic'] as const;
export type BillingProvider = (typeof BILLING_PROVIDERS)[number];

export const BILLING_FORMATS = ['costs', 'usage'] as const;
export type BillingFormat = (typeof BILLING_FORMATS)[number];

/** billing_imports.format: which endpoint the body came from. */
export const IMPORT_FORMATS = {
  openai: { costs: 'openai_costs', usage: 'openai_usage' },
  anthropic: { costs: 'anthropic_cost', usage: 'anthropic_usage' },
} as const satisfies Record<BillingProvider, Record<BillingFormat, string>>;
export type ImportFormat = (typeof IMPORT_FORMATS)[BillingProvider][BillingFormat];

/** The import formats that carry billed amounts (the others carry token counts). */
export const COST_IMPORT_FORMATS: readonly ImportFormat[] = [IMPORT_FORMATS.openai.costs, IMPORT_FORMATS.anthropic.costs];

/**
 * One normalised billing line: a provider's billed amount (cost exports) or
 * billed token counts (usage exports) for one UTC day, model, provider
 * project and line item. Lines with the same key are summed while parsing,
 * so every key appears once per export.
 *
 * Token columns are disjoint, as in the ledger: `inputTokens` excludes cache
 * reads (`cachedInputTokens`) and cache writes (`cacheWriteTokens`).
 */
export interface BillingLineDraft {
  provider: BillingProvider;
  kind: 'cost' | 'usage';
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** The model as the provider names it (often a dated snapshot); null when the export does not say. */
  modelName: string | null;
  /** The provider's project (OpenAI) or workspace (Anthropic) id; null when not grouped by it, or the default workspace. */
  externalProjectId: string | null;
  lineItem: string;
  /** input, cached_input, cache_write_5m, cache_write_1h, output, ... when the line item says; else null. */
  direction: string | null;
  /** Nano-dollars; 0 for usage lines. */
  amountNano: bigint;
  currency: 'USD';
  inputTokens: number | null;
  cachedInputTokens: number | null;
  cacheWriteTokens: number | null;
  outputTokens: number | null;
  requests: number | null;
  /** The provider's result objects this line was built from, each with its bucket start. */
  sources: Record<string, unknown>[];
}

/** The span of one UTC day an export's buckets cover, [fromMs, toMs). */
export interface DayCoverage {
  day: string;
  fromMs: number;
  toMs: number;
}

export interface ParsedBillingExport {
  provider: BillingProvider;
  format: BillingFormat;
  lines: BillingLineDraft[];
  pages: number;
  buckets: number;
  results: number;
  /** The last page said there is more: the export continues past what was sent. */
  hasMore: boolean;
  nextPage: string | null;
  /** First and last day with a line; null when there are none. */
  firstDay: string | null;
  lastDay: string | null;
  /** Per day, the span the export's buckets cover, lines or not: what an import of it restates. */
  coverage: DayCoverage[];
}

/** The token and request fields of a cost line: a cost export carries amounts, not counts. */
export const NO_USAGE_COUNTS = {
  inputTokens: null,
  cachedInputTokens: null,
  cacheWriteTokens: null,
  outputTokens: null,
  requests: null,
} as const;
