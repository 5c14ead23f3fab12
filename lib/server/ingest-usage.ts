/**
 * POST /api/v1/usage, behind the route wrapper: validate and price each
 * event (engine), check its attribution against the caller's key, and write
 * the accepted ones through the group-commit ledger writer. Backfill files
 * (`npm run usage:import`) go through the same checks and the bulk path.
 */
import { createHash } from 'node:crypto';
import type { Actor } from '@/lib/auth/actor';
import {
  isIngestError,
  prepareUsageEvent,
  usageBatchSchema,
  type IngestError,
  type PreparedEvent,
} from '@/lib/engine/ingest';
import type { RequestContext } from '@/lib/http/context';
import { ledgerWriter, type LedgerRowInput } from './ledger-writer';
import { getPriceBook } from './price-book';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  errors: IngestError[];
  /** Ledger row ids of the accepted events, by request index. */
  ids: { index: number; id: string }[];
}

/**
 * The ledger id of an ingested event: stable, so a retried write lands on the
 * same row, whose primary key is the ledger's idempotency check. 96 bits of
 * SHA-256 over (organisation, event id): two different events share an id
 * with odds of about 1 in 10^9 after ten billion events.
 */
export function ingestedEventId(organisationId: string, idempotencyKey: string): string {
  return `evt_${createHash('sha256').update(`${organisationId}\u0000${idempotencyKey}`).digest('hex').slice(0, 24)}`;
}

async function lookups(ctx: RequestContext, events: PreparedEvent[]) {
  const projectIds = [...new Set(events.map((e) => e.projectId).filter((p): p is string => p !== null))];
  const userIds = [...new Set(events.map((e) => e.userId).filter((u): u is string => u !== null))];
  const [projects, users] = await Promise.all([
    projectIds.length
      ? ctx.db.query<{ id: string; department_id: string }>(
          'select id, department_id from projects where organisation_id = $1 and id = any($2::text[])',
          [ctx.organisationId, projectIds],
        )
      : [],
    userIds.length
      ? ctx.db.query<{ id: string; department_id: string | null }>(
          'select id, department_id from users where organisation_id = $1 and id = any($2::text[])',
          [ctx.organisationId, userIds],
        )
      : [],
  ]);
  return {
    projects: new Map(projects.map((p) => [p.id, p.department_id])),
    users: new Map(users.map((u) => [u.id, u.department_id])),
  };
}

/** Where an event is charged: its project's department, which must be the key's own when the key has one; its user must be in that department too. */
function attribute(
  event: PreparedEvent,
  actor: Actor,
  found: Awaited<ReturnType<typeof lookups>>,
): { departmentId: string | null; projectId: string | null; userId: string | null } | IngestError {
  const projectId = event.projectId ?? actor.projectId;
  if (event.projectId) {
    const projectDepartment = found.projects.get(event.projectId);
    if (!projectDepartment) return { index: event.index, type: 'invalid_request_error', message: `unknown project ${JSON.stringify(event.projectId)}` };
    if (actor.departmentId && projectDepartment !== actor.departmentId) {
      return { index: event.index, type: 'permission_error', message: `project ${JSON.stringify(event.projectId)} is not in this key's department` };
    }
    if (actor.projectId && event.projectId !== actor.projectId) {
      return { index: event.index, type: 'permission_error', message: `this key is bound to project ${JSON.stringify(actor.projectId)}` };
    }
  }
  if (event.userId) {
    if (!found.users.has(event.userId)) {
      return { index: event.index, type: 'invalid_request_error', message: `unknown user ${JSON.stringify(event.userId)}` };
    }
    // A key charges only its own department's people: the user's budgets count this spend.
    if (actor.departmentId && found.users.get(event.userId) !== actor.departmentId) {
      return { index: event.index, type: 'permission_error', message: `user ${JSON.stringify(event.userId)} is not in this key's department` };
    }
    if (actor.userId && event.userId !== actor.userId) {
      return { index: event.index, type: 'permission_error', message: `this key acts for user ${JSON.stringify(actor.userId)}` };
    }
  }
  const departmentId = actor.departmentId ?? (projectId ? (found.projects.get(projectId) ?? null) : null);
  // As at the gateway, a key that acts for a person charges that person when the event names no one.
  return { departmentId, projectId, userId: event.userId ?? actor.userId ?? null };
}

/** Ledger rows of the events the caller may write, each with its index in the request; an error for each event that was refused. */
export interface UsageRows {
  rows: (LedgerRowInput & { index: number })[];
  errors: IngestError[];
}

/** Checks, prices (at each event's own time) and attributes usage events as ledger rows, as POST /api/v1/usage does. */
export async function usageRows(ctx: RequestContext, events: readonly unknown[]): Promise<UsageRows> {
  const book = await getPriceBook(ctx.db);
  const now = ctx.now();
  const errors: IngestError[] = [];
  const prepared: PreparedEvent[] = [];
  events.forEach((raw, index) => {
    const result = prepareUsageEvent(raw, index, {
      organisationId: ctx.organisationId,
      now,
      resolveModel: (provider, model) => book.resolveModel(provider, model),
      pricesOf: (modelId) => book.pricesOf(modelId),
    });
    if (isIngestError(result)) errors.push(result);
    else prepared.push(result);
  });

  const found = await lookups(ctx, prepared);
  const rows: (LedgerRowInput & { index: number })[] = [];
  for (const event of prepared) {
    const where = attribute(event, ctx.actor, found);
    if ('type' in where) {
      errors.push(where);
      continue;
    }
    rows.push({
      index: event.index,
      id: ingestedEventId(ctx.organisationId, event.idempotencyKey),
      idempotencyKey: event.idempotencyKey,
      organisationId: ctx.organisationId,
      occurredAt: event.occurredAt,
      source: 'ingest',
      provider: event.provider,
      modelName: event.modelName,
      modelId: event.modelId,
      // A model the catalog does not know is unpriced and flagged; it is filed under frontier so it is never mistaken for cheap.
      tier: (event.modelId && book.tierOf(event.modelId)) || 'frontier',
      serviceTier: event.serviceTier,
      departmentId: where.departmentId,
      projectId: where.projectId,
      userId: where.userId,
      apiKeyId: ctx.actor.type === 'api_key' ? ctx.actor.id : null,
      agent: ctx.actor.type === 'api_key' ? (ctx.actor.agent ?? ctx.actor.name) : null,
      sessionId: event.sessionId,
      workflowRunId: event.workflowRunId,
      taskType: event.taskType,
      ...event.tokens,
      costNano: event.costNano,
      listCostNano: event.listCostNano,
      priceId: event.priceId,
      priceStatus: event.priceStatus,
      costSource: 'estimated',
      status: 'ok',
    });
  }
  errors.sort((x, y) => x.index - y.index);
  return { rows, errors };
}

export async function ingestUsage(ctx: RequestContext, body: unknown): Promise<IngestResult> {
  const { events } = usageBatchSchema.parse(body);
  const { rows, errors } = await usageRows(ctx, events);
  const written = await ledgerWriter(ctx.db).write(rows.map(({ index: _index, ...row }) => row));
  // Each inserted key belongs to the first of its rows, as on the ledger: a twin later in the batch is a duplicate.
  const unclaimed = new Set(written.inserted);
  // The writer counted the fresh rows against budgets in their commit.
  const fresh = rows.filter((r) => unclaimed.delete(r.idempotencyKey));
  return {
    accepted: written.inserted.length,
    duplicates: written.duplicates.length,
    errors,
    ids: fresh.map((r) => ({ index: r.index, id: r.id })),
  };
}
