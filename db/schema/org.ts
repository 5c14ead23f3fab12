import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { ROLES } from '@/lib/engine/enums';

export const organisations = pgTable('organisations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  currency: text('currency').notNull().default('USD'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
export type Organisation = typeof organisations.$inferSelect;
export type NewOrganisation = typeof organisations.$inferInsert;

export const departments = pgTable(
  'departments',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    name: text('name').notNull(),
    /** Short, URL-safe handle, e.g. `claims`. */
    code: text('code').notNull(),
    /** The finance cost-center code chargeback is booked against, e.g. `CC-4100`. */
    costCenter: text('cost_center').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('departments_org_code_uq').on(t.organisationId, t.code)],
);
export type Department = typeof departments.$inferSelect;
export type NewDepartment = typeof departments.$inferInsert;

/** Client projects: the unit a department charges its work to. */
export const projects = pgTable(
  'projects',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    departmentId: text('department_id')
      .notNull()
      .references(() => departments.id),
    name: text('name').notNull(),
    code: text('code').notNull(),
    client: text('client'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('projects_org_code_uq').on(t.organisationId, t.code), index('projects_department_idx').on(t.departmentId)],
);
export type Project = typeof projects.$inferSelect;
export type NewProject = typeof projects.$inferInsert;

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    /** Required for managers: their department is their security boundary. */
    departmentId: text('department_id').references(() => departments.id),
    /** scrypt hash for credentials sign-in; null for users who only sign in through OIDC. */
    passwordHash: text('password_hash'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('users_email_uq').on(t.email), index('users_department_idx').on(t.departmentId)],
);
export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
