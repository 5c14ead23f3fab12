import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import {
  ACTOR_TYPES,
  ALERT_KINDS,
  APPROVAL_STATUSES,
  BUDGET_METRICS,
  BUDGET_SCOPES,
  BUDGET_WINDOWS,
  ENFORCEMENTS,
  POLICY_KINDS,
  SESSION_STATUSES,
} from '@/lib/engine/enums';
import { apiKeys } from './keys';
import { departments, organisations } from './org';

/**
 * Budgets and token quotas. `limitValue` is nano-dollars for `cost`, tokens
 * for `tokens`, calls for `requests`. Several budgets may cover one call.
 */
export const budgets = pgTable(
  'budgets',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    name: text('name').notNull(),
    scopeType: text('scope_type', { enum: BUDGET_SCOPES }).notNull(),
    /** Null for organisation scope (the organisation itself). */
    scopeId: text('scope_id'),
    window: text('window', { enum: BUDGET_WINDOWS }).notNull(),
    metric: text('metric', { enum: BUDGET_METRICS }).notNull().default('cost'),
    limitValue: bigint('limit_value', { mode: 'bigint' }).notNull(),
    enforcement: text('enforcement', { enum: ENFORCEMENTS }).notNull().default('hard'),
    alertThresholds: jsonb('alert_thresholds').$type<number[]>().notNull().default([0.8, 0.95]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by'),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
  },
  (t) => [index('budgets_scope_idx').on(t.organisationId, t.scopeType, t.scopeId)],
);
export type Budget = typeof budgets.$inferSelect;
export type NewBudget = typeof budgets.$inferInsert;

export const policies = pgTable(
  'policies',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    kind: text('kind', { enum: POLICY_KINDS }).notNull(),
    scopeType: text('scope_type', { enum: BUDGET_SCOPES }).notNull(),
    scopeId: text('scope_id'),
    /** Kind-specific settings, validated by the policy's zod schema. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by'),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
  },
  (t) => [index('policies_kind_idx').on(t.organisationId, t.kind)],
);
export type Policy = typeof policies.$inferSelect;
export type NewPolicy = typeof policies.$inferInsert;

export const approvalRequests = pgTable(
  'approval_requests',
  {
    id: text('id').primaryKey(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    status: text('status', { enum: APPROVAL_STATUSES }).notNull().default('pending'),
    reason: text('reason').notNull(),
    policyId: text('policy_id'),
    departmentId: text('department_id').references(() => departments.id),
    projectId: text('project_id'),
    apiKeyId: text('api_key_id').references(() => apiKeys.id),
    sessionId: text('session_id'),
    workflowRunId: text('workflow_run_id'),
    taskType: text('task_type'),
    modelName: text('model_name'),
    projectedCostNano: bigint('projected_cost_nano', { mode: 'bigint' }).notNull(),
    approvedAmountNano: bigint('approved_amount_nano', { mode: 'bigint' }),
    context: jsonb('context').$type<Record<string, unknown>>().notNull().default({}),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: text('decided_by'),
    note: text('note'),
    usedAt: timestamp('used_at', { withTimezone: true }),
    usedByRequestId: text('used_by_request_id'),
  },
  (t) => [index('approval_requests_status_idx').on(t.organisationId, t.status, t.requestedAt)],
);
export type ApprovalRequest = typeof approvalRequests.$inferSelect;

/**
 * Agent sessions, as named by `x-tollgate-session`; the loop guard freezes
 * them. Session ids are the callers' own names, so two organisations may use
 * the same one: the key is (organisation, id).
 */
export const agentSessions = pgTable(
  'agent_sessions',
  {
    id: text('id').notNull(),
    organisationId: text('organisation_id')
      .notNull()
      .references(() => organisations.id),
    departmentId: text('department_id').references(() => departments.id),
    apiKeyId: text('api_key_id').references(() => apiKeys.id),
    status: text('status', { enum: SESSION_STATUSES }).notNull().default('active'),
    frozenReason: text('frozen_reason'),
    frozenAt: timestamp('frozen_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    spendNano: bigint('spend_nano', { mode: 'bigint' }).notNull().default(sql`0`),
    requests: bigint('requests', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.organisationId, t.id] }), index('agent_sessions_status_idx').on(t.organisationId, t.status)],
);
export type AgentSession = typeof agentSessions.$inferSelect;

/** Append-only: a trigger in the migrations refuses UPDATE and DELETE. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organisationId: text('organisation_id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorType: text('actor_type', { enum: ACTOR_TYPES }).notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_log_org_at_idx').on(t.organisationId, t.at)],
);
export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = typeof auditLog.$inferInsert;


/**
 * Each budget's counter per window (`windowKey`: the window's start as ISO
 * text, `total`, or `session:<id>`). Admission locks the row, checks
 * `committed + reserved + this call <= limit`, and adds the call's projected
 * maximum to `reserved`; settling moves the actual amount to `committed` and
 * releases the reservation. Created on first use with `committed` read from
 * the ledger, so spend from before (or from usage ingest) counts.
 */
export const budgetUsage = pgTable(
  'budget_usage',
  {
    budgetId: text('budget_id').notNull(),
    windowKey: text('window_key').notNull(),
    organisationId: text('organisation_id').notNull(),
    committed: bigint('committed', { mode: 'bigint' }).notNull().default(sql`0`),
    reserved: bigint('reserved', { mode: 'bigint' }).notNull().default(sql`0`),
    /** The highest alert threshold already sent for this window (0: none). */
    alertedLevel: real('alerted_level').notNull().default(0),
    resetsAt: timestamp('resets_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.budgetId, t.windowKey] })],
);
export type BudgetUsageRow = typeof budgetUsage.$inferSelect;

/** Amounts held by calls in flight, one row per (reservation, budget window). Expired rows are released by a sweep. */
export const reservations = pgTable(
  'reservations',
  {
    id: text('id').notNull(),
    budgetId: text('budget_id').notNull(),
    windowKey: text('window_key').notNull(),
    organisationId: text('organisation_id').notNull(),
    requestId: text('request_id').notNull(),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.id, t.budgetId, t.windowKey] }), index('reservations_expires_idx').on(t.expiresAt)],
);
export type Reservation = typeof reservations.$inferSelect;

/**
 * Alerts: thresholds crossed, budgets exceeded, loops, approvals waiting,
 * escalations. Shown in the command center and delivered to the webhook
 * (Slack-compatible JSON) with retry; delivery never blocks the gateway.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organisationId: text('organisation_id').notNull(),
    kind: text('kind', { enum: ALERT_KINDS }).notNull(),
    severity: text('severity', { enum: ['info', 'warning', 'critical'] }).notNull(),
    message: text('message').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    /** Deduplicates: one alert per key (e.g. budget + window + threshold). */
    dedupeKey: text('dedupe_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (t) => [index('alerts_org_created_idx').on(t.organisationId, t.createdAt), uniqueIndex('alerts_dedupe_uq').on(t.organisationId, t.dedupeKey)],
);
export type Alert = typeof alerts.$inferSelect;
