/**
 * The stored signals the router's quality estimates are rebuilt from: human
 * feedback on calls (good, wrong, corrected), joined to the call's model and
 * task type on the ledger, each with its organisation: an organisation's
 * estimates are built from its own feedback only.
 */
import type { DbHandle } from '@/db/client';
import { TASK_TYPES, type FeedbackKind, type TaskType } from '@/lib/engine/enums';
import type { OrganisationQualityRow } from '@/lib/engine/router';

const TASKS: ReadonlySet<string> = new Set(TASK_TYPES);

export async function loadQualityHistory(db: DbHandle): Promise<OrganisationQualityRow[]> {
  const rows = await db.query<{ organisation_id: string; model_id: string; task_type: string; kind: FeedbackKind }>(
    `select f.organisation_id, l.model_id, l.task_type, f.kind
       from feedback f
       join ledger_events l on l.id = f.request_id and l.organisation_id = f.organisation_id
      where l.model_id is not null and l.task_type is not null
      order by f.created_at, f.id`,
  );
  return rows
    .filter((r) => TASKS.has(r.task_type))
    .map((r) => ({ organisationId: r.organisation_id, modelId: r.model_id, task: r.task_type as TaskType, signal: r.kind }));
}
