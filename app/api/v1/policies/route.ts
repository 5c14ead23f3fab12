import { z } from 'zod';
import { POLICY_KINDS } from '@/lib/engine/enums';
import { readJsonBody } from '@/lib/http/json-body';
import { parseQuery } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { createPolicy, listPolicies } from '@/lib/server/governance-admin/policies';

const query = z.strictObject({ kind: z.enum(POLICY_KINDS).optional(), include_archived: z.enum(['true', 'false']).optional() });

/** Active policies (CFO and ops). */
export const GET = withAuth('policies.read', async ({ ctx, url }) => {
  const q = parseQuery(url, query);
  return Response.json({ data: await listPolicies(ctx, { kind: q.kind, includeArchived: q.include_archived === 'true' }) });
});

/** Creates an approval, escalation, loop-guard or routing policy for a scope; it replaces the one it supersedes (ops). */
export const POST = withAuth('policies.write', async ({ req, ctx }) => {
  const { policy, replaced } = await createPolicy(ctx, await readJsonBody(req, 16 * 1024));
  return Response.json({ ...policy, replaced }, { status: 201 });
});
