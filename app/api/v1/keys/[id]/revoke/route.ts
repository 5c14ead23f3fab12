import { idParam } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { revokeKey } from '@/lib/server/governance-admin/keys';

/** Revokes a key: it stops authenticating. Revoking a revoked key changes nothing. */
export const POST = withAuth<{ id: string }>('keys.write', async ({ ctx, params }) => {
  const { key } = await revokeKey(ctx, idParam.parse(params.id));
  return Response.json(key);
});
