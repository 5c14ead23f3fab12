/**
 * The public price catalog: pydantic/genai-prices' v2 feed (db/catalog) as
 * Tollgate catalog rows. Pure: the feed's JSON in, models and price versions
 * out, with a report of everything that was not imported and why; and the
 * plan that says which of them a database does not hold yet.
 *
 * - A model's id is `<provider>/<feed model id>`. Feed provider ids map to
 *   Tollgate's provider names (FEED_PROVIDER_NAMES); others are kept as the
 *   feed spells them.
 * - Prices are USD per million tokens, JSON numbers. Each is read as the
 *   shortest decimal that reads back as the same number (decimalFromNumber)
 *   and parsed as a decimal, so 0.075 is exactly 75,000,000 nano-dollars per
 *   Mtok; no float is ever multiplied. A value with more than nine decimals
 *   (a float artefact such as 0.18000000000000002) is rounded half up to the
 *   nano-dollar per Mtok and reported.
 * - A field `{ base, tiers: [{ start, price }] }` bills the whole request at
 *   the tier's rate once the prompt reaches `start` tokens: one price version
 *   per distinct start (the base at 0), each field at its rate there.
 * - `prices` is one set, or a list of `{ constraint, prices }`. A single
 *   undated set is in force from the catalog date (CATALOG_EFFECTIVE_FROM,
 *   or the date the caller gives for a newer feed). In a list, later sets
 *   are in force from their `start_date` and the first from the catalog
 *   date, or from UNDATED_FROM when a dated set starts on or before the
 *   catalog date: it is what applied before the first change.
 * - Time-of-day prices (DeepSeek's off-peak discount) cannot be represented:
 *   the sets they override are raised to the higher rate, field by field,
 *   so usage is never under-costed, and the model is reported.
 * - Imported fields: input_mtok, cache_read_mtok, cache_write_mtok (or
 *   cache_write_5m_mtok) as the 5-minute cache write, cache_write_1h_mtok
 *   (null where absent), output_mtok, output_reasoning_mtok. Other fields
 *   (audio, image, per-request, searches...) are counted in the report and
 *   not imported. A set without both an input and an output price is not
 *   imported (reported): usage of such a model stays `unpriced` and visible,
 *   never a silent $0.
 * - Service tier: standard. The v2 feed publishes standard-tier prices only
 *   (batch and flex discounts appear in its free-text price comments).
 */
import { z } from 'zod';
import { CATALOG_EFFECTIVE_FROM, CATALOG_MODELS, type CatalogModel } from './catalog';
import type { ModelTier, ServiceTier } from './enums';
import { ValidationError } from './errors';
import { decimalFromNumber, NANO_PER_USD, scaleDecimal } from './money';
import type { PriceRates } from './pricing';

/** Feed provider ids whose Tollgate name differs; the rest keep the feed's id. */
export const FEED_PROVIDER_NAMES: Readonly<Record<string, string>> = {
  // Names other tools give Google's Gemini API; the v2 feed itself says `google`.
  'google-gla': 'google',
  'google-vertex': 'google',
};

/** In force "since always": the first price set of a model whose later sets predate the catalog date. */
export const UNDATED_FROM = '1970-01-01T00:00:00Z';

/** A model whose every base output price is under this (USD per Mtok) is filed under the small tier. */
export const SMALL_TIER_MAX_OUTPUT_USD = '8';
const SMALL_TIER_MAX_OUTPUT_NANO = 8n * NANO_PER_USD;

/** The nine built-in models, whose tier, quality and routing lib/engine/catalog.ts owns. */
export const BUILTIN_MODELS: ReadonlyMap<string, CatalogModel> = new Map(CATALOG_MODELS.map((m) => [m.id, m]));

// ---------------------------------------------------------------------------
// The feed's shape, validated; unknown fields are tolerated everywhere.

const usd = z.number().nonnegative();
const tieredPrice = z.looseObject({
  base: usd,
  tiers: z.array(z.looseObject({ start: z.number().int().nonnegative(), price: usd })),
});
const priceValue = z.union([usd, tieredPrice]);
type PriceValue = z.infer<typeof priceValue>;

