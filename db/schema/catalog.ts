import { bigint, boolean, index, integer, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { MODEL_TIERS, PRICE_KINDS, PROVIDERS, SERVICE_TIERS } from '@/lib/engine/enums';
import { organisations } from './org';

/** Routable and billable models. `id` is `<provider>/<api name>`. */
export const models = pgTable('models', {
  id: text('id').primaryKey(),
  provider: text('provider', { enum: PROVIDERS }).notNull(),
  /** The name the provider's API uses, e.g. `gpt-4o-mini`. */
  name: text('name').notNull(),
  displayName: text('display_name').notNull(),
  tier: text('tier', { enum: MODEL_TIERS }).notNull(),
  contextWindow: integer('context_window').notNull(),
  maxOutputTokens: integer('max_output_tokens').notNull(),
  /** Expected quality per task type in [0, 1], the catalog default before drift. */
  quality: jsonb('quality').$type<Record<string, number>>().notNull().default({}),
  routable: boolean('routable').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
export type Model = typeof models.$inferSelect;
export type NewModel = typeof models.$inferInsert;

/**
 * Prices, versioned by effective date. All rates are integer nano-dollars per
 * million tokens ($0.15 / 1M tokens = 150_000_000). A row applies from
 * `effectiveFrom` until the next row of the same model, kind, service tier and
 * context tier. Long-context tiers bill the whole request at the tier's rates
 * once the prompt reaches `contextTierMinTokens`.
 */
export const modelPrices = pgTable(
  'model_prices',
  {
    id: serial('id').primaryKey(),
    modelId: text('model_id')
      .notNull()
      .references(() => models.id),
    kind: text('kind', { enum: PRICE_KINDS }).notNull().default('list'),
    /** Set for negotiated and amortised prices: whose contract this is. */
    organisationId: text('organisation_id').references(() => organisations.id),
    serviceTier: text('service_tier', { enum: SERVICE_TIERS }).notNull().default('standard'),
    contextTierMinTokens: integer('context_tier_min_tokens').notNull().default(0),
    effectiveFrom: timestamp('effective_from', { withTimezone: true }).notNull(),
    inputPerMtok: bigint('input_per_mtok', { mode: 'bigint' }).notNull(),
    cachedInputPerMtok: bigint('cached_input_per_mtok', { mode: 'bigint' }),
    cacheWrite5mPerMtok: bigint('cache_write_5m_per_mtok', { mode: 'bigint' }),
    cacheWrite1hPerMtok: bigint('cache_write_1h_per_mtok', { mode: 'bigint' }),
    outputPerMtok: bigint('output_per_mtok', { mode: 'bigint' }).notNull(),
    /** Null when reasoning tokens are billed at the output rate. */
    reasoningPerMtok: bigint('reasoning_per_mtok', { mode: 'bigint' }),
    source: text('source').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('model_prices_lookup_idx').on(t.modelId, t.kind, t.serviceTier, t.effectiveFrom)],
);
export type ModelPrice = typeof modelPrices.$inferSelect;
export type NewModelPrice = typeof modelPrices.$inferInsert;
