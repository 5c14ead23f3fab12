import { idParam } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { decideApproval } from '@/lib/server/governance-admin/approvals';
import { readOptionalJsonBody } from '@/lib/server/governance-admin/optional-body';

/** Rejects a pending request, once (ops); body `{ note? }`. A request that is not pending is a 409. */
export const POST = withAuth<{ id: string }>('approvals.decide', async ({ req, ctx, params }) =>
  Response.json(await decideApproval(ctx, idParam.parse(params.id), 'reject', await readOptionalJsonBody(req))),
);
