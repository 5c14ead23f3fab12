import { z } from 'zod';
import { readJsonBody } from '@/lib/http/json-body';
import { idParam, parseQuery } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { createKey, listKeys } from '@/lib/server/governance-admin/keys';

const query = z.strictObject({ department: idParam.optional(), include_revoked: z.enum(['true', 'false']).optional() });

/** API keys of the organisation, never their secrets. Ops session or ops key. */
export const GET = withAuth('keys.write', async ({ ctx, url }) => {
  const q = parseQuery(url, query);
  return Response.json({ data: await listKeys(ctx, { departmentId: q.department, includeRevoked: q.include_revoked === 'true' }) });
});

/** Creates a key, optionally with its own budget; the secret is in this response only. */
export const POST = withAuth('keys.write', async ({ req, ctx }) => {
  const created = await createKey(ctx, await readJsonBody(req, 16 * 1024));
  return Response.json(created, { status: 201, headers: { 'cache-control': 'no-store' } });
});
