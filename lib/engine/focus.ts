/**
 * The chargeback export as a FOCUS 1.2 cost and usage dataset: the column
 * list, and one FOCUS row per charge line (one UTC day x one SKU price x one
 * department and project). Pure formatting: the read model
 * (db/queries/chargeback.ts) has already split every ledger row's cost over
 * its token buckets and summed the parts, so the amounts here are exact
 * nano-dollars and are only written out.
 *
 * Formats (FOCUS 1.2): date-times are UTC ISO 8601 (`2026-11-01T00:00:00Z`);
 * decimals are plain (no exponent, no thousands separator, no currency sign);
 * null is an empty field; JSON columns hold one object.
 *
 * Value choices, so nothing is invented:
 * - BillingAccount = the organisation; SubAccount = the department (empty for
 *   calls attributed to no department).
 * - ProviderName = PublisherName = the model's provider; InvoiceIssuerName is
 *   Tollgate, which issues the chargeback.
 * - ServiceCategory `AI and Machine Learning`, ServiceSubcategory `Generative
 *   AI`, ServiceName `<provider> inference`; the resource is the model
 *   (ResourceType `Model`).
 * - PricingUnit `1M Tokens`: PricingQuantity is tokens / 1e6, and the unit
 *   prices are the price rows' nano-dollars per million tokens as USD:
 *   ContractedUnitPrice from the row's own price, ListUnitPrice from the list
 *   price in force (the same row unless that is negotiated or amortised).
 *   ConsumedQuantity is in `Tokens`. PricingCategory is `Standard`: catalog
 *   and contract prices are set in advance.
 * - SkuId is `<model>:<bucket>`; SkuPriceId adds the catalog price row
 *   (`:price-<id>`), so a price change shows as a new SkuPriceId, and
 *   SkuPriceDetails says which kind of price and service tier it is.
 * - BilledCost = EffectiveCost = ContractedCost (no commitments or credits).
 * - Unpriced usage (no catalog price at the call's time) costs 0 in the
 *   ledger; its rows keep their tokens, with unit prices 0 (what was applied),
 *   PricingCategory `Other`, SkuPriceId `<model>:<bucket>:unpriced` and
 *   x_PriceStatus `unpriced`.
 */
import { nanoToUsdString } from './money';

/** The ledger's disjoint token buckets, in ledger column order (the split's tie-break order). */
export const TOKEN_BUCKETS = ['input', 'cached_input', 'cache_write_5m', 'cache_write_1h', 'output', 'reasoning'] as const;
export type TokenBucket = (typeof TOKEN_BUCKETS)[number];

export const TOKEN_DIRECTIONS = ['input', 'output', 'reasoning'] as const;
export type TokenDirection = (typeof TOKEN_DIRECTIONS)[number];

export const CACHE_ACTIONS = ['none', 'read', 'write_5m', 'write_1h'] as const;
export type CacheAction = (typeof CACHE_ACTIONS)[number];

export const BUCKETS: Record<TokenBucket, { direction: TokenDirection; cacheAction: CacheAction; meter: string }> = {
  input: { direction: 'input', cacheAction: 'none', meter: 'Input tokens' },
  cached_input: { direction: 'input', cacheAction: 'read', meter: 'Cached input tokens (cache read)' },
  cache_write_5m: { direction: 'input', cacheAction: 'write_5m', meter: 'Cache write tokens (5-minute TTL)' },
  cache_write_1h: { direction: 'input', cacheAction: 'write_1h', meter: 'Cache write tokens (1-hour TTL)' },
  output: { direction: 'output', cacheAction: 'none', meter: 'Output tokens' },
  reasoning: { direction: 'reasoning', cacheAction: 'none', meter: 'Reasoning tokens' },
};

/**
 * One charge line as the read model returns it: JSON-safe, integers as
 * decimal strings. Amounts are nano-dollars; rates nano-dollars per million
 * tokens (null when the usage is unpriced).
 */
export interface ChargeLine {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  departmentId: string | null;
  departmentName: string | null;
  costCenter: string | null;
  projectId: string | null;
  projectName: string | null;
  provider: string;
  /** The catalog model id, or `<provider>/<model name>` for a model the catalog does not know. */
  modelKey: string;
  modelName: string;
  bucket: TokenBucket;
  priceId: number | null;
  priceStatus: string;
  priceKind: string | null;
  serviceTier: string | null;
  tokens: string;
  costNano: string;
  listCostNano: string;
  ratePerMtokNano: string | null;
  listRatePerMtokNano: string | null;
}

/** Whose chargeback this is. */
export interface FocusAccount {
  organisationId: string;
  organisationName: string;
}

export const FOCUS_COLUMNS = [
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'ContractedUnitPrice',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'ListUnitPrice',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'ServiceCategory',
  'ServiceName',
  'ServiceSubcategory',
  'SkuId',
  'SkuMeter',
  'SkuPriceDetails',
  'SkuPriceId',
  'SubAccountId',
  'SubAccountName',
  'Tags',
  'x_CostCenter',
  'x_ProjectId',
  'x_ProjectName',
  'x_TokenDirection',
  'x_CacheAction',
  'x_PriceStatus',
] as const;
export type FocusColumn = (typeof FOCUS_COLUMNS)[number];
export type FocusRow = Record<FocusColumn, string | null>;

