import { z } from 'zod';
import { listDepartments } from '@/db/queries/departments';
import { departmentScope } from '@/lib/http/context';
import { idParam, parseQuery } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';

const query = z.object({ department: idParam.optional() }).strict();

export const GET = withAuth('departments.read', async ({ ctx, url }) => {
  const { department } = parseQuery(url, query);
  const departmentId = departmentScope(ctx, department);
  const data = await listDepartments({ db: ctx.db, organisationId: ctx.organisationId, departmentId });
  return Response.json({ data });
});
