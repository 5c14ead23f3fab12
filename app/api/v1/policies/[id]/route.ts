import { idParam } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { archivePolicy } from '@/lib/server/governance-admin/policies';

/** Archives a policy: it stops applying (ops). */
export const DELETE = withAuth<{ id: string }>('policies.write', async ({ ctx, params }) => Response.json(await archivePolicy(ctx, idParam.parse(params.id))));
