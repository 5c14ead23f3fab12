/**
 * The stored signals the router's quality estimates are rebuilt from: human
 * feedback on calls (good, wrong, corrected), joined to the call's model and
 * task type on the ledger.
 */
import type { DbHandle } from '@/db/client';
import { TASK_TYPES, type FeedbackKind, type TaskType } from '@/lib/engine/enums';
import type { QualityHistoryRow } from '@/lib/engine/router';

const TASKS: ReadonlySet<string> = new Set(TASK_TYPES);

export async function loadQualityHistory(db: DbHandle): Promise<QualityHistoryRow[]> {
  const rows = await db.query<{ model_id: string; task_type: string; kind: FeedbackKind }>(
    `select l.model_id, l.task_type, f.kind
       from feedback f
       join ledger_events l on l.id = f.request_id and l.organisation_id = f.organisation_id
      where l.model_id is not null and l.task_type is not null
      order by f.created_at`,
  );
  return rows.filter((r) => TASKS.has(r.task_type)).map((r) => ({ modelId: r.model_id, task: r.task_type as TaskType, signal: r.kind }));
}