const IMPORTED = {
  input: ['input_mtok'],
  cachedInput: ['cache_read_mtok'],
  cacheWrite5m: ['cache_write_5m_mtok', 'cache_write_mtok'],
  cacheWrite1h: ['cache_write_1h_mtok'],
  output: ['output_mtok'],
  reasoning: ['output_reasoning_mtok'],
} as const;
type Bucket = keyof typeof IMPORTED;
const IMPORTED_FIELDS: ReadonlySet<string> = new Set(Object.values(IMPORTED).flat());

const modelPrice = z.looseObject(
  Object.fromEntries([...IMPORTED_FIELDS].map((field) => [field, priceValue.optional()])) as Record<string, z.ZodOptional<typeof priceValue>>,
);
type ModelPrice = Record<string, unknown>;

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD')
  .refine((day) => new Date(`${day}T00:00:00Z`).toISOString().startsWith(day), 'is not a calendar date');

const conditionalPrice = z.looseObject({
  constraint: z.looseObject({ start_date: isoDay.optional(), start_time: z.string().optional(), end_time: z.string().optional() }).nullish(),
  prices: modelPrice,
});

const feedModel = z.looseObject({
  id: z.string().min(1).max(200).regex(/^\S+$/, 'must have no whitespace'),
  name: z.string().max(200).nullish(),
  context_window: z.number().int().positive().nullish(),
  deprecated: z.boolean().nullish(),
  prices: z.union([z.array(conditionalPrice).min(1), modelPrice]),
});

const feedProvider = z.looseObject({
  id: z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"'),
  name: z.string().nullish(),
  models: z.array(feedModel),
});

export const catalogFeedSchema = z.array(feedProvider).min(1, 'the feed lists no providers');
export type CatalogFeedJson = z.infer<typeof catalogFeedSchema>;

// ---------------------------------------------------------------------------
// What the feed becomes

export interface FeedModel {
  id: string;
  provider: string;
  /** The feed's model id, which is the name its provider's API uses (or the stem the feed matches). */
  name: string;
  displayName: string;
  /** Null when the feed does not say. */
  contextWindow: number | null;
  deprecated: boolean;
}

export interface FeedPriceVersion extends PriceRates {
  modelId: string;
  kind: 'list';
  organisationId: null;
  serviceTier: ServiceTier;
  contextTierMinTokens: number;
  effectiveFrom: Date;
}

export interface FeedReport {
  providers: number;
  models: number;
  /** Price sets read (one per model, or one per entry of a dated list). */
  priceSets: number;
  /** Price versions produced: one per price set and context tier. */
  versions: number;
  /** Fields not imported, with how many price sets carry each. */
  skippedFields: Record<string, number>;
  /** Price sets not imported, and why. */
  skippedSets: { modelId: string; reason: string }[];
  /** Models whose prices vary by time of day, priced at the higher alternative. */
  timeOfDay: string[];
  /** Values with more than nine decimals, rounded half up to the nano-dollar per Mtok. */
  rounded: { modelId: string; field: string; value: string; nanoPerMtok: string }[];
  /** Model ids the feed lists twice (after provider mapping): the first is kept. */
  duplicates: string[];
}

export interface ConvertedFeed {
  models: FeedModel[];
  prices: FeedPriceVersion[];
  report: FeedReport;
}

export interface ConvertOptions {
  /**
   * When the price of a model with one undated price set takes effect;
   * defaults to CATALOG_EFFECTIVE_FROM. Give a later date to import a newer
   * feed whose prices changed. Models with dated price sets keep their own
   * history whatever this says.
   */
  effectiveFrom?: Date | string;
}

export class CatalogFeedError extends ValidationError {}

function feedIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'the feed is not valid';
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `feed${path}: ${issue.message}`;
}

/** Validates a parsed feed; throws CatalogFeedError naming the first bad field. */
export function parseCatalogFeed(raw: unknown): CatalogFeedJson {
  const parsed = catalogFeedSchema.safeParse(raw);
  if (!parsed.success) throw new CatalogFeedError(feedIssue(parsed.error));
  return parsed.data;
}

