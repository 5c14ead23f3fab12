import { z } from 'zod';
import { departmentExists } from '@/db/queries/departments';
import { reconciliationReport } from '@/db/queries/reconciliation';
import { NotFoundError } from '@/lib/engine/errors';
import { departmentScope } from '@/lib/http/context';
import { idParam, parseQuery } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';

const query = z
  .object({
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM'),
    department: idParam.optional(),
  })
  .strict();

/** Billed against estimated spend for one UTC month; managers see their own department only. */
export const GET = withAuth('spend.read', async ({ ctx, url }) => {
  const q = parseQuery(url, query);
  const departmentId = departmentScope(ctx, q.department);
  if (departmentId && !(await departmentExists(ctx, departmentId))) throw new NotFoundError('No such department.');
  const report = await reconciliationReport({ db: ctx.db, organisationId: ctx.organisationId, departmentId }, q.month);
  return Response.json(report, { headers: { 'cache-control': 'no-store' } });
});
