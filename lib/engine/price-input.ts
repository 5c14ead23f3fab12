/**
 * A price version as ops give it, by API (POST /api/v1/prices) or CLI
 * (`npm run prices -- set`): one zod schema for both. Rates are USD per
 * million tokens as decimal strings or JSON numbers; a number is read as its
 * shortest decimal, never multiplied as a float. Rates are non-negative with
 * at most nine decimals (the nano-dollar per Mtok).
 */
import { z } from 'zod';
import { PRICE_KINDS, SERVICE_TIERS, type PriceKind, type ServiceTier } from './enums';
import { decimalFromNumber, usdToNano } from './money';
import type { PriceRates } from './pricing';

/** No provider charges $1M per million tokens; a bigger number is a typo. */
export const MAX_USD_PER_MTOK = 1_000_000n;
/** Long-context tiers start at most this many prompt tokens. */
export const MAX_CONTEXT_TIER_TOKENS = 100_000_000;

const usdPerMtok = z.union([z.string(), z.number()]).transform((value, ctx): bigint => {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      ctx.addIssue({ code: 'custom', message: 'must be a finite number of USD per million tokens' });
      return z.NEVER;
    }
    text = decimalFromNumber(value);
  } else {
    text = value.trim();
  }
  if (!/^\d+(\.\d+)?$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: `must be a non-negative decimal number of USD per million tokens, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  if (/\.\d{10,}$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: `has more than nine decimals: ${text}` });
    return z.NEVER;
  }
  const nano = usdToNano(text);
  if (nano > MAX_USD_PER_MTOK * 1_000_000_000n) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_USD_PER_MTOK} USD per million tokens` });
    return z.NEVER;
  }
  return nano;
});

/** `YYYY-MM-DD` (midnight UTC) or an ISO 8601 date-time with a zone; real calendar dates only. */
export const effectiveDate = z.string().transform((value, ctx): Date => {
  const text = value.trim();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const day = iso.slice(0, 10);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  // Date itself reads 2026-02-30 as 2 March: the calendar day must read back unchanged.
  const realDay = /^\d{4}-\d{2}-\d{2}$/.test(day) && new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10) === day;
  if (!realDay || !z.iso.datetime({ offset: true }).safeParse(iso).success) {
    ctx.addIssue({ code: 'custom', message: `must be a date (YYYY-MM-DD) or an ISO 8601 date-time with a time zone, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return new Date(iso);
});

/** The body of POST /api/v1/prices; the CLI builds the same object from its flags. */
export const priceVersionBody = z
  .object({
    model: z.string().trim().min(1).max(200),
    kind: z.enum(PRICE_KINDS).default('list'),
    service_tier: z.enum(SERVICE_TIERS).default('standard'),
    context_tier_min_tokens: z.number().int().min(0).max(MAX_CONTEXT_TIER_TOKENS).default(0),
    /** Defaults to the moment the request is made. */
    effective_from: effectiveDate.optional(),
    input: usdPerMtok,
    output: usdPerMtok,
    cached_input: usdPerMtok.nullish(),
    cache_write_5m: usdPerMtok.nullish(),
    cache_write_1h: usdPerMtok.nullish(),
    reasoning: usdPerMtok.nullish(),
    /** Where the price comes from (a contract, an invoice, a GPU cost model); shown with the price. */
    source: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type PriceVersionBody = z.input<typeof priceVersionBody>;

export interface PriceVersionInput {
  modelId: string;
  kind: PriceKind;
  serviceTier: ServiceTier;
  contextTierMinTokens: number;
  /** Null: from now. */
  effectiveFrom: Date | null;
  rates: PriceRates;
  source: string | null;
}

/** Parses a body (throws ZodError, which the HTTP edge maps to a 400 naming the field). */
export function parsePriceVersion(body: unknown): PriceVersionInput {
  const b = priceVersionBody.parse(body);
  return {
    modelId: b.model,
    kind: b.kind,
    serviceTier: b.service_tier,
    contextTierMinTokens: b.context_tier_min_tokens,
    effectiveFrom: b.effective_from ?? null,
    rates: {
      inputPerMtok: b.input,
      outputPerMtok: b.output,
      cachedInputPerMtok: b.cached_input ?? null,
      cacheWrite5mPerMtok: b.cache_write_5m ?? null,
      cacheWrite1hPerMtok: b.cache_write_1h ?? null,
      reasoningPerMtok: b.reasoning ?? null,
    },
    source: b.source ?? null,
  };
}