/** USD per Mtok as nano-dollars per Mtok, through the number's shortest decimal. */
function usdToNanoExact(value: number, onRound: (decimal: string, nano: bigint) => void): bigint {
  const text = decimalFromNumber(value);
  const nano = text.startsWith('-') ? null : scaleDecimal(text, 9);
  if (nano === null) throw new CatalogFeedError(`not a non-negative price: ${text}`);
  if ((text.split('.')[1] ?? '').length > 9) onRound(text, nano);
  return nano;
}

/** A field's rate for a request whose prompt has `promptTokens` tokens. */
function rateAt(value: PriceValue, promptTokens: number): number {
  if (typeof value === 'number') return value;
  let rate = value.base;
  let reached = -1;
  for (const tier of value.tiers) {
    if (tier.start <= promptTokens && tier.start > reached) {
      reached = tier.start;
      rate = tier.price;
    }
  }
  return rate;
}

function fieldOf(prices: ModelPrice, bucket: Bucket): { field: string; value: PriceValue } | null {
  for (const field of IMPORTED[bucket]) {
    const value = prices[field] as PriceValue | undefined;
    if (value !== undefined) return { field, value };
  }
  return null;
}

/** The field-wise higher of two price sets (for time-of-day alternatives). */
function higherOf(a: ModelPrice, b: ModelPrice): ModelPrice {
  const merged: ModelPrice = { ...a };
  for (const field of IMPORTED_FIELDS) {
    const x = a[field] as PriceValue | undefined;
    const y = b[field] as PriceValue | undefined;
    if (y === undefined) continue;
    if (x === undefined) {
      merged[field] = y;
      continue;
    }
    const starts = new Set<number>([0]);
    for (const v of [x, y]) if (typeof v !== 'number') for (const t of v.tiers) starts.add(t.start);
    const sorted = [...starts].sort((p, q) => p - q);
    const at = (s: number) => Math.max(rateAt(x, s), rateAt(y, s));
    merged[field] = sorted.length === 1 ? at(0) : { base: at(0), tiers: sorted.slice(1).map((start) => ({ start, price: at(start) })) };
  }
  return merged;
}

interface DatedSet {
  /** Null for the first set when it has no start date. */
  startDate: string | null;
  prices: ModelPrice;
}

function toDate(value: Date | string): Date {
  const date = value instanceof Date ? new Date(value.getTime()) : new Date(value);
  if (Number.isNaN(date.getTime())) throw new CatalogFeedError(`not a date: ${String(value)}`);
  return date;
}

