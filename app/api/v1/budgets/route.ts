import { z } from 'zod';
import { readJsonBody } from '@/lib/http/json-body';
import { idParam, parseQuery } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { createBudget, listBudgets } from '@/lib/server/governance-admin/budgets';

const query = z.strictObject({ department: idParam.optional() });

/** Active budgets and quotas with this window's use; managers see their own department's only. */
export const GET = withAuth('budgets.read', async ({ ctx, url }) => {
  const { department } = parseQuery(url, query);
  return Response.json({ data: await listBudgets(ctx, department) });
});

/** Creates a budget or token/request quota for a scope (CFO or ops). */
export const POST = withAuth('budgets.write', async ({ req, ctx }) => {
  const budget = await createBudget(ctx, await readJsonBody(req, 16 * 1024));
  return Response.json(budget, { status: 201 });
});
