import { z } from 'zod';
import { LEDGER_COLUMNS, listLedger, decodeCursor } from '@/db/queries/ledger';
import { ValidationError } from '@/lib/engine/errors';
import { departmentScope } from '@/lib/http/context';
import { csvResponse, toCsv } from '@/lib/http/csv';
import { idParam, isoDateTime, parseQuery } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';

const query = z
  .object({
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
    department: idParam.optional(),
    project: idParam.optional(),
    key: idParam.optional(),
    session: idParam.optional(),
    workflow_run: idParam.optional(),
    request_id: idParam.optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

export const GET = withAuth('ledger.read', async ({ ctx, url }) => {
  const q = parseQuery(url, query);
  if (q.from && q.to && q.from >= q.to) throw new ValidationError('from must be before to', { param: 'from' });
  if (q.cursor && !decodeCursor(q.cursor)) throw new ValidationError('cursor is not one this API issued', { param: 'cursor' });
  const departmentId = departmentScope(ctx, q.department);
  const { rows, nextCursor } = await listLedger(
    { db: ctx.db, organisationId: ctx.organisationId, departmentId },
    {
      from: q.from,
      to: q.to,
      projectId: q.project,
      apiKeyId: q.key,
      sessionId: q.session,
      workflowRunId: q.workflow_run,
      requestId: q.request_id,
      cursor: q.cursor,
      limit: q.limit,
    },
  );
  if (q.format === 'csv') {
    const response = csvResponse(toCsv(LEDGER_COLUMNS, rows), 'tollgate-ledger.csv');
    if (nextCursor) response.headers.set('x-next-cursor', nextCursor);
    return response;
  }
  return Response.json({ data: rows, next_cursor: nextCursor });
});