/** Converts a feed (parsed JSON) to catalog models and list-price versions. */
export function convertCatalogFeed(raw: unknown, options: ConvertOptions = {}): ConvertedFeed {
  const feed = parseCatalogFeed(raw);
  const catalogFrom = new Date(CATALOG_EFFECTIVE_FROM);
  const undatedFrom = toDate(options.effectiveFrom ?? CATALOG_EFFECTIVE_FROM);
  const report: FeedReport = {
    providers: feed.length,
    models: 0,
    priceSets: 0,
    versions: 0,
    skippedFields: {},
    skippedSets: [],
    timeOfDay: [],
    rounded: [],
    duplicates: [],
  };
  const models: FeedModel[] = [];
  const prices: FeedPriceVersion[] = [];
  const seen = new Set<string>();

  for (const provider of feed) {
    const providerName = FEED_PROVIDER_NAMES[provider.id] ?? provider.id;
    for (const model of provider.models) {
      const id = `${providerName}/${model.id}`;
      if (seen.has(id)) {
        report.duplicates.push(id);
        continue;
      }
      seen.add(id);
      report.models += 1;
      models.push({
        id,
        provider: providerName,
        name: model.id,
        displayName: model.name?.trim() || model.id,
        contextWindow: model.context_window ?? null,
        deprecated: model.deprecated ?? false,
      });

      // The model's price sets, by start date.
      const sets: DatedSet[] = [];
      const entries = Array.isArray(model.prices) ? model.prices : [{ constraint: null, prices: model.prices }];
      report.priceSets += entries.length;
      entries.forEach((entry, index) => {
        const constraint = entry.constraint ?? {};
        const keys = Object.keys(constraint);
        if (constraint.start_time !== undefined || constraint.end_time !== undefined) {
          // Applies at some hours of every day: raise what it overrides to the higher rate.
          if (index === 0) {
            report.skippedSets.push({ modelId: id, reason: 'a time-of-day price set first in the list' });
            return;
          }
          for (const set of sets) set.prices = higherOf(set.prices, entry.prices);
          if (!report.timeOfDay.includes(id)) report.timeOfDay.push(id);
          return;
        }
        if (constraint.start_date !== undefined) {
          const same = sets.findIndex((s) => s.startDate === constraint.start_date);
          if (same >= 0) {
            report.skippedSets.push({ modelId: id, reason: `two price sets start on ${constraint.start_date}; the later is used` });
            sets.splice(same, 1);
          }
          sets.push({ startDate: constraint.start_date, prices: entry.prices });
          return;
        }
        if (keys.length > 0) {
          report.skippedSets.push({ modelId: id, reason: `unknown price constraint ${keys.join(', ')}` });
          return;
        }
        if (index > 0) {
          report.skippedSets.push({ modelId: id, reason: 'a price set with no start date after the first' });
          return;
        }
        sets.push({ startDate: null, prices: entry.prices });
      });

      // A model with dated sets keeps its own history whatever date the caller gives: its first set
      // is the catalog's, or "since always" when a change predates the catalog date.
      const dated = sets.filter((s) => s.startDate !== null).map((s) => Date.parse(`${s.startDate}T00:00:00Z`));
      const undated =
        dated.length === 0 ? undatedFrom : Math.min(...dated) <= catalogFrom.getTime() ? new Date(UNDATED_FROM) : catalogFrom;

      for (const set of sets) {
        const effectiveFrom = set.startDate === null ? undated : new Date(`${set.startDate}T00:00:00Z`);
        for (const field of Object.keys(set.prices)) {
          if (!IMPORTED_FIELDS.has(field)) report.skippedFields[field] = (report.skippedFields[field] ?? 0) + 1;
        }
        const found = Object.fromEntries((Object.keys(IMPORTED) as Bucket[]).map((b) => [b, fieldOf(set.prices, b)])) as Record<
          Bucket,
          ReturnType<typeof fieldOf>
        >;
        if (!found.input || !found.output) {
          const missing = [!found.input && 'input_mtok', !found.output && 'output_mtok'].filter(Boolean).join(' and ');
          const when = set.startDate ? ` (from ${set.startDate})` : '';
          report.skippedSets.push({ modelId: id, reason: `no ${missing}${when}` });
          continue;
        }
        const starts = new Set<number>([0]);
        for (const f of Object.values(found)) if (f && typeof f.value !== 'number') for (const t of f.value.tiers) starts.add(t.start);
        for (const start of [...starts].sort((a, b) => a - b)) {
          const nano = (bucket: Bucket): bigint | null => {
            const f = found[bucket];
            if (!f) return null;
            return usdToNanoExact(rateAt(f.value, start), (value, n) =>
              report.rounded.push({ modelId: id, field: f.field, value, nanoPerMtok: n.toString() }),
            );
          };
          prices.push({
            modelId: id,
            kind: 'list',
            organisationId: null,
            serviceTier: 'standard',
            contextTierMinTokens: start,
            effectiveFrom,
            inputPerMtok: nano('input')!,
            cachedInputPerMtok: nano('cachedInput'),
            cacheWrite5mPerMtok: nano('cacheWrite5m'),
            cacheWrite1hPerMtok: nano('cacheWrite1h'),
            outputPerMtok: nano('output')!,
            reasoningPerMtok: nano('reasoning'),
          });
          report.versions += 1;
        }
      }
    }
  }
  return { models, prices, report };
}

// ---------------------------------------------------------------------------
// Which tier a feed-only model is filed under

/**
 * Feed-only models are never routable; their tier only files their usage in
 * the ledger and the dashboards. Small when every base-tier output price the
 * feed gives them is under SMALL_TIER_MAX_OUTPUT_USD per Mtok (all nine
 * built-in models fall on the side catalog.ts puts them by this rule), else
 * frontier, as is a model with no price, so it is never mistaken for cheap.
 */
