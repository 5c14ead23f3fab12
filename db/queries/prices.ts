/**
 * The price catalog as people and agents read it (GET /api/v1/prices, the
 * prices CLI): list prices, which every organisation shares, and an
 * organisation's own negotiated and amortised prices, only when the scope
 * asks for them. Rates leave as exact decimal strings: USD per million
 * tokens and nano-dollars per million tokens.
 */
import { and, asc, eq, isNull, or, type SQL } from 'drizzle-orm';
import type { DbHandle } from '@/db/client';
import { modelPrices, models, type ModelPrice } from '@/db/schema';
import { nanoToUsdString } from '@/lib/engine/money';

export interface PriceRatesView {
  input: string;
  cached_input: string | null;
  cache_write_5m: string | null;
  cache_write_1h: string | null;
  output: string;
  reasoning: string | null;
}

export interface PriceVersionView {
  id: number;
  model: string;
  provider: string;
  kind: string;
  /** Null for list prices; the organisation for negotiated and amortised ones. */
  organisation_id: string | null;
  service_tier: string;
  context_tier_min_tokens: number;
  effective_from: string;
  /** True for the versions that price an event happening now (at the scope's clock). */
  in_force: boolean;
  usd_per_mtok: PriceRatesView;
  nano_per_mtok: PriceRatesView;
  source: string;
  created_at: string;
}

export interface PriceScope {
  db: DbHandle;
  /** Contract prices included: none (list only), one organisation's, or every organisation's (operators' CLI). */
  contracts: 'none' | 'all' | { organisationId: string };
  now: Date;
}

export interface PriceFilter {
  modelId?: string;
  provider?: string;
}

type Rates = Pick<
  ModelPrice,
  'inputPerMtok' | 'cachedInputPerMtok' | 'cacheWrite5mPerMtok' | 'cacheWrite1hPerMtok' | 'outputPerMtok' | 'reasoningPerMtok'
>;

function ratesView(p: Rates, format: (nano: bigint) => string): PriceRatesView {
  const opt = (v: bigint | null) => (v === null ? null : format(v));
  return {
    input: format(p.inputPerMtok),
    cached_input: opt(p.cachedInputPerMtok),
    cache_write_5m: opt(p.cacheWrite5mPerMtok),
    cache_write_1h: opt(p.cacheWrite1hPerMtok),
    output: format(p.outputPerMtok),
    reasoning: opt(p.reasoningPerMtok),
  };
}

export function priceVersionView(p: ModelPrice, provider: string, inForce: boolean): PriceVersionView {
  return {
    id: p.id,
    model: p.modelId,
    provider,
    kind: p.kind,
    organisation_id: p.organisationId,
    service_tier: p.serviceTier,
    context_tier_min_tokens: p.contextTierMinTokens,
    effective_from: p.effectiveFrom.toISOString(),
    in_force: inForce,
    usd_per_mtok: ratesView(p, (nano) => nanoToUsdString(nano)),
    nano_per_mtok: ratesView(p, (nano) => nano.toString()),
    source: p.source,
    created_at: p.createdAt.toISOString(),
  };
}

/** Ids of the versions in force at `now`: per model, kind, organisation and service tier, every context tier of the latest date reached. */
export function inForceIds(rows: readonly Pick<ModelPrice, 'id' | 'modelId' | 'kind' | 'organisationId' | 'serviceTier' | 'effectiveFrom'>[], now: Date): Set<number> {
  const latest = new Map<string, number>();
  const key = (r: (typeof rows)[number]) => `${r.modelId}\u0000${r.kind}\u0000${r.organisationId ?? ''}\u0000${r.serviceTier}`;
  for (const r of rows) {
    const at = r.effectiveFrom.getTime();
    if (at > now.getTime()) continue;
    const k = key(r);
    if ((latest.get(k) ?? -Infinity) < at) latest.set(k, at);
  }
  return new Set(rows.filter((r) => latest.get(key(r)) === r.effectiveFrom.getTime()).map((r) => r.id));
}

/** Whether a model exists, with its provider. */
export async function findModel(db: DbHandle, modelId: string): Promise<{ id: string; provider: string } | null> {
  const [row] = await db.db.select({ id: models.id, provider: models.provider }).from(models).where(eq(models.id, modelId)).limit(1);
  return row ?? null;
}

/** Price versions, by model, kind, service tier, context tier and date. */
export async function listPriceVersions(scope: PriceScope, filter: PriceFilter = {}): Promise<PriceVersionView[]> {
  const where: (SQL | undefined)[] = [];
  if (filter.modelId) where.push(eq(modelPrices.modelId, filter.modelId));
  if (filter.provider) where.push(eq(models.provider, filter.provider as never));
  if (scope.contracts === 'none') where.push(isNull(modelPrices.organisationId));
  else if (scope.contracts !== 'all') {
    where.push(or(isNull(modelPrices.organisationId), eq(modelPrices.organisationId, scope.contracts.organisationId)));
  }
  const rows = await scope.db.db
    .select({ price: modelPrices, provider: models.provider })
    .from(modelPrices)
    .innerJoin(models, eq(models.id, modelPrices.modelId))
    .where(and(...where))
    .orderBy(
      asc(modelPrices.modelId),
      asc(modelPrices.kind),
      asc(modelPrices.organisationId),
      asc(modelPrices.serviceTier),
      asc(modelPrices.effectiveFrom),
      asc(modelPrices.contextTierMinTokens),
      asc(modelPrices.id),
    );
  const current = inForceIds(
    rows.map((r) => r.price),
    scope.now,
  );
  return rows.map((r) => priceVersionView(r.price, r.provider, current.has(r.price.id)));
}