const PROVIDER_NAMES: Record<string, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  google: 'Google',
  openai_compatible: 'OpenAI-compatible endpoint',
  self_hosted: 'Self-hosted',
  simulated: 'Tollgate simulator',
};

/** The provider's display name; an unknown provider keeps its own id. */
export function providerName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}

/** `value / 10^scale` as a plain decimal, trailing zeros trimmed: (1234500n, 6) -> "1.2345". */
export function scaledDecimal(value: bigint, scale: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(scale);
  const fraction = scale > 0 ? (abs % unit).toString().padStart(scale, '0').replace(/0+$/, '') : '';
  const text = `${abs / unit}${fraction ? `.${fraction}` : ''}`;
  return negative && abs !== 0n ? `-${text}` : text;
}

/** FOCUS date-time: UTC, whole seconds, `Z`. */
export function focusDateTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface MonthPeriod {
  /** `YYYY-MM` */
  label: string;
  start: Date;
  /** Exclusive: the first instant of the next month. */
  end: Date;
}

/** The UTC calendar month `YYYY-MM`; null when the text is not such a month. */
export function monthPeriod(month: string): MonthPeriod | null {
  const match = MONTH.exec(month);
  if (!match) return null;
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  const start = new Date(0);
  start.setUTCFullYear(year, index, 1);
  const end = new Date(0);
  end.setUTCFullYear(year, index + 1, 1);
  return { label: month, start, end };
}

export function focusFilename(month: string): string {
  return `tollgate-focus-${month}.csv`;
}

function skuId(line: ChargeLine): string {
  return `${line.modelKey}:${line.bucket}`;
}

function skuPriceId(line: ChargeLine): string {
  return `${skuId(line)}:${line.priceId === null ? 'unpriced' : `price-${line.priceId}`}`;
}

/** Provider-defined tags under Tollgate's `tollgate/` prefix; null when the line has none. */
function tags(line: ChargeLine): string | null {
  const entries: [string, string][] = [];
  if (line.costCenter) entries.push(['tollgate/cost-center', line.costCenter]);
  if (line.projectId) entries.push(['tollgate/project', line.projectId]);
  if (line.projectName) entries.push(['tollgate/project-name', line.projectName]);
  return entries.length > 0 ? JSON.stringify(Object.fromEntries(entries)) : null;
}

const DAY_MS = 86_400_000;

const usd = (nano: bigint | string | null) => nanoToUsdString(BigInt(nano ?? 0n));

/** One FOCUS row per charge line; the billing period is the month. */
export function focusRows(lines: readonly ChargeLine[], account: FocusAccount, period: MonthPeriod): FocusRow[] {
  const billingStart = focusDateTime(period.start);
  const billingEnd = focusDateTime(period.end);
  return lines.map((line) => {
    const bucket = BUCKETS[line.bucket];
    const provider = providerName(line.provider);
    const priced = line.priceId !== null;
    const dayStart = new Date(`${line.day}T00:00:00Z`);
    const cost = usd(line.costNano);
    const tokens = BigInt(line.tokens);
    return {
      BilledCost: cost,
      BillingAccountId: account.organisationId,
      BillingAccountName: account.organisationName,
      BillingCurrency: 'USD',
      BillingPeriodEnd: billingEnd,
      BillingPeriodStart: billingStart,
      ChargeCategory: 'Usage',
      ChargeClass: null,
      ChargeDescription: `${line.modelName}: ${bucket.meter.toLowerCase()}${priced ? '' : ' (unpriced: no catalog price at the time of use)'}`,
      ChargeFrequency: 'Usage-Based',
      ChargePeriodEnd: focusDateTime(new Date(dayStart.getTime() + DAY_MS)),
      ChargePeriodStart: focusDateTime(dayStart),
      ConsumedQuantity: tokens.toString(),
      ConsumedUnit: 'Tokens',
      ContractedCost: cost,
      ContractedUnitPrice: usd(line.ratePerMtokNano),
      EffectiveCost: cost,
      InvoiceIssuerName: 'Tollgate',
      ListCost: usd(line.listCostNano),
      ListUnitPrice: usd(line.listRatePerMtokNano),
      PricingCategory: priced ? 'Standard' : 'Other',
      PricingQuantity: scaledDecimal(tokens, 6),
      PricingUnit: '1M Tokens',
      ProviderName: provider,
      PublisherName: provider,
      ResourceId: line.modelKey,
      ResourceName: line.modelName,
      ResourceType: 'Model',
      ServiceCategory: 'AI and Machine Learning',
      ServiceName: `${provider} inference`,
      ServiceSubcategory: 'Generative AI',
      SkuId: skuId(line),
      SkuMeter: bucket.meter,
      SkuPriceDetails: priced
        ? JSON.stringify({ x_PriceKind: line.priceKind, x_ServiceTier: line.serviceTier, x_TokenDirection: bucket.direction, x_CacheAction: bucket.cacheAction })
        : null,
      SkuPriceId: skuPriceId(line),
      SubAccountId: line.departmentId,
      SubAccountName: line.departmentName,
      Tags: tags(line),
      x_CostCenter: line.costCenter,
      x_ProjectId: line.projectId,
      x_ProjectName: line.projectName,
      x_TokenDirection: bucket.direction,
      x_CacheAction: bucket.cacheAction,
      x_PriceStatus: line.priceStatus,
    };
  });
}
