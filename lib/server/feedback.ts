/**
 * POST /api/v1/feedback: a call's answer was good, wrong, or corrected by a
 * person. Stored (the router's quality estimates are rebuilt from it) and
 * applied to this process's estimates for the caller's organisation at once.
 *
 * One verdict per caller (API key or person) on a call, held by a unique
 * constraint: the first stands, and a repeat, whatever its kind, writes
 * nothing, moves nothing and is answered with the stored verdict and
 * `duplicate: true`.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { feedback } from '@/db/schema';
import { FEEDBACK_KINDS, type FeedbackKind, type TaskType } from '@/lib/engine/enums';
import { NotFoundError } from '@/lib/engine/errors';
import type { OrganisationQualityRow } from '@/lib/engine/router';
import type { RequestContext } from '@/lib/http/context';
import { departmentScope } from '@/lib/http/context';

export const feedbackSchema = z.strictObject({
  request_id: z.string().trim().min(1).max(200),
  kind: z.enum(FEEDBACK_KINDS),
  note: z.string().max(2_000).optional(),
});

export interface FeedbackResult {
  id: string;
  request_id: string;
  kind: FeedbackKind;
  model_id: string | null;
  task: TaskType | null;
  /** The caller had already given its verdict on this call: that one (`id`, `kind`) stands and nothing changed. */
  duplicate: boolean;
}

export async function recordFeedback(ctx: RequestContext, body: unknown, apply: (signal: OrganisationQualityRow) => void): Promise<FeedbackResult> {
  const input = feedbackSchema.parse(body);
  const department = ctx.actor.departmentId ?? departmentScope(ctx);
  const [call] = await ctx.db.query<{ model_id: string | null; task_type: TaskType | null; department_id: string | null }>(
    'select model_id, task_type, department_id from ledger_events where organisation_id = $1 and id = $2',
    [ctx.organisationId, input.request_id],
  );
  // A call in another department is reported exactly like a missing one: nothing leaks.
  if (!call || (department && call.department_id !== department)) {
    throw new NotFoundError(`No call ${JSON.stringify(input.request_id)} in the ledger.`);
  }
  const caller = `${ctx.actor.type}:${ctx.actor.id}`;
  const about = { request_id: input.request_id, model_id: call.model_id, task: call.task_type };
  const [inserted] = await ctx.db.db
    .insert(feedback)
    .values({
      id: `fb_${randomBytes(10).toString('hex')}`,
      organisationId: ctx.organisationId,
      requestId: input.request_id,
      kind: input.kind,
      note: input.note ?? null,
      createdAt: ctx.now(),
      createdBy: caller,
    })
    .onConflictDoNothing({ target: [feedback.organisationId, feedback.requestId, feedback.createdBy] })
    .returning({ id: feedback.id });
  if (!inserted) {
    const [first] = await ctx.db.db
      .select({ id: feedback.id, kind: feedback.kind })
      .from(feedback)
      .where(and(eq(feedback.organisationId, ctx.organisationId), eq(feedback.requestId, input.request_id), eq(feedback.createdBy, caller)))
      .limit(1);
    if (!first) throw new Error(`feedback on ${input.request_id} by ${caller} conflicted, yet no row holds it`);
    return { id: first.id, kind: first.kind, ...about, duplicate: true };
  }
  if (call.model_id && call.task_type) apply({ organisationId: ctx.organisationId, modelId: call.model_id, task: call.task_type, signal: input.kind });
  return { id: inserted.id, kind: input.kind, ...about, duplicate: false };
}