export function feedModelTier(versions: readonly Pick<FeedPriceVersion, 'contextTierMinTokens' | 'outputPerMtok'>[]): Exclude<ModelTier, 'cache'> {
  const base = versions.filter((v) => v.contextTierMinTokens === 0);
  if (base.length === 0) return 'frontier';
  return base.every((v) => v.outputPerMtok < SMALL_TIER_MAX_OUTPUT_NANO) ? 'small' : 'frontier';
}

// ---------------------------------------------------------------------------
// What a database does not hold yet

/** A model row as the importer writes it. */
export interface CatalogModelRow {
  id: string;
  provider: string;
  name: string;
  displayName: string;
  tier: Exclude<ModelTier, 'cache'>;
  /** 0 when the feed does not say (never read: such models are not routable). */
  contextWindow: number;
  maxOutputTokens: number;
  quality: Record<string, number>;
  routable: boolean;
}

export interface ExistingModel {
  id: string;
  displayName: string;
  contextWindow: number;
}

export interface ExistingPrice extends PriceRates {
  modelId: string;
  kind: string;
  organisationId: string | null;
  serviceTier: string;
  contextTierMinTokens: number;
  effectiveFrom: Date;
}

export interface PriceConflict {
  modelId: string;
  serviceTier: ServiceTier;
  contextTierMinTokens: number;
  effectiveFrom: Date;
  existing: PriceRates;
  feed: PriceRates;
}

export interface CatalogImportPlan {
  insertModels: CatalogModelRow[];
  /** Feed-only models whose name or context window the feed now gives differently. */
  updateModels: { id: string; displayName: string; contextWindow: number }[];
  insertPrices: FeedPriceVersion[];
  /** Feed versions already held, or equal to the version set already in force at their date. */
  unchangedPrices: number;
  /** Feed versions whose date and context tier are held with other rates: never written. */
  conflicts: PriceConflict[];
}

const RATE_KEYS = ['inputPerMtok', 'cachedInputPerMtok', 'cacheWrite5mPerMtok', 'cacheWrite1hPerMtok', 'outputPerMtok', 'reasoningPerMtok'] as const;

export function sameRates(a: PriceRates, b: PriceRates): boolean {
  return RATE_KEYS.every((k) => a[k] === b[k]);
}

export function ratesOf(v: PriceRates): PriceRates {
  return Object.fromEntries(RATE_KEYS.map((k) => [k, v[k]])) as unknown as PriceRates;
}

function sameSet(a: readonly (PriceRates & { contextTierMinTokens: number })[], b: readonly (PriceRates & { contextTierMinTokens: number })[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) => b.some((y) => y.contextTierMinTokens === x.contextTierMinTokens && sameRates(x, y)));
}

function modelRow(model: FeedModel, versions: readonly FeedPriceVersion[]): CatalogModelRow {
  const builtin = BUILTIN_MODELS.get(model.id);
  if (builtin) {
    return {
      id: builtin.id,
      provider: builtin.provider,
      name: builtin.name,
      displayName: builtin.displayName,
      tier: builtin.tier,
      contextWindow: builtin.contextWindow,
      maxOutputTokens: builtin.maxOutputTokens,
      quality: { ...builtin.quality } as Record<string, number>,
      routable: true,
    };
  }
  return {
    id: model.id,
    provider: model.provider,
    name: model.name,
    displayName: model.displayName,
    tier: feedModelTier(versions),
    contextWindow: model.contextWindow ?? 0,
    maxOutputTokens: 0,
    quality: {},
    routable: false,
  };
}

/**
 * Compares a converted feed with what a database holds. New models are
 * inserted (built-in ones as catalog.ts defines them); feed-only models
 * already held get the feed's name and context window, nothing else, so a
 * tier or routing choice made since is kept; built-in rows are never
 * touched. Price versions are compared per model, service tier and date:
 * a version held with the same rates is unchanged, one held with other
 * rates is a conflict (its whole set is left out); a set equal to the set
 * already in force at its date adds nothing and is left out; anything else
 * is inserted. Running the plan's inserts and planning again gives an
 * empty plan.
 */
