import { idParam } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { getApproval } from '@/lib/server/governance-admin/approvals';

export const GET = withAuth<{ id: string }>('approvals.read', async ({ ctx, params }) => Response.json(await getApproval(ctx, idParam.parse(params.id))));
