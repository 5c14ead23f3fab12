import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { KEY_ROLES } from '@/lib/engine/enums';
import { departments, organisations, projects, users } from './org';

/**
 * API keys. Only a SHA-256 hash of the secret is stored; `prefix` is the
 * visible head of the key (e.g. `tg_9f3a2c1b`) so people can tell keys apart.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    role: text('role', { enum: KEY_ROLES }).notNull().default('agent'),
    departmentId: text('department_id').references(() => departments.id),
    projectId: text('project_id').references(() => projects.id),
    userId: text('user_id').references(() => users.id),
    /** The agent this key belongs to, e.g. `claims-triage-bot`. */
    agent: text('agent'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_hash_uq').on(t.hash), index('api_keys_department_idx').on(t.departmentId)],
);
export type ApiKey = typeof apiKeys.$inferSelect;
export type NewApiKey = typeof apiKeys.$inferInsert;
