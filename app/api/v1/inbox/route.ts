import { inboxData } from '@/db/queries/inbox';
import { PermissionError } from '@/lib/engine/errors';
import { departmentScope } from '@/lib/http/context';
import { withAuth } from '@/lib/http/route';

/** The ops inbox (approvals waiting, recent decisions, frozen sessions, alerts): the read model the inbox page renders first (CFO and ops). */
export const GET = withAuth('approvals.read', async ({ ctx }) => {
  if (departmentScope(ctx)) throw new PermissionError('The inbox covers the whole organisation; your reads are confined to your department.');
  const data = await inboxData({ db: ctx.db, organisationId: ctx.organisationId, now: ctx.now() });
  return Response.json(data, { headers: { 'cache-control': 'no-store' } });
});
