import { bigint, index, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { FEEDBACK_KINDS, OUTCOMES } from '@/lib/engine/enums';
import { departments, organisations, projects } from './org';

/** A workflow run groups the calls of one piece of business work (a claim, a KYC check). */
export const workflowRuns = pgTable(
  'workflow_runs',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    departmentId: text('department_id').references(() => departments.id),
    projectId: text('project_id').references(() => projects.id),
    workflow: text('workflow').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    outcome: text('outcome', { enum: OUTCOMES }),
    /** Business value the run captured (e.g. handling cost avoided), nano-dollars. */
    valueCapturedNano: bigint('value_captured_nano', { mode: 'bigint' }),
    note: text('note'),
  },
  (t) => [index('workflow_runs_department_idx').on(t.departmentId, t.startedAt)],
);
export type WorkflowRun = typeof workflowRuns.$inferSelect;
export type NewWorkflowRun = typeof workflowRuns.$inferInsert;

/**
 * A call's answer judged by a person or a downstream check; feeds quality
 * drift. One verdict per caller (`created_by`: the API key or person) on a
 * call, so a caller posting again cannot move routing again.
 */
export const feedback = pgTable(
  'feedback',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    requestId: text('request_id').notNull(),
    kind: text('kind', { enum: FEEDBACK_KINDS }).notNull(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** The caller, `api_key:<id>` or `user:<id>`. */
    createdBy: text('created_by'),
  },
  (t) => [index('feedback_request_idx').on(t.requestId), unique('feedback_caller_uq').on(t.organisationId, t.requestId, t.createdBy).nullsNotDistinct()],
);
export type Feedback = typeof feedback.$inferSelect;
