import { boolean, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { UPSTREAM_AUTH_HEADERS, UPSTREAM_KINDS } from '@/lib/engine/enums';
import { organisations } from './org';

/**
 * Where the gateway sends a model's calls: an OpenAI-compatible server
 * (OpenAI, Azure OpenAI, vLLM, Ollama, any base URL), Anthropic's Messages
 * API, or the built-in simulator. Configured by ops. The credential is stored
 * encrypted (AES-256-GCM, key derived from AUTH_SECRET) and is never sent
 * back: responses carry only `credentialHint` (its last four characters).
 * A catalog model with no enabled upstream is served by the simulator unless
 * TOLLGATE_SIMULATED_UPSTREAMS=off.
 */
export const upstreams = pgTable(
  'upstreams',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    name: text('name').notNull(),
    kind: text('kind', { enum: UPSTREAM_KINDS }).notNull(),
    baseUrl: text('base_url'),
    authHeader: text('auth_header', { enum: UPSTREAM_AUTH_HEADERS }).notNull().default('authorization'),
    credentialCiphertext: text('credential_ciphertext'),
    credentialHint: text('credential_hint'),
    /** Catalog model id -> the model (or Azure deployment) name this upstream knows it by. */
    models: jsonb('models').$type<Record<string, string>>().notNull(),
    timeoutMs: integer('timeout_ms').notNull().default(60_000),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('upstreams_name_uq').on(t.organisationId, t.name)],
);
export type Upstream = typeof upstreams.$inferSelect;
export type NewUpstream = typeof upstreams.$inferInsert;
