/**
 * POST /api/v1/feedback: a call's answer was good, wrong, or corrected by a
 * person. Stored (the router's quality estimates are rebuilt from it) and
 * applied to this process's estimates at once.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { feedback } from '@/db/schema';
import { FEEDBACK_KINDS, type FeedbackKind, type TaskType } from '@/lib/engine/enums';
import { NotFoundError } from '@/lib/engine/errors';
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
}

export async function recordFeedback(
  ctx: RequestContext,
  body: unknown,
  apply: (modelId: string, task: TaskType, kind: FeedbackKind) => void,
): Promise<FeedbackResult> {
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
  const id = `fb_${randomBytes(10).toString('hex')}`;
  await ctx.db.db.insert(feedback).values({
    id,
    organisationId: ctx.organisationId,
    requestId: input.request_id,
    kind: input.kind,
    note: input.note ?? null,
    createdAt: ctx.now(),
    createdBy: `${ctx.actor.type}:${ctx.actor.id}`,
  });
  if (call.model_id && call.task_type) apply(call.model_id, call.task_type, input.kind);
  return { id, request_id: input.request_id, kind: input.kind, model_id: call.model_id, task: call.task_type };
}
