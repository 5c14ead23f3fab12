import { z } from 'zod';
import { DASHBOARD_VIEWS, dashboardData } from '@/db/queries/dashboard';
import { departmentExists } from '@/db/queries/departments';
import { NotFoundError, ValidationError } from '@/lib/engine/errors';
import { departmentScope } from '@/lib/http/context';
import { idParam, parseQuery } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';

const query = z.object({ view: z.enum(DASHBOARD_VIEWS).default('overview'), department: idParam.optional() }).strict();

/** The dashboard's live data: the same read models the server pages render first. */
export const GET = withAuth('spend.read', async ({ ctx, url }) => {
  const q = parseQuery(url, query);
  const departmentId = departmentScope(ctx, q.department);
  if (q.view === 'department' && !departmentId) throw new ValidationError('view=department needs a department', { param: 'department' });
  if (departmentId && !(await departmentExists(ctx, departmentId))) throw new NotFoundError('No such department.');
  const data = await dashboardData(q.view, { db: ctx.db, organisationId: ctx.organisationId, departmentId, now: ctx.now() });
  return Response.json(data, { headers: { 'cache-control': 'no-store' } });
});