export function planCatalogImport(
  feed: Pick<ConvertedFeed, 'models' | 'prices'>,
  existing: { models: readonly ExistingModel[]; prices: readonly ExistingPrice[] },
): CatalogImportPlan {
  const plan: CatalogImportPlan = { insertModels: [], updateModels: [], insertPrices: [], unchangedPrices: 0, conflicts: [] };

  const versionsOf = new Map<string, FeedPriceVersion[]>();
  for (const v of feed.prices) {
    const list = versionsOf.get(v.modelId) ?? [];
    list.push(v);
    versionsOf.set(v.modelId, list);
  }
  const held = new Map(existing.models.map((m) => [m.id, m]));
  for (const model of feed.models) {
    const have = held.get(model.id);
    if (!have) {
      plan.insertModels.push(modelRow(model, versionsOf.get(model.id) ?? []));
      continue;
    }
    if (BUILTIN_MODELS.has(model.id)) continue;
    const contextWindow = model.contextWindow ?? have.contextWindow;
    if (have.displayName !== model.displayName || have.contextWindow !== contextWindow) {
      plan.updateModels.push({ id: model.id, displayName: model.displayName, contextWindow });
    }
  }

  // The timeline of each (model, service tier) list price: date -> versions.
  type Row = PriceRates & { contextTierMinTokens: number };
  const timelines = new Map<string, Map<number, Row[]>>();
  const groupOf = (modelId: string, serviceTier: string) => `${modelId}\u0000${serviceTier}`;
  for (const p of existing.prices) {
    if (p.kind !== 'list' || p.organisationId !== null) continue;
    const group = groupOf(p.modelId, p.serviceTier);
    const dates = timelines.get(group) ?? new Map<number, Row[]>();
    timelines.set(group, dates);
    const at = p.effectiveFrom.getTime();
    const same = dates.get(at);
    if (same) same.push(p);
    else dates.set(at, [p]);
  }

  // The feed's sets, in date order within each group.
  const sets = new Map<string, FeedPriceVersion[]>();
  for (const v of feed.prices) {
    const key = `${groupOf(v.modelId, v.serviceTier)}\u0000${v.effectiveFrom.getTime()}`;
    const set = sets.get(key);
    if (set) set.push(v);
    else sets.set(key, [v]);
  }
  const ordered = [...sets.values()].sort((a, b) => {
    const [x, y] = [a[0]!, b[0]!];
    if (x.modelId !== y.modelId) return x.modelId < y.modelId ? -1 : 1;
    if (x.serviceTier !== y.serviceTier) return x.serviceTier < y.serviceTier ? -1 : 1;
    return x.effectiveFrom.getTime() - y.effectiveFrom.getTime();
  });
  for (const set of ordered) {
    const { modelId, serviceTier, effectiveFrom } = set[0]!;
    const group = groupOf(modelId, serviceTier);
    const dates = timelines.get(group) ?? new Map<number, Row[]>();
    timelines.set(group, dates);
    const at = effectiveFrom.getTime();
    const same = dates.get(at);
    if (same) {
      const conflicts: PriceConflict[] = [];
      const missing: FeedPriceVersion[] = [];
      for (const v of set) {
        const held = same.find((h) => h.contextTierMinTokens === v.contextTierMinTokens);
        if (!held) missing.push(v);
        else if (!sameRates(held, v)) {
          conflicts.push({ modelId, serviceTier, contextTierMinTokens: v.contextTierMinTokens, effectiveFrom, existing: ratesOf(held), feed: ratesOf(v) });
        }
      }
      if (conflicts.length > 0) {
        plan.conflicts.push(...conflicts);
        continue;
      }
      plan.unchangedPrices += set.length - missing.length;
      plan.insertPrices.push(...missing);
      same.push(...missing);
      continue;
    }
    let before: number | null = null;
    for (const d of dates.keys()) if (d < at && (before === null || d > before)) before = d;
    if (before !== null && sameSet(dates.get(before)!, set)) {
      plan.unchangedPrices += set.length;
      continue;
    }
    plan.insertPrices.push(...set);
    dates.set(at, [...set]);
  }
  return plan;
}
