/**
 * The price catalog in memory: models by provider and name, and every price
 * version per model. Loaded from the database on first use and refreshed
 * after `PRICE_BOOK_TTL_MS` or when prices change (`invalidatePriceBook`).
 */
import type { DbHandle } from '@/db/client';
import type { ModelTier, PriceKind, ServiceTier } from '@/lib/engine/enums';
import { baseModelName } from '@/lib/engine/ingest';
import type { PriceVersion } from '@/lib/engine/prices';
import type { UsageProvider } from '@/lib/engine/usage';

const PRICE_BOOK_TTL_MS = 60_000;

/** Providers whose models the catalog files under another provider name. */
const CATALOG_PROVIDER: Record<UsageProvider, readonly string[]> = {
  openai: ['openai'],
  azure_openai: ['openai'],
  openai_compatible: ['openai_compatible', 'self_hosted', 'openai'],
  anthropic: ['anthropic'],
  google: ['google'],
};

export interface PriceBook {
  loadedAt: number;
  resolveModel(provider: UsageProvider, model: string): string | null;
  pricesOf(modelId: string): readonly PriceVersion[];
  tierOf(modelId: string): ModelTier | null;
}

interface PriceRow {
  id: number;
  model_id: string;
  kind: PriceKind;
  organisation_id: string | null;
  service_tier: ServiceTier;
  context_tier_min_tokens: number;
  effective_from: Date | string;
  input_per_mtok: string;
  cached_input_per_mtok: string | null;
  cache_write_5m_per_mtok: string | null;
  cache_write_1h_per_mtok: string | null;
  output_per_mtok: string;
  reasoning_per_mtok: string | null;
}

const big = (v: string | null) => (v === null ? null : BigInt(v));

export async function loadPriceBook(db: DbHandle): Promise<PriceBook> {
  const [models, prices] = await Promise.all([
    db.query<{ id: string; provider: string; name: string; tier: ModelTier }>('select id, provider, name, tier from models'),
    db.query<PriceRow>(
      `select id, model_id, kind, organisation_id, service_tier, context_tier_min_tokens, effective_from,
              input_per_mtok::text, cached_input_per_mtok::text, cache_write_5m_per_mtok::text,
              cache_write_1h_per_mtok::text, output_per_mtok::text, reasoning_per_mtok::text
         from model_prices`,
    ),
  ]);
  const byName = new Map<string, string>();
  const tiers = new Map<string, ModelTier>();
  for (const m of models) {
    byName.set(`${m.provider}\u0000${m.name}`, m.id);
    tiers.set(m.id, m.tier);
  }
  const versions = new Map<string, PriceVersion[]>();
  for (const p of prices) {
    const list = versions.get(p.model_id) ?? [];
    list.push({
      id: Number(p.id),
      modelId: p.model_id,
      kind: p.kind,
      organisationId: p.organisation_id,
      serviceTier: p.service_tier,
      contextTierMinTokens: Number(p.context_tier_min_tokens),
      effectiveFrom: new Date(p.effective_from),
      inputPerMtok: BigInt(p.input_per_mtok),
      cachedInputPerMtok: big(p.cached_input_per_mtok),
      cacheWrite5mPerMtok: big(p.cache_write_5m_per_mtok),
      cacheWrite1hPerMtok: big(p.cache_write_1h_per_mtok),
      outputPerMtok: BigInt(p.output_per_mtok),
      reasoningPerMtok: big(p.reasoning_per_mtok),
    });
    versions.set(p.model_id, list);
  }
  return {
    loadedAt: Date.now(),
    resolveModel(provider, model) {
      for (const catalogProvider of CATALOG_PROVIDER[provider]) {
        const exact = byName.get(`${catalogProvider}\u0000${model}`) ?? byName.get(`${catalogProvider}\u0000${baseModelName(model)}`);
        if (exact) return exact;
      }
      return null;
    },
    pricesOf(modelId) {
      return versions.get(modelId) ?? [];
    },
    tierOf(modelId) {
      return tiers.get(modelId) ?? null;
    },
  };
}

const globalForPrices = globalThis as unknown as { __tollgatePriceBook?: Promise<PriceBook> };

export async function getPriceBook(db: DbHandle): Promise<PriceBook> {
  const current = globalForPrices.__tollgatePriceBook;
  if (current) {
    const book = await current;
    if (Date.now() - book.loadedAt < PRICE_BOOK_TTL_MS) return book;
  }
  const next = loadPriceBook(db);
  globalForPrices.__tollgatePriceBook = next;
  next.catch(() => {
    if (globalForPrices.__tollgatePriceBook === next) globalForPrices.__tollgatePriceBook = undefined;
  });
  return next;
}

export function invalidatePriceBook(): void {
  globalForPrices.__tollgatePriceBook = undefined;
}
