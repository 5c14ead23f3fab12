import { parseQuery } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';
import { approvalListQuery, listApprovals } from '@/lib/server/governance-admin/approvals';

/** The approval inbox, newest first, filterable by status (CFO and ops). */
export const GET = withAuth('approvals.read', async ({ ctx, url }) => Response.json(await listApprovals(ctx, parseQuery(url, approvalListQuery))));
