import { bigint, date, index, integer, jsonb, pgTable, serial, text, timestamp, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { organisations, projects } from './org';

/**
 * Provider billing exports imported for reconciliation (OpenAI organisation
 * Usage and Costs API pages, Anthropic Admin usage and cost reports). An
 * import is identified by the SHA-256 of its body: the same file twice is one
 * import.
 */
export const billingImports = pgTable(
  'billing_imports',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    provider: text('provider').notNull(),
    /** openai_costs, openai_usage, anthropic_cost, anthropic_usage */
    format: text('format').notNull(),
    checksum: text('checksum').notNull(),
    lines: integer('lines').notNull(),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
    importedBy: text('imported_by'),
  },
  (t) => [uniqueIndex('billing_imports_checksum_uq').on(t.organisationId, t.checksum)],
);
export type BillingImport = typeof billingImports.$inferSelect;

/**
 * One billed amount (or billed token count) per provider, UTC day, model,
 * provider project and line item, for the span of the day its import's
 * buckets covered. Providers restate recent days: an import replaces every
 * earlier line of its kind (costs or usage) whose span lies inside the span
 * it covers, and keeps those outside it (another import's hours of the same
 * day); one that would cover part of an earlier span is refused.
 */
export const billingLines = pgTable(
  'billing_lines',
  {
    id: serial('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    importId: text('import_id')
      .notNull()
      .references(() => billingImports.id),
    provider: text('provider').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    /** The model as the provider names it; null when the export does not break down by model. */
    modelName: text('model_name'),
    /** The provider's own project or workspace id. */
    externalProjectId: text('external_project_id'),
    /** Tollgate's project, when the provider project is linked to one. */
    projectId: text('project_id').references(() => projects.id),
    lineItem: text('line_item').notNull(),
    amountNano: bigint('amount_nano', { mode: 'bigint' }).notNull(),
    currency: text('currency').notNull().default('USD'),
    inputTokens: bigint('input_tokens', { mode: 'number' }),
    cachedInputTokens: bigint('cached_input_tokens', { mode: 'number' }),
    outputTokens: bigint('output_tokens', { mode: 'number' }),
    requests: bigint('requests', { mode: 'number' }),
    raw: jsonb('raw').$type<Record<string, unknown>>(),
    /** The span of `day` the import's buckets covered, [coveredFrom, coveredTo): the whole day for daily buckets. */
    coveredFrom: timestamp('covered_from', { withTimezone: true }).notNull(),
    coveredTo: timestamp('covered_to', { withTimezone: true }).notNull(),
  },
  (t) => [
    unique('billing_lines_key_uq')
      .on(t.organisationId, t.provider, t.day, t.modelName, t.externalProjectId, t.lineItem, t.coveredFrom)
      .nullsNotDistinct(),
    index('billing_lines_day_idx').on(t.organisationId, t.day),
  ],
);
export type BillingLine = typeof billingLines.$inferSelect;
export type NewBillingLine = typeof billingLines.$inferInsert;

/** Which Tollgate project a provider's project or workspace id bills to. */
export const providerProjectLinks = pgTable(
  'provider_project_links',
  {
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    provider: text('provider').notNull(),
    externalProjectId: text('external_project_id').notNull(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('provider_project_links_uq').on(t.organisationId, t.provider, t.externalProjectId)],
);
export type ProviderProjectLink = typeof providerProjectLinks.$inferSelect;
