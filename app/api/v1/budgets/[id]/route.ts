import { idParam } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { archiveBudget } from '@/lib/server/governance-admin/budgets';

/** Archives a budget: it stops applying; its history stays (CFO or ops). */
export const DELETE = withAuth<{ id: string }>('budgets.write', async ({ ctx, params }) => Response.json(await archiveBudget(ctx, idParam.parse(params.id))));
